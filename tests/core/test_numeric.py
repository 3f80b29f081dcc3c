"""The shared numeric rules: one epsilon for every normalisation, one NaN rule."""

from __future__ import annotations

import numpy as np
import pytest

from core.numeric import EPS, cosine, finite_or_none, inverse_norms, normalize_rows, tanh_weights, unit


def test_one_epsilon_decides_what_counts_as_zero_everywhere():
    tiny = np.array([EPS / 2, 0.0])
    small = np.array([EPS * 2, 0.0])
    assert unit(tiny).tolist() == [0.0, 0.0] and unit(small).tolist() == [1.0, 0.0]
    rows = normalize_rows(np.stack([tiny, small]))
    assert rows.dtype == np.float32 and rows.tolist() == [[0.0, 0.0], [1.0, 0.0]]
    assert inverse_norms(np.stack([tiny, small])).tolist() == pytest.approx([0.0, 1 / (EPS * 2)])
    assert cosine(tiny, small) == 0.0 and cosine(small, small) == pytest.approx(1.0)


def test_the_nan_rule_reports_null_and_never_a_made_up_number():
    assert finite_or_none(float("nan")) is None
    assert finite_or_none(float("inf")) is None and finite_or_none(-float("inf")) is None
    assert finite_or_none(None) is None
    assert finite_or_none(0.0) == 0.0 and finite_or_none(-0.1234567891, 3) == -0.123


def test_tanh_weights_absent_features_weigh_nothing():
    weights = tanh_weights(np.array([[1.0, np.nan], [-1.0, 0.0]]))
    assert weights.dtype == np.float32
    np.testing.assert_allclose(weights, [[np.tanh(2), 0.0], [-np.tanh(2), 0.0]], rtol=1e-6)
