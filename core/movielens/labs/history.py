"""A user vector built from an interaction history: which items, and how to weigh them.

Items are unit vectors; a history is the items a user rated, oldest first, with
their ratings. Four rules, from the plainest to the one that keeps the sign:

- ``all watched``: the mean of every item (ratings ignored);
- ``liked only``: the mean of the items rated :data:`LIKED` or more;
- ``recent liked``: liked items, each halving in weight every :data:`RECENCY_HALF_LIFE` newer likes;
- ``signed``: every item weighted by tanh(rating - the user's mean rating), so dislikes push away.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.numeric import tanh_weights, unit

HISTORY_RULES = ("all watched", "liked only", "recent liked", "signed")
LIKED = 4.0
RECENCY_HALF_LIFE = 10  # likes: the 10th most recent liked item counts half


def history_vectors(movies: Sequence[int], ratings: np.ndarray, rows: dict[int, int], items: np.ndarray) -> dict:
    """One user's vector under each history rule (movies in time order, oldest first).

    >>> items = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> v = history_vectors([10, 20], np.array([5.0, 1.0]), {10: 0, 20: 1}, items)
    >>> v["all watched"].round(3).tolist(), v["liked only"].round(3).tolist(), v["signed"].round(3).tolist()
    ([0.707, 0.707], [1.0, 0.0], [0.707, -0.707])
    """
    vectors = items[[rows[int(m)] for m in movies]]
    liked = ratings >= LIKED
    deviation = (ratings - ratings.mean()) / 2.0
    age = np.cumsum(liked[::-1])[::-1] - 1  # 0 for the most recent liked movie
    decay = np.where(liked, 0.5 ** (age / RECENCY_HALF_LIFE), 0.0)
    sums = {
        "all watched": vectors.sum(axis=0),
        "liked only": vectors[liked].sum(axis=0),
        "recent liked": (vectors * decay[:, None]).sum(axis=0),
        "signed": (vectors * tanh_weights(np.clip(deviation, -1, 1))[:, None]).sum(axis=0),
    }
    return {rule: unit(vector) for rule, vector in sums.items()}
