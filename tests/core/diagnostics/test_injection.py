"""Raw injection against projection."""

from __future__ import annotations

import numpy as np

from core.diagnostics.injection import raw_injection, raw_injection_vector
from core.vectors.space import DEFAULT_PARAMS, FeatureSpace


def test_raw_injection_differs_from_projection(wine):
    scenario, recommender = wine
    profile = {**scenario.user("teetotal").profile, "vegan food": 0.9}
    space = recommender.space
    projected = recommender.user_vector("whitened", profile)
    raw = raw_injection_vector(space, profile)
    assert projected.shape == raw.shape
    assert not np.allclose(projected, raw, atol=1e-3)


def test_nothing_to_rank_is_not_defined_rather_than_invisible(embedder):
    space = FeatureSpace(["wine", "crowds", "jazz"], embedder)
    zero_products = np.zeros((3, space.whitened(DEFAULT_PARAMS)[1].shape[1]), dtype=np.float32)
    result = raw_injection(zero_products, space, {"wine": 0.5, "museums": 0.9}, "museums")
    assert result.undefined and "every product's whitened vector is zero" in result.undefined
    assert (result.differing, result.moved_by_projected, result.moved_by_raw) == (None, None, None)
    assert np.isnan(result.rank_correlation)


def test_the_top_k_always_leaves_a_product_out(wine):
    scenario, recommender = wine
    vectors = recommender.product_vectors("whitened")[:2]
    profile = {**scenario.user("teetotal").profile, "museums": 0.9}
    result = raw_injection(vectors, recommender.space, profile, "museums")
    assert result.k == 1 and result.undefined is None and result.differing in (0, 1)
