from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError

from core.vectors.whitening import Whitener


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    return rng.normal(size=(60, 20)) @ np.diag(np.linspace(3, 0.1, 20))


def test_transform_before_fit_raises_not_fitted(data):
    with pytest.raises(NotFittedError):
        Whitener().transform(data)


def test_constructor_arguments_are_stored_untouched():
    whitener = Whitener(variance=0.9, max_components=7, strength=0.25)
    assert whitener.get_params() == {"variance": 0.9, "max_components": 7, "strength": 0.25}
    Whitener(variance=5)  # checked in fit, not in __init__ (the scikit-learn contract)
    with pytest.raises(ValueError, match="variance must be in"):
        Whitener(variance=5).fit(np.eye(3))


def test_picks_the_smallest_k_reaching_the_threshold(data):
    whitener = Whitener(variance=0.9).fit(data)
    cumulative = np.cumsum(PCA().fit(data).explained_variance_ratio_)
    k = whitener.n_components_
    assert cumulative[k - 1] >= 0.9 > cumulative[k - 2]
    np.testing.assert_allclose(whitener.cumulative_variance_, cumulative, atol=1e-9)


def test_max_components_caps_k(data):
    assert Whitener(variance=1.0, max_components=5).fit(data).n_components_ == 5


def test_full_whitening_gives_unit_variance(data):
    whitener = Whitener(variance=0.99, strength=1.0).fit(data)
    np.testing.assert_allclose(whitener.transform(data).var(axis=0, ddof=1), 1.0, rtol=1e-4)


def test_strength_zero_is_plain_pca(data):
    whitener = Whitener(variance=0.95, strength=0.0).fit(data)
    pca = PCA(n_components=whitener.n_components_).fit(data)
    ours, theirs = whitener.transform(data), pca.transform(data)
    # Components are defined up to sign.
    signs = np.sign((ours * theirs).sum(axis=0))
    np.testing.assert_allclose(ours * signs, theirs, atol=1e-4)


def test_rank_deficient_input_never_divides_by_zero():
    rng = np.random.default_rng(0)
    low_rank = rng.normal(size=(30, 3)) @ rng.normal(size=(3, 50))  # rank 3 in 50 dims
    whitener = Whitener(variance=1.0, max_components=256).fit(low_rank)
    assert whitener.rank_ == 3 and whitener.n_components_ <= 3
    assert np.isfinite(whitener.transform(low_rank)).all()
    assert np.isfinite(whitener.scale_).all()


def test_a_single_point_or_identical_points_have_no_components():
    for X in (np.ones((1, 4)), np.ones((5, 4))):
        whitener = Whitener().fit(X)
        assert whitener.n_components_ == 0
        assert whitener.transform(X).shape == (X.shape[0], 0)


def test_column_mismatch_is_reported(data):
    with pytest.raises(ValueError, match="fitted on 20"):
        Whitener().fit(data).transform(np.ones((2, 5)))
