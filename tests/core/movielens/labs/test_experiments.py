"""Every lab on the real MovieLens data and the real model; only robust facts are asserted."""

from __future__ import annotations

import json

import pytest

from core.cli import main
from core.movielens.labs.experiments import CENTROID_SHOTS, LAB_NAMES, QDRANT_RULES, run
from core.movielens.labs.history import HISTORY_RULES
from core.numeric import json_ready


@pytest.fixture(scope="session")
def results(embedder, movielens):
    return {name: run(name, embedder, movielens) for name in LAB_NAMES}


@pytest.mark.slow
def test_every_lab_on_the_real_data(results):
    """Only robust facts: AUCs in [0, 1], intervals around their means, the evaluation's 270 users."""
    for name in ("history", "feedback", "ease", "qdrant"):
        lab = results[name]
        assert lab["users"] == 270
        for rule, r in lab["rules"].items():
            lo, hi = r["auc_ci95"]
            assert 0 <= lo <= r["auc"] <= hi <= 1, (name, rule)
            assert 0 <= r["ndcg@10"] <= 1 and 0 <= r["precision@10"] <= 1, (name, rule)
    history = results["history"]["rules"]
    assert history["signed"]["auc_ci95"][0] > history["all watched"]["auc_ci95"][1], "the sign of a rating matters"
    ease = results["ease"]
    assert ease["rules"]["EASE"]["auc"] > ease["rules"]["popularity"]["auc"]
    assert 0 < ease["negative_weight_share"] < 1 and len(ease["most_negative"]) == 10
    drift = results["feedback"]["cos_to_catalogue_mean"]
    assert drift["negate"] < drift["ignore negatives"], "negating pushes users away from the catalogue's mean"
    centroids = results["centroids"]
    assert [row["k"] for row in centroids["by_k"]] == list(CENTROID_SHOTS)
    assert centroids["by_k"][0]["hit@1"] > centroids["chance"]["hit@1"], "genre names alone beat chance"
    qdrant = results["qdrant"]["rules"]
    assert set(qdrant) == set(QDRANT_RULES)
    # With likes only, sum_scores ranks as average_vector does (the sum of cosines to unit examples is the cosine
    # to their sum, times a constant): the same AUC up to float ties.
    assert abs(qdrant["qdrant-sum (likes only)"]["auc"] - qdrant["qdrant-avg (likes only)"]["auc"]) < 2e-3
    assert qdrant["EASE"]["auc"] == results["ease"]["rules"]["EASE"]["auc"]  # the same model, the same users
    fit = results["qdrant"]["feedback_fit"]  # a, b, c fitted on the history: a grid point, at least the default
    assert (fit["a"], fit["b"], fit["c"]) in {(g["a"], g["b"], g["c"]) for g in fit["grid"]}
    assert fit["train_auc"] >= fit["default_train_auc"] and 200 <= fit["users"] <= 270
    json.dumps(results, allow_nan=False)  # every number finite


def test_labs_cli(capsys, tmp_path):
    assert main(["labs", "history", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload["labs"]["history"]["rules"]) == set(HISTORY_RULES)
    with pytest.raises(SystemExit) as exit_info:
        main(["labs", "nonsense"])
    assert exit_info.value.code == 2
    assert main(["labs", "ease", "--data", str(tmp_path / "missing")]) == 2
    assert "not a MovieLens folder" in capsys.readouterr().err


def test_a_lab_on_one_user_reports_null_intervals(embedder, movielens):
    from core.movielens.data import MovieLens

    ratings = movielens.ratings[movielens.ratings["userId"] == 1]
    one = MovieLens(movielens.path, ratings, movielens.movies, movielens.tags)
    result = json_ready(run("history", embedder, one))  # the CLI's one door to JSON: NaN becomes null
    assert result["users"] == 1
    assert all(r["auc_ci95"] == [None, None] and r["auc"] is not None for r in result["rules"].values())
    json.dumps(result, allow_nan=False)
