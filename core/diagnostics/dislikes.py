"""Dislikes in the top k: for every user and method, how many products break a hard no or are disliked overall.

The two marks are defined in :mod:`core.retrieval.marks`. A method that hears the
sign keeps both counts at the exact reference's level; a sign-blind one does not.
"""

from __future__ import annotations

from core.retrieval.marks import HARD_NO
from core.retrieval.recommender import Recommender
from core.vectors.methods import ALL_METHOD_NAMES
from core.vectors.space import DEFAULT_PARAMS, MethodParams

TOP_K = 5


def dislikes(
    recommender: Recommender,
    params: MethodParams = DEFAULT_PARAMS,
    *,
    k: int = TOP_K,
    threshold: float = HARD_NO,
) -> dict[str, dict[str, dict[str, int]]]:
    """{method: {user id: {"hard_no_in_top_k", "disliked_in_top_k"}}} for every user of the scenario, under the six
    vector methods and Qdrant's three recommend strategies."""
    out: dict[str, dict[str, dict[str, int]]] = {m: {} for m in ALL_METHOD_NAMES}
    for user in recommender.scenario.users:
        result = recommender.rank(dict(user.profile), ALL_METHOD_NAMES, params, k=k, hard_no=threshold)
        for method in ALL_METHOD_NAMES:
            out[method][user.id] = result.counts(method)
    return out


def totals(counts: dict[str, dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    """Each method's counts summed over users.

    >>> totals({"naive": {"a": {"hard_no_in_top_k": 2, "disliked_in_top_k": 1},
    ...                   "b": {"hard_no_in_top_k": 1, "disliked_in_top_k": 0}}})
    {'naive': {'hard_no_in_top_k': 3, 'disliked_in_top_k': 1}}
    """
    return {
        method: {key: sum(c[key] for c in by_user.values()) for key in ("hard_no_in_top_k", "disliked_in_top_k")}
        for method, by_user in counts.items()
    }
