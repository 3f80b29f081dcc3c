"""Sign and magnitude: the seed pair, the sweep."""

from __future__ import annotations

import pytest

from core.diagnostics.sign import SWEEP_POINTS, sign_flip, sweep
from core.engine.space import FeatureSpace
from core.scenarios.presets import SEED_USER_A as USER_A
from core.scenarios.presets import SEED_USER_B as USER_B


def test_sign_flip_for_the_seed_pair(embedder):
    space = FeatureSpace(["anxiety", "adventure"], embedder)
    flip = sign_flip(space, {"a": USER_A, "b": USER_B})
    assert min(flip["naive"].values()) > 0.9
    for user in ("a", "b"):
        assert flip["weighted"][user] == pytest.approx(-1.0, abs=1e-5)
        assert flip["exact"][user] == pytest.approx(-1.0, abs=1e-6)


def test_sweep_shapes(wine):
    scenario, recommender = wine
    result = sweep(recommender.space, scenario.user("granular").profile, "wine")
    assert result.distinct["split"] <= 3  # negative, zero (absent from both lists), positive
    assert result.distinct["prefix"] == 5  # five buckets
    assert result.distinct["weighted"] == SWEEP_POINTS
    assert result.to_positive["weighted"][-1] == pytest.approx(1.0, abs=1e-5)
    assert result.travelled["exact"][0] == pytest.approx(0.0, abs=1e-6)
