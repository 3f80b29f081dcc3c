"""Tanh compression: how far one score's change turns a many-feature weighted profile, with tanh and without."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.engine.embedder import Embedder
from core.numeric import cosine
from core.scenarios.synthetic import feature_names

TANH_PROFILE_FEATURES = 200


@dataclass(frozen=True)
class TanhEffect:
    features: int
    from_score: float
    to_score: float
    degrees_with_tanh: float
    degrees_linear: float


def tanh_effect(embedder: Embedder, *, n_features: int = TANH_PROFILE_FEATURES, seed: int = 5) -> TanhEffect:
    """How far one feature going from 0.5 to 1.0 turns a 200-feature weighted profile, with tanh and without."""
    names = feature_names(n_features)
    rng = np.random.default_rng(seed)
    scores = rng.uniform(-1, 1, n_features).astype(np.float32)
    scores[0] = 0.5
    features = embedder.encode(names)
    moved = scores.copy()
    moved[0] = 1.0

    def angle(weights_before: np.ndarray, weights_after: np.ndarray) -> float:
        cos = cosine(weights_before @ features, weights_after @ features)
        return math.degrees(math.acos(max(-1.0, min(1.0, cos))))

    return TanhEffect(
        n_features,
        0.5,
        1.0,
        angle(np.tanh(2 * scores), np.tanh(2 * moved)),
        angle(scores, moved),
    )
