"""Examples as a vector database sees them, and the recommend strategies' formulas, written out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import InputError
from core.numeric import normalize_rows, unit
from core.vectors.examples import (
    STRATEGIES,
    ExampleIds,
    Examples,
    Feedback,
    NaiveFeedback,
    average_query,
    check_strategy,
    feedback_query,
    feedback_scores,
    feedback_weights,
    refuses,
    sigmoid,
    strategy_scores,
)

ITEMS = normalize_rows(np.random.default_rng(0).normal(size=(40, 6)))


@pytest.mark.parametrize("sides", [(3, 2), (3, 0), (0, 2), (0, 0)])
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_each_strategy_scores_as_qdrant_documents_it(strategy, sides):
    rng = np.random.default_rng(sum(sides))
    examples = Examples(rng.normal(size=(sides[0], 6)), rng.normal(size=(sides[1], 6)))
    got = strategy_scores(strategy, examples, ITEMS)
    if refuses(strategy, examples):
        assert got is None and (sides == (0, 0) or (strategy == "average_vector" and sides[0] == 0))
        return
    pos = ITEMS @ normalize_rows(examples.positive).T if sides[0] else np.zeros((40, 0))
    neg = ITEMS @ normalize_rows(examples.negative).T if sides[1] else np.zeros((40, 0))
    if strategy == "sum_scores":
        expected = pos.sum(axis=1) - neg.sum(axis=1)
    elif strategy == "best_score":
        best_pos = pos.max(axis=1) if sides[0] else np.full(40, -np.inf)
        best_neg = neg.max(axis=1) if sides[1] else np.full(40, -np.inf)
        expected = np.where(best_pos > best_neg, sigmoid(best_pos), -sigmoid(best_neg))
    else:
        mean = examples.positive.mean(axis=0)
        query = mean + (mean - examples.negative.mean(axis=0)) if sides[1] else mean
        expected = ITEMS @ unit(query)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_ids_name_stored_products_and_become_their_vectors():
    ids = ExampleIds.of([3, 4], [7])
    as_vectors = ids.vectors(ITEMS)
    np.testing.assert_array_equal(as_vectors.positive, ITEMS[[3, 4]])
    np.testing.assert_array_equal(as_vectors.negative, ITEMS[[7]])
    assert ids.ids().tolist() == [3, 4, 7] and not ids.empty and ExampleIds.of([], []).empty


def test_average_vector_needs_a_like_and_sigmoid_keeps_branches_apart():
    assert average_query(Examples(np.zeros((0, 2)), np.ones((1, 2)))) is None
    x = np.linspace(-5, 5, 11)
    assert np.all((sigmoid(x) > 0) & (sigmoid(x) < 1)) and np.all(np.diff(sigmoid(x)) > 0)


def test_an_unknown_strategy_is_one_line_naming_the_known_ones():
    with pytest.raises(InputError, match="choose one of: average_vector, best_score, sum_scores"):
        check_strategy("best")


def _pairwise(feedback: Feedback, items: np.ndarray) -> np.ndarray:
    """Qdrant's naive feedback score, as feedback_query.rs computes it: pair by pair (every ordered pair with a
    higher first score), each similarity on its own."""
    a, b, c = feedback.strategy.a, feedback.strategy.b, feedback.strategy.c
    sims = items @ normalize_rows(feedback.vectors).T
    score = a * (items @ unit(feedback.target))
    for i, si in enumerate(feedback.scores.astype(np.float32)):
        for j, sj in enumerate(feedback.scores.astype(np.float32)):
            if si - sj > 0:
                score = score + c * float(si - sj) ** b * (sims[:, i] - sims[:, j])
    return score


@pytest.mark.parametrize("coefficients", [NaiveFeedback(), NaiveFeedback(0.7, 0.5, 2.0), NaiveFeedback(0.0, 2.0, 0.3)])
def test_the_feedback_formula_is_qdrants_pair_sum(coefficients):
    rng = np.random.default_rng(4)
    feedback = Feedback(
        rng.normal(size=6), rng.normal(size=(5, 6)), np.array([0.9, -0.2, 0.4, -0.2, 0.0]), coefficients
    )
    assert np.allclose(feedback_scores(feedback, ITEMS), _pairwise(feedback, ITEMS), atol=1e-5)


def test_only_score_differences_count_and_an_all_negative_list_pulls_towards_its_best():
    """The reading of feedback_query.rs, held: a shift of every score changes nothing, a scale does; with scores
    (-0.1, -0.5, -0.9) the least disliked item pulls (weight +1.2), the most disliked pushes."""
    rng = np.random.default_rng(5)
    vectors, target = rng.normal(size=(3, 6)), rng.normal(size=6)
    disliked = np.array([-0.1, -0.5, -0.9])
    base = feedback_query(Feedback(target, vectors, disliked))
    assert np.allclose(feedback_query(Feedback(target, vectors, disliked + 1.0)), base, atol=1e-6)
    assert not np.allclose(feedback_query(Feedback(target, vectors, disliked * 2)), base, atol=1e-3)
    assert np.allclose(feedback_weights(disliked), [1.2, 0.0, -1.2], atol=1e-6)
    assert np.allclose(feedback_weights(np.array([0.5, 0.5])), 0.0)  # equal scores: no pair


def test_one_item_or_none_leaves_the_target_alone():
    rng = np.random.default_rng(6)
    target = rng.normal(size=6)
    for vectors, scores in ((rng.normal(size=(1, 6)), np.array([0.8])), (np.zeros((0, 6)), np.zeros(0))):
        assert np.allclose(feedback_query(Feedback(target, vectors, scores)), unit(target), atol=1e-6)
    assert Feedback(np.zeros(6), np.zeros((1, 6)), np.ones(1)).empty
    assert not Feedback(np.zeros(6), rng.normal(size=(2, 6)), np.array([0.1, 0.2])).empty
