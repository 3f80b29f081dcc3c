"""The view's ranges and defaults are defined once: the codec accepts exactly their bounds, and refuses beyond."""

from __future__ import annotations

import pytest

from core.explorer.links import NUMBERS, decode, encode
from core.explorer.state import DEFAULT_VIEW, HARD_NO, K_RANGE, ViewState
from core.vectors.space import DEFAULT_PARAMS, STRENGTH_RANGE, VARIANCE_RANGE, MethodParams


@pytest.mark.parametrize("param", NUMBERS, ids=lambda p: p.key)
def test_the_link_accepts_each_range_s_bounds_and_refuses_just_beyond(param):
    lo, hi = param.bounds
    for inside in (lo, hi):
        view, warnings = decode({param.key: str(inside)})
        assert getattr(view, param.field) == inside and not warnings, (param.key, inside)
    step = 1 if param.what == "a whole number" else 0.01
    for outside in (lo - step, hi + step):
        view, warnings = decode({param.key: str(outside)})
        assert getattr(view, param.field) == getattr(DEFAULT_VIEW, param.field)
        assert len(warnings) == 1 and param.rule() in warnings[0], warnings


def test_the_method_parameters_refuse_what_the_ranges_refuse():
    MethodParams(whiten_variance=VARIANCE_RANGE[0], whiten_strength=STRENGTH_RANGE[1])
    with pytest.raises(ValueError, match=r"whiten_variance must be in \[0.5, 1\]"):
        MethodParams(whiten_variance=VARIANCE_RANGE[0] - 0.01)
    with pytest.raises(ValueError, match=r"whiten_strength must be in \[0, 1\]"):
        MethodParams(whiten_strength=-0.1)


def test_a_view_gives_its_parameters_and_threshold():
    assert DEFAULT_VIEW.params == DEFAULT_PARAMS and DEFAULT_VIEW.threshold == HARD_NO
    view = ViewState(variance=0.8, strength=0.5, hard_no=-0.5, k=K_RANGE[1])
    assert view.params == MethodParams(whiten_variance=0.8, whiten_strength=0.5) and view.threshold == -0.5
    assert decode(encode(view))[0] == view
