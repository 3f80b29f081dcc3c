"""The shared feature space: parameters are checked, whiteners cached."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from core.vectors.space import FeatureSpace, LinearForm, MethodParams


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="whiten_strength must be in"):
        MethodParams(whiten_strength=1.5)
    with pytest.raises(ValueError, match="whiten_variance must be in"):
        MethodParams(whiten_variance=0.1)


def test_scores_over_the_vocabulary_and_features_outside_it(embedder):
    space = FeatureSpace(["wine", "crowds", "jazz"], embedder)
    matrix, extras = space.score_matrix([{"wine": 0.5, "opera": -1.0}, {}])
    assert matrix.shape == (2, 3) and matrix[0, 0] == 0.5
    assert np.isnan(matrix[0, 1:]).all() and np.isnan(matrix[1]).all()
    assert extras == [{"opera": -1.0}, {}]


def test_vocabulary_embeddings_and_whiteners_are_computed_once(embedder):
    space = FeatureSpace(["wine", "white wine", "crowds", "jazz", "tea"], embedder)
    assert space.feature_embeddings() is space.feature_embeddings()
    assert space.prefix_embeddings().shape == (5, 5, space.dim)
    params = MethodParams(whiten_variance=0.9)
    first = space.whitened(params)
    assert space.whitened(MethodParams(whiten_variance=0.9)) is first  # cached by value
    assert space.whitened(MethodParams(whiten_variance=1.0)) is not first


def test_a_linear_form_applies_without_building_the_dense_matrix():
    coefficients = sparse.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, -1.0, 0.0]], dtype=np.float32))
    basis = np.arange(6, dtype=np.float32).reshape(3, 2)
    form = LinearForm(coefficients, basis)
    vector = np.array([0.5, -1.0], dtype=np.float32)
    np.testing.assert_allclose(form.apply(vector), form.dense() @ vector)
    np.testing.assert_allclose(LinearForm(coefficients, None).dense(), coefficients.toarray())
