"""Near-synonyms: groups, stacking in a weighted sum, semantic transfer, and what whitening trades.

- *stacking factor* of two features a, b in a method's feature space φ:
  S = |φa + φb|² / (|φa|² + |φb|²). S = 1 when the two are orthogonal (tagging
  both counts each once), S = 2 when they are parallel (two tags count double).
  It is bounded in [0, 2]; it is not defined (NaN, null) when both vectors are zero, e.g. in a whitened space
  without dimensions. For unit embeddings S = 1 + cos(a, b).
- *transfer*: the cosine between a user who loves ``a`` and a product tagged
  only ``b`` (a near-synonym), under each method. Exact is 0 by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.numeric import EPS, finite_mean, measured_cosine, normalize_rows
from core.vectors.methods import METHOD_NAMES, vectors
from core.vectors.space import DEFAULT_PARAMS, FeatureSpace, MethodParams

SYNONYM_THRESHOLD = 0.75


def synonym_groups(space: FeatureSpace, threshold: float = SYNONYM_THRESHOLD) -> list[list[str]]:
    """Connected groups of features whose embeddings have cosine >= threshold."""
    e = space.feature_embeddings()
    sims = e @ e.T
    n = len(space.vocabulary)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if sims[i, j] >= threshold:
                parent[find(i)] = find(j)
    groups: dict[int, list[str]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(space.vocabulary[i])
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g))


def pairs_in_groups(groups: Sequence[Sequence[str]]) -> tuple[tuple[str, str], ...]:
    """Every pair within each group, sorted.

    >>> pairs_in_groups([["a", "b", "c"], ["x", "y"]])
    (('a', 'b'), ('a', 'c'), ('b', 'c'), ('x', 'y'))
    """
    return tuple(sorted({(g[i], g[j]) for g in groups for i in range(len(g)) for j in range(i + 1, len(g))}))


def closest_pair(space: FeatureSpace) -> tuple[str, str, float]:
    e = space.feature_embeddings()
    sims = e @ e.T - 2 * np.eye(len(e))
    i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
    a, b = sorted((space.vocabulary[i], space.vocabulary[j]))
    return a, b, float(sims[i, j])


def stacking_factor(phi_a: np.ndarray, phi_b: np.ndarray) -> float:
    """|φa + φb|² / (|φa|² + |φb|²), in [0, 2]; 1 means no stacking; NaN when both vectors are zero (nothing to stack).

    >>> stacking_factor(np.array([1.0, 0.0]), np.array([1.0, 0.0])), stacking_factor(np.zeros(2), np.zeros(2))
    (2.0, nan)
    """
    denominator = float(phi_a @ phi_a + phi_b @ phi_b)
    if denominator <= EPS**2:
        return float("nan")
    return float(np.clip((phi_a + phi_b) @ (phi_a + phi_b) / denominator, 0.0, 2.0))


def feature_vectors(space: FeatureSpace, method: str, params: MethodParams = DEFAULT_PARAMS) -> np.ndarray:
    """Rows φ(f) of the space a weighted sum is taken in: raw embeddings or whitened ones."""
    if method == "whitened":
        return space.whitened(params)[1]
    return space.feature_embeddings()


def stacking(space: FeatureSpace, a: str, b: str, params: MethodParams = DEFAULT_PARAMS) -> dict[str, float]:
    i, j = space.index[a], space.index[b]
    out = {}
    for method in ("weighted", "whitened"):
        phi = feature_vectors(space, method, params)
        out[method] = stacking_factor(phi[i], phi[j])
    return out


def transfer(space: FeatureSpace, a: str, b: str, params: MethodParams = DEFAULT_PARAMS) -> dict[str, float]:
    """cos(user {a: +1}, product {b: +1}) under every method; NaN where a method gives no vector."""
    out = {}
    for method in METHOD_NAMES:
        v = vectors(method, [{a: 1.0}, {b: 1.0}], space=space, params=params)
        out[method] = measured_cosine(v[0], v[1])
    return out


@dataclass(frozen=True)
class TradeOff:
    strengths: list[float]
    variances: list[float]
    stacking: np.ndarray  # (len(variances), len(strengths)) mean stacking factor over synonym pairs
    transfer: np.ndarray  # same shape: mean whitened transfer over the pairs
    components: np.ndarray  # same shape: k


def whitening_trade_off(
    space: FeatureSpace,
    pairs: Sequence[tuple[str, str]],
    strengths: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
    variances: Sequence[float] = (0.8, 0.9, 0.95, 0.99),
) -> TradeOff:
    """Stacking and transfer of near-synonym pairs across whitening strength and threshold."""
    stack = np.zeros((len(variances), len(strengths)))
    move = np.zeros_like(stack)
    components = np.zeros_like(stack, dtype=int)
    for r, variance in enumerate(variances):
        for c, strength in enumerate(strengths):
            params = MethodParams(whiten_variance=variance, whiten_strength=strength)
            whitener, phi = space.whitened(params)
            components[r, c] = whitener.n_components_
            s_values, t_values = [], []
            for a, b in pairs:
                i, j = space.index[a], space.index[b]
                s_values.append(stacking_factor(phi[i], phi[j]))
                t_values.append(measured_cosine(phi[i], phi[j]))
            stack[r, c] = finite_mean(s_values)  # NaN (not defined) without pairs, never a made-up 1 or 0
            move[r, c] = finite_mean(t_values)
    return TradeOff(list(strengths), list(variances), stack, move, components)


def vocabulary_cosines(space: FeatureSpace, params: MethodParams = DEFAULT_PARAMS) -> tuple[np.ndarray, np.ndarray]:
    """(F, F) feature-feature cosines before and after whitening."""
    before = space.feature_embeddings()
    after = normalize_rows(space.whitened(params)[1])
    return before @ before.T, after @ after.T
