"""Raw injection: a feature outside the vocabulary pasted raw into the whitened space, against projecting it.

The top k is at most n - 1 products (a top k that holds every product cannot differ). The measure is not defined
(counts None, correlation NaN; ``undefined`` says why) when there is nothing to rank: every product's whitened
vector is zero, a user vector is zero, or every product scores the same.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from core.numeric import EPS, tanh_weights, unit
from core.scenarios.synthetic import BASE_TAGS
from core.vectors.methods import vectors
from core.vectors.space import DEFAULT_PARAMS, FeatureSpace, MethodParams


def raw_injection_vector(
    space: FeatureSpace, profile: Mapping[str, float], params: MethodParams = DEFAULT_PARAMS
) -> np.ndarray:
    """The *wrong* whitened user vector: novel features' raw embeddings pasted into the whitened space.

    The raw embedding has d coordinates, the whitened space k; like most such bugs,
    this keeps the first k (padding with zeros). Nothing fails, which is the point.
    """
    whitener, phi = space.whitened(params)
    k = phi.shape[1]
    vector = np.zeros(k, dtype=np.float32)
    for feature, score in profile.items():
        weight = float(tanh_weights(score))
        if feature in space.index:
            vector += weight * phi[space.index[feature]]
        else:
            raw = space.novel_embeddings([feature])[0]
            padded = np.zeros(k, dtype=np.float32)
            padded[: min(k, raw.size)] = raw[:k]
            vector += weight * padded
    return unit(vector)


@dataclass(frozen=True)
class Injection:
    novel: str
    k: int
    baseline_top: list[int]  # without the novel feature
    projected_top: list[int]  # novel feature through the fitted transform (correct)
    raw_top: list[int]  # novel feature's raw embedding pasted in (wrong)
    differing: int | None  # top-k items that differ between projected and raw
    moved_by_projected: int | None  # top-k items the novel feature changes when projected
    moved_by_raw: int | None  # ... when injected raw
    rank_correlation: float  # Spearman, projected vs raw scores over all products
    undefined: str | None = None  # why nothing can be measured here (then the counts are None), or None


def raw_injection(
    product_vectors: np.ndarray,
    space: FeatureSpace,
    profile: Mapping[str, float],
    novel: str,
    k: int = 5,
    params: MethodParams = DEFAULT_PARAMS,
) -> Injection:
    """Rank with a novel feature projected through the fitted transform, and injected raw (top ``k`` at most n - 1)."""
    k = max(1, min(k, len(product_vectors) - 1))
    from scipy.stats import spearmanr

    base_profile = {f: s for f, s in profile.items() if f != novel}
    users = {
        "without the novel feature": vectors("whitened", [base_profile], space=space, params=params)[0],
        "projected": vectors("whitened", [profile], space=space, params=params)[0],
        "injected raw": raw_injection_vector(space, profile, params),
    }
    baseline, good, bad = (product_vectors @ user for user in users.values())
    undefined = _nothing_to_rank(product_vectors, users, good)

    def top(scores: np.ndarray) -> list[int]:
        return [int(i) for i in np.argsort(-scores, kind="stable")[:k]]

    base_top, good_top, bad_top = top(baseline), top(good), top(bad)
    with warnings.catch_warnings():  # a constant side has no correlation: NaN, reported as null
        warnings.simplefilter("ignore")
        rho = spearmanr(good, bad).statistic if len(good) > 1 and undefined is None else float("nan")

    def changed(a: list[int], b: list[int]) -> int | None:
        return None if undefined else k - len(set(a) & set(b))

    return Injection(
        novel,
        k,
        base_top,
        good_top,
        bad_top,
        changed(good_top, bad_top),
        changed(base_top, good_top),
        changed(base_top, bad_top),
        float(rho),  # NaN when a side is constant: reported as null, never as 0
        undefined,
    )


def _nothing_to_rank(product_vectors: np.ndarray, users: dict[str, np.ndarray], scores: np.ndarray) -> str | None:
    """Why the injection test cannot measure anything on this scenario, or None."""
    if not np.any(np.linalg.norm(product_vectors, axis=1) > EPS):
        return "every product's whitened vector is zero, so there is nothing to rank"
    zero = [name for name, user in users.items() if float(np.linalg.norm(user)) <= EPS]
    if zero:
        return f"the user's whitened vector ({zero[0]}) is zero, so it ranks nothing"
    if float(np.ptp(scores)) <= EPS:
        return "every product scores the same for the user, so no top k stands out"
    return None


def pick_novel(space: FeatureSpace) -> str:
    """A feature outside the vocabulary but related to it (so that adding it should matter).

    Among the synthetic tag list, the one closest to some vocabulary feature
    without being a near-duplicate of it (cosine below 0.9).
    """
    candidates = [t for t in BASE_TAGS if t not in space.index]
    similarity = space.novel_embeddings(candidates) @ space.feature_embeddings().T
    best = similarity.max(axis=1)
    best[best >= 0.9] = -1.0
    return candidates[int(np.argmax(best))]
