"""2-D maps of a method's vector space: fitted once on the products, users placed with ``transform``.

UMAP is fitted per (scenario, method, parameters) on the product vectors with
a fixed seed, so a shared link shows the same map. A user is placed where its
nearest products are (:func:`place_near`: the similarity-weighted mean of its
:data:`NEIGHBOURS` most similar products' positions, which is how UMAP's own
``transform`` starts), so moving a slider refits nothing, and a user's place is
the same whether it is placed alone or with the 41 positions of a slider's sweep
(UMAP's ``transform`` then optimises the new points together, with one random
stream: the same user lands elsewhere in a batch). PCA maps use PCA's transform. Below
:data:`MIN_UMAP_POINTS` products UMAP's neighbourhood graph is too thin to mean
much, so PCA is used instead (and the page says so).

:func:`align` rotates one map onto another (orthogonal Procrustes with scale),
so the same product sits in a comparable place in every panel.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import sys
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.numeric import EPS

log = logging.getLogger(__name__)

MIN_UMAP_POINTS = 15
NEIGHBOURS = 15  # products a user's place on a UMAP map is averaged from
DISK_CACHE_MIN_POINTS = 2_000
SEED = 42
# UMAP's and pynndescent's numba functions, compiled on first use (about 14 s per process), are cached
# on disk here so that a server restart does not compile them again (numba keys the cache by source and CPU).
NUMBA_MODULES = ("umap.umap_", "umap.layouts", "umap.spectral", "umap.distances", "umap.sparse", "umap.utils")


def numba_cache() -> None:
    """Keep UMAP's compiled numba functions on disk (once per process).

    In ``<embedding cache>/numba`` when numba is not imported yet, else in numba's default place (the
    package's ``__pycache__``); with the embedding cache off, nothing is kept.
    """
    from core.embedding.cache import default_cache_dir

    folder = default_cache_dir()
    if folder is None:
        return
    if "numba" not in sys.modules:
        os.environ.setdefault("NUMBA_CACHE_DIR", str(folder / "numba"))
    _enable_caching()


@functools.cache
def _enable_caching() -> int:
    import importlib
    import pkgutil

    import pynndescent
    from numba.core.registry import CPUDispatcher

    modules = [importlib.import_module(name) for name in NUMBA_MODULES]
    for info in pkgutil.walk_packages(pynndescent.__path__, "pynndescent."):
        modules.append(importlib.import_module(info.name))
    enabled = 0
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, CPUDispatcher) and type(value._cache).__name__ == "NullCache":
                with contextlib.suppress(Exception):  # a closure cannot be cached: it simply compiles each time
                    value.enable_caching()
                    enabled += 1
    return enabled


@dataclass
class Projection:
    """A fitted 2-D map. ``coords`` are the products' positions, ``kind`` is "umap" or "pca"."""

    kind: str
    coords: np.ndarray  # (n_products, 2) float32
    model: object

    def place(self, vectors: np.ndarray, products: np.ndarray) -> np.ndarray:
        """(m, 2) positions of new points (users) on the fitted map, without refitting. ``products`` are the
        vectors the map was fitted on (a UMAP map places by them, see :func:`place_near`)."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        if self.kind == "pca":
            return np.asarray(self.model.transform(_at_least_2_columns(vectors)), dtype=np.float32)
        return place_near(self.coords, products, vectors)


def place_near(coords: np.ndarray, products: np.ndarray, users: np.ndarray, neighbours: int = NEIGHBOURS):
    """Each user at the similarity-weighted mean of its ``neighbours`` most similar products' positions (cosine;
    negative similarities weigh 0). A user with no similar product (a zero vector) sits at the map's centre.
    One user's place never depends on the others placed with it.

    >>> coords = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    >>> products = np.eye(3)
    >>> place_near(coords, products, np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]), neighbours=2).tolist()
    [[5.0, 0.0], [3.3333332538604736, 3.3333332538604736]]
    """
    users = np.atleast_2d(np.asarray(users, dtype=np.float64))
    return place_by_scores(coords, users @ np.asarray(products, dtype=np.float64).T, neighbours)


def place_by_scores(coords: np.ndarray, sims: np.ndarray, neighbours: int = NEIGHBOURS) -> np.ndarray:
    """:func:`place_near` from each user's cosine with every product, (m, n), when they are known already (a
    ranking's scores): the same places, without the (m, d) x (d, n) product."""
    sims = np.atleast_2d(np.asarray(sims, dtype=np.float64))
    k = min(neighbours, sims.shape[1])
    nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    weight = np.clip(np.take_along_axis(sims, nearest, axis=1), 0, None)
    total = weight.sum(axis=1, keepdims=True)
    placed = np.einsum("mk,mkd->md", weight, coords[nearest].astype(np.float64)) / np.where(total > EPS, total, 1)
    centre = coords.astype(np.float64).mean(axis=0)
    return np.where(total > EPS, placed, centre).astype(np.float32)


def _at_least_2_columns(vectors: np.ndarray) -> np.ndarray:
    """Vectors of fewer than 2 dimensions (one feature, or none) padded with zero columns: a flat map, not an error."""
    missing = 2 - vectors.shape[1]
    return np.pad(vectors, ((0, 0), (0, missing))) if missing > 0 else vectors


def fit_projection(
    vectors: np.ndarray, *, n_neighbors: int = 15, min_dist: float = 0.1, seed: int = SEED
) -> Projection:
    """Fit a map on product vectors (unit rows). Deterministic for a given seed."""
    vectors = np.asarray(vectors, dtype=np.float32)
    n = vectors.shape[0]
    if n < 3:
        raise ValueError(f"need at least 3 products to draw a map, got {n}")
    if n < MIN_UMAP_POINTS or vectors.shape[1] < 2:
        from sklearn.decomposition import PCA

        vectors = _at_least_2_columns(vectors)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # all-zero data (no features) has no variance to explain
            model = PCA(n_components=2, random_state=seed).fit(vectors)
            return Projection("pca", model.transform(vectors).astype(np.float32), model)
    numba_cache()
    import umap

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = umap.UMAP(
            n_neighbors=min(n_neighbors, n - 1),
            min_dist=min_dist,
            metric="cosine",
            random_state=seed,
            transform_seed=seed,
            init="spectral" if n > 50 else "random",
        )
        coords = model.fit_transform(vectors)
    return Projection("umap", np.asarray(coords, dtype=np.float32), model)


def cache_key(*parts: object) -> str:
    return hashlib.sha256("\x00".join(map(str, parts)).encode()).hexdigest()[:24]


def load_or_fit(vectors: np.ndarray, *, key: str, cache_dir: Path | None, **kwargs) -> Projection:
    """Fit, or for large scenarios reuse a map saved on disk under ``key`` (atomic write)."""
    import joblib

    use_disk = cache_dir is not None and vectors.shape[0] >= DISK_CACHE_MIN_POINTS
    path = cache_dir / "projections" / f"{key}.joblib" if use_disk else None
    if path is not None and path.exists():
        try:
            projection = joblib.load(path)
            if isinstance(projection, Projection) and projection.coords.shape[0] == vectors.shape[0]:
                return projection
        except Exception as exc:  # a damaged file is refitted, not fatal
            log.warning("refitting map; cannot read %s: %s", path, exc)
    projection = fit_projection(vectors, **kwargs)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".tmp-{uuid.uuid4().hex}")
            joblib.dump(projection, tmp)
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("map not cached to %s: %s", path, exc)
    return projection


@dataclass(frozen=True)
class Alignment:
    """x -> (x - source_mean) @ rotation * scale + target_mean."""

    source_mean: np.ndarray
    target_mean: np.ndarray
    rotation: np.ndarray
    scale: float

    def apply(self, points: np.ndarray) -> np.ndarray:
        points = np.atleast_2d(points)
        return ((points - self.source_mean) @ self.rotation * self.scale + self.target_mean).astype(np.float32)


IDENTITY = Alignment(np.zeros(2), np.zeros(2), np.eye(2), 1.0)


def align(source: np.ndarray, target: np.ndarray) -> Alignment:
    """The rotation (or reflection), scale and shift that best map ``source`` onto ``target``.

    >>> target = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    >>> turned = target @ np.array([[0.0, 1.0], [-1.0, 0.0]]) * 3 + 5
    >>> np.allclose(align(turned, target).apply(turned), target)
    True
    """
    source = np.asarray(source, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    mu_s, mu_t = source.mean(axis=0), target.mean(axis=0)
    a, b = source - mu_s, target - mu_t
    u, singular, vt = np.linalg.svd(a.T @ b)
    rotation = u @ vt
    norm = float((a**2).sum())
    scale = float(singular.sum() / norm) if norm > EPS**2 else 1.0
    return Alignment(mu_s, mu_t, rotation, scale)
