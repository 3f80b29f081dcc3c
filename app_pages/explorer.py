"""Explorer: one user, six methods side by side; move a score and watch where they disagree."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.methods import METHOD_NAMES, METHODS, format_score
from core.projection import IDENTITY
from core.scenario import Scenario
from ui import explorer as ex
from ui import live as panel
from ui import resources
from ui.text import md_escape

MAX_MAP_POINTS = 1_500  # background products per map panel; the top k are always drawn exactly

st.title("Explorer")
st.markdown(
    "Pick a scenario and a user, then move the sliders. Each column ranks the products under one method; "
    "a red :red[▲] marks a product the user would **dislike** (exact cosine below 0). Hover a product to see its "
    "profile. "
    "The link in the address bar always reproduces what you see."
)

ex.sync_from_url()
ex.ensure_widget_defaults()
for warning in st.session_state.get(ex.K_WARNINGS, []):
    st.warning(md_escape(warning), icon=":material/link_off:")

# -- sidebar: choices that reset or refit (full reruns) ------------------------------------------
options = ex.scenario_options()
with st.sidebar:
    st.selectbox("Scenario", list(options), format_func=options.get, key=ex.K_PRESET)
    scenario: Scenario = ex.selected_scenario()
    users = {u.id: u.name for u in scenario.users}
    if st.session_state[ex.K_USER] not in users:
        st.session_state[ex.K_USER] = scenario.users[0].id
    st.selectbox("User", list(users), format_func=users.get, key=ex.K_USER)
    st.pills("Methods", list(METHOD_NAMES), selection_mode="multi", key=ex.K_METHODS)
    st.slider("Top k", 1, 20, key=ex.K_K)
    with st.expander("Whitening", icon=":material/tune:"):
        st.slider(
            "Variance kept",
            0.5,
            1.0,
            step=0.01,
            key=ex.K_VAR,
            help="PCA keeps the fewest components whose cumulative explained variance reaches this.",
        )
        st.slider(
            "Strength α",
            0.0,
            1.0,
            step=0.05,
            key=ex.K_ALPHA,
            help="Each component is scaled by σ^-α: 0 is plain PCA, 1 is full whitening.",
        )
    st.toggle("Align maps to exact", key=ex.K_ALIGN, help="Rotate each map onto exact's (Procrustes).")

user_id: str = st.session_state[ex.K_USER]
methods: list[str] = list(st.session_state[ex.K_METHODS])
k: int = int(st.session_state[ex.K_K])
params = ex.params()
st.caption(md_escape(f"{scenario.title}: {scenario.description}"))
if not methods:
    st.info("Pick at least one method in the sidebar.", icon=":material/checklist:")
    st.stop()

recommender = resources.recommender(scenario)
n_products = len(scenario.products)
draw_maps = n_products >= 3
needed = list(dict.fromkeys([*methods, "exact"]))
resources.prepare_with_progress(recommender, needed, params, maps=draw_maps)
context = (scenario.fingerprint, user_id, tuple(methods), params)


def _profile_text(profile: dict[str, float], limit: int = 12) -> str:
    items = sorted(profile.items(), key=lambda item: -abs(item[1]))
    text = ", ".join(f"{f} {'+' if s > 0 else ''}{format_score(s)}" for f, s in items[:limit])
    return text + (f", ... ({len(items) - limit} more)" if len(items) > limit else "")


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def summary(agreement: dict[str, dict], k: int) -> str:
    """One sentence from the numbers: which methods put disliked products in the top k."""
    counts = {m: int(agreement[m]["disliked_in_top_k"]) for m in methods if m != "exact"}
    if not counts:
        return "Only the exact reference is selected."
    groups: dict[int, list[str]] = {}
    for method, count in sorted(counts.items(), key=lambda item: -item[1]):
        groups.setdefault(count, []).append(METHODS[method].label.lower())
    if set(groups) == {0}:
        return f"No method puts a product this user would dislike into its top {k}."
    parts = []
    for count, names in groups.items():
        verb = "puts" if len(names) == 1 else "put"
        if count == 0:
            parts.append(f"{_join(names)} {verb} none")
        else:
            each = " each" if len(names) > 1 else ""
            noun = "product" if count == 1 else "products"
            parts.append(f"{_join(names)}{each} {verb} {count} disliked {noun} in the top {k}")
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def rankings(result, deltas: dict[str, np.ndarray], agreement: dict[str, dict]) -> list[dict]:
    exact_scores = result.exact.scores
    columns = []
    for method in methods:
        ranking, stats, delta = result.rankings[method], agreement[method], deltas.get(method)
        tau = "n/a" if stats["kendall_tau"] is None else f"{stats['kendall_tau']:+.2f}"
        top = []
        for index in ranking.top(k):
            product = scenario.products[index]
            top.append(
                {
                    "name": product.name,
                    "score": round(float(ranking.scores[index]), 4),
                    "delta": 0 if delta is None else int(delta[index]),
                    "disliked": bool(exact_scores[index] < 0),
                    "profile": _profile_text(product.profile, 10),
                }
            )
        columns.append(
            {
                "name": method,
                "label": METHODS[method].label,
                "summary": METHODS[method].summary,
                "stats": f"τ {tau} · overlap {stats['overlap_at_k']:.0%} · disliked {stats['disliked_in_top_k']}",
                "top": top,
            }
        )
    return columns


def divergence(table: dict[str, dict], agreement: dict[str, dict]) -> tuple[dict, list[dict]]:
    heat = {
        "methods": methods,
        "tau": [[_round(table[a][b]["kendall_tau"]) for b in methods] for a in methods],
        "overlap": [[_round(table[a][b]["overlap_at_k"]) for b in methods] for a in methods],
    }
    bars = [
        {
            "method": m,
            "tau": _round(agreement[m]["kendall_tau"]),
            "overlap": _round(agreement[m]["overlap_at_k"]),
            "rbo": _round(agreement[m]["rbo"]),
        }
        for m in methods
    ]
    return heat, bars


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def maps(result, profile: dict[str, float]) -> dict:
    """Each method's map: the products (background), the top k, the user and its trail (2-D points).

    The background does not move with the sliders, yet it is most of the payload (thousands of
    points and hover labels). It is sent on a full run and whenever it changes; fragment reruns
    send only its key, and the panel redraws it from its cache.
    """
    store = resources.projections()
    aligned = bool(st.session_state[ex.K_ALIGN])
    background = np.arange(n_products)
    if n_products > MAX_MAP_POINTS:
        background = np.sort(np.random.default_rng(0).choice(n_products, MAX_MAP_POINTS, replace=False))
    background_key = ex.short_hash(scenario.fingerprint, methods, params, aligned, MAX_MAP_POINTS)
    send_background = st.session_state.get(ex.K_BACKGROUND_SENT) != background_key
    panels, kinds = [], set()
    exact_scores = result.exact.scores
    for method in methods:
        projection = store.get(recommender, method, params)
        kinds.add(projection.kind)
        transform = store.alignment(recommender, method, params) if aligned else IDENTITY
        user_point = projection.place(recommender.user_vector(method, profile, params))[0]
        top = result.rankings[method].top(k)
        panel = {
            "title": METHODS[method].label,
            "top": np.round(transform.apply(projection.coords[top]), 3).tolist(),
            "topLabels": [f"#{p + 1} {scenario.products[i].name}" for p, i in enumerate(top)],
            "disliked": [bool(d) for d in exact_scores[top] < 0],
            "user": np.round(transform.apply(user_point)[0], 3).tolist(),
            "trail": np.round(transform.apply(ex.trail(context, method, user_point)), 3).tolist(),
        }
        if send_background:
            panel["bg"] = np.round(transform.apply(projection.coords[background]), 3).tolist()
        panels.append(panel)
    st.session_state[ex.K_BACKGROUND_SENT] = background_key
    notes = []
    if "pca" in kinds:
        notes.append(f"With fewer than 15 products the maps use PCA, not UMAP ({n_products} products here).")
    else:
        notes.append("UMAP fitted once per method on the products; the user is placed with the fitted transform.")
    if n_products > MAX_MAP_POINTS:
        notes.append(f"Showing {MAX_MAP_POINTS:,} of {n_products:,} products as background; the top {k} are exact.")
    if aligned:
        notes.append("Each map is rotated and scaled onto exact's map (Procrustes).")
    axis = "UMAP" if kinds == {"umap"} else "PCA"
    return {
        "axis": axis,
        "title": f"Each method's space in 2-D ({axis}): products, the user and the top {k}",
        "note": " ".join(notes),
        "background": {
            "key": background_key,
            "labels": _background_labels(scenario.fingerprint, tuple(background.tolist()), scenario)
            if send_background
            else None,
        },
        "panels": panels,
    }


@st.cache_data(show_spinner=False, max_entries=8)
def _background_labels(fingerprint: str, indices: tuple[int, ...], _scenario: Scenario) -> list[str]:
    """Hover labels of the map's background products (cached by the scenario's content)."""
    products = _scenario.products
    return [f"{products[i].name}: {_profile_text(products[i].profile, 6)}" for i in indices]


@st.fragment
def live() -> None:
    profile = ex.current_profile(scenario, user_id)
    view = ex.current_view(scenario, user_id, profile)
    ex.write_url(view)
    result = recommender.rank(profile, methods, params, k=k)
    table, agreement = result.divergence()
    signature = tuple(sorted(profile.items()))
    deltas = ex.rank_changes(context, signature, {m: r.positions for m, r in result.rankings.items()})
    original = scenario.user(user_id).profile
    shown = ex.shown_features(scenario, user_id, profile)
    heat, bars = divergence(table, agreement)
    note = ""
    if len(original) >= ex.MANY_FEATURES:
        note = f"Showing the {ex.SHOWN_WHEN_MANY} strongest of {len(original)} scores and any you changed or added."
    share_note = ""
    if st.session_state[ex.K_PRESET].startswith(ex.UPLOAD_PREFIX):
        share_note = (
            "This scenario was uploaded in your session: a link carries the settings, not the data. "
            "Whoever opens it sees a warning and the default preset."
        )
    data = {
        "user": f"{users[user_id]}: {len(original)} scored features",
        "note": note,
        "features": [{"name": f, "value": profile[f], "original": original.get(f)} for f in shown],
        "addable": [f for f in scenario.vocabulary if f not in profile],
        "summary": summary(agreement, k),
        "shareNote": share_note,
        "k": k,
        "methods": rankings(result, deltas, agreement),
        "heat": heat,
        "agreement": bars,
        "maps": maps(result, profile) if draw_maps else None,
    }
    panel.mount(key=ex.panel_key(scenario, user_id), data=data)


st.session_state[ex.K_BACKGROUND_SENT] = None  # a full run redraws the panel: send the map background again
live()
