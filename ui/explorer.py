"""The Explorer's session state and its live panel: widgets <-> ViewState <-> URL, and the panel's payload.

Widgets are the source of truth while a person works. The URL is written from
them after every change. When the URL changes from outside (a shared link, a
link from another page), it is decoded once and pushed into the widgets.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import streamlit as st

from core.engine import models
from core.engine import view as v
from core.engine.maps import MIN_MAP_PRODUCTS
from core.engine.marks import HARD_NO, HARD_NO_RANGE, MARKS, hard_nos
from core.engine.marks import describe as describe_marks
from core.engine.methods import ALL_METHOD_NAMES, METHOD_NAMES, METHODS
from core.engine.projection import IDENTITY
from core.engine.recommender import Recommender
from core.engine.share import ViewState, decode, encode
from core.engine.space import MethodParams
from core.scenarios import link
from core.scenarios.model import Scenario
from ui import live, resources, session

K_PRESET, K_USER, K_METHODS, K_K = "x_preset", "x_user", "x_methods", "x_k"
K_VAR, K_ALPHA, K_ALIGN, K_MODEL = "x_var", "x_alpha", "x_align", "x_model"
K_FILTER, K_THRESHOLD = "x_hardno", "x_hardno_at"
K_WRITTEN, K_WARNINGS = "x_written", "x_warnings"
K_BACKGROUND_SENT = "x_background_sent"  # key of the map background the live panel already holds
MANY_FEATURES = 30
SHOWN_WHEN_MANY = 12
TRAIL_LENGTH = 12


def selected_scenario() -> Scenario:
    return session.scenario_for(st.session_state[K_PRESET])


def short_hash(*parts: object) -> str:
    """A short stable key for a combination of settings."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def panel_key(scenario: Scenario, user_id: str) -> str:
    """The live panel's state key: a new scenario or user starts from a fresh state."""
    return f"x_live|{scenario.fingerprint}|{user_id}"


def _query() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def sync_from_url() -> None:
    """If the URL is not the one we last wrote, decode it into the widgets (once)."""
    params = _query()
    if params == st.session_state.get(K_WRITTEN):
        return
    view, warnings = decode(params, lookup=_lookup, uploads=session.uploads())
    if view.data is not None:  # the link carries its scenario: this session keeps it (never over its own work)
        kept_as, dropped = session.add_upload(session.linked(view.data), from_link=True)
        view = replace(view, upload=kept_as)
        warnings = [*warnings, session.dropped_note(dropped)] if dropped else warnings
    apply_view(view)
    st.session_state[K_WARNINGS] = warnings
    st.session_state[K_WRITTEN] = params


def _lookup(preset_id: str) -> Scenario | None:
    return resources.preset(preset_id) if preset_id in {i.id for i in resources.preset_infos()} else None


def apply_view(view: ViewState) -> None:
    state = st.session_state
    state[K_PRESET] = session.UPLOAD_PREFIX + view.upload if view.upload else view.preset
    scenario = selected_scenario()
    user = scenario.user(view.user) if view.user else scenario.users[0]
    state[K_USER] = user.id
    state[K_METHODS] = list(view.methods)
    state[K_K] = view.k
    state[K_VAR] = view.variance
    state[K_ALPHA] = view.strength
    state[K_ALIGN] = view.aligned
    state[K_MODEL] = view.model or models.default_id()
    state[K_FILTER] = view.hard_no is not None
    state[K_THRESHOLD] = HARD_NO if view.hard_no is None else view.hard_no
    state[panel_key(scenario, user.id)] = live.state(dict(view.overrides))


def ensure_widget_defaults() -> None:
    """Defaults for the sidebar widgets, set before they are created (never both value= and state)."""
    state = st.session_state
    options = session.scenario_options()
    if state.get(K_PRESET) not in options:
        state[K_PRESET] = next(iter(options))
    scenario = selected_scenario()
    if state.get(K_USER) not in {u.id for u in scenario.users}:
        state[K_USER] = scenario.users[0].id
    state.setdefault(K_METHODS, list(METHOD_NAMES))
    state.setdefault(K_K, 5)
    state.setdefault(K_VAR, 0.95)
    state.setdefault(K_ALPHA, 1.0)
    state.setdefault(K_ALIGN, False)
    state.setdefault(K_FILTER, False)
    state.setdefault(K_THRESHOLD, HARD_NO)
    if state.get(K_MODEL) not in {m.id for m in models.installed()}:
        state[K_MODEL] = models.default_id()


def sidebar() -> Scenario:
    """The choices that reset or refit (full reruns); returns the chosen scenario."""
    options = session.scenario_options()
    with st.sidebar:
        st.selectbox("Scenario", list(options), format_func=options.get, key=K_PRESET)
        scenario = selected_scenario()
        users = {u.id: u.name for u in scenario.users}
        if st.session_state[K_USER] not in users:
            st.session_state[K_USER] = scenario.users[0].id
        st.selectbox("User", list(users), format_func=users.get, key=K_USER)
        st.pills("Methods", list(ALL_METHOD_NAMES), selection_mode="multi", key=K_METHODS, help=METHODS_HELP)
        st.slider("Top k", 1, 20, key=K_K)
        st.toggle("Filter out hard nos", key=K_FILTER, help=FILTER_HELP)
        if st.session_state[K_FILTER]:
            st.slider("A hard no: a score at or below", *HARD_NO_RANGE, step=0.05, key=K_THRESHOLD)
        with st.expander("Whitening", icon=":material/tune:"):
            st.slider("Variance kept", 0.5, 1.0, step=0.01, key=K_VAR, help=VARIANCE_HELP)
            st.slider("Strength α", 0.0, 1.0, step=0.05, key=K_ALPHA, help=STRENGTH_HELP)
        st.toggle("Align maps to exact", key=K_ALIGN, help="Rotate each map onto exact's (Procrustes).")
        session.model_picker(K_MODEL, link=False)
    return scenario


def model() -> str:
    return st.session_state[K_MODEL]


def hard_no() -> tuple[float, bool]:
    """(the hard-no threshold, whether the filter is on). Off, the marks use the default threshold."""
    on = bool(st.session_state[K_FILTER])
    return (float(st.session_state[K_THRESHOLD]) if on else HARD_NO), on


METHODS_HELP = "The first six turn a profile into one vector. " + " ".join(
    f"{METHODS[m].name}: {METHODS[m].summary}" for m in ALL_METHOD_NAMES if m not in METHOD_NAMES
)
FILTER_HELP = (
    "A hard no is a constraint, not a direction: with the filter on, no method may rank a product that carries "
    "(with a positive score) a feature the user scores at or below the threshold. In Qdrant this is a must_not "
    "payload filter; in memory the same rule."
)

VARIANCE_HELP = "PCA keeps the fewest components whose cumulative explained variance reaches this."
STRENGTH_HELP = "Each component is scaled by σ^-α: 0 is plain PCA, 1 is full whitening."


def params() -> MethodParams:
    return MethodParams(
        whiten_variance=float(st.session_state[K_VAR]), whiten_strength=float(st.session_state[K_ALPHA])
    )


def scores(scenario: Scenario, user_id: str) -> dict[str, float]:
    """The panel's reported scores, validated: known features, finite, in [-1, 1]."""
    raw = st.session_state.get(panel_key(scenario, user_id))
    reported = raw.get("scores") if isinstance(raw, dict) else None
    allowed = set(scenario.vocabulary) | set(scenario.user(user_id).profile)
    return live.clean_scores(reported, allowed)


def current_profile(scenario: Scenario, user_id: str) -> dict[str, float]:
    """The user's profile with the panel's scores applied (added features included)."""
    return {**scenario.user(user_id).profile, **scores(scenario, user_id)}


def shown_features(scenario: Scenario, user_id: str, profile: dict[str, float]) -> list[str]:
    """The features with a slider: the whole profile, or for big profiles the strongest ones.

    Changed and added features are always shown.
    """
    original = scenario.user(user_id).profile
    changed = [f for f, s in profile.items() if original.get(f) != s]
    if len(original) < MANY_FEATURES:
        return list(dict.fromkeys([*original, *changed]))
    strongest = sorted(original, key=lambda f: -abs(original[f]))[:SHOWN_WHEN_MANY]
    return list(dict.fromkeys([*strongest, *changed]))


def current_view(scenario: Scenario, user_id: str, profile: dict[str, float]) -> ViewState:
    state = st.session_state
    original = scenario.user(user_id).profile
    overrides = {f: s for f, s in profile.items() if original.get(f) != s or f not in original}  # exact: see share
    choice = state[K_PRESET]
    view = ViewState(
        user=user_id,
        overrides=overrides,
        methods=tuple(state[K_METHODS]) or METHOD_NAMES,
        k=int(state[K_K]),
        variance=float(state[K_VAR]),
        strength=float(state[K_ALPHA]),
        aligned=bool(state[K_ALIGN]),
        model=None if state[K_MODEL] == models.default_id() else state[K_MODEL],
        hard_no=float(state[K_THRESHOLD]) if state[K_FILTER] else None,
    )
    if session.is_upload(choice):
        return replace(view, upload=scenario.id, data=session.packed(scenario))
    return replace(view, preset=choice)


def write_url(view: ViewState) -> dict[str, list[str]]:
    """Put the view in the address bar (only when it changed). Returns the query."""
    encoded = {k: v if isinstance(v, list) else [v] for k, v in encode(view).items()}
    if encoded != st.session_state.get(K_WRITTEN):
        st.query_params.from_dict(encoded)
        st.session_state[K_WRITTEN] = encoded
        st.session_state[K_WARNINGS] = []
    return encoded


# -- per-move memory: rank shifts and the user's trail -------------------------


def rank_shifts(context: tuple, signature: tuple, rankings: dict) -> dict[str, np.ndarray]:
    """Per method, each product's rank shift since the last change of the profile (positive = down).

    Reruns that change nothing (opening an expander) keep the last shifts.
    """
    memory = st.session_state.get("x_rank_memory")
    positions = {m: r.positions for m, r in rankings.items()}
    if not memory or memory["context"] != context:
        memory = {"context": context, "signature": signature, "positions": positions, "shifts": {}}
    elif memory["signature"] != signature:
        moved = v.shifts(memory["positions"], rankings)
        memory = {"context": context, "signature": signature, "positions": positions, "shifts": moved}
    st.session_state["x_rank_memory"] = memory
    return memory["shifts"]


def trail(context: tuple, method: str, point: np.ndarray) -> np.ndarray:
    """The user's recent positions on one method's map (raw map coordinates)."""
    trails = st.session_state.get("x_trails")
    if not trails or trails["context"] != context:
        trails = {"context": context, "points": {}}
        st.session_state["x_trails"] = trails
    points = trails["points"].setdefault(method, [])
    if not points or not np.allclose(points[-1], point):
        points.append(np.asarray(point, dtype=np.float32))
        del points[:-TRAIL_LENGTH]
    return np.array(points)


# -- the live panel's payload ------------------------------------------------------


def maps(recommender: Recommender, result, profile: dict[str, float], params_: MethodParams, context: tuple) -> dict:
    """Each method's map. The background (thousands of points and labels) does not move with the sliders,
    so it is sent on a full run and whenever it changes; fragment reruns send only its key."""
    store, scenario = resources.projections(), recommender.scenario
    aligned = bool(st.session_state[K_ALIGN])
    n = len(scenario.products)
    background = v.background_sample(n)
    model = recommender.space.embedder.name
    key = short_hash(scenario.fingerprint, model, tuple(result.rankings), params_, aligned, v.MAX_MAP_POINTS)
    send = st.session_state.get(K_BACKGROUND_SENT) != key
    panels, kinds = [], set()
    for method in result.rankings:
        projection = store.get(recommender, method, params_)
        kinds.add(projection.kind)
        point = projection.place(recommender.user_vector(method, profile, params_))[0]
        inputs = v.MapInput(
            projection,
            store.alignment(recommender, method, params_) if aligned else IDENTITY,
            point,
            trail(context, method, point),
        )
        panels.append(v.map_panel(method, scenario.products, result, inputs, background if send else None))
    st.session_state[K_BACKGROUND_SENT] = key
    strategies = any(METHODS[m].strategy for m in result.rankings)
    axis, note = v.map_notes(kinds, n, result.k, aligned, strategies)
    labels = _background_labels(scenario.fingerprint, tuple(background.tolist()), scenario) if send else None
    return {
        "axis": axis,
        "title": f"Each method's space in 2-D ({axis}): products, the user and the top {result.k}",
        "note": note,
        "background": {"key": key, "labels": labels},
        "panels": panels,
    }


@st.cache_data(show_spinner=False, max_entries=8)
def _background_labels(fingerprint: str, indices: tuple[int, ...], _scenario: Scenario) -> list[str]:
    """Hover labels of the map's background products (cached by the scenario's content)."""
    return v.background_labels(_scenario.products, indices)


def panel_data(recommender: Recommender, user_id: str, methods: list[str], k: int, params_: MethodParams) -> dict:
    """Everything the live panel draws for the current profile (computed, then handed to the panel)."""
    scenario = recommender.scenario
    context = (scenario.fingerprint, recommender.space.embedder.name, user_id, tuple(methods), params_)
    profile = current_profile(scenario, user_id)
    write_url(current_view(scenario, user_id, profile))
    threshold, filtered = hard_no()
    result = recommender.rank(profile, methods, params_, k=k, hard_no=threshold, filter_hard_no=filtered)
    table, agreement = result.divergence()
    marks_text = describe_marks(result.marks.threshold)
    marks = {
        js: {"name": MARKS[key][0], "text": marks_text[key]}
        for js, key in (("hardNo", "hard_no"), ("disliked", "disliked"))
    }
    moved = rank_shifts(context, tuple(sorted(profile.items())), result.rankings)
    original = scenario.user(user_id).profile
    heat, bars = v.divergence(methods, table, agreement)
    many = len(original) >= MANY_FEATURES
    return {
        "user": f"{scenario.user(user_id).name}: {v.counted(len(original), 'scored feature')}",
        "note": f"Showing the {SHOWN_WHEN_MANY} strongest of {len(original)} scores and any you changed or added."
        if many
        else "",
        "features": [
            {"name": f, "value": profile[f], "original": original.get(f)}
            for f in shown_features(scenario, user_id, profile)
        ],
        "addable": [f for f in scenario.vocabulary if f not in profile],
        "summary": headline(result, profile, methods, len(scenario.products)),
        "marks": marks,
        "shareNote": share_note(scenario) if session.is_upload(st.session_state[K_PRESET]) else "",
        "k": k,
        "methods": v.ranking_columns(scenario.products, result, agreement, moved),
        "heat": heat,
        "agreement": bars,
        "maps": maps(recommender, result, profile, params_, context)
        if len(scenario.products) >= MIN_MAP_PRODUCTS
        else None,
    }


def headline(result, profile: dict[str, float], methods: list[str], n_products: int) -> str:
    """The panel's headline: what the filter removed (when on), then both marks' counts per method."""
    threshold = result.marks.threshold
    features = hard_nos(profile, threshold)
    removed = 0 if result.removed is None else int(result.removed.sum())
    counts = v.summary({m: result.counts(m) for m in methods}, result.k, n_products - removed, bool(features))
    if result.removed is None:
        return counts
    return v.filter_note(removed, features, threshold) + "\n" + counts


def share_note(scenario: Scenario) -> str:
    """What a link to this session's own scenario carries."""
    reason = link.too_large(scenario) or (None if session.packed(scenario) else "too much text for a link")
    if reason is None:
        return "The link carries this scenario itself: whoever opens it sees the same scenario and view."
    return (
        f"This scenario is too large to travel in a link ({reason}): the link carries only the settings. "
        "Download it on the Scenarios page and share the file."
    )
