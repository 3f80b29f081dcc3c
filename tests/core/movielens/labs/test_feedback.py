"""The online update rules against their definitions."""

from __future__ import annotations

import numpy as np
import pytest

from core.movielens.labs.feedback import FEEDBACK_RULES, feedback_stream, feedback_update


def test_reject_only_touches_the_component_along_the_item():
    rng = np.random.default_rng(1)
    user, item = rng.normal(size=8), rng.normal(size=8)
    user, item = user / np.linalg.norm(user), item / np.linalg.norm(item)
    if user @ item < 0:
        item = -item
    updated = feedback_update(user, item, -0.9, 0.5, "reject", np.zeros(8))
    # The part orthogonal to the item keeps its direction; the part along the item shrinks.
    orthogonal_before = user - (user @ item) * item
    orthogonal_after = updated - (updated @ item) * item
    cosine = orthogonal_before @ orthogonal_after / np.linalg.norm(orthogonal_before) / np.linalg.norm(orthogonal_after)
    assert cosine == pytest.approx(1.0)
    assert updated @ item < user @ item
    assert np.linalg.norm(updated) == pytest.approx(1.0)


def test_negative_rules_differ_and_positive_signals_agree():
    user, item, centre = np.array([0.6, 0.8, 0.0]), np.array([0.0, 0.6, 0.8]), np.array([0.2, 0.5, 0.5])
    positive = {rule: feedback_update(user, item, 0.8, 0.3, rule, centre) for rule in FEEDBACK_RULES}
    assert all(np.allclose(v, positive["negate"]) for v in positive.values())
    negative = {rule: feedback_update(user, item, -0.8, 0.3, rule, centre) for rule in FEEDBACK_RULES}
    assert np.array_equal(negative["ignore negatives"], user)
    for rule in ("negate", "reject", "centred push"):
        assert negative[rule] @ item < user @ item, f"{rule} moves away from the disliked item"
    with pytest.raises(ValueError, match="ignore negatives, negate, reject, centred push"):
        feedback_update(user, item, -0.5, 0.3, "flip", centre)


def test_a_stream_of_dislikes_freezes_only_the_ignoring_rule():
    items = np.eye(3)
    centre = np.array([1.0, 1.0, 1.0]) / 3
    rows = {7: 0}
    paths = {rule: feedback_stream([7] * 5, np.full(5, 1.0), rows, items, centre, rule) for rule in FEEDBACK_RULES}
    assert all(len(p) == 6 for p in paths.values())  # the start, then one vector per rating
    assert np.allclose(paths["ignore negatives"], paths["ignore negatives"][0])
    for rule in ("negate", "reject", "centred push"):
        along = paths[rule][:, 0]
        assert np.all(np.diff(along) < 0), f"{rule} keeps moving away from the disliked item"
