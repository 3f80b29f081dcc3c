"""Shift blindness: does a method hear where a score sits, or only how scores differ?

Qdrant's relevance feedback (naive strategy) scores a product x as a·sim(target, x) plus, for every ordered pair
of feedback items with s_i > s_j, c·(s_i − s_j)^b·(sim(v_i, x) − sim(v_j, x)) (feedback_query.rs in
qdrant/qdrant). Read that way, only score *differences* count: adding a constant to every score changes nothing,
and a profile of dislikes only pulls towards its least-disliked item as a like would. Sign blindness asks whether
a method can tell P from −P; this asks whether it can tell P from P + constant, for every method:

- **shift**: every user's profile with every score moved by :data:`SHIFT` (clipped to [−1, 1], the range a
  profile may hold): Kendall's tau between the two rankings over every product, and whether the ranking moved at
  all (tau below 1) or its top k did;
- **all dislikes**: every user's features, each scored −|s| (the same strengths, all disliked): each method's top k,
  and how many of those products carry a feature the profile dislikes (the exact reference keeps them out when it
  can);
- **the formula, on the engine**: the feedback query run by Qdrant Edge with every score shifted and nothing
  clipped, once with a = 0 (the pair term alone) and once with the profile's own target kept (a = 1): the largest
  change of any product's score. Near 0 means the engine does what the source reads; the method's own ranking
  can still move, through its target (the naive text of the new numbers) and through clipping. With all
  dislikes, the feature with the highest net weight (:func:`~core.vectors.examples.feedback_weights`) is the one
  the pair term pulls towards: the least disliked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from core.retrieval.ranking import kendall_tau, overlap_at_k
from core.retrieval.recommender import Recommender
from core.vectors.examples import FEEDBACK, Feedback, NaiveFeedback, feedback_weights, refuses
from core.vectors.methods import ALL_METHOD_NAMES, FEEDBACK_METHOD, feedback_features, feedback_request, get_method
from core.vectors.space import DEFAULT_PARAMS, MethodParams

SHIFT = -0.5
TOP_K = 5
UNMOVED = 1.0 - 1e-9  # a Kendall tau at or above this: the ranking did not move (scores compared to 6 decimals)


def shifted(profile: Mapping[str, float], shift: float = SHIFT) -> dict[str, float]:
    """Every score moved by ``shift``, clipped to [-1, 1].

    >>> shifted({"a": 0.8, "b": -0.7})
    {'a': 0.3, 'b': -1.0}
    """
    return {f: round(float(np.clip(s + shift, -1.0, 1.0)), 9) for f, s in profile.items()}


def all_dislikes(profile: Mapping[str, float]) -> dict[str, float]:
    """The same features and strengths, every one disliked.

    >>> all_dislikes({"a": 0.8, "b": -0.7})
    {'a': -0.8, 'b': -0.7}
    """
    return {f: -abs(float(s)) for f, s in profile.items()}


@dataclass(frozen=True)
class UserShift:
    """One user under one method."""

    kendall_tau: float  # between the rankings of P and of the shifted P; NaN when not defined
    same_top_k: bool
    dislikes_top: tuple[int, ...]  # the all-dislikes profile's top k (product indices); empty when refused
    dislikes_carrying: int  # how many of them carry a feature that profile dislikes
    refused: bool = False  # Qdrant gives the all-dislikes request no direction (average_vector: no like)

    @property
    def unmoved(self) -> bool:
        return bool(np.isfinite(self.kendall_tau) and self.kendall_tau >= UNMOVED)


@dataclass(frozen=True)
class FeedbackFormula:
    """The relevance feedback query's own response, measured on the engine (see the module's note)."""

    shift: float
    max_change_pair_term: float  # a = 0, every score shifted, nothing clipped
    max_change_same_target: float  # a as in the method, the profile's own target kept
    pulls: dict[str, tuple[str, float]]  # user -> (the feature with the highest net weight when all disliked, weight)


@dataclass(frozen=True)
class ShiftBlindness:
    shift: float
    k: int
    by_method: dict[str, dict[str, UserShift]]  # method -> user -> what moved
    formula: FeedbackFormula

    def unmoved(self) -> dict[str, int]:
        """Per method: the users whose ranking did not move at all."""
        return {m: sum(u.unmoved for u in users.values()) for m, users in self.by_method.items()}

    def same_top_k(self) -> dict[str, int]:
        return {m: sum(u.same_top_k for u in users.values()) for m, users in self.by_method.items()}

    def mean_tau(self) -> dict[str, float]:
        """Per method: the mean Kendall tau over the users where it is defined (NaN where it never is)."""
        out = {}
        for method, users in self.by_method.items():
            taus = [u.kendall_tau for u in users.values() if np.isfinite(u.kendall_tau)]
            out[method] = float(np.mean(taus)) if taus else float("nan")
        return out

    def carrying(self) -> dict[str, int]:
        """Per method: products carrying a disliked feature in the all-dislikes profiles' top k, over the users it
        answers."""
        return {m: sum(u.dislikes_carrying for u in users.values()) for m, users in self.by_method.items()}

    def refused(self) -> dict[str, int]:
        """Per method: the users whose all-dislikes request Qdrant gives no direction."""
        return {m: sum(u.refused for u in users.values()) for m, users in self.by_method.items()}


def shift_blindness(
    recommender: Recommender, params: MethodParams = DEFAULT_PARAMS, *, shift: float = SHIFT, k: int = TOP_K
) -> ShiftBlindness:
    """Every method's response to a shift of every score, and to an all-dislikes profile, for every user."""
    by_method: dict[str, dict[str, UserShift]] = {m: {} for m in ALL_METHOD_NAMES}
    users = {u.id: dict(u.profile) for u in recommender.scenario.users}
    for uid, profile in users.items():
        before = recommender.rank(profile, ALL_METHOD_NAMES, params, k=k)
        after = recommender.rank(shifted(profile, shift), ALL_METHOD_NAMES, params, k=k)
        disliked = all_dislikes(profile)
        negative = recommender.rank(disliked, ALL_METHOD_NAMES, params, k=k)
        carries = recommender.carriers.mask([f for f, s in disliked.items() if s < 0])
        for method in ALL_METHOD_NAMES:
            a, b = before.rankings[method], after.rankings[method]
            tau = kendall_tau(a, b)
            refused = _refused(recommender, method, disliked)
            top = () if refused else negative.rankings[method].top(k)
            by_method[method][uid] = UserShift(
                float("nan") if tau is None else tau,
                overlap_at_k(a, b, k) == 1.0,
                tuple(int(i) for i in top),
                int(carries[list(top)].sum()),
                refused,
            )
    return ShiftBlindness(shift, k, by_method, feedback_formula(recommender, users, shift))


def _refused(recommender: Recommender, method: str, profile: Mapping[str, float]) -> bool:
    """Whether a Qdrant method gives ``profile`` no direction (the six vector methods always answer)."""
    strategy = get_method(method).strategy
    if strategy is None:
        return False
    request = recommender.request(method, profile)
    return request.empty if strategy == FEEDBACK else refuses(strategy, request)


def feedback_formula(
    recommender: Recommender, users: Mapping[str, Mapping[str, float]], shift: float
) -> FeedbackFormula:
    """The engine's own answer to a shift of every feedback score (nothing clipped), and who pulls when all are
    disliked."""
    store, name = recommender.qdrant(FEEDBACK_METHOD), recommender.key(FEEDBACK_METHOD).name
    n = len(recommender.scenario.products)
    changes = {"pair": 0.0, "target": 0.0}
    pulls: dict[str, tuple[str, float]] = {}
    for uid, profile in users.items():
        request = feedback_request(profile, recommender.space)
        for kind, a in (("pair", 0.0), ("target", request.strategy.a)):
            strategy = NaiveFeedback(a, request.strategy.b, request.strategy.c)
            scores = [
                store.feedback(name, Feedback(request.target, request.vectors, s, strategy), limit=n).full(n)
                for s in (request.scores, request.scores + np.float32(shift))
            ]
            changes[kind] = max(changes[kind], float(np.max(np.abs(scores[0] - scores[1]), initial=0.0)))
        disliked = all_dislikes(profile)
        names = feedback_features(disliked)
        if len(names) >= 2:
            weights = feedback_weights(np.array([disliked[f] for f in names]), request.strategy)
            pulls[uid] = (names[int(np.argmax(weights))], float(np.max(weights)))
    return FeedbackFormula(shift, changes["pair"], changes["target"], pulls)
