from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import kendalltau

from core.retrieval.ranking import (
    SMALL_TAU,
    Ranking,
    kendall_tau,
    measure_agreement,
    overlap_at_k,
    rank_biased_overlap,
    rank_shift,
    tau_b_pairs,
)


def r(name, scores):
    return Ranking.from_scores(name, np.array(scores, dtype=np.float32))


def test_ties_keep_scenario_order():
    assert r("x", [0.5, 0.9, 0.5, 0.1]).order.tolist() == [1, 0, 2, 3]


def test_identical_and_reversed_rankings():
    a = r("a", np.linspace(1, 0, 50))
    b = r("b", np.linspace(0, 1, 50))
    assert kendall_tau(a, a) == pytest.approx(1.0)
    assert kendall_tau(a, b) == pytest.approx(-1.0)
    assert rank_biased_overlap(a, a) == pytest.approx(1.0)
    assert rank_biased_overlap(a, b) < 0.2
    assert overlap_at_k(a, a, 5) == 1.0 and overlap_at_k(a, b, 5) == 0.0


def test_rbo_matches_a_direct_implementation():
    rng = np.random.default_rng(1)
    a, b = r("a", rng.random(40)), r("b", rng.random(40))
    p, n = 0.9, 40
    la, lb = a.order.tolist(), b.order.tolist()
    overlaps = [len(set(la[:d]) & set(lb[:d])) for d in range(1, n + 1)]
    expected = (1 - p) / p * sum(overlaps[d - 1] / d * p**d for d in range(1, n + 1)) + overlaps[-1] / n * p**n
    assert rank_biased_overlap(a, b, p) == pytest.approx(expected)


def test_kendall_tau_b_counts_tied_pairs_as_neither():
    exact = r("exact", [0.5, 0.0, 0.0, -0.5])
    other = r("other", [0.9, 0.3, 0.2, 0.1])
    # 5 concordant pairs, 0 discordant, 1 pair tied in exact: tau-b = 5 / sqrt(5 * 6).
    assert kendall_tau(exact, other) == pytest.approx(5 / np.sqrt(30))


@pytest.mark.parametrize("n", [2, 3, 7, 40, SMALL_TAU, SMALL_TAU + 1, 2_000])
def test_kendall_tau_matches_scipy_on_both_paths(n):
    """Small rankings are counted pair by pair, large ones go to scipy: the two agree, ties included."""
    rng = np.random.default_rng(n)
    x = np.round(rng.random(n), 1)  # one decimal: many ties
    y = np.round(x + rng.normal(0, 0.3, n), 1)
    expected = kendalltau(x, y).statistic
    if not np.isfinite(expected):  # all tied on one side: undefined, reported as None
        assert kendall_tau(r("x", x), r("y", y)) is None and tau_b_pairs(x, y) is None
        return
    assert kendall_tau(r("x", x), r("y", y)) == pytest.approx(expected, abs=1e-6)
    assert tau_b_pairs(x, y) == pytest.approx(expected, abs=1e-12)


def test_undefined_tau_is_none():
    assert kendall_tau(r("a", [0, 0, 0]), r("b", [1, 2, 3])) is None
    assert kendall_tau(r("a", [1]), r("b", [1])) is None


def test_rank_shift_positive_is_further_down():
    a, b = r("a", [0.9, 0.5, 0.1]), r("b", [0.1, 0.5, 0.9])
    assert rank_shift(a, b).tolist() == [2, 0, -2]
    assert rank_shift(a.positions, b.positions).tolist() == [2, 0, -2]


def test_agreement_is_symmetric_with_ones_on_the_diagonal_and_each_pair_measured_as_alone():
    rng = np.random.default_rng(2)
    rankings = {m: r(m, rng.random(30)) for m in "abc"}
    marks = rng.random(30) < 0.3
    agreement = measure_agreement(rankings, 5, marks, ~marks)
    for grid in (agreement.tau, agreement.overlap, agreement.rbo):
        assert np.all(np.diag(grid) == 1) and np.array_equal(grid, grid.T)
    a, b = rankings["a"], rankings["b"]
    assert agreement.vs("a", "b") == {
        "kendall_tau": kendall_tau(a, b), "overlap_at_k": overlap_at_k(a, b, 5), "rbo": rank_biased_overlap(a, b)
    }  # fmt: skip
    assert agreement.counts("c") == {
        "hard_no_in_top_k": int(marks[rankings["c"].top(5)].sum()),
        "disliked_in_top_k": int((~marks)[rankings["c"].top(5)].sum()),
    }
    shown = agreement.among(["c", "a"])
    assert shown.methods == ("c", "a") and shown.tau[0, 1] == agreement.tau[2, 0]


def test_a_tau_that_is_not_defined_is_nan_in_the_agreement():
    flat = {"x": r("x", np.zeros(5)), "y": r("y", np.arange(5.0))}
    agreement = measure_agreement(flat, 2, np.zeros(5, bool), np.zeros(5, bool))
    assert np.isnan(agreement.tau[0, 1]) and agreement.tau[0, 0] == 1


def test_top_k_matches_the_full_sort_including_ties():
    rng = np.random.default_rng(5)
    scores = np.round(rng.random(1000), 2)  # many ties
    for k in (1, 3, 10, 40, 999, 1000, 1500):
        partial = Ranking.from_scores("x", scores).top(k)
        full = Ranking.from_scores("x", scores).order[:k]
        assert partial.tolist() == full.tolist()
