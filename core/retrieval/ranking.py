"""Rankings and how far two rankings disagree.

A :class:`Ranking` is one method's cosine for every product, and the order
those cosines imply (ties keep scenario order, so rankings are deterministic).

>>> a = Ranking.from_scores("a", np.array([0.9, 0.1, 0.5]))
>>> b = Ranking.from_scores("b", np.array([0.2, 0.8, 0.5]))
>>> a.order.tolist(), b.order.tolist()
([0, 2, 1], [1, 2, 0])
>>> overlap_at_k(a, b, 1), overlap_at_k(a, b, 2)
(0.0, 0.5)
>>> round(kendall_tau(a, b), 3)
-1.0
>>> rank_shift(a, b).tolist()  # product 0 drops two places, product 1 climbs two
[2, -2, 0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.stats import kendalltau

RBO_P = 0.9
SCORE_DECIMALS = 6  # cosines equal to this precision count as ties
SMALL_TAU = 150  # up to this many products, tau-b is counted pair by pair in numpy (no scipy call overhead)


@dataclass(frozen=True)
class Ranking:
    method: str
    scores: np.ndarray  # (n_products,) cosine, in scenario order

    @classmethod
    def from_scores(cls, method: str, scores: np.ndarray) -> Ranking:
        return cls(method, np.asarray(scores, dtype=np.float32))

    @cached_property
    def order(self) -> np.ndarray:
        """Every product index, best first (sorted on first use: a top-k view does not need it)."""
        return np.argsort(-self.scores, kind="stable")

    @cached_property
    def positions(self) -> np.ndarray:
        """positions[i] is product i's 0-based place in the ranking."""
        positions = np.empty_like(self.order)
        positions[self.order] = np.arange(self.order.size)
        return positions

    @cached_property
    def available(self) -> int:
        """How many products have a score: a filter gives the ones it removed -inf, and they are never shown."""
        return int(np.count_nonzero(self.scores > -np.inf))

    def top(self, k: int) -> np.ndarray:
        """The best k product indices, best first; same order as ``order[:k]``. Never a removed product.

        >>> Ranking.from_scores("f", np.array([0.2, -np.inf, 0.9])).top(5).tolist()
        [2, 0]
        """
        n = self.scores.size
        k = max(0, min(k, self.available))
        if "order" in self.__dict__ or k >= n // 4:
            return self.order[:k]
        # Partial selection: O(n) instead of a full sort. Ties at the boundary are
        # resolved by index, as in the full sort, by sorting on (score, index).
        kth = np.partition(-self.scores, k - 1)[k - 1] if k else 0.0
        candidates = np.nonzero(-self.scores <= kth)[0]
        chosen = candidates[np.lexsort((candidates, -self.scores[candidates]))]
        return chosen[:k]


def kendall_tau(a: Ranking, b: Ranking) -> float | None:
    """Kendall's tau-b between two methods' scores over every product.

    Tau-b counts tied scores as neither agreeing nor disagreeing, which matters
    for ``exact``: every product sharing no feature with the user scores 0.
    None when undefined (fewer than 2 products, or one side all ties).
    """
    if a.scores.size < 2:
        return None
    x, y = np.round(a.scores, SCORE_DECIMALS), np.round(b.scores, SCORE_DECIMALS)
    if x.size <= SMALL_TAU:
        return tau_b_pairs(x, y)
    with np.errstate(invalid="ignore"):
        tau = kendalltau(x, y).statistic
    return None if not np.isfinite(tau) else float(tau)


def tau_b_pairs(x: np.ndarray, y: np.ndarray) -> float | None:
    """Kendall's tau-b by looking at every pair: O(n^2), but one numpy pass, so quick for small n.

    Same value as ``scipy.stats.kendalltau`` (a test checks it); scipy's call overhead
    is about a millisecond, which adds up over 21 method pairs on every slider move.

    >>> tau_b_pairs(np.array([1.0, 2.0, 3.0]), np.array([1.0, 3.0, 2.0]))
    0.3333333333333333
    """
    dx = np.sign(x[:, None] - x[None, :])
    dy = np.sign(y[:, None] - y[None, :])
    concordance = float(np.sum(dx * dy)) / 2  # concordant minus discordant pairs
    untied_x = float(np.count_nonzero(dx)) / 2
    untied_y = float(np.count_nonzero(dy)) / 2
    if untied_x == 0 or untied_y == 0:
        return None
    return concordance / float(np.sqrt(untied_x * untied_y))


def overlap_at_k(a: Ranking, b: Ranking, k: int) -> float:
    """Share of the top k that both rankings have in common."""
    k = min(k, a.order.size)
    if k <= 0:
        return 1.0
    return len(set(a.top(k).tolist()) & set(b.top(k).tolist())) / k


def rank_biased_overlap(a: Ranking, b: Ranking, p: float = RBO_P) -> float:
    """Extrapolated rank-biased overlap (Webber, Moffat & Zobel, 2010).

    Top-weighted: with p = 0.9 the first 10 places carry about 86% of the
    weight. 1 means identical orders.
    """
    n = a.order.size
    if n == 0:
        return 1.0
    # A product is in both top-d lists from depth max(pos_a, pos_b) + 1 on.
    depth_in_both = np.maximum(a.positions, b.positions) + 1
    overlap = np.cumsum(np.bincount(depth_in_both, minlength=n + 1)[1:])  # X_d for d = 1..n
    depths = np.arange(1, n + 1)
    agreement = overlap / depths
    weights = p**depths
    total = (1 - p) / p * float(np.sum(agreement * weights)) + float(agreement[-1]) * p**n
    return float(min(1.0, max(0.0, total)))


def rank_shift(before: Ranking | np.ndarray, after: Ranking | np.ndarray) -> np.ndarray:
    """Per product: places it moves going from ``before`` to ``after`` (positive = further down).

    The one sign convention for rank changes; each side is a :class:`Ranking` or its ``positions``.
    """

    def positions(side: Ranking | np.ndarray) -> np.ndarray:
        return side.positions if isinstance(side, Ranking) else np.asarray(side)

    return positions(after) - positions(before)


@dataclass(frozen=True)
class Agreement:
    """How far every pair of methods agrees, and what each puts in its top k: the engine's one answer to
    "where do the methods diverge?".

    ``methods`` name the rows and columns of the (m, m) arrays ``tau`` (Kendall tau-b over every product),
    ``overlap`` (overlap@k) and ``rbo`` (rank-biased overlap); NaN where a measure is not defined. ``hard_no``
    and ``disliked`` count each method's top k products that carry each mark.
    """

    methods: tuple[str, ...]
    k: int
    tau: np.ndarray
    overlap: np.ndarray
    rbo: np.ndarray
    hard_no: np.ndarray  # (m,) int
    disliked: np.ndarray  # (m,) int

    def index(self, method: str) -> int:
        return self.methods.index(method)

    def vs(self, method: str, other: str = "exact") -> dict[str, float]:
        """``method`` against ``other``: Kendall tau, overlap@k and RBO (NaN where not defined)."""
        i, j = self.index(method), self.index(other)
        return {
            "kendall_tau": float(self.tau[i, j]),
            "overlap_at_k": float(self.overlap[i, j]),
            "rbo": float(self.rbo[i, j]),
        }

    def counts(self, method: str) -> dict[str, int]:
        """How many of ``method``'s top k break a hard no, and how many the user dislikes overall."""
        i = self.index(method)
        return {"hard_no_in_top_k": int(self.hard_no[i]), "disliked_in_top_k": int(self.disliked[i])}

    def among(self, methods: Sequence[str]) -> Agreement:
        """The same measures restricted to ``methods`` (rows and columns in that order)."""
        rows = [self.index(m) for m in methods]
        grid = np.ix_(rows, rows)
        return Agreement(
            tuple(methods), self.k, self.tau[grid], self.overlap[grid], self.rbo[grid],
            self.hard_no[rows], self.disliked[rows],
        )  # fmt: skip


def measure_agreement(rankings: Mapping[str, Ranking], k: int, hard_no: np.ndarray, disliked: np.ndarray) -> Agreement:
    """Kendall tau, overlap@k and RBO for every pair of ``rankings`` (each pair measured once; symmetric), and
    each one's mark counts in its top k (``hard_no`` and ``disliked``: one bool per product)."""
    names = tuple(rankings)
    m = len(names)
    tau, overlap, rbo = np.ones((m, m)), np.ones((m, m)), np.ones((m, m))
    for i in range(m):
        for j in range(i + 1, m):
            a, b = rankings[names[i]], rankings[names[j]]
            measured = kendall_tau(a, b)
            tau[i, j] = tau[j, i] = np.nan if measured is None else measured
            overlap[i, j] = overlap[j, i] = overlap_at_k(a, b, k)
            rbo[i, j] = rbo[j, i] = rank_biased_overlap(a, b)
    tops = [rankings[name].top(k) for name in names]
    return Agreement(
        names,
        k,
        tau,
        overlap,
        rbo,
        np.array([int(hard_no[top].sum()) for top in tops], dtype=np.int64),
        np.array([int(disliked[top].sum()) for top in tops], dtype=np.int64),
    )
