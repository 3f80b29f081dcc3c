"""Explorer: one user, six methods side by side; move a score and watch where they disagree."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.methods import METHOD_NAMES, METHODS, format_score
from core.projection import IDENTITY, align
from core.ranking import pairwise
from core.scenario import Scenario
from ui import charts, resources
from ui import explorer as ex
from ui.text import md_escape

MAX_MAP_POINTS = 1_500  # background products per map panel; the top k are always drawn exactly

st.title("Explorer")
st.markdown(
    "Pick a scenario and a user, then move the sliders. Each column ranks the products under one method; "
    ":red[:material/thumb_down:] marks a product the user would **dislike** (exact cosine below 0). "
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


def _flip(key: str) -> None:
    st.session_state[key] = -float(st.session_state[key])


def _reset(key: str, value: float) -> None:
    st.session_state[key] = value


def _reset_all() -> None:
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(f"x_s|{scenario.fingerprint}|")]:
        del st.session_state[key]
    st.session_state[ex.added_key(scenario, user_id)] = []


def _profile_text(profile: dict[str, float], limit: int = 12) -> str:
    items = sorted(profile.items(), key=lambda item: -abs(item[1]))
    text = ", ".join(f"{f} {'+' if s > 0 else ''}{format_score(s)}" for f, s in items[:limit])
    return text + (f", ... ({len(items) - limit} more)" if len(items) > limit else "")


def sliders() -> dict[str, float]:
    """One slider per shown feature, with flip and reset; returns the current profile."""
    original = scenario.user(user_id).profile
    features = ex.shown_features(scenario, user_id)
    for feature in features:
        st.session_state.setdefault(ex.score_key(scenario, user_id, feature), original.get(feature, 0.0))
    top = st.columns([3, 2, 1])
    top[0].markdown(f"**{md_escape(users[user_id])}**: {len(original)} scored features")
    if len(original) >= ex.MANY_FEATURES or len(features) < len(scenario.vocabulary):
        top[1].multiselect(
            "Add a feature",
            [f for f in scenario.vocabulary if f not in original],
            key=ex.added_key(scenario, user_id),
            placeholder="search the vocabulary",
            label_visibility="collapsed",
        )
    top[2].button("Reset all", on_click=_reset_all, icon=":material/restart_alt:", width="stretch")
    if len(original) >= ex.MANY_FEATURES:
        st.caption(f"Showing the {ex.SHOWN_WHEN_MANY} strongest scores and any you changed or added.")
    grid = st.columns(3, gap="medium")
    for i, feature in enumerate(features):
        key = ex.score_key(scenario, user_id, feature)
        with grid[i % 3]:
            row = st.columns([6, 1, 1], vertical_alignment="bottom", gap="xxsmall")
            row[0].slider(feature, -1.0, 1.0, step=0.05, key=key)
            row[1].button(
                "",
                key=f"flip|{key}",
                icon=":material/swap_horiz:",
                help=f"Flip the sign of {feature}",
                on_click=_flip,
                args=(key,),
            )
            row[2].button(
                "",
                key=f"reset|{key}",
                icon=":material/undo:",
                help=f"Reset {feature} to {format_score(original.get(feature, 0.0))}",
                on_click=_reset,
                args=(key, original.get(feature, 0.0)),
            )
    return ex.current_profile(scenario, user_id)


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


def ranking_table(result, deltas: dict[str, np.ndarray], agreement: dict[str, dict]) -> None:
    """The top k of every method side by side, as one table (one element: cheap to redraw on a move)."""
    exact_scores = result.exact.scores
    header = [f"**{METHODS[m].label}**" for m in methods]
    stats_row = []
    for method in methods:
        stats = agreement[method]
        tau = "n/a" if stats["kendall_tau"] is None else f"{stats['kendall_tau']:+.2f}"
        stats_row.append(f"τ {tau} · overlap {stats['overlap_at_k']:.0%} · disliked {stats['disliked_in_top_k']}")
    rows, listed = [], {}
    for place in range(k):
        cells = []
        for method in methods:
            top = result.rankings[method].top(k)
            if place >= len(top):
                cells.append("")
                continue
            index = int(top[place])
            listed[index] = None
            name = md_escape(scenario.products[index].name)
            if exact_scores[index] < 0:
                name = f":red[:material/thumb_down: {name}]"
            delta = deltas.get(method)
            move = ""
            if delta is not None and delta[index]:
                move = f" :green[↑{delta[index]}]" if delta[index] > 0 else f" :red[↓{-delta[index]}]"
            cells.append(f"{place + 1}. {name} `{result.rankings[method].scores[index]:+.2f}`{move}")
        rows.append(cells)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(methods), "| " + " | ".join(stats_row) + " |"]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    st.markdown("\n".join(lines))
    with st.expander(f"Profiles of the {len(listed)} products listed"):
        st.markdown(
            "  \n".join(
                f"**{md_escape(scenario.products[i].name)}**: {md_escape(_profile_text(scenario.products[i].profile))}"
                for i in listed
            )
        )


def divergence(result, agreement: dict[str, dict]) -> None:
    table = pairwise(result.rankings, k)
    tau = np.array(
        [
            [np.nan if table[a][b]["kendall_tau"] is None else table[a][b]["kendall_tau"] for b in methods]
            for a in methods
        ]
    )
    overlap = np.array([[table[a][b]["overlap_at_k"] for b in methods] for a in methods])
    st.echarts_chart(charts.divergence_option(methods, tau, overlap, k), height=420, key="heatmaps")
    st.echarts_chart(charts.agreement_option(methods, agreement, k), height=320, key="agreement")


def maps(result, profile: dict[str, float]) -> None:
    store = resources.projections()
    aligned = bool(st.session_state[ex.K_ALIGN])
    reference = store.get(recommender, "exact", params) if aligned else None
    rng = np.random.default_rng(0)
    background = np.arange(n_products)
    if n_products > MAX_MAP_POINTS:
        background = np.sort(rng.choice(n_products, MAX_MAP_POINTS, replace=False))
    hover = [f"{scenario.products[i].name}: {_profile_text(scenario.products[i].profile, 6)}" for i in background]
    panels, titles, kinds = [], [], set()
    exact_scores = result.exact.scores
    for method in methods:
        projection = store.get(recommender, method, params)
        kinds.add(projection.kind)
        transform = align(projection.coords, reference.coords) if reference is not None else IDENTITY
        user_point = projection.place(recommender.user_vector(method, profile, params))[0]
        top = result.rankings[method].top(k)
        panels.append(
            {
                "coords": transform.apply(projection.coords[background]),
                "hover": hover,
                "top": transform.apply(projection.coords[top]),
                "top_hover": [f"#{p + 1} {scenario.products[i].name}" for p, i in enumerate(top)],
                "disliked": exact_scores[top] < 0,
                "user": transform.apply(user_point)[0],
                "trail": transform.apply(ex.trail(context, method, user_point)),
            }
        )
        titles.append(METHODS[method].label)
    axis = "UMAP" if kinds == {"umap"} else "PCA"
    option = charts.maps_option(panels, titles=titles, axis=axis)
    st.echarts_chart(option, height=charts.maps_height(len(panels)), key="maps")
    notes = []
    if "pca" in kinds:
        notes.append(f"With fewer than 15 products the maps use PCA, not UMAP ({n_products} products here).")
    else:
        notes.append("UMAP fitted once per method on the products; the user is placed with the fitted transform.")
    if n_products > MAX_MAP_POINTS:
        notes.append(f"Showing {MAX_MAP_POINTS:,} of {n_products:,} products as background; the top {k} are exact.")
    if aligned:
        notes.append("Each map is rotated and scaled onto exact's map (Procrustes).")
    st.caption(" ".join(notes))


def share_link(query: dict[str, list[str]]) -> None:
    from urllib.parse import urlencode

    base = st.context.url or ""
    link = base + ("?" + urlencode(query, doseq=True) if query else "")
    with st.popover("Share link", icon=":material/link:", width="stretch"):
        st.code(link or "(open the app in a browser to get a link)", language=None, wrap_lines=True)
        if st.session_state[ex.K_PRESET].startswith(ex.UPLOAD_PREFIX):
            st.caption(
                "This scenario was uploaded in your session. A link carries the settings, not the data: "
                "whoever opens it sees a warning and the default preset."
            )


@st.fragment
def live() -> None:
    with st.container(border=True):
        profile = sliders()
    view = ex.current_view(scenario, user_id, profile)
    query = ex.write_url(view)
    result = recommender.rank(profile, methods, params, k=k)
    agreement = result.agreement()
    signature = tuple(sorted(profile.items()))
    deltas = ex.rank_changes(context, signature, {m: r.positions for m, r in result.rankings.items()})

    head = st.columns([4, 1], vertical_alignment="center")
    head[0].markdown(f"##### {summary(agreement, k)}")
    with head[1]:
        share_link(query)
    ranking_table(result, deltas, agreement)
    st.subheader("Divergence")
    divergence(result, agreement)
    if draw_maps:
        st.subheader("Maps")
        maps(result, profile)


live()
