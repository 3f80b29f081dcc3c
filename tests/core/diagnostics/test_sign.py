"""Sign and magnitude: the seed pair, the sweep."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.diagnostics.sign import SWEEP_POINTS, mean_flip, sign_flip, sweep
from core.scenarios.presets import SEED_USER_A as USER_A
from core.scenarios.presets import SEED_USER_B as USER_B
from core.vectors.space import FeatureSpace


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


def test_a_method_without_a_vector_has_no_sign_flip_not_a_cosine_of_zero(embedder):
    one = FeatureSpace(["anxiety"], embedder)  # one feature: the whitened space has no dimensions
    flip = sign_flip(one, {"a": {"anxiety": -0.9}})
    assert math.isnan(flip["whitened"]["a"])
    assert flip["split"]["a"] == pytest.approx(0.0, abs=1e-6), "split's halves are orthogonal: a real 0"
    zero = sign_flip(FeatureSpace(["wine", "jazz"], embedder), {"z": {"wine": 0.0, "jazz": 0.0}, "e": {}})
    for method in ("split", "weighted", "whitened", "exact"):
        assert all(math.isnan(c) for c in zero[method].values()), method
    means = mean_flip({**zero, "exact": {"z": float("nan"), "u": -1.0}})
    assert math.isnan(means["weighted"]) and means["exact"] == -1.0, "a mean over the users that have a vector"


def test_the_sweep_reports_no_cosine_where_a_method_has_no_vector(embedder):
    result = sweep(FeatureSpace(["anxiety"], embedder), {"anxiety": 0.5}, "anxiety")
    assert np.isnan(result.to_positive["whitened"]).all()
    middle = list(result.scores).index(0.0)
    assert np.isnan(result.to_positive["weighted"][middle]), "at score 0 the weighted vector is zero"
