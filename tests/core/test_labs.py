"""The labs: the update rules and EASE against their definitions, then every lab on the real data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core import labs
from core import movielens as ml
from core.cli import main


@pytest.fixture(scope="session")
def data():
    return ml.load()


def test_ease_equals_one_ridge_regression_per_item():
    """EASE's column j is the ridge regression of item j on every other item (Steck, 2019)."""
    rng = np.random.default_rng(0)
    x = (rng.random((40, 6)) < 0.4).astype(float)
    lam = 3.0
    weights = labs.ease_weights(x, lam)
    assert np.allclose(np.diag(weights), 0.0)
    for j in range(x.shape[1]):
        others = [i for i in range(x.shape[1]) if i != j]
        a = x[:, others]
        expected = np.linalg.solve(a.T @ a + lam * np.eye(len(others)), a.T @ x[:, j])
        assert np.allclose(weights[others, j], expected, atol=1e-10)


def test_reject_only_touches_the_component_along_the_item():
    rng = np.random.default_rng(1)
    user, item = rng.normal(size=8), rng.normal(size=8)
    user, item = user / np.linalg.norm(user), item / np.linalg.norm(item)
    if user @ item < 0:
        item = -item
    updated = labs.feedback_update(user, item, -0.9, 0.5, "reject", np.zeros(8))
    # The part orthogonal to the item keeps its direction; the part along the item shrinks.
    orthogonal_before = user - (user @ item) * item
    orthogonal_after = updated - (updated @ item) * item
    cosine = orthogonal_before @ orthogonal_after / np.linalg.norm(orthogonal_before) / np.linalg.norm(orthogonal_after)
    assert cosine == pytest.approx(1.0)
    assert updated @ item < user @ item
    assert np.linalg.norm(updated) == pytest.approx(1.0)


def test_negative_rules_differ_and_positive_signals_agree():
    user, item, centre = np.array([0.6, 0.8, 0.0]), np.array([0.0, 0.6, 0.8]), np.array([0.2, 0.5, 0.5])
    positive = {rule: labs.feedback_update(user, item, 0.8, 0.3, rule, centre) for rule in labs.FEEDBACK_RULES}
    assert all(np.allclose(v, positive["negate"]) for v in positive.values())
    negative = {rule: labs.feedback_update(user, item, -0.8, 0.3, rule, centre) for rule in labs.FEEDBACK_RULES}
    assert np.array_equal(negative["ignore negatives"], user)
    for rule in ("negate", "reject", "centred push"):
        assert negative[rule] @ item < user @ item, f"{rule} moves away from the disliked item"
    with pytest.raises(ValueError, match="ignore negatives, negate, reject, centred push"):
        labs.feedback_update(user, item, -0.5, 0.3, "flip", centre)


def test_effective_embedding_is_the_centroid_of_name_and_members():
    base = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    members = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    out = labs.effective_embeddings(base, {0: members})
    expected = np.array([1.0, 0.0, 2.0]) / np.sqrt(5)
    assert np.allclose(out[0], expected, atol=1e-6) and np.allclose(out[1], base[1])


@pytest.fixture(scope="session")
def results(embedder, data):
    return {name: labs.run(name, embedder, data) for name in labs.LAB_NAMES}


def test_every_lab_on_the_real_data(results):
    """Only robust facts: AUCs in [0, 1], intervals around their means, the evaluation's 270 users."""
    for name in ("history", "feedback", "ease"):
        lab = results[name]
        assert lab["users"] == 270
        for rule, r in lab["rules"].items():
            lo, hi = r["auc_ci95"]
            assert 0 <= lo <= r["auc"] <= hi <= 1, (name, rule)
    history = results["history"]["rules"]
    assert history["signed"]["auc_ci95"][0] > history["all watched"]["auc_ci95"][1], "the sign of a rating matters"
    ease = results["ease"]
    assert ease["rules"]["EASE"]["auc"] > ease["rules"]["popularity"]["auc"]
    assert 0 < ease["negative_weight_share"] < 1 and len(ease["most_negative"]) == 10
    drift = results["feedback"]["cos_to_catalogue_mean"]
    assert drift["negate"] < drift["ignore negatives"], "negating pushes users away from the catalogue's mean"
    centroids = results["centroids"]
    assert [row["k"] for row in centroids["by_k"]] == list(labs.CENTROID_SHOTS)
    assert centroids["by_k"][0]["hit@1"] > centroids["chance"]["hit@1"], "genre names alone beat chance"
    json.dumps(results, allow_nan=False)  # every number finite


def test_labs_cli(capsys, tmp_path):
    assert main(["labs", "history", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload["labs"]["history"]["rules"]) == set(labs.HISTORY_RULES)
    with pytest.raises(SystemExit) as exit_info:
        main(["labs", "nonsense"])
    assert exit_info.value.code == 2
    assert main(["labs", "ease", "--data", str(tmp_path / "missing")]) == 2
    assert "not a MovieLens folder" in capsys.readouterr().err
