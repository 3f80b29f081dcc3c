"""EASE against its definition: one ridge regression per item, with the item itself left out."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from core.movielens.labs.ease import EASE


def test_ease_equals_one_ridge_regression_per_item():
    """EASE's column j is the ridge regression of item j on every other item (Steck, 2019)."""
    rng = np.random.default_rng(0)
    x = (rng.random((40, 6)) < 0.4).astype(float)
    lam = 3.0
    model = EASE(regularisation=lam).fit(x)
    weights = model.weights_
    assert np.allclose(np.diag(weights), 0.0)
    for j in range(x.shape[1]):
        others = [i for i in range(x.shape[1]) if i != j]
        a = x[:, others]
        expected = np.linalg.solve(a.T @ a + lam * np.eye(len(others)), a.T @ x[:, j])
        assert np.allclose(weights[others, j], expected, atol=1e-10)
    assert np.allclose(model.predict(x), x @ weights)


def test_ease_follows_the_estimator_contract():
    model = EASE(regularisation=5)
    assert model.regularisation == 5  # stored untouched
    with pytest.raises(NotFittedError):
        model.predict(np.ones((1, 3)))
    for bad in (0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="regularisation must be a positive number"):
            EASE(regularisation=bad).fit(np.ones((2, 2)))
    with pytest.raises(ValueError, match="2-D users x items"):
        EASE().fit(np.ones(4))
