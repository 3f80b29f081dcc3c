"""PCA variance: how many components whitening keeps, and the cumulative curve."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.vectors.space import DEFAULT_PARAMS, FeatureSpace, MethodParams
from core.vectors.whitening import Whitener


@dataclass(frozen=True)
class Variance:
    cumulative: np.ndarray
    n_components: int
    k90: int
    k95: int
    rank: int


def pca_variance(space: FeatureSpace, params: MethodParams = DEFAULT_PARAMS) -> Variance:
    whitener: Whitener = space.whitened(params)[0]
    cumulative = whitener.cumulative_variance_
    if cumulative.size == 0:
        return Variance(cumulative, 0, 0, 0, 0)

    def k_for(threshold: float) -> int:
        return min(int(np.searchsorted(cumulative, threshold - 1e-9) + 1), whitener.rank_)

    return Variance(cumulative, whitener.n_components_, k_for(0.90), k_for(0.95), whitener.rank_)
