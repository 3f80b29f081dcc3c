"""Dislikes in the top k, per user and method, and their totals."""

from __future__ import annotations

from core.diagnostics.dislikes import dislikes, totals
from core.retrieval.recommender import Recommender
from core.scenarios.presets import load_preset
from core.vectors.methods import ALL_METHOD_NAMES


def test_counts_per_user_and_method_match_the_rankings(embedder):
    scenario = load_preset("peanut-allergy")
    recommender = Recommender(scenario, embedder)
    counts = dislikes(recommender, k=5)
    assert set(counts) == set(ALL_METHOD_NAMES) and all(
        set(c) == {u.id for u in scenario.users} for c in counts.values()
    )
    result = recommender.rank(dict(scenario.user("peanut-allergic").profile), ALL_METHOD_NAMES, k=5)
    for method in ALL_METHOD_NAMES:
        assert counts[method]["peanut-allergic"] == result.counts(method)
    summed = totals(counts)
    assert summed["naive"]["hard_no_in_top_k"] == sum(c["hard_no_in_top_k"] for c in counts["naive"].values())


def test_a_stricter_threshold_counts_fewer_hard_nos(embedder):
    recommender = Recommender(load_preset("peanut-allergy"), embedder)
    default = totals(dislikes(recommender))
    strict = totals(dislikes(recommender, threshold=-1.0))
    relaxed = totals(dislikes(recommender, threshold=-0.5))
    for method in ALL_METHOD_NAMES:
        assert strict[method]["hard_no_in_top_k"] <= default[method]["hard_no_in_top_k"]
        assert relaxed[method]["hard_no_in_top_k"] >= default[method]["hard_no_in_top_k"]
