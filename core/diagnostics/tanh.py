"""Tanh compression: how far one score's change turns a user's weighted profile, with tanh and without.

Measured on the chosen scenario: the user with the most scores, one of their
features raised from 0.5 to 1.0, every other score as it is, in the scenario's
own feature space. The angle is not defined (NaN, null) when every other score of the profile is 0 (raising
one score alone cannot turn the direction) or the weighted profile is a zero vector; ``undefined`` says why.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from core.numeric import measured_cosine
from core.vectors.space import FeatureSpace

FROM_SCORE, TO_SCORE = 0.5, 1.0
MIN_FEATURES = 2  # with one feature the direction cannot turn at all


@dataclass(frozen=True)
class TanhEffect:
    features: int
    feature: str
    from_score: float
    to_score: float
    degrees_with_tanh: float
    degrees_linear: float
    undefined: str | None = None  # why the angles are not defined (NaN), or None


def tanh_effect(space: FeatureSpace, profile: Mapping[str, float], feature: str | None = None) -> TanhEffect:
    """How far ``feature`` (default: the profile's first with another non-zero score beside it) going from 0.5 to
    1.0 turns the weighted profile.

    Only the profile's features in the vocabulary count; it needs at least :data:`MIN_FEATURES` of them.
    """
    names = [f for f in profile if f in space.index]
    if len(names) < MIN_FEATURES:
        raise ValueError(f"needs a profile with at least {MIN_FEATURES} vocabulary features, got {len(names)}")
    if feature not in names:  # the first feature that another non-zero score can be turned against
        feature = next((f for f in names if any(profile[g] for g in names if g != f)), names[0])
    embeddings = space.feature_embeddings()[[space.index[f] for f in names]]
    scores = np.array([profile[f] for f in names], dtype=np.float64)
    moved = scores.copy()
    scores[names.index(feature)], moved[names.index(feature)] = FROM_SCORE, TO_SCORE

    def angle(before: np.ndarray, after: np.ndarray) -> float:
        cos = measured_cosine(before @ embeddings, after @ embeddings)
        return math.degrees(math.acos(max(-1.0, min(1.0, cos)))) if math.isfinite(cos) else math.nan

    with_tanh, linear = angle(np.tanh(2 * scores), np.tanh(2 * moved)), angle(scores, moved)
    undefined = None
    if not np.any(np.delete(scores, names.index(feature))):
        undefined = f"every other score of the profile is 0, so raising '{feature}' alone cannot turn its direction"
        with_tanh = linear = math.nan
    elif not (math.isfinite(with_tanh) and math.isfinite(linear)):
        undefined = "the weighted profile is a zero vector, so it has no direction to turn"
    return TanhEffect(len(names), feature, FROM_SCORE, TO_SCORE, with_tanh, linear, undefined)
