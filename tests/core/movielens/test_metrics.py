"""Metrics by hand: AUC, NDCG, precision, ties and intervals."""

from __future__ import annotations

import numpy as np
import pytest

from core.movielens.metrics import Difference, auc, mean_ci, ranking_metrics, summarise, verdict
from core.numeric import json_ready


def test_auc_by_hand():
    scores = np.array([0.9, 0.4, 0.4, 0.1, 0.6])
    positive = np.array([True, True, False, False, False])
    negative = np.array([False, False, True, True, True])
    # Pairs (pos, neg): 0.9 beats all 3; 0.4 vs 0.4 tie (0.5), beats 0.1, loses to 0.6 -> (3 + 1.5) / 6.
    assert auc(scores, positive, negative) == pytest.approx(4.5 / 6)
    assert np.isnan(auc(scores, positive, np.zeros(5, bool)))


def test_ndcg_and_precision_by_hand():
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    relevant = np.array([False, True, True, False])
    ndcg, precision = ranking_metrics(scores, relevant, order_seed=0, k=2)
    dcg = 0 + 1 / np.log2(3)
    idcg = 1 + 1 / np.log2(3)
    assert ndcg == pytest.approx(dcg / idcg) and precision == pytest.approx(0.5)


def test_ties_are_broken_by_one_seeded_shuffle_shared_by_every_method():
    relevant = np.array([True, False, True, False, False, False])
    # Two methods that tie every movie (at different values) get the same metrics...
    tied = ranking_metrics(np.zeros(6), relevant, order_seed=7, k=3)
    assert tied == ranking_metrics(np.full(6, 0.5), relevant, order_seed=7, k=3)
    # ...which are those of the seeded shuffle's order, not of the order the movies came in.
    order = np.random.default_rng(7).permutation(6)[:3]
    gains = relevant[order].astype(float)
    discounts = 1 / np.log2(np.arange(2, 5))
    ideal = float((np.array([1.0, 1.0, 0.0]) * discounts).sum())
    assert tied == pytest.approx(((gains * discounts).sum() / ideal, gains.mean()))
    # The seed decides: across seeds, the tied results differ.
    assert len({ranking_metrics(np.zeros(6), relevant, order_seed=s, k=3) for s in range(20)}) > 1


def test_mean_ci_contains_the_mean():
    mean, lo, hi = mean_ci([0.2, 0.4, 0.6, 0.9])
    assert lo < mean < hi and mean == pytest.approx(0.525)


def test_an_interval_from_one_value_is_not_defined():
    mean, lo, hi = mean_ci([0.6239])
    assert mean == 0.6239 and np.isnan(lo) and np.isnan(hi)
    assert all(np.isnan(v) for v in mean_ci([])) and all(np.isnan(v) for v in mean_ci([float("nan")]))


def test_a_summary_of_one_user_reports_null_intervals_never_a_point():
    summary = summarise({"auc": [0.62], "ndcg@10": [0.5], "precision@10": [0.4]}, baseline=("naive", [0.55]))
    assert summary["auc"] == 0.62 and summary["auc_minus_naive"] == pytest.approx(0.07)
    ready = json_ready(summary)
    assert ready["auc_ci95"] == [None, None] and ready["auc_minus_naive_ci95"] == [None, None]


def test_a_ranking_without_a_relevant_item_has_no_ndcg():
    ndcg, precision = ranking_metrics(np.array([0.3, 0.2]), np.array([False, False]), order_seed=0)
    assert np.isnan(ndcg) and precision == 0.0


@pytest.mark.parametrize(
    ("difference", "words"),
    [
        (Difference(0.05, float("nan"), float("nan")), "+0.050 AUC on one user; no 95% interval"),
        (Difference(float("nan"), float("nan"), float("nan")), "is not defined"),
    ],
)
def test_a_verdict_without_an_interval_says_so(difference, words):
    text = verdict("Weighted", "naive", difference)
    assert words in text and "nan" not in text and "beats" not in text
