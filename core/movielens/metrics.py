"""Metrics of a ranking against held-out labels, intervals over users, and paired verdicts.

>>> auc(np.array([0.9, 0.1, 0.5]), np.array([True, False, False]), np.array([False, True, True]))
1.0
>>> mean, lo, hi = mean_ci([0.5, 0.6, 0.7])
>>> round(mean, 3), lo < mean < hi
(0.6, True)

A number that is not defined is NaN (null in JSON, "not defined" in a sentence), never a made-up value: the
interval of one user's value, the NDCG of a user with no relevant movie.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from core.movielens.protocol import NEGATIVE, POSITIVE, SEED
from core.numeric import finite_mean

TOP = 10
METRICS = ("auc", "ndcg@10", "precision@10")


def auc(scores: np.ndarray, positive: np.ndarray, negative: np.ndarray) -> float:
    """P(score of a positive > score of a negative), ties counting one half."""
    pos, neg = scores[positive], scores[negative]
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (pos.size * neg.size))


def ranking_metrics(scores: np.ndarray, relevant: np.ndarray, order_seed: int, k: int = TOP) -> tuple[float, float]:
    """NDCG@k and precision@k, ties in score broken by a seeded shuffle shared by every method."""
    shuffle = np.random.default_rng(order_seed).permutation(scores.size)
    order = shuffle[np.argsort(-scores[shuffle], kind="stable")]
    top = order[: min(k, scores.size)]
    gains = relevant[top].astype(float)
    discounts = 1.0 / np.log2(np.arange(2, top.size + 2))
    ideal = np.sort(relevant.astype(float))[::-1][: top.size]
    idcg = float((ideal * discounts).sum())
    ndcg = float((gains * discounts).sum() / idcg) if idcg > 0 else float("nan")  # nothing relevant: not defined
    return ndcg, float(gains.mean()) if top.size else float("nan")


def mean_ci(values: Sequence[float]) -> tuple[float, float, float]:
    """(mean, low, high) of the finite values with a t-based 95% interval; the interval is NaN (not defined) for
    fewer than 2 values, the mean too for none.

    >>> mean_ci([0.62])
    (0.62, nan, nan)
    """
    from scipy.stats import t

    array = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    if array.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(array.mean())
    if array.size < 2:
        return mean, float("nan"), float("nan")
    half = float(t.ppf(0.975, array.size - 1) * array.std(ddof=1) / np.sqrt(array.size))
    return mean, mean - half, mean + half


def user_metrics(scores: np.ndarray, ratings: np.ndarray, user: int) -> dict[str, float]:
    """One user's AUC (likes against dislikes), NDCG@10 and precision@10 (relevant: a like).

    Ties in score are broken by a shuffle seeded by the user, the same for every method.
    """
    positive, negative = ratings >= POSITIVE, ratings <= NEGATIVE
    ndcg, precision = ranking_metrics(scores, positive, order_seed=SEED + user)
    return {"auc": auc(scores, positive, negative), "ndcg@10": ndcg, "precision@10": precision}


def summarise(
    per_user: Mapping[str, Sequence[float]], *, baseline: tuple[str, Sequence[float]] | None = None
) -> dict[str, float | list[float]]:
    """Means over users of every metric, the AUC's 95% interval, and (given a baseline) the paired AUC difference.

    >>> summarise({"auc": [0.6, 0.7], "ndcg@10": [0.5, 0.5]}, baseline=("naive", [0.5, 0.6]))["auc_minus_naive"]
    0.1
    """
    mean, lo, hi = mean_ci(per_user["auc"])
    out: dict[str, float | list[float]] = {"auc": round(mean, 4), "auc_ci95": [round(lo, 4), round(hi, 4)]}
    for metric, values in per_user.items():
        if metric != "auc":
            out[metric] = round(finite_mean(values), 4)
    if baseline is not None:
        name, reference = baseline
        difference = paired_difference(per_user["auc"], reference)
        out[f"auc_minus_{name}"] = round(difference.mean, 4)
        out[f"auc_minus_{name}_ci95"] = [round(difference.low, 4), round(difference.high, 4)]
    return out


BEATS, LEVEL, LOSES = "beats", "is not distinguishable from", "loses to"  # the three verdicts a paired interval allows
VERBS = (BEATS, LEVEL, LOSES)


@dataclass(frozen=True)
class Difference:
    """A paired per-user difference with its 95% interval, and what it lets us say."""

    mean: float
    low: float
    high: float

    @property
    def verb(self) -> str:
        """'beats' when the interval is above zero, 'loses to' when below, else 'is not distinguishable from'."""
        return BEATS if self.low > 0 else LOSES if self.high < 0 else LEVEL


def paired_difference(a: Sequence[float], b: Sequence[float]) -> Difference:
    """Mean per-user ``a - b`` with its t-based 95% interval (the same users, in the same order)."""
    return Difference(*mean_ci(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)))


def verdict(a: str, b: str, difference: Difference, metric: str = "AUC") -> str:
    """The one sentence for comparing two rankers on the same users.

    >>> verdict("Weighted sum", "naive text", Difference(0.127, 0.094, 0.161))
    'Weighted sum beats naive text (+0.127 AUC, 95% CI +0.094 to +0.161)'
    >>> verdict("Prefix", "naive", Difference(0.015, -0.007, 0.038))
    'Prefix is not distinguishable from naive (+0.015 AUC, 95% CI -0.007 to +0.038)'
    >>> verdict("Prefix", "naive", Difference(0.015, float("nan"), float("nan")))
    'Prefix against naive: +0.015 AUC on one user; no 95% interval (it needs at least 2 users)'
    """
    d = difference
    if not np.isfinite(d.mean):
        return f"{a} against {b}: the {metric} difference is not defined (no user has both)"
    if not (np.isfinite(d.low) and np.isfinite(d.high)):
        return f"{a} against {b}: {d.mean:+.3f} {metric} on one user; no 95% interval (it needs at least 2 users)"
    return f"{a} {d.verb} {b} ({d.mean:+.3f} {metric}, 95% CI {d.low:+.3f} to {d.high:+.3f})"
