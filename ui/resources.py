"""Process-wide resources shared by every session, and the one way pages wait for long work.

Fitted things (recommenders with their product vectors, whiteners inside them, maps)
are keyed by scenario content, model and parameters, so a slider move never refits
anything and two people on the same preset share the work. Long work runs as a
*build* (:mod:`core.jobs`) in its own thread: a page that needs it shows the
build's progress with the time left, the same for every session that needs it, and
re-renders when it is done. The script thread never does the long work itself, so
one visitor's build never blocks another visitor's page.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import streamlit as st

from core import settings
from core.embedding.cache import CachedEmbedder, get_embedder
from core.explorer.state import DEFAULT_VIEW
from core.explorer.sweep import Sweeps, warm_profiles
from core.jobs import WARM_COMMAND, Build, Builds, Report, run_stages
from core.maps.store import MapStore
from core.retrieval.recommender import Recommender, RecommenderPool
from core.scenarios.model import Scenario
from core.scenarios.presets import DEFAULT_PRESET, PresetInfo, list_presets, load_preset
from core.vectors.methods import METHOD_NAMES
from core.vectors.space import DEFAULT_PARAMS, MethodParams
from ui.text import md_escape

QUICK = 1.5  # seconds a page waits for a build before it shows progress (short work shows nothing)
POLL = 1.0  # seconds between progress updates


def embedder(model: str | None = None) -> CachedEmbedder:
    """A model's cached embedder (None: the default model). Shared by every session."""
    return get_embedder(model)


def preset(preset_id: str) -> Scenario:
    return load_preset(preset_id)


@functools.cache
def preset_infos() -> list[PresetInfo]:
    return list_presets()


@functools.cache
def _pool() -> RecommenderPool:
    return RecommenderPool()


def recommender(scenario: Scenario, model: str | None = None) -> Recommender:
    """One recommender per (scenario content, model): edits get a fresh one, presets share."""
    return _pool().get(scenario, embedder(model))


@functools.cache
def projections() -> MapStore:
    return MapStore()


@functools.cache
def sweeps() -> Sweeps:
    """Every session's slider sweeps (core.explorer.sweep), shared: a class dragging the same slider from the
    same link computes it once."""
    return Sweeps()


@functools.cache
def builds() -> Builds:
    return Builds()


# -- waiting for long work -----------------------------------------------------------------------------


def wait_for(build: Build, *, slow: bool = False) -> Any:
    """The build's result. While it runs, show its shared progress (refreshed every second) and stop the script:
    the page re-renders by itself when the build is done. A failed build is one error line. ``slow``: one of the
    views that take minutes cold (:data:`core.jobs.SLOW_VIEWS`); its progress says how to warm them."""
    if not build.done:
        wait = settings.current().page_wait  # SIGNED_EXPLORER_PAGE_WAIT: the AppTest suite waits for builds to finish
        with st.spinner(md_escape(build.label)):  # from the first frame: never a blank view while it waits
            build.wait(QUICK if wait is None else wait)
    if build.done and build.error is None:
        return build.result
    if build.error is not None:
        st.error(md_escape(f"{build.label} failed: {build.error}"), icon=":material/error:")
        st.stop()
    _progress(build.key, slow)
    st.stop()


@st.fragment(run_every=POLL)
def _progress(key: Hashable, slow: bool = False) -> None:
    build = builds().get(key)
    if build is None or build.done:
        st.rerun()
    st.progress(build.fraction, text=md_escape(build.describe()))
    warm = (
        f" On a machine whose embedding cache is empty this view takes minutes; `{WARM_COMMAND}` warms it, and "
        "every other slow view, before a talk."
        if slow
        else ""
    )
    st.caption(
        md_escape(build.label) + ". Anyone who opens this view now sees this same progress, and leaving does not "
        "stop it: the work is kept for everyone." + warm
    )


def computed_once(key: tuple, label: str, compute: Callable[[Report], Any]) -> Any:
    """``compute(report)`` once per server process, as a build; then from memory.

    For long, deterministic results shared by every session (the MovieLens evaluation, the labs).
    ``key`` must name everything the result depends on, e.g. (what, data folder, model).
    """
    return wait_for(builds().start(key, label, compute), slow=True)


def prepare_key(recommender: Recommender, methods: list[str], params: MethodParams, maps: bool) -> tuple:
    model = recommender.space.embedder.fingerprint
    return ("prepare", recommender.scenario.fingerprint, model, tuple(methods), params, maps)


def start_prepare(recommender: Recommender, methods: list[str], params: MethodParams, *, maps: bool) -> Build:
    """The build of a view's product vectors (and maps): started once, shared by every session that needs it."""
    store = projections()
    n = len(recommender.product_ids)

    def work(report: Report) -> None:
        stages = recommender.stages(methods, params) + (store.stages(recommender, methods, params) if maps else [])
        run_stages(stages, report)

    label = f"Preparing {recommender.scenario.title} ({n:,} products)"
    return builds().start(prepare_key(recommender, methods, params, maps), label, work)


def ready(recommender: Recommender, methods: list[str], params: MethodParams, *, maps: bool) -> bool:
    """Whether the view's vectors (and maps) exist already."""
    store = projections()
    return recommender.ready(methods, params) and (not maps or all(store.has(recommender, m, params) for m in methods))


def ensure_ready(recommender: Recommender, methods: list[str], params: MethodParams, *, maps: bool) -> None:
    """Return at once when the view's vectors (and maps) exist; else wait for their build, with progress."""
    if not ready(recommender, methods, params, maps=maps):
        wait_for(start_prepare(recommender, methods, params, maps=maps))


# -- warming up -----------------------------------------------------------------------------------------


def serving() -> bool:
    """Whether a real Streamlit server runs this script (AppTest runs it against a stand-in runtime, where a
    background warm-up would only compete with the tests for the two cores)."""
    from streamlit import runtime

    return runtime.exists() and type(runtime.get_instance()).__name__ == "Runtime"


@functools.cache
def warm_up() -> threading.Thread:
    """Prepare every hand-written preset in the background, once per server process, the default first.

    The builds have the same keys as the Explorer's default view, so a first visitor joins a build that is
    already running (or done) instead of starting one. ``python -m ui.server`` calls this before the server
    accepts a connection; ``app.py`` calls it too, for a server started another way.
    """

    def run() -> None:
        _warm_maps()
        hand_written = sorted((i.id for i in preset_infos() if not i.generated), key=lambda p: p != DEFAULT_PRESET)
        for preset_id in hand_written:  # each preset, then its sliders' sweeps: a first drag is live at once
            start_prepare(recommender(preset(preset_id)), list(METHOD_NAMES), DEFAULT_PARAMS, maps=True).wait()
            warm_sweeps(recommender(preset(preset_id)))

    thread = threading.Thread(target=run, name="warm-up", daemon=True)
    thread.start()
    return thread


def warm_sweeps(rec: Recommender) -> None:
    """Each user's sliders' sweeps in the default view (see :func:`core.explorer.sweep.warm_profiles`), into
    the shared cache. Lower priority than anything a visitor asks for: it runs in the warm-up thread."""
    view, store = DEFAULT_VIEW, projections()
    for user in rec.scenario.users:
        for profile in warm_profiles(dict(user.profile)):
            for feature in profile:
                sweeps().get(recommender=rec, view=view, profile=profile, feature=feature, store=store, wait=None)


def _warm_maps() -> None:
    """Compile (or load from the numba cache) UMAP's code: the first map of a process would pay for it."""
    from core.maps.projection import fit_projection

    points = np.random.default_rng(0).normal(size=(40, 8)).astype(np.float32)
    units = points / np.linalg.norm(points, axis=1, keepdims=True)
    fit_projection(units).place(units[:1], units)
