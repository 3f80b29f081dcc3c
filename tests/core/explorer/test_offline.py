"""The saved page's data: a linear model over every slider, each slider's sweep, and the hard-no inputs."""

from __future__ import annotations

import numpy as np
import pytest

from core.explorer.offline import offline_view
from core.explorer.state import ViewState
from core.explorer.sweep import POSITIONS, evaluate
from core.retrieval.recommender import Recommender
from core.scenarios.presets import load_preset


@pytest.fixture(scope="module")
def saved(embedder):
    recommender = Recommender(load_preset("peanut-allergy"), embedder)
    profile = dict(recommender.scenario.user("peanut-allergic").profile)
    return (
        recommender,
        profile,
        offline_view(
            recommender=recommender,
            view=ViewState(hard_no=-0.9),
            user_id="peanut-allergic",
            profile=profile,
            store=None,
        ),
    )


def test_every_slider_has_its_sweep_and_the_linear_model_covers_them_all(saved):
    recommender, profile, offline = saved
    sliders = [s.name for s in offline.panel.sliders]
    assert [s.feature for s in offline.sweeps] == sliders == list(profile)
    for model in offline.linear.values():
        assert list(model.features) == sliders


def test_the_linear_model_answers_two_sliders_moved_at_once(saved):
    recommender, profile, offline = saved
    scores = {**profile, "peanuts": 0.35, "chocolate": -0.6}
    values = [scores[f] for f in offline.linear["weighted"].features]
    for method, model in offline.linear.items():
        np.testing.assert_allclose(evaluate(model, values), recommender.scores(method, scores), atol=1e-4)


def test_the_hard_no_inputs_give_the_engine_s_mark_for_any_scores(saved):
    recommender, profile, offline = saved
    for peanuts in (POSITIONS[0], -0.9, -0.85, 0.5):
        scores = {**profile, "peanuts": peanuts}
        expected = recommender.rank(scores, ["exact"], hard_no=-0.9).marks.hard_no
        mask = offline.fixed_hard_no.copy()
        for feature, value in scores.items():
            if value <= -0.9:
                mask |= offline.carries[feature]
        assert np.array_equal(mask, expected), peanuts
