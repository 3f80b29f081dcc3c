"""PCA whitening of feature embeddings, as a scikit-learn style estimator.

Near-synonyms ("wine", "white wine") have nearly parallel embeddings, so in a
weighted sum they stack. Whitening rotates the feature space onto its
principal components and rescales each one, which spreads such pairs apart.

``strength`` (alpha) interpolates: each component is scaled by sigma**-alpha, so
alpha = 0 is plain PCA (rotate and truncate) and alpha = 1 is full whitening.

>>> import numpy as np
>>> X = np.random.default_rng(0).normal(size=(40, 8))
>>> w = Whitener(variance=0.9).fit(X)
>>> w.transform(X).shape == (40, w.n_components_)
True
>>> Whitener().transform(X)
Traceback (most recent call last):
...
sklearn.exceptions.NotFittedError: This Whitener instance is not fitted yet...
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

# A component whose singular value is below RANK_TOL times the largest one is
# numerically zero: dividing by it would blow noise up into a direction.
RANK_TOL = 1e-6


class Whitener(TransformerMixin, BaseEstimator):
    """Fit PCA on feature embeddings; keep the fewest components reaching ``variance``.

    Parameters are stored untouched (the scikit-learn contract) and checked in
    :meth:`fit`.

    Attributes learned by ``fit``: ``mean_``, ``components_`` (k x d),
    ``explained_variance_`` (k,), ``explained_variance_ratio_`` (all
    components, for the cumulative curve), ``n_components_`` (k), ``rank_``
    (numerical rank of the centred data) and ``scale_`` (sigma**-strength).
    """

    def __init__(self, variance: float = 0.95, max_components: int = 256, strength: float = 1.0) -> None:
        self.variance = variance
        self.max_components = max_components
        self.strength = strength

    def _check_params(self) -> None:
        if not 0.0 < float(self.variance) <= 1.0:
            raise ValueError(f"variance must be in (0, 1], got {self.variance!r}")
        if not 0.0 <= float(self.strength) <= 1.0:
            raise ValueError(f"strength must be in [0, 1], got {self.strength!r}")
        if int(self.max_components) < 1:
            raise ValueError(f"max_components must be at least 1, got {self.max_components!r}")

    def fit(self, X: np.ndarray, y: None = None) -> Whitener:
        self._check_params()
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] < 1:
            raise ValueError(f"X must be a non-empty 2-D array, got shape {X.shape}")
        n, d = X.shape
        self.n_features_in_ = d
        self.mean_ = X.mean(axis=0)
        _, singular, vt = np.linalg.svd(X - self.mean_, full_matrices=False)
        variance = singular**2 / max(n - 1, 1)
        total = float(variance.sum())
        top = float(singular[0]) if singular.size else 0.0
        self.rank_ = int(np.sum(singular > RANK_TOL * top)) if top > 0 else 0
        self.explained_variance_ratio_ = variance / total if total > 0 else np.zeros_like(variance)
        cumulative = np.cumsum(self.explained_variance_ratio_)
        # Smallest k whose cumulative ratio reaches the threshold (tolerate rounding at 1.0).
        k_threshold = int(np.searchsorted(cumulative, float(self.variance) - 1e-9) + 1)
        k = min(k_threshold, int(self.max_components), self.rank_)
        self.n_components_ = k
        self.components_ = vt[:k]
        self.explained_variance_ = variance[:k]
        self.scale_ = np.sqrt(self.explained_variance_) ** -float(self.strength) if k else np.zeros(0)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "components_")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} columns; the whitener was fitted on {self.n_features_in_}")
        return (((X - self.mean_) @ self.components_.T) * self.scale_).astype(np.float32)

    @property
    def cumulative_variance_(self) -> np.ndarray:
        check_is_fitted(self, "components_")
        return np.cumsum(self.explained_variance_ratio_)
