"""The labs' paragraphs are computed from per-user numbers: a clear win and a tie read differently."""

from __future__ import annotations

import numpy as np

from core.movielens.labs import readings
from core.movielens.labs.experiments import LabResult


def lab(rules: dict[str, list[float]], **extra) -> LabResult:
    n = len(next(iter(rules.values())))
    metrics = {"auc": rules, "ndcg@10": {r: [0.5] * n for r in rules}, "precision@10": {r: [0.5] * n for r in rules}}
    return LabResult(tuple(rules), metrics, n, extra)


def test_history_reading_names_the_best_rule_and_each_verdict():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.4, 0.6, 50)
    result = lab({"all watched": base, "liked only": base + 0.05, "recent liked": base + 0.05, "signed": base + 0.1})
    text = readings.history(result)
    assert text.startswith("Best: signed")
    assert "Signed beats liked only" in text and "recent liked is not distinguishable from liked only" in text


def test_feedback_reading_says_whether_negating_harms():
    rng = np.random.default_rng(1)
    base = rng.uniform(0.4, 0.6, 50)
    drift = {"cos_to_catalogue_mean": {"ignore negatives": 0.97, "negate": 0.75, "reject": 0.9, "centred push": 0.9}}
    helps = lab({"ignore negatives": base, "negate": base + 0.03, "reject": base + 0.03, "centred push": base}, **drift)
    assert "not the harmful choice" in readings.feedback(helps)
    harms = lab({"ignore negatives": base, "negate": base - 0.03, "reject": base, "centred push": base}, **drift)
    assert "no better than ignoring" in readings.feedback(harms)


def test_qdrant_reading_says_which_strategy_wins_and_whether_negatives_help():
    rng = np.random.default_rng(2)
    base = rng.uniform(0.4, 0.6, 50)
    noise = rng.normal(0, 0.01, 50)
    rules = {
        "qdrant-avg": base + 0.04,
        "qdrant-best": base + noise,
        "qdrant-sum": base + 0.02,
        "qdrant-avg (likes only)": base,
        "qdrant-best (likes only)": base,
        "qdrant-sum (likes only)": base,
        "signed history": base + 0.06,
        "EASE": base + 0.1,
    }
    text = readings.qdrant(lab(rules))
    assert text.startswith("The highest AUC among the strategies is qdrant-avg's (")
    assert "ahead of the others beyond the noise" in text
    assert "Qdrant-avg beats qdrant-avg (likes only)" in text
    assert "qdrant-best is not distinguishable from qdrant-best (likes only)" in text
    assert "qdrant-avg loses to signed history" in text and "qdrant-avg loses to EASE" in text


def test_qdrant_reading_does_not_crown_a_strategy_that_only_ties():
    rng = np.random.default_rng(3)
    base = rng.uniform(0.4, 0.6, 50)
    rules = {
        "qdrant-avg": base + 0.04 + rng.normal(0, 0.02, 50),
        "qdrant-best": base,
        "qdrant-sum": base + 0.04 + rng.normal(0, 0.02, 50),
        **{f"qdrant-{s} (likes only)": base for s in ("avg", "best", "sum")},
        "signed history": base,
        "EASE": base,
    }
    text = readings.qdrant(lab(rules))
    assert "level with qdrant-sum within the noise" in text or "level with qdrant-avg within the noise" in text
    assert "qdrant-best" not in text.split(". Do negative")[0]


def test_likes_only_strategies_match_only_when_their_shown_aucs_are_equal():
    base = np.random.default_rng(2).uniform(0.4, 0.6, 50)
    others = {"qdrant-avg": base, "qdrant-best": base, "qdrant-sum": base, "qdrant-best (likes only)": base}
    same = lab(others | {"qdrant-avg (likes only)": base, "qdrant-sum (likes only)": base + 0.0001})
    assert "so those two bars match (AUC" in readings.likes_only(same)
    apart = lab(others | {"qdrant-avg (likes only)": base, "qdrant-sum (likes only)": base - 0.0012})
    text = readings.likes_only(apart)
    assert "match (" not in text and "differ at the third decimal" in text
    a, b = (f"{float(np.mean(v)):.3f}" for v in (base, base - 0.0012))
    assert f"(AUC {a} and {b})" in text


def test_qdrant_reading_says_plainly_whether_scored_feedback_beats_example_lists():
    rng = np.random.default_rng(4)
    base = rng.uniform(0.4, 0.6, 50)
    lists = {"qdrant-avg": base + 0.02, "qdrant-best": base, "qdrant-sum": base + 0.02}
    rules = {**lists, **{f"{m} (likes only)": base for m in lists}, "signed history": base + 0.03, "EASE": base + 0.1}
    fit = {"a": 0.0, "b": 0.5, "c": 1.0, "train_auc": 0.61, "default_train_auc": 0.6}
    ahead = lab({**rules, "qdrant-feedback": base + 0.05, "qdrant-feedback (fitted)": base + 0.06}, feedback_fit=fit)
    text = readings.qdrant(ahead)
    assert text.count("Scored feedback beats the best example list (qdrant-") == 1
    assert "qdrant-feedback and qdrant-feedback (fitted) above it beyond the noise" in text
    assert "Fitted on the history alone, a = 0, b = 0.5, c = 1 (inner AUC 0.610, against 0.600" in text
    level = lab({**rules, "qdrant-feedback": base + 0.02, "qdrant-feedback (fitted)": base + 0.02}, feedback_fit=fit)
    assert "Scored feedback does not beat the best example list beyond the noise (" in readings.qdrant(level)
