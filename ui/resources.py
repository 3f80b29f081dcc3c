"""Process-wide resources, cached with ``st.cache_resource``: shared by every session.

Fitted things (recommenders with their product vectors, PCA whiteners inside
them, UMAP maps) are keyed by scenario content, model and parameters, so a
slider move never refits anything and two people on the same preset share work.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import streamlit as st

from core.engine.cache import CachedEmbedder, default_cache_dir, get_embedder
from core.engine.projection import MIN_UMAP_POINTS, Alignment, Projection, align, cache_key, load_or_fit
from core.engine.recommender import Recommender
from core.engine.space import MethodParams
from core.scenarios.model import Scenario
from core.scenarios.presets import list_presets, load_preset


@st.cache_resource(show_spinner=False)
def embedder() -> CachedEmbedder:
    return get_embedder()


@st.cache_resource(show_spinner=False)
def preset(preset_id: str) -> Scenario:
    return load_preset(preset_id)


@st.cache_resource(show_spinner=False)
def preset_infos():
    return list_presets()


@st.cache_resource(show_spinner=False, max_entries=16)
def _recommender(fingerprint: str, model: str, _scenario: Scenario) -> Recommender:
    return Recommender(_scenario, embedder())


def recommender(scenario: Scenario) -> Recommender:
    """One recommender per (scenario content, model): edits get a fresh one, presets share."""
    return _recommender(scenario.fingerprint, embedder().name, scenario)


class ProjectionStore:
    """Fitted maps by (scenario, model, method, parameters); large ones also on disk."""

    def __init__(self) -> None:
        self._maps: dict[str, Projection] = {}
        self._alignments: dict[str, Alignment] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(recommender: Recommender, method: str, params: MethodParams) -> str:
        scenario = recommender.scenario
        return cache_key(scenario.fingerprint, recommender.space.embedder.name, *Recommender.cache_key(method, params))

    def has(self, recommender: Recommender, method: str, params: MethodParams) -> bool:
        return self.key(recommender, method, params) in self._maps

    def get(self, recommender: Recommender, method: str, params: MethodParams) -> Projection:
        key = self.key(recommender, method, params)
        with self._lock:
            if key not in self._maps:
                vectors = recommender.product_vectors(method, params)
                self._maps[key] = load_or_fit(vectors, key=key, cache_dir=default_cache_dir())
                if len(self._maps) > 96:
                    self._maps.pop(next(iter(self._maps)))
            return self._maps[key]

    def alignment(self, recommender: Recommender, method: str, params: MethodParams) -> Alignment:
        """The rotation of ``method``'s map onto exact's: both maps are fixed, so it is computed once, not per move."""
        key = self.key(recommender, method, params)
        if key not in self._alignments:
            source, target = self.get(recommender, method, params), self.get(recommender, "exact", params)
            self._alignments[key] = align(source.coords, target.coords)
            if len(self._alignments) > 96:
                self._alignments.pop(next(iter(self._alignments)))
        return self._alignments[key]


@st.cache_resource(show_spinner=False)
def projections() -> ProjectionStore:
    return ProjectionStore()


@st.cache_resource(show_spinner=False)
def warm_up_umap() -> threading.Thread:
    """Compile UMAP's numba code in the background once per server process.

    The first map fitted in a process pays ~20 s of JIT compilation; doing it while
    a visitor reads the Home page makes the Explorer's first load fast.
    """

    def run() -> None:
        from core.engine.projection import fit_projection

        rng = np.random.default_rng(0)
        points = rng.normal(size=(40, 8)).astype(np.float32)
        fit_projection(points / np.linalg.norm(points, axis=1, keepdims=True)).place(points[:1])

    thread = threading.Thread(target=run, name="umap-warm-up", daemon=True)
    thread.start()
    return thread


def _reporter(bar) -> Callable[[str, float], None]:
    """A progress callback ``(stage, fraction)`` drawing on a ``st.progress`` bar."""
    return lambda stage, fraction: bar.progress(min(max(fraction, 0.0), 1.0), text=stage)


@st.cache_resource(show_spinner=False)
def _computed() -> dict[tuple, object]:
    return {}


def computed_once(key: tuple, text: str, compute: Callable[[Callable[[str, float], None]], object]):
    """``compute(report)`` once per server process, with a progress bar the first time; then from memory.

    For long, deterministic results shared by every session (the MovieLens evaluation, the labs).
    ``key`` must name everything the result depends on, e.g. (what, data folder, model).
    """
    store = _computed()
    if key not in store:
        holder = st.empty()
        store[key] = compute(_reporter(holder.progress(0.0, text=text)))
        holder.empty()
    return store[key]


def prepare_with_progress(recommender: Recommender, methods: list[str], params: MethodParams, *, maps: bool) -> None:
    """Build product vectors (and maps) for the view, showing stages the first time only."""
    store = projections()
    vectors_ready = recommender.ready(methods, params)
    maps_ready = not maps or all(store.has(recommender, m, params) for m in methods)
    if vectors_ready and maps_ready:
        return
    n = len(recommender.product_ids)
    started = time.perf_counter()
    placeholder = st.empty()
    with placeholder.container(), st.status(f"Preparing {n:,} products...", expanded=True) as status:
        report = _reporter(st.progress(0.0, text="starting"))
        if not vectors_ready:
            recommender.prepare(methods, params, progress=report)
        if not maps_ready:
            for i, method in enumerate(methods):
                kind = "PCA" if n < MIN_UMAP_POINTS else "UMAP"
                report(f"Fitting the {kind} map for {method} ({i + 1}/{len(methods)})", i / len(methods))
                store.get(recommender, method, params)
        status.update(label=f"Ready: {n:,} products", state="complete", expanded=False)
    placeholder.empty()
    seconds = time.perf_counter() - started
    if seconds > 3:
        st.toast(f"Prepared {n:,} products in {seconds:.0f} s; cached for everyone from now on.")
