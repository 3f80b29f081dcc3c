"""The full evaluation on the real data: robust facts only."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.movielens.data import MovieLens
from core.movielens.evaluate import evaluate
from core.numeric import json_ready
from core.vectors.methods import METHOD_NAMES, STRATEGY_NAMES
from core.wording import NOT_DEFINED


@pytest.fixture(scope="session")
def evaluation(embedder, movielens):
    return evaluate(embedder, data=movielens, mode="genres")


@pytest.mark.slow
def test_full_evaluation_robust_facts(evaluation):
    result = evaluation.to_json()
    assert 200 <= result["users"] <= 350
    assert set(result["methods"]) == {*METHOD_NAMES, *STRATEGY_NAMES, "popularity", "random"}
    assert result["strategies_refused"] == dict.fromkeys(STRATEGY_NAMES, 0)  # every user liked something
    for stats in result["methods"].values():
        assert 0.0 <= stats["auc"] <= 1.0
        lo, hi = stats["auc_ci95"]
        assert lo <= stats["auc"] <= hi
        assert 0.0 <= stats["ndcg@10"] <= 1.0 and 0.0 <= stats["precision@10"] <= 1.0
    assert result["methods"]["exact"]["auc"] > result["methods"]["random"]["auc"]
    json.dumps(result, allow_nan=False)


def test_across_models_keeps_each_models_own_paired_difference(evaluation):
    from core.movielens.evaluate import across_models, across_reading

    table = across_models({"a": evaluation, "b": evaluation})
    assert set(table) == set(evaluation.methods) and set(table["weighted"]) == {"a", "b"}
    assert table["naive"]["a"]["auc_minus_naive"] == 0
    assert table["weighted"]["a"] == table["weighted"]["b"]
    reading = across_reading({"a": evaluation})
    assert reading.startswith("Over 1 model: naive text is indistinguishable from chance for 1;")


def one_user(movielens) -> MovieLens:
    """The real data kept to user 1: one evaluable user."""
    ratings = movielens.ratings[movielens.ratings["userId"] == 1]
    return MovieLens(movielens.path, ratings, movielens.movies, movielens.tags)


def test_one_user_gives_null_intervals_never_a_point(embedder, movielens):
    from core.cli import _evaluation_text

    raw = evaluate(embedder, data=one_user(movielens), mode="genres").to_json()
    assert all(np.isnan(stats["auc_ci95"]).all() for stats in raw["methods"].values())  # NaN, never [x, x]
    result = json_ready(raw)  # the CLI's one door to JSON
    assert result["users"] == 1
    for method, stats in result["methods"].items():
        assert stats["auc_ci95"] == [None, None] and stats["auc_minus_naive_ci95"] == [None, None], method
        assert stats["auc"] is not None
    json.dumps(result, allow_nan=False)
    text = _evaluation_text(result, "genres")
    assert f"[{NOT_DEFINED}]" in text and "nan" not in text and "needs at least 2 users" in text
