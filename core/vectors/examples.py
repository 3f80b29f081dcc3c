"""A profile as a vector database sees it: examples without weights, or scored feedback, and the formulas of
Qdrant's recommend strategies and of its relevance feedback query, written out so the in-memory store can follow
them and the tests can hold Qdrant against them.

Three types, one meaning each: :class:`Examples` holds example *vectors*; :class:`ExampleIds` names stored
products by index (the store looks their vectors up, and never returns an example itself); :class:`Feedback` is a
relevance feedback request: a target vector and feedback vectors, each with a score.

>>> ids = ExampleIds.of([3, 4], [])
>>> ids.ids().tolist(), refuses("average_vector", ExampleIds.of([], [1])), refuses("sum_scores", ids)
([3, 4], True, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from core.errors import InputError
from core.numeric import EPS, normalize_rows, unit

STRATEGIES = ("average_vector", "best_score", "sum_scores")
"""Qdrant's recommend strategies (``RecommendStrategy``)."""
FEEDBACK = "relevance_feedback"
"""Qdrant's relevance feedback query (``RelevanceFeedbackQuery``, naive strategy): scored feedback, not examples."""


@dataclass(frozen=True)
class Examples:
    """Unweighted positive and negative examples, as (p, d) and (q, d) arrays of vectors."""

    positive: np.ndarray
    negative: np.ndarray

    @property
    def empty(self) -> bool:
        return not len(self.positive) and not len(self.negative)


@dataclass(frozen=True)
class ExampleIds:
    """Unweighted positive and negative examples named by stored product index."""

    positive: np.ndarray  # (p,) int64
    negative: np.ndarray  # (q,) int64

    @classmethod
    def of(cls, positive: Sequence[int], negative: Sequence[int]) -> ExampleIds:
        as_ids = lambda side: np.asarray(side, dtype=np.int64).reshape(-1)  # noqa: E731
        return cls(as_ids(positive), as_ids(negative))

    @property
    def empty(self) -> bool:
        return not len(self.positive) and not len(self.negative)

    def vectors(self, items: np.ndarray) -> Examples:
        """The same examples as vectors (``items``: the stored product vectors, one row per product)."""
        return Examples(items[self.positive], items[self.negative])

    def ids(self) -> np.ndarray:
        """Every product named as an example."""
        return np.concatenate([self.positive, self.negative])


def refuses(strategy: str, examples: Examples | ExampleIds) -> bool:
    """Whether Qdrant refuses the query: no example at all, or average_vector without a positive one."""
    return examples.empty or (strategy == "average_vector" and not len(examples.positive))


def check_strategy(strategy: str) -> None:
    """Refuse a recommend strategy Qdrant does not have, in one line naming the ones it has."""
    if strategy not in STRATEGIES:
        raise InputError(f"unknown recommend strategy {strategy!r}; choose one of: {', '.join(STRATEGIES)}")


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Qdrant's scaled fast sigmoid, (x / (1 + |x|) + 1) / 2: keeps best_score's two branches apart.
    (An infinite x, a side with no example, gives NaN; best_score never picks that side.)"""
    with np.errstate(invalid="ignore"):
        return 0.5 * (x / (1.0 + np.abs(x)) + 1.0)


def average_query(examples: Examples) -> np.ndarray | None:
    """average_vector's query: avg(pos) + (avg(pos) - avg(neg)); None without a positive example."""
    if not len(examples.positive):
        return None
    mean = examples.positive.mean(axis=0)
    return mean + (mean - examples.negative.mean(axis=0)) if len(examples.negative) else mean


class Scorer(Protocol):
    """Unit item vectors as the formulas read them: dot products with one query, or with several vectors at once
    (a store may answer these without the dense (n, d) matrix, e.g. from a linear form)."""

    def scores(self, query: np.ndarray) -> np.ndarray: ...  # (n,) items . query

    def similarities(self, vectors: np.ndarray) -> np.ndarray: ...  # (n, m) items . vectors.T


@dataclass(frozen=True)
class DenseItems:
    """A plain (n, d) array of unit rows as a :class:`Scorer`."""

    vectors: np.ndarray

    def scores(self, query: np.ndarray) -> np.ndarray:
        return self.vectors @ np.asarray(query, dtype=np.float32)

    def similarities(self, vectors: np.ndarray) -> np.ndarray:
        return self.vectors @ np.asarray(vectors, dtype=np.float32).T


def _scorer(items: np.ndarray | Scorer) -> Scorer:
    return DenseItems(items) if isinstance(items, np.ndarray) else items


def strategy_scores(strategy: str, examples: Examples, items: np.ndarray | Scorer) -> np.ndarray | None:
    """Each item's score under a recommend strategy (items: unit rows); None where Qdrant refuses the query.

    average_vector is the cosine to one query; sum_scores, a sum of cosines to unit examples, is the dot product
    with their signed sum (one query too); best_score needs every example's similarity."""
    check_strategy(strategy)
    if refuses(strategy, examples):
        return None
    scorer = _scorer(items)
    if strategy == "average_vector":
        return np.asarray(scorer.scores(unit(average_query(examples))), dtype=np.float32)
    positive, negative = normalize_rows(examples.positive), normalize_rows(examples.negative)
    if strategy == "sum_scores":
        return np.asarray(scorer.scores(positive.sum(axis=0) - negative.sum(axis=0)), dtype=np.float32)
    sims = [scorer.similarities(side) if len(side) else None for side in (positive, negative)]
    n = next(side for side in sims if side is not None).shape[0]
    best_pos, best_neg = (np.full(n, -np.inf) if side is None else side.max(axis=1) for side in sims)
    return np.where(best_pos > best_neg, sigmoid(best_pos), -sigmoid(best_neg)).astype(np.float32)


@dataclass(frozen=True)
class NaiveFeedback:
    """The naive feedback strategy's coefficients. Qdrant has no defaults (its documentation calls them "trained
    coefficients ... specific to a triplet of dataset-smallmodel-bigmodel"); ours are a = b = c = 1, the plainest
    reading, and the MovieLens lab fits them."""

    a: float = 1.0
    b: float = 1.0
    c: float = 1.0


DEFAULT_FEEDBACK = NaiveFeedback()


@dataclass(frozen=True)
class Feedback:
    """A relevance feedback request: the target (d,), feedback vectors (m, d), their scores (m,) and the strategy.
    Vectors need not be unit: Qdrant normalises every one of them for cosine, and so do the formulas here."""

    target: np.ndarray
    vectors: np.ndarray
    scores: np.ndarray
    strategy: NaiveFeedback = DEFAULT_FEEDBACK

    @property
    def empty(self) -> bool:
        """No direction at all: a zero target and no pair of different scores (every product would score 0)."""
        return float(np.linalg.norm(self.target)) <= EPS and not np.any(feedback_weights(self.scores, self.strategy))


def feedback_weights(scores: np.ndarray, strategy: NaiveFeedback = DEFAULT_FEEDBACK) -> np.ndarray:
    """Each feedback item's net weight in the naive strategy's score, (m,) float64.

    Qdrant (lib/segment/src/vector_storage/query/feedback_query.rs, ``extract_context_pairs`` and ``score_by``)
    takes every ordered pair (i, j) with s_i - s_j > 0 (margin 0.0, scores as float32) and adds
    c * (s_i - s_j)^b * (sim(x, v_i) - sim(x, v_j)). Summed per item, item i weighs
    c * (sum over lower j of (s_i - s_j)^b - sum over higher j of (s_j - s_i)^b): only score *differences* count.

    >>> (feedback_weights(np.array([-0.1, -0.5, -0.9])).round(6) + 0).tolist()  # all dislikes: the least disliked pulls
    [1.2, 0.0, -1.2]
    >>> (feedback_weights(np.array([0.9, 0.5, 0.1])).round(6) + 0).tolist()  # the same list, shifted by +1
    [1.2, 0.0, -1.2]
    """
    s = np.asarray(scores, dtype=np.float32).reshape(-1)
    gap = (s[:, None] - s[None, :]).astype(np.float64)  # gap[i, j] = s_i - s_j, as Qdrant subtracts: in float32
    pull = np.zeros_like(gap)
    ahead = gap > 0.0
    pull[ahead] = strategy.c * gap[ahead] ** strategy.b
    return pull.sum(axis=1) - pull.sum(axis=0)


def feedback_query(feedback: Feedback) -> np.ndarray:
    """The one vector the naive feedback score is a dot product with, (d,) float32, unnormalised.

    With unit items x, sim(x, v) = x . unit(v), so Qdrant's score a * sim(x, t) + sum of pair terms equals
    x . (a * unit(t) + sum_i w_i * unit(v_i)), with w the :func:`feedback_weights`. Ranking by it is ranking by
    the cosine to this vector: the place the maps draw the user."""
    weights = feedback_weights(feedback.scores, feedback.strategy)
    query = feedback.strategy.a * unit(np.asarray(feedback.target, dtype=np.float64))
    if len(feedback.vectors):
        query = query + weights @ normalize_rows(feedback.vectors).astype(np.float64)
    return np.asarray(query, dtype=np.float32)


def feedback_scores(feedback: Feedback, items: np.ndarray | Scorer) -> np.ndarray:
    """Each item's naive feedback score (items: unit rows), as Qdrant computes it."""
    return np.asarray(_scorer(items).scores(feedback_query(feedback)), dtype=np.float32)
