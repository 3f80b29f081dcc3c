"""The Explorer's session state: widgets <-> ViewState <-> URL.

Widgets are the source of truth while a person works. The URL is written from
them after every change. When the URL changes from outside (a shared link, a
link from another page), it is decoded once and pushed into the widgets.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import streamlit as st

from core.methods import METHOD_NAMES, MethodParams
from core.scenario import Scenario
from core.share import ViewState, decode, encode
from ui import resources
from ui.live import clean_scores

UPLOADS = "uploads"  # session_state: {scenario id: Scenario}, filled by the Scenarios page
K_PRESET, K_USER, K_METHODS, K_K = "x_preset", "x_user", "x_methods", "x_k"
K_VAR, K_ALPHA, K_ALIGN = "x_var", "x_alpha", "x_align"
K_WRITTEN, K_WARNINGS = "x_written", "x_warnings"
K_BACKGROUND_SENT = "x_background_sent"  # key of the map background the live panel already holds
UPLOAD_PREFIX = "upload:"
MANY_FEATURES = 30
SHOWN_WHEN_MANY = 12
TRAIL_LENGTH = 12


def uploads() -> dict[str, Scenario]:
    return st.session_state.setdefault(UPLOADS, {})


def scenario_options() -> dict[str, str]:
    """Selectbox option -> label: presets, then this session's uploads."""
    options = {info.id: info.title for info in resources.preset_infos()}
    for sid, scenario in uploads().items():
        options[UPLOAD_PREFIX + sid] = f"{scenario.title} (uploaded)"
    return options


def selected_scenario() -> Scenario:
    choice = st.session_state[K_PRESET]
    if choice.startswith(UPLOAD_PREFIX):
        return uploads()[choice.removeprefix(UPLOAD_PREFIX)]
    return resources.preset(choice)


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
    view, warnings = decode(params, lookup=_lookup, uploads=uploads())
    apply_view(view)
    st.session_state[K_WARNINGS] = warnings
    st.session_state[K_WRITTEN] = params


def _lookup(preset_id: str) -> Scenario | None:
    return resources.preset(preset_id) if preset_id in {i.id for i in resources.preset_infos()} else None


def apply_view(view: ViewState) -> None:
    state = st.session_state
    state[K_PRESET] = UPLOAD_PREFIX + view.upload if view.upload else view.preset
    scenario = selected_scenario()
    user = scenario.user(view.user) if view.user else scenario.users[0]
    state[K_USER] = user.id
    state[K_METHODS] = list(view.methods)
    state[K_K] = view.k
    state[K_VAR] = view.variance
    state[K_ALPHA] = view.strength
    state[K_ALIGN] = view.aligned
    state[panel_key(scenario, user.id)] = {"scores": dict(view.overrides)}


def ensure_widget_defaults() -> None:
    """Defaults for the sidebar widgets, set before they are created (never both value= and state)."""
    state = st.session_state
    options = scenario_options()
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


def params() -> MethodParams:
    return MethodParams(
        whiten_variance=float(st.session_state[K_VAR]), whiten_strength=float(st.session_state[K_ALPHA])
    )


def scores(scenario: Scenario, user_id: str) -> dict[str, float]:
    """The panel's reported scores, validated: known features, finite, in [-1, 1]."""
    raw = st.session_state.get(panel_key(scenario, user_id))
    reported = raw.get("scores") if isinstance(raw, dict) else None
    allowed = set(scenario.vocabulary) | set(scenario.user(user_id).profile)
    return clean_scores(reported, allowed)


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
    overrides = {f: round(s, 4) for f, s in profile.items() if original.get(f) != s or f not in original}
    choice = state[K_PRESET]
    view = ViewState(
        user=user_id,
        overrides=overrides,
        methods=tuple(state[K_METHODS]) or METHOD_NAMES,
        k=int(state[K_K]),
        variance=float(state[K_VAR]),
        strength=float(state[K_ALPHA]),
        aligned=bool(state[K_ALIGN]),
    )
    if choice.startswith(UPLOAD_PREFIX):
        return replace(view, upload=choice.removeprefix(UPLOAD_PREFIX))
    return replace(view, preset=choice)


def write_url(view: ViewState) -> dict[str, list[str]]:
    """Put the view in the address bar (only when it changed). Returns the query."""
    encoded = {k: v if isinstance(v, list) else [v] for k, v in encode(view).items()}
    if encoded != st.session_state.get(K_WRITTEN):
        st.query_params.from_dict(encoded)
        st.session_state[K_WRITTEN] = encoded
        st.session_state[K_WARNINGS] = []
    return encoded


# -- per-move memory: rank changes and the user's trail -------------------------


def rank_changes(context: tuple, signature: tuple, positions: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per method, how many places each product moved since the last change of the profile.

    Reruns that change nothing (opening an expander) keep the last deltas.
    """
    memory = st.session_state.get("x_rank_memory")
    if not memory or memory["context"] != context:
        memory = {"context": context, "signature": signature, "positions": positions, "deltas": {}}
    elif memory["signature"] != signature:
        previous = memory["positions"]
        deltas = {m: previous[m] - p for m, p in positions.items() if m in previous}
        memory = {"context": context, "signature": signature, "positions": positions, "deltas": deltas}
    st.session_state["x_rank_memory"] = memory
    return memory["deltas"]


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
