from __future__ import annotations

import numpy as np
import pytest

from core.maps.projection import MIN_UMAP_POINTS, align, fit_projection, load_or_fit


def unit_rows(n, d=16, seed=0):
    x = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_small_scenarios_use_pca():
    projection = fit_projection(unit_rows(MIN_UMAP_POINTS - 1))
    assert projection.kind == "pca" and projection.coords.shape == (MIN_UMAP_POINTS - 1, 2)


def clustered_rows(clusters=4, size=10, d=16, seed=0):
    """Unit rows in well-separated clusters: structure a map can show (random rows have none)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, d)) * 3
    x = np.repeat(centres, size, axis=0) + rng.normal(scale=0.3, size=(clusters * size, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32), np.repeat(np.arange(clusters), size)


def test_umap_is_deterministic_and_places_without_refitting():
    vectors, cluster = clustered_rows()
    a, b = fit_projection(vectors), fit_projection(vectors)
    assert a.kind == "umap"
    np.testing.assert_allclose(a.coords, b.coords, atol=1e-4)
    coords_before = a.coords.copy()
    point = a.place(vectors[3], vectors)
    assert point.shape == (1, 2) and np.isfinite(point).all()
    np.testing.assert_array_equal(a.coords, coords_before)
    # A point equal to a product lands near that product: among its own cluster, not another's.
    distances = np.linalg.norm(a.coords - point, axis=1)
    nearest = np.argsort(distances)[:5]
    assert (cluster[nearest] == cluster[3]).all()
    # Placed alone or among others, a user lands in the same place.
    batch = a.place(vectors[[3, 30, 3]], vectors)
    np.testing.assert_allclose(batch[[0, 2]], np.repeat(point, 2, axis=0))


def test_too_few_products():
    with pytest.raises(ValueError, match="at least 3 products"):
        fit_projection(unit_rows(2))


def test_alignment_recovers_a_rotation_and_reflection():
    target = np.random.default_rng(1).normal(size=(30, 2))
    mirror = np.array([[0.0, 1.0], [1.0, 0.0]])
    source = target @ mirror * 0.5 + 3.0
    np.testing.assert_allclose(align(source, target).apply(source), target, atol=1e-6)


def test_large_maps_are_cached_on_disk(tmp_path, monkeypatch):
    import core.maps.projection as projection_module

    monkeypatch.setattr(projection_module, "DISK_CACHE_MIN_POINTS", 20)
    vectors = unit_rows(30)
    first = load_or_fit(vectors, key="k1", cache_dir=tmp_path)
    assert (tmp_path / "projections" / "k1.joblib").exists()
    second = load_or_fit(vectors, key="k1", cache_dir=tmp_path)
    np.testing.assert_array_equal(first.coords, second.coords)
    (tmp_path / "projections" / "k1.joblib").write_bytes(b"damaged")
    third = load_or_fit(vectors, key="k1", cache_dir=tmp_path)  # refitted, not fatal
    np.testing.assert_allclose(third.coords, first.coords, atol=1e-4)
