from __future__ import annotations

import numpy as np
import pytest

from core.movielens.labs.history import RECENCY_HALF_LIFE, history_vectors


def test_recency_halves_every_half_life_of_newer_likes():
    n = RECENCY_HALF_LIFE + 1
    items = np.eye(n)
    rows = {m: m for m in range(n)}
    vector = history_vectors(list(range(n)), np.full(n, 5.0), rows, items)["recent liked"]
    # The oldest like has RECENCY_HALF_LIFE newer likes: half the weight of the newest.
    assert vector[0] / vector[-1] == pytest.approx(0.5)


def test_signed_pushes_away_from_dislikes_and_all_watched_does_not():
    items = np.array([[1.0, 0.0], [0.0, 1.0]])
    vectors = history_vectors([1, 2], np.array([5.0, 0.5]), {1: 0, 2: 1}, items)
    assert vectors["signed"][1] < 0 < vectors["all watched"][1]
    assert np.allclose(vectors["liked only"], [1.0, 0.0])
