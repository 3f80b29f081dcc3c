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


def pairwise(rankings: dict[str, Ranking], k: int) -> dict[str, dict[str, dict[str, float | None]]]:
    """Kendall tau, overlap@k and RBO for every ordered pair of methods (symmetric)."""
    names = list(rankings)
    out: dict[str, dict[str, dict[str, float | None]]] = {m: {} for m in names}
    for i, m in enumerate(names):
        for n in names[i:]:
            if m == n:
                stats = {"kendall_tau": 1.0, "overlap_at_k": 1.0, "rbo": 1.0}
            else:
                a, b = rankings[m], rankings[n]
                stats = {
                    "kendall_tau": kendall_tau(a, b),
                    "overlap_at_k": overlap_at_k(a, b, k),
                    "rbo": rank_biased_overlap(a, b),
                }
            out[m][n] = stats
            out[n][m] = stats
    return out
