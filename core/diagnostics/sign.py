"""Sign and magnitude: can a method tell a profile from its opposite, and does it keep a score's size?

- *sign flip*: cos(v(P), v(-P)), where -P negates every score. 1 means the
  method cannot tell a profile from its opposite; -1 means it can. A method that
  gives no vector for the profile (a zero vector) has no cos(P, -P): NaN, reported
  as null and read as "gives no vector", never as a cosine of 0.
- *sweep*: one feature of a profile set to each score in [-1, 1]; each
  method's vector compared with the vector at +1 (sign) and with the vector at
  -1 (magnitude: 1 - cos, how far the vector has travelled).
- *prefix polarity*: cos("strongly enjoys f", "strongly dislikes f") per feature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from core.numeric import finite_mean, measured_cosine
from core.vectors.methods import METHOD_NAMES, vectors
from core.vectors.space import DEFAULT_PARAMS, FeatureSpace, MethodParams
from core.vectors.texts import PREFIX_PHRASES

SWEEP_POINTS = 41


def sign_flip(
    space: FeatureSpace, users: Mapping[str, Mapping[str, float]], params: MethodParams = DEFAULT_PARAMS
) -> dict[str, dict[str, float]]:
    """{method: {user id: cos(v(P), v(-P))}}; NaN where the method gives no vector for the profile."""
    out: dict[str, dict[str, float]] = {}
    ids = list(users)
    profiles = [dict(users[i]) for i in ids]
    flipped = [{f: -s for f, s in p.items()} for p in profiles]
    for method in METHOD_NAMES:
        v = vectors(method, profiles + flipped, space=space, params=params)
        out[method] = {uid: measured_cosine(v[i], v[i + len(ids)]) for i, uid in enumerate(ids)}
    return out


def mean_flip(flip: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """Each method's mean cos(P, -P) over the users it gives a vector for; NaN when it gives none.

    >>> mean_flip({"naive": {"a": 1.0, "b": 0.5}, "whitened": {"a": float("nan")}})
    {'naive': 0.75, 'whitened': nan}
    """
    return {method: finite_mean(by_user.values()) for method, by_user in flip.items()}


@dataclass(frozen=True)
class Sweep:
    feature: str
    scores: np.ndarray  # (SWEEP_POINTS,)
    to_positive: dict[str, np.ndarray]  # method -> cos(v(s), v(+1))
    travelled: dict[str, np.ndarray]  # method -> 1 - cos(v(s), v(-1))
    distinct: dict[str, int]  # method -> distinct vectors along the sweep


def sweep(
    space: FeatureSpace,
    profile: Mapping[str, float],
    feature: str,
    params: MethodParams = DEFAULT_PARAMS,
    points: int = SWEEP_POINTS,
) -> Sweep:
    scores = np.round(np.linspace(-1.0, 1.0, points), 4)
    profiles = [{**profile, feature: float(s)} for s in scores]
    to_positive, travelled, distinct = {}, {}, {}
    for method in METHOD_NAMES:
        v = vectors(method, profiles, space=space, params=params)
        to_positive[method] = np.array([measured_cosine(row, v[-1]) for row in v])  # NaN where there is no vector
        travelled[method] = np.array([1.0 - measured_cosine(row, v[0]) for row in v])
        distinct[method] = int(len({tuple(np.round(row, 5)) for row in v}))
    return Sweep(feature, scores, to_positive, travelled, distinct)


def prefix_polarity(space: FeatureSpace) -> dict[str, float]:
    """Per feature: cos("strongly enjoys f", "strongly dislikes f"). Near 1: the phrase barely matters."""
    table = space.prefix_embeddings()
    enjoy, dislike = table[PREFIX_PHRASES.index("strongly enjoys")], table[PREFIX_PHRASES.index("strongly dislikes")]
    return {f: float(enjoy[i] @ dislike[i]) for i, f in enumerate(space.vocabulary)}
