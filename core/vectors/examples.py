"""A profile as a vector database sees it: examples without weights, and the formulas of Qdrant's recommend
strategies, written out so the in-memory store can follow them and the tests can hold Qdrant against them.

Two types, one meaning each: :class:`Examples` holds example *vectors*; :class:`ExampleIds` names stored
products by index (the store looks their vectors up, and never returns an example itself).

>>> ids = ExampleIds.of([3, 4], [])
>>> ids.ids().tolist(), refuses("average_vector", ExampleIds.of([], [1])), refuses("sum_scores", ids)
([3, 4], True, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.errors import InputError
from core.numeric import normalize_rows, unit

STRATEGIES = ("average_vector", "best_score", "sum_scores")
"""Qdrant's recommend strategies (``RecommendStrategy``)."""


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


def strategy_scores(strategy: str, examples: Examples, items: np.ndarray) -> np.ndarray | None:
    """Each item's score under a recommend strategy (items: unit rows); None where Qdrant refuses the query."""
    check_strategy(strategy)
    if refuses(strategy, examples):
        return None
    if strategy == "average_vector":
        return items @ unit(average_query(examples))
    sims_pos = items @ normalize_rows(examples.positive).T if len(examples.positive) else None
    sims_neg = items @ normalize_rows(examples.negative).T if len(examples.negative) else None
    if strategy == "sum_scores":
        total = np.zeros(len(items), dtype=np.float32)
        total += sims_pos.sum(axis=1) if sims_pos is not None else 0
        total -= sims_neg.sum(axis=1) if sims_neg is not None else 0
        return total
    best_pos = sims_pos.max(axis=1) if sims_pos is not None else np.full(len(items), -np.inf)
    best_neg = sims_neg.max(axis=1) if sims_neg is not None else np.full(len(items), -np.inf)
    return np.where(best_pos > best_neg, sigmoid(best_pos), -sigmoid(best_neg)).astype(np.float32)
