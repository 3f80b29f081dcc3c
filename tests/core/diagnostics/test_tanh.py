"""Tanh compression, measured in the chosen scenario's own feature space."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.diagnostics.tanh import tanh_effect
from core.scenarios.synthetic import feature_names
from core.vectors.space import FeatureSpace


def test_tanh_damps_one_extreme_score_in_a_many_feature_profile(embedder):
    names = feature_names(200)
    scores = np.random.default_rng(5).uniform(-1, 1, 200)
    effect = tanh_effect(FeatureSpace(names, embedder), dict(zip(names, scores.tolist(), strict=True)))
    assert effect.features == 200 and effect.feature == names[0]
    assert 0 < effect.degrees_with_tanh < effect.degrees_linear


def test_the_scenario_decides_the_numbers(embedder):
    space = FeatureSpace(["wine", "crowds", "jazz"], embedder)
    two = tanh_effect(space, {"wine": 0.3, "crowds": -0.5})
    three = tanh_effect(space, {"wine": 0.3, "crowds": -0.5, "jazz": 0.9}, feature="crowds")
    assert two.features == 2 and three.features == 3 and three.feature == "crowds"
    assert two.degrees_linear != three.degrees_linear
    with pytest.raises(ValueError, match="at least 2 vocabulary features"):
        tanh_effect(space, {"wine": 1.0, "opera": 1.0})


@pytest.mark.parametrize(
    ("profile", "feature"),
    [
        ({"wine": 0.0, "crowds": 0.0, "jazz": 0.0}, None),
        ({"wine": 0.5, "crowds": 0.0}, "wine"),
        ({"jazz": 0.0, "wine": -1.0, "crowds": 0.0}, "wine"),
    ],
)
def test_an_angle_that_cannot_turn_is_not_defined_not_zero(embedder, profile, feature):
    effect = tanh_effect(FeatureSpace(["wine", "crowds", "jazz"], embedder), profile, feature)
    assert math.isnan(effect.degrees_with_tanh) and math.isnan(effect.degrees_linear)
    assert "every other score of the profile is 0" in effect.undefined


def test_the_default_feature_is_one_another_score_can_turn_against(embedder):
    effect = tanh_effect(FeatureSpace(["wine", "crowds"], embedder), {"wine": 0.7, "crowds": 0.0})
    assert effect.feature == "crowds" and effect.undefined is None and effect.degrees_linear > 0
