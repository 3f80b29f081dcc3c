"""Near-synonyms: bounds of the stacking factor, stacking on wine, and full whitening."""

from __future__ import annotations

import numpy as np
import pytest

from core.diagnostics.synonyms import stacking_factor, whitening_trade_off


def test_stacking_factor_bounds():
    e = np.array([1.0, 0.0])
    assert stacking_factor(e, e) == pytest.approx(2.0)
    assert stacking_factor(e, np.array([0.0, 1.0])) == pytest.approx(1.0)
    assert stacking_factor(e, -e) == pytest.approx(0.0)
    assert np.isnan(stacking_factor(np.zeros(2), np.zeros(2))), "two zero vectors stack nothing: not defined, not 1"


def test_the_trade_off_without_pairs_is_not_defined_rather_than_made_up(wine):
    _, recommender = wine
    trade = whitening_trade_off(recommender.space, [], strengths=(1.0,), variances=(0.95,))
    assert np.isnan(trade.stacking[0, 0]) and np.isnan(trade.transfer[0, 0])


def test_wine_synonyms_are_found_and_stack(report):
    a, b, cosine = report.pair
    assert {a, b} <= {"wine", "red wine", "white wine", "sparkling wine", "rosé"}
    assert cosine > 0.75
    assert any({"wine", "red wine"} <= set(group) for group in report.groups)
    assert report.stacking["weighted"] == pytest.approx(1 + cosine, abs=1e-4)
    assert report.transfer["exact"] == 0.0
    assert report.transfer["weighted"] == pytest.approx(cosine, abs=1e-4)


def test_full_whitening_with_every_component_orthogonalises_synonyms(wine):
    _, recommender = wine
    trade = whitening_trade_off(recommender.space, [("wine", "red wine")], strengths=(0.0, 1.0), variances=(1.0,))
    plain, full = trade.stacking[0]
    assert plain > 1.5, "plain PCA keeps the synonyms stacked"
    assert full < 1.2, "whitening every component makes them nearly orthogonal"
    assert trade.transfer[0, 1] < trade.transfer[0, 0]
