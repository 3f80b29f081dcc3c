from __future__ import annotations

import numpy as np

from core.movielens.labs.categories import effective_embeddings


def test_effective_embedding_is_the_centroid_of_name_and_members():
    base = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    members = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    out = effective_embeddings(base, {0: members})
    expected = np.array([1.0, 0.0, 2.0]) / np.sqrt(5)
    assert np.allclose(out[0], expected, atol=1e-6) and np.allclose(out[1], base[1])
    assert np.allclose(effective_embeddings(base, {}), base), "no members: the name alone"
