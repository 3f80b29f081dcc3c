"""Fitting the feedback coefficients: the inner split never reaches past the history, the grid is scored with the
formula, and the winner is the best mean AUC (the default on a tie)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.movielens.labs.coefficients import GRID, FeedbackFit, fit_feedback, fit_json, inner_split
from core.numeric import normalize_rows
from core.vectors.examples import DEFAULT_FEEDBACK, NaiveFeedback

ITEMS = normalize_rows(np.random.default_rng(8).normal(size=(60, 8)))
ROWS = {1000 + i: i for i in range(60)}


def _history(seed: int) -> pd.DataFrame:
    """A user who likes what lies along one direction: ratings follow the items' cosine to it."""
    rng = np.random.default_rng(seed)
    taste = rng.normal(size=8)
    movies = rng.choice(60, size=40, replace=False)
    liking = ITEMS[movies] @ taste / np.linalg.norm(taste) + rng.normal(0, 0.3, size=40)
    ratings = np.clip(np.round((liking * 2.5 + 3) * 2) / 2, 0.5, 5.0)
    return pd.DataFrame({"movieId": [1000 + int(m) for m in movies], "rating": ratings})


def test_the_grid_holds_the_default_and_the_target_alone():
    assert DEFAULT_FEEDBACK in GRID and NaiveFeedback(1.0, 1.0, 0.0) in GRID and len(GRID) == 25


def test_the_fit_uses_the_history_alone_and_finds_that_feedback_helps():
    histories = {u: _history(u) for u in range(12)}
    seen: list[int] = []

    def target(past: pd.DataFrame) -> np.ndarray:
        seen.append(len(past))
        return np.random.default_rng(len(past)).normal(size=8)  # a target that knows nothing

    fit = fit_feedback(histories, ROWS, ITEMS, target)
    labelled = [h.iloc[32:]["rating"] for h in histories.values()]
    usable = sum(bool((r >= 4).any() and (r <= 2.5).any()) for r in labelled)  # a like and a dislike to rank
    assert set(seen) == {32} and fit.users == usable > 0  # 80% of each 40-movie history: feedback and target
    assert fit.auc[fit.best] == max(fit.auc.values()) and fit.best.c == 1.0  # feedback, not the target alone
    assert fit.auc[fit.best] > fit.auc[NaiveFeedback(1.0, 1.0, 0.0)] + 0.1
    assert inner_split(histories[0])[1].equals(histories[0].iloc[32:])
    payload = fit_json(fit)
    assert len(payload["grid"]) == len(GRID) and payload["users"] == usable


def test_a_tie_goes_to_the_default():
    tied = FeedbackFit(
        {NaiveFeedback(0.0, 0.25, 1.0): 0.6, DEFAULT_FEEDBACK: 0.6, NaiveFeedback(3.0, 2.0, 1.0): 0.5}, 5
    )
    assert tied.best == DEFAULT_FEEDBACK
