"""The fitted maps of every scenario, method and model in the process: each fitted once, shared by everyone.

A map is keyed by (scenario content, model, method, parameters). Two sessions
asking for the same map wait for one fit; asking for different maps never
waits for each other. Large maps are also kept on disk (see
:func:`core.maps.projection.load_or_fit`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from core.embedding.cache import default_cache_dir
from core.jobs import Once, Stage
from core.maps.projection import MIN_UMAP_POINTS, Alignment, Projection, align, cache_key, load_or_fit, place_by_scores
from core.retrieval.recommender import Recommender
from core.vectors.space import MethodParams

MAX_MAPS = 96
MIN_MAP_PRODUCTS = 3  # a map of fewer products shows nothing


class MapStore:
    """Fitted maps and their alignments onto exact's map, by key; each computed once."""

    def __init__(self, max_maps: int = MAX_MAPS) -> None:
        self._maps = Once(max_entries=max_maps)
        self._alignments = Once(max_entries=max_maps)

    @staticmethod
    def key(recommender: Recommender, method: str, params: MethodParams) -> str:
        """(scenario content, the model as loaded, method and parameters): a map on disk made by a model since
        changed in place is never found."""
        model = recommender.space.embedder.fingerprint
        return cache_key(recommender.scenario.fingerprint, model, Recommender.key(method, params).name)

    def has(self, recommender: Recommender, method: str, params: MethodParams) -> bool:
        return self._maps.has(self.key(recommender, method, params))

    def get(self, recommender: Recommender, method: str, params: MethodParams) -> Projection:
        key = self.key(recommender, method, params)

        def fit() -> Projection:
            return load_or_fit(recommender.product_vectors(method, params), key=key, cache_dir=default_cache_dir())

        return self._maps.get(key, fit)

    def place(self, recommender: Recommender, method: str, params: MethodParams, users: np.ndarray) -> np.ndarray:
        """(m, 2) users on ``method``'s fitted map (unaligned), placed among the products it was fitted on."""
        products = recommender.product_vectors(method, params)
        return self.get(recommender, method, params).place(users, products)

    def place_scored(
        self, recommender: Recommender, method: str, params: MethodParams, users: np.ndarray, scores: np.ndarray
    ) -> np.ndarray:
        """:meth:`place` when the users' cosines with every product, (m, n), are known already (a UMAP map
        places by them; a PCA map by the vectors)."""
        projection = self.get(recommender, method, params)
        if projection.kind == "umap":
            return place_by_scores(projection.coords, scores)
        return projection.place(users, recommender.product_vectors(method, params))

    def alignment(self, recommender: Recommender, method: str, params: MethodParams) -> Alignment:
        """The rotation of ``method``'s map onto exact's: both maps are fixed, so it is computed once, not per move."""

        def fit() -> Alignment:
            source, target = self.get(recommender, method, params), self.get(recommender, "exact", params)
            return align(source.coords, target.coords)

        return self._alignments.get(self.key(recommender, method, params), fit)

    def stages(self, recommender: Recommender, methods: Iterable[str], params: MethodParams) -> list[Stage]:
        """One stage per map still to fit, weighted by its products (a fit costs about as much as embedding them)."""
        n = len(recommender.product_ids)
        if n < MIN_MAP_PRODUCTS:
            return []
        kind = "PCA" if n < MIN_UMAP_POINTS else "UMAP"
        keys = {self.key(recommender, m, params): m for m in methods}  # strategy methods share weighted's map
        missing = [m for key, m in keys.items() if not self._maps.has(key)]
        return [
            Stage(
                f"Fitting the {kind} map for {m} ({i + 1}/{len(missing)})",
                n,
                lambda progress, m=m: self.get(recommender, m, params),
            )
            for i, m in enumerate(missing)
        ]
