"""The full evaluation on the real data: robust facts only."""

from __future__ import annotations

import json

import pytest

from core.engine.methods import METHOD_NAMES
from core.movielens.evaluate import evaluate


@pytest.fixture(scope="session")
def evaluation(embedder, movielens):
    return evaluate(embedder, data=movielens, mode="genres")


def test_full_evaluation_robust_facts(evaluation):
    result = evaluation.to_json()
    assert 200 <= result["users"] <= 350
    assert set(result["methods"]) == {*METHOD_NAMES, "popularity", "random"}
    for stats in result["methods"].values():
        assert 0.0 <= stats["auc"] <= 1.0
        lo, hi = stats["auc_ci95"]
        assert lo <= stats["auc"] <= hi
        assert 0.0 <= stats["ndcg@10"] <= 1.0 and 0.0 <= stats["precision@10"] <= 1.0
    assert result["methods"]["exact"]["auc"] > result["methods"]["random"]["auc"]
    json.dumps(result, allow_nan=False)
