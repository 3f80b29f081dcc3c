"""EASE: a linear item-item model whose diagonal is forced to zero (Steck, 2019).

``EASE(regularisation=200).fit(X)`` learns ``weights_`` from a users x items
matrix of interactions; ``predict(X)`` scores every item for every row of X.
The zero diagonal forbids an item from predicting itself, so every score comes
from relations between items; negative weights are anti-affinity: people who
like i do not like j.

>>> x = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=float)
>>> model = EASE(regularisation=0.5).fit(x)
>>> bool(np.allclose(np.diag(model.weights_), 0)), model.predict(x[:1]).round(2).tolist()
(True, [[0.8, 0.8, 0.0]])
"""

from __future__ import annotations

import numpy as np
from sklearn.exceptions import NotFittedError

DEFAULT_REGULARISATION = 200.0


class EASE:
    """sklearn-style: constructor arguments stored untouched, learned state with a trailing underscore."""

    def __init__(self, regularisation: float = DEFAULT_REGULARISATION) -> None:
        self.regularisation = regularisation

    def fit(self, interactions: np.ndarray) -> EASE:
        if not np.isfinite(self.regularisation) or self.regularisation <= 0:
            raise ValueError(f"regularisation must be a positive number, got {self.regularisation!r}")
        x = np.asarray(interactions, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] == 0:
            raise ValueError(f"interactions must be a 2-D users x items matrix, got shape {x.shape}")
        self.weights_ = ease_weights(x, self.regularisation)
        self.n_items_ = x.shape[1]
        return self

    def predict(self, interactions: np.ndarray) -> np.ndarray:
        if not hasattr(self, "weights_"):
            raise NotFittedError("this EASE model is not fitted yet; call fit first")
        return np.atleast_2d(np.asarray(interactions, dtype=np.float64)) @ self.weights_


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
