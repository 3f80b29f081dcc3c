"""Shift blindness on a real preset, through the real engine: which rankings a constant added to every score
moves, what the feedback formula does when nothing is clipped, and where an all-dislikes profile lands."""

from __future__ import annotations

import numpy as np
import pytest

from core.diagnostics.readings import reading_shift
from core.diagnostics.shift import all_dislikes, shift_blindness, shifted
from core.retrieval.recommender import Recommender
from core.scenarios.presets import load_preset
from core.vectors.methods import ALL_METHOD_NAMES, RECOMMEND_NAMES


@pytest.fixture(scope="module")
def measured(embedder):
    return shift_blindness(Recommender(load_preset("sign-trap"), embedder))


def test_every_method_is_measured_for_every_user(measured):
    assert set(measured.by_method) == set(ALL_METHOD_NAMES)
    assert all(len(users) == 4 for users in measured.by_method.values())
    assert measured.shift == -0.5 and measured.k == 5


def test_the_feedback_pair_term_ignores_a_shift_on_the_engine(measured):
    """The source's reading, held on Qdrant Edge: every feedback score moved, nothing clipped, a = 0."""
    assert measured.formula.max_change_pair_term < 1e-4 and measured.formula.max_change_same_target < 1e-4


def test_the_recommend_strategies_stay_where_the_shift_keeps_every_sign(measured):
    """Example lists read only signs: a user whose scores all keep their sign under the shift gets the very same
    ranking; the exact reference, which reads the numbers, moves for every user."""
    profiles = {u.id: dict(u.profile) for u in load_preset("sign-trap").users}
    kept = {uid for uid, p in profiles.items() if all(np.sign(shifted(p)[f]) == np.sign(s) for f, s in p.items())}
    assert kept  # the preset has such users
    for method in (*RECOMMEND_NAMES, "split"):
        assert {uid for uid, r in measured.by_method[method].items() if r.unmoved} == kept, method
    assert measured.unmoved()["exact"] == 0 and measured.unmoved()["weighted"] == 0


def test_all_dislikes_pull_feedback_towards_the_least_disliked_feature(measured):
    """User A avoids anxiety (-0.9) and, made all dislikes, adventure (-0.8): the pair term pulls towards
    adventure. Feedback's top 5s then carry disliked features at least as often as exact's; average_vector has no
    like to start from and is refused."""
    assert all_dislikes({"anxiety": -0.9, "adventure": 0.8}) == {"anxiety": -0.9, "adventure": -0.8}
    feature, weight = measured.formula.pulls["user-a"]
    assert feature == "adventure" and weight > 0
    carrying, refused = measured.carrying(), measured.refused()
    assert carrying["qdrant-feedback"] >= carrying["exact"]
    assert refused["qdrant-avg"] == 4 and refused["qdrant-feedback"] == 0
    assert all(len(r.dislikes_top) == 5 for r in measured.by_method["qdrant-feedback"].values())


def test_the_reading_says_what_the_numbers_say(measured):
    text = reading_shift(measured)
    assert text.startswith("Adding -0.5 to every score (clipped to [-1, 1])")
    assert "pair term ignores the shift, as its source reads" in text
    assert "qdrant average vector no direction for 4 of 4 users" in text
    assert "(user-a: adventure, net weight +0.10)" in text


def test_a_formula_that_hears_the_shift_is_read_as_such(measured):
    """If the engine's pair term moved with the shift, the page would say so, with the figure."""
    from dataclasses import replace

    heard = replace(measured, formula=replace(measured.formula, max_change_pair_term=0.31))
    assert "does not ignore the shift as its source reads: the engine changes a score by up to 0.31" in reading_shift(
        heard
    )
