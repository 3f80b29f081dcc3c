"""Fitting Qdrant's naive feedback coefficients (a, b, c) on the training split alone.

Qdrant ships no defaults for them: its documentation calls them "trained coefficients ... specific to a triplet
of dataset-smallmodel-bigmodel", and its ``qdrant-relevance-feedback`` package trains them against a reranker.
Ours are trained against the ratings, without looking at a held-out rating: each user's *history* is split once
more by time (the first 80% give the feedback and the target, the last 20% the labels, by the protocol's
thresholds), and the grid point with the highest mean AUC over those inner splits wins.

The ranking depends only on a / c and b: multiplying a and c by one number multiplies every score by it. So the
grid fixes c = 1 and spans a (the target's weight, 0 = feedback alone) and b (how hard a large rating gap counts),
plus one point with c = 0 (the target alone). It is scored with the formula
(:func:`~core.vectors.examples.feedback_scores`, held equal to the engine by the tests); the lab then runs the
fitted coefficients through the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core.movielens.metrics import auc
from core.movielens.protocol import HISTORY_SHARE, NEGATIVE, POSITIVE
from core.movielens.strategies import history_feedback
from core.vectors.examples import DEFAULT_FEEDBACK, NaiveFeedback, feedback_scores

GRID_A = (0.0, 0.1, 0.3, 1.0, 3.0, 10.0)
GRID_B = (0.25, 0.5, 1.0, 2.0)
GRID = (*(NaiveFeedback(a, b, 1.0) for a in GRID_A for b in GRID_B), NaiveFeedback(1.0, 1.0, 0.0))
"""24 points with c = 1, and the target alone (c = 0); the default (1, 1, 1) is one of them."""


def inner_split(history: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A user's history (oldest first) split by time as the protocol splits ratings: the first 80% (rounded down)
    and the rest.

    >>> past, future = inner_split(pd.DataFrame({"rating": [1.0, 2, 3, 4, 5]}))
    >>> len(past), len(future)
    (4, 1)
    """
    cut = int(len(history) * HISTORY_SHARE)
    return history.iloc[:cut], history.iloc[cut:]


@dataclass(frozen=True)
class FeedbackFit:
    """The grid's mean AUC over the users whose inner split has a like and a dislike, and the winner."""

    auc: dict[NaiveFeedback, float]
    users: int

    @property
    def best(self) -> NaiveFeedback:
        """The highest mean AUC (the first in grid order on a tie, so the default wins ties against later points)."""
        order = sorted(self.auc, key=lambda s: (s != DEFAULT_FEEDBACK, GRID.index(s) if s in GRID else len(GRID)))
        return max(order, key=lambda s: self.auc[s])


def fit_feedback(
    histories: Mapping[int, pd.DataFrame],
    rows: Mapping[int, int],
    items: np.ndarray,
    target: Callable[[pd.DataFrame], np.ndarray],
    grid: tuple[NaiveFeedback, ...] = GRID,
) -> FeedbackFit:
    """Mean inner AUC of every grid point; ``target(past)`` gives a user's target from the first part alone."""
    totals, users = dict.fromkeys(grid, 0.0), 0
    for history in histories.values():
        past, future = inner_split(history)
        ratings = future["rating"].to_numpy(dtype=float)
        positive, negative = ratings >= POSITIVE, ratings <= NEGATIVE
        if not positive.any() or not negative.any() or past.empty:
            continue
        request = history_feedback(past, rows, items, target(past))
        candidates = items[[rows[int(m)] for m in future["movieId"]]]
        users += 1
        for strategy in grid:
            totals[strategy] += auc(
                feedback_scores(replace(request, strategy=strategy), candidates), positive, negative
            )
    return FeedbackFit({s: total / users if users else float("nan") for s, total in totals.items()}, users)


def fit_json(fit: FeedbackFit) -> dict:
    """The fit as the labs' JSON carries it: the winner, the default's figure and the whole grid."""
    best = fit.best
    return {
        "a": best.a,
        "b": best.b,
        "c": best.c,
        "train_auc": round(fit.auc[best], 4),
        "default_train_auc": round(fit.auc.get(DEFAULT_FEEDBACK, float("nan")), 4),
        "users": fit.users,
        "grid": [{"a": s.a, "b": s.b, "c": s.c, "train_auc": round(v, 4)} for s, v in fit.auc.items()],
    }
