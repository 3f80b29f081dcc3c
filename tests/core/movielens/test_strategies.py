"""Qdrant's queries on MovieLens histories: which ratings become examples or feedback, and the scores the engine
returns for a user's candidates (the same as the documented formulas)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.movielens.strategies import Catalogue, history_examples, history_feedback, refused
from core.numeric import normalize_rows
from core.vectors.examples import ExampleIds, Feedback, feedback_scores, strategy_scores
from core.vectors.methods import RECOMMEND_NAMES

ITEMS = normalize_rows(np.random.default_rng(5).normal(size=(30, 12)))
ITEMS[7] = 0.0  # a movie with no feature: no direction
ROWS = {100 + i: i for i in range(30)}


def test_history_ratings_become_examples_by_the_label_thresholds():
    history = pd.DataFrame({"movieId": [100, 101, 102, 103, 104, 107], "rating": [5.0, 4.0, 3.5, 2.5, 0.5, 5.0]})
    examples = history_examples(history, ROWS, ITEMS)
    assert examples.positive.tolist() == [0, 1] and examples.negative.tolist() == [3, 4]  # 107 has no vector
    likes_only = history_examples(history, ROWS, ITEMS, negatives=False)
    assert likes_only.positive.tolist() == [0, 1] and likes_only.negative.size == 0


def test_the_catalogue_answers_with_the_documented_formulas():
    examples = ExampleIds.of([0, 1, 2], [3])
    candidates = [10, 11, 12, 13, 14]
    with Catalogue(ITEMS, "test") as catalogue:
        got = catalogue.scores(examples, candidates)
    assert list(got) == list(RECOMMEND_NAMES)
    strategies = dict(zip(RECOMMEND_NAMES, ("average_vector", "best_score", "sum_scores"), strict=True))
    for method, values in got.items():
        expected = strategy_scores(strategies[method], examples.vectors(ITEMS), ITEMS[candidates])
        assert np.allclose(values, expected, atol=1e-5), method


def test_a_query_qdrant_refuses_scores_every_candidate_zero():
    no_likes = ExampleIds.of([], [3])
    assert refused(no_likes, "qdrant-avg") and not refused(no_likes, "qdrant-sum")
    with Catalogue(ITEMS) as catalogue:
        got = catalogue.scores(no_likes, [10, 11])
    assert np.all(got["qdrant-avg"] == 0)
    assert np.allclose(got["qdrant-sum"], -(ITEMS[[10, 11]] @ ITEMS[3]), atol=1e-5)  # minus the one dislike


def test_a_request_names_the_most_recent_examples_only(monkeypatch):
    from core.movielens import protocol

    monkeypatch.setattr(protocol, "MAX_EXAMPLES", 2)
    history = pd.DataFrame({"movieId": [100, 101, 102, 103, 104, 105], "rating": [5.0, 4.0, 4.5, 1.0, 2.0, 0.5]})
    examples = history_examples(history, ROWS, ITEMS)
    assert examples.positive.tolist() == [1, 2] and examples.negative.tolist() == [4, 5]


def test_history_ratings_become_scored_feedback_and_the_catalogue_answers_with_the_formula():
    history = pd.DataFrame({"movieId": [100, 101, 102, 107, 104], "rating": [5.0, 4.0, 3.5, 5.0, 0.5]})
    target = np.random.default_rng(1).normal(size=12)
    feedback = history_feedback(history, ROWS, ITEMS, target)
    assert feedback.scores.tolist() == [5.0, 4.0, 3.5, 0.5]  # 107 has no vector
    assert np.array_equal(feedback.vectors, ITEMS[[0, 1, 2, 4]]) and np.array_equal(feedback.target, target)
    candidates = [10, 11, 12, 13, 14]
    with Catalogue(ITEMS, "feedback") as catalogue:
        got = catalogue.feedback(feedback, candidates)
    assert np.allclose(got, feedback_scores(feedback, ITEMS[candidates]), atol=1e-5)
    assert not refused(feedback, "qdrant-feedback")
    assert refused(Feedback(np.zeros(12), ITEMS[:1], np.array([4.0])), "qdrant-feedback")  # no target, no pair
