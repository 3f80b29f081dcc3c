"""EASE: a linear item-item model whose diagonal is forced to zero (Steck, 2019), as a scikit-learn estimator.

``EASE(regularisation=200).fit(X)`` learns ``weights_`` from a users x items
matrix of interactions; ``predict(X)`` scores every item for every row of X.
The zero diagonal forbids an item from predicting itself, so every score comes
from relations between items; negative weights are anti-affinity: people who
like i do not like j.

>>> x = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=float)
>>> model = EASE(regularisation=0.5).fit(x)
>>> bool(np.allclose(np.diag(model.weights_), 0)), model.predict(x[:1]).round(2).tolist()
(True, [[0.8, 0.8, 0.0]])
>>> model.get_params()
{'regularisation': 0.5}
>>> EASE().predict(x)
Traceback (most recent call last):
...
sklearn.exceptions.NotFittedError: This EASE instance is not fitted yet...
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_array, check_is_fitted

DEFAULT_REGULARISATION = 200.0


class EASE(BaseEstimator):
    """Constructor arguments stored untouched and checked in :meth:`fit`; learned state ends in ``_``.

    Attributes learned by ``fit``: ``weights_`` (items x items, zero diagonal) and ``n_features_in_``.
    """

    def __init__(self, regularisation: float = DEFAULT_REGULARISATION) -> None:
        self.regularisation = regularisation

    def fit(self, X: np.ndarray, y: None = None) -> EASE:
        regularisation = float(self.regularisation)
        if not math.isfinite(regularisation) or regularisation <= 0:
            raise ValueError(f"regularisation must be a positive number, got {self.regularisation!r}")
        shape = np.shape(X)
        if len(shape) != 2 or 0 in shape:
            raise ValueError(f"interactions must be a 2-D users x items matrix with at least one of each, got {shape}")
        x = check_array(X, dtype=np.float64)
        self.weights_ = ease_weights(x, regularisation)
        self.n_features_in_ = x.shape[1]
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "weights_")
        x = check_array(np.atleast_2d(X), dtype=np.float64)
        if x.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {x.shape[1]} items; the model was fitted on {self.n_features_in_}")
        return x @ self.weights_


def ease_weights(interactions: np.ndarray, regularisation: float = DEFAULT_REGULARISATION) -> np.ndarray:
    """EASE in closed form (Steck, 2019): B = I - P diag(1 / diag P), P = (X^T X + lambda I)^-1.

    The diagonal of B is zero: an item may not predict itself, so every score comes from
    relations between items, and negative weights mean "people who like i do not like j".

    >>> x = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=float)
    >>> b = ease_weights(x, 0.5)
    >>> bool(np.allclose(np.diag(b), 0)), bool(b[0, 1] > 0), bool(abs(b[0, 2]) < 1e-9)
    (True, True, True)
    """
    gram = interactions.T @ interactions
    gram[np.diag_indices_from(gram)] += regularisation
    inverse = np.linalg.inv(gram)
    weights = -inverse / np.diag(inverse)[None, :]
    np.fill_diagonal(weights, 0.0)
    return weights
