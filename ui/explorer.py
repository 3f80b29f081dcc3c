"""The Explorer's session state and its live panel: widgets <-> ViewState <-> URL, and the panel's payload.

Widgets are the source of truth while a person works. The URL is written from
them after every change. When the URL changes from outside (a shared link, a
link from another page), it is decoded once and pushed into the widgets.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from core.embedding import models
from core.explorer.links import KEYS, decode, encode
from core.explorer.offline import offline_view
from core.explorer.panel import background_key, build_panel
from core.explorer.state import (
    DEFAULT_VIEW,
    HARD_NO_RANGE,
    K_RANGE,
    SCORE_STEP,
    STRENGTH_RANGE,
    VARIANCE_RANGE,
    ViewState,
)
from core.explorer.sweep import INLINE_PRODUCTS, INLINE_SLIDERS
from core.maps.store import MIN_MAP_PRODUCTS
from core.retrieval.marks import HARD_NO
from core.retrieval.recommender import Recommender
from core.scenarios.model import Scenario
from core.vectors.methods import ALL_METHOD_NAMES, METHOD_NAMES, METHODS
from core.vectors.space import MethodParams
from ui import live, resources, session
from ui.live.offline import page as offline_page
from ui.live.offline import too_large as offline_too_large
from ui.live.props import sweep_props, to_props
from ui.text import md_escape

K_PRESET, K_USER, K_METHODS, K_K = "x_preset", "x_user", "x_methods", "x_k"
K_VAR, K_ALPHA, K_ALIGN, K_MODEL = "x_var", "x_alpha", "x_align", "x_model"
K_FILTER, K_THRESHOLD = "x_hardno", "x_hardno_at"
K_WRITTEN, K_WARNINGS = "x_written", "x_warnings"
K_BACKGROUND_SENT = "x_background_sent"  # key of the map background the live panel already holds
K_MEMORY = "x_memory"  # the panel's memory between moves (core.explorer.panel.Memory)
K_CATALOGUE_SENT = "x_catalogue_sent"  # the scenario whose product names the live panel already holds
K_PROPS = "x_props"  # (signature, props) of the last panel: reruns that only ask for a sweep reuse them


def selected_scenario() -> Scenario:
    return session.scenario_for(st.session_state[K_PRESET])


def panel_key(scenario: Scenario, user_id: str) -> str:
    """The live panel's state key: a new scenario or user starts from a fresh state."""
    return f"x_live|{scenario.fingerprint}|{user_id}"


def _query() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def sync_from_url() -> None:
    """If the URL is not the one we last wrote, decode it into the widgets (once).

    The view is a place to return to: coming back from another page (the sidebar drops the query string, and
    Streamlit forgets the widgets of a page that was not drawn), the session's last view is put back, URL
    and widgets alike. A fresh session with no parameters gets the default view."""
    params, written = _query(), st.session_state.get(K_WRITTEN)
    if params == written and K_PRESET in st.session_state:
        return
    if written and not KEYS & set(params):  # no Explorer parameter (another page's may linger): a return
        params = written
        st.query_params.from_dict(written)
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
    state.setdefault(K_METHODS, list(DEFAULT_VIEW.methods))
    state.setdefault(K_K, DEFAULT_VIEW.k)
    state.setdefault(K_VAR, DEFAULT_VIEW.variance)
    state.setdefault(K_ALPHA, DEFAULT_VIEW.strength)
    state.setdefault(K_ALIGN, DEFAULT_VIEW.aligned)
    state.setdefault(K_FILTER, DEFAULT_VIEW.hard_no is not None)
    state.setdefault(K_THRESHOLD, DEFAULT_VIEW.threshold)
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
        st.slider("Top k", *K_RANGE, key=K_K)
        st.toggle("Filter out hard nos", key=K_FILTER, help=FILTER_HELP)
        if st.session_state[K_FILTER]:
            st.slider("A hard no: a score at or below", *HARD_NO_RANGE, step=SCORE_STEP, key=K_THRESHOLD)
        with st.expander("Whitening", icon=":material/tune:"):
            st.slider("Variance kept", *VARIANCE_RANGE, step=0.01, key=K_VAR, help=VARIANCE_HELP)
            st.slider("Strength α", *STRENGTH_RANGE, step=SCORE_STEP, key=K_ALPHA, help=STRENGTH_HELP)
        st.toggle("Align maps to exact", key=K_ALIGN, help="Rotate each map onto exact's (Procrustes).")
        session.model_picker(K_MODEL, link=False)
    return scenario


def lesson(scenario: Scenario) -> None:
    """The scenario's one-line lesson above the panel; the page's explanation and the whole description are
    folded below it (:func:`how_to_read`), so on a projector (1280 x 800) the sliders and every method's top 5
    fit on the first screen."""
    description = scenario.description.strip()
    first = description.split(". ")[0].rstrip(".") + "." if description else ""
    st.markdown(f"**{md_escape(scenario.title)}**" + (f" · {md_escape(first)}" if first else ""))


def offline_copy(recommender: Recommender, user_id: str) -> None:
    """'Save this view': the panel as one HTML file that works with no server (core.explorer.offline)."""
    left, right = st.columns([2, 3], vertical_alignment="center")
    if not left.button("Save this view as an offline page", icon=":material/download:", key="x_offline"):
        right.caption("One HTML file: open it from a laptop with no network, or put it on any static host.")
        return
    scenario = recommender.scenario
    profile = current_profile(scenario, user_id)
    view = current_view(scenario, user_id, profile)
    with st.spinner("Computing every slider's sweep for the file..."):
        saved = offline_view(
            recommender=recommender, view=view, user_id=user_id, profile=profile, store=resources.projections()
        )
        text = offline_page(
            saved, title=f"{scenario.title}: {scenario.user(user_id).name}", link=_link(), saved=profile
        )
    reason = offline_too_large(text)
    if reason:
        right.info(reason, icon=":material/info:")
        return
    name = f"explorer-{scenario.id}-{user_id}.html"
    right.download_button(f"Download {name} ({len(text.encode()) / 1e6:.1f} MB)", text, name, "text/html")


def _link() -> str:
    params = st.session_state.get(K_WRITTEN) or {}
    return "/?" + "&".join(f"{k}={v}" for k, values in params.items() for v in values)


def how_to_read(scenario: Scenario, intro: str) -> None:
    with st.expander("How to read this page, and this scenario", icon=":material/help:"):
        st.markdown(intro)
        if scenario.description.strip():
            st.caption(md_escape(scenario.description.strip()))


def model() -> str:
    return st.session_state[K_MODEL]


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


def panel_props(recommender: Recommender, user_id: str) -> dict:
    """One move: read the panel's scores, write the link, compute the panel, remember, and hand out its props;
    with the sweep of the slider the browser asked for, when it asked."""
    scenario, state = recommender.scenario, st.session_state
    profile = current_profile(scenario, user_id)
    view = current_view(scenario, user_id, profile)
    write_url(view)
    props = _panel(recommender, user_id, profile, view)
    raw = state.get(panel_key(scenario, user_id))
    feature = live.sweep_request(raw.get("sweep") if isinstance(raw, dict) else None, set(profile))
    if feature is not None:
        store = resources.projections() if props["maps"] else None
        sweep, complete = resources.sweeps().get(
            recommender=recommender, view=view, profile=profile, feature=feature, store=store
        )
        props = {**props, "sweep": sweep_props(sweep, complete)}
    return props


def _inline_sweeps(recommender: Recommender, view: ViewState, profile: dict[str, float], sliders: list[str]) -> list:
    """Small scenarios: every slider's sweep from this profile travels with the panel (each from the shared
    cache, or its quick part while the rest is computed), so grabbing a slider asks the server nothing."""
    if len(recommender.product_ids) > INLINE_PRODUCTS or len(sliders) > INLINE_SLIDERS:
        return []
    store = resources.projections() if len(recommender.product_ids) >= MIN_MAP_PRODUCTS else None
    found = [
        resources.sweeps().get(recommender=recommender, view=view, profile=profile, feature=f, store=store, wait=0)
        for f in sliders
    ]
    return [sweep_props(sweep, complete) for sweep, complete in found]


def _panel(recommender: Recommender, user_id: str, profile: dict[str, float], view: ViewState) -> dict:
    """The panel's props, computed once per (profile, view): a rerun that only asks for a sweep (a hover, a
    poll for the rest of a sweep) reuses them, so it costs the server the sweep alone."""
    scenario, state = recommender.scenario, st.session_state
    maps = len(scenario.products) >= MIN_MAP_PRODUCTS
    key = background_key(recommender, view.methods, view) if maps else None
    uploaded = session.is_upload(state[K_PRESET])
    signature = (scenario.fingerprint, recommender.space.embedder.fingerprint, user_id, tuple(profile.items()), view)
    sent = state.get(K_BACKGROUND_SENT) == key and state.get(K_CATALOGUE_SENT) == scenario.fingerprint
    memo = state.get(K_PROPS)
    if sent and memo is not None and memo[0] == signature:
        return memo[1]
    panel, memory = build_panel(
        recommender=recommender,
        view=view,
        user_id=user_id,
        profile=profile,
        store=resources.projections() if maps else None,
        memory=state.get(K_MEMORY),
        send_background=state.get(K_BACKGROUND_SENT) != key,
        send_catalogue=state.get(K_CATALOGUE_SENT) != scenario.fingerprint,
        packed=bool(session.packed(scenario)) if uploaded else True,
        uploaded=uploaded,
    )
    props = {**to_props(panel), "sweeps": _inline_sweeps(recommender, view, profile, [s.name for s in panel.sliders])}
    state[K_MEMORY], state[K_BACKGROUND_SENT], state[K_CATALOGUE_SENT] = memory, key, scenario.fingerprint
    state[K_PROPS] = (signature, props) if sent else None  # never keep a payload that carries the big parts
    return props
