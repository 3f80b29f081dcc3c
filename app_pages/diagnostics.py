"""Diagnostics: each claim of the source article, measured live on a scenario and the model in use."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import diagnostics as dx
from core.methods import METHOD_NAMES, METHODS, MethodParams
from core.scenario import Scenario
from ui import explorer as ex
from ui import resources
from ui.plots import COLOURS, finish, lines_by_method
from ui.text import md_escape

st.title("Diagnostics")
st.markdown(
    "The article makes claims about each method. Here they are measured on the scenario and model you choose. "
    "Each chart comes with one sentence computed from its numbers: where a claim does not hold, it says so."
)

options = ex.scenario_options()
with st.sidebar:
    if st.session_state.get("d_scenario") not in options:
        st.session_state["d_scenario"] = st.session_state.get(ex.K_PRESET, "sign-trap")
        if st.session_state["d_scenario"] not in options:
            st.session_state["d_scenario"] = "sign-trap"
    choice = st.selectbox("Scenario", list(options), format_func=options.get, key="d_scenario")
    scenario: Scenario = (
        ex.uploads()[choice.removeprefix(ex.UPLOAD_PREFIX)]
        if choice.startswith(ex.UPLOAD_PREFIX)
        else resources.preset(choice)
    )
    with st.expander("Whitening", icon=":material/tune:", expanded=True):
        variance = st.slider("Variance kept", 0.5, 1.0, 0.95, step=0.01, key="d_var")
        strength = st.slider("Strength α", 0.0, 1.0, 1.0, step=0.05, key="d_alpha")
params = MethodParams(whiten_variance=variance, whiten_strength=strength)
recommender = resources.recommender(scenario)
space = recommender.space
with st.spinner("Embedding the vocabulary..."):
    resources.prepare_with_progress(recommender, ["whitened"], params, maps=False)
    space.prefix_embeddings()
model = space.embedder.name
key = (scenario.fingerprint, model)
st.caption(md_escape(f"{scenario.title} · {len(scenario.vocabulary)} features · model {model}"))


def reading(text: str) -> None:
    st.info(md_escape(text), icon=":material/insights:")


@st.cache_data(show_spinner="Flipping every user's signs...", max_entries=32)
def _sign_flip(_space, key, params):
    return dx.sign_flip(_space, {u.id: dict(u.profile) for u in scenario.users}, params)


@st.cache_data(show_spinner="Sweeping one score from -1 to 1...", max_entries=64)
def _sweep(_space, key, user_id, feature, params):
    return dx.sweep(_space, dict(scenario.user(user_id).profile), feature, params)


@st.cache_data(show_spinner=False, max_entries=32)
def _truncation(_space, key):
    return {u.id: dx.truncation(_space.embedder, dict(u.profile)) for u in scenario.users}


@st.cache_data(show_spinner="Measuring the whitening trade-off...", max_entries=32)
def _trade_off(_space, key, pairs):
    return dx.whitening_trade_off(_space, pairs)


@st.cache_data(show_spinner="Comparing projected and raw injection...", max_entries=64)
def _injection(_space, key, user_id, novel, score, params):
    profile = {**scenario.user(user_id).profile, novel: score}
    return dx.raw_injection(recommender.product_vectors("whitened", params), _space, profile, novel, params=params)


@st.cache_data(show_spinner=False)
def _tanh(model):
    return dx.tanh_effect(resources.embedder())


tabs = st.tabs(["Sign", "Magnitude", "Truncation", "Synonyms", "PCA variance", "Raw injection", "Tanh"])
labels = {m: METHODS[m].label for m in METHOD_NAMES}
users = {u.id: u.name for u in scenario.users}

# 1 -- sign blindness -----------------------------------------------------------------------------
with tabs[0]:
    flip = _sign_flip(space, key, params)
    st.subheader("Can the method tell a profile from its opposite?")
    figure = go.Figure()
    for uid, name in users.items():
        figure.add_bar(x=[labels[m] for m in METHOD_NAMES], y=[flip[m][uid] for m in METHOD_NAMES], name=name)
    finish(figure, "cos(P, -P) for every user: 1 = blind to the sign, -1 = sees it", "method", "cosine", height=360)
    figure.update_yaxes(range=[-1.05, 1.05])
    st.plotly_chart(figure, width="stretch")
    reading(dx.reading_sign(flip))

    left, right = st.columns(2)
    sweep_user = left.selectbox("User to sweep", list(users), format_func=users.get, key="d_sweep_user")
    profile = dict(scenario.user(sweep_user).profile)
    strongest = max(profile, key=lambda f: abs(profile[f]))
    feature = right.selectbox(
        "Feature to sweep", list(profile), index=list(profile).index(strongest), key=f"d_sweep_feature|{sweep_user}"
    )
    result = _sweep(space, key, sweep_user, feature, params)
    figure = lines_by_method(
        result.scores,
        result.to_positive,
        f"Similarity to the same profile with {feature} = +1, as {feature} sweeps from -1 to +1",
        f"score of {feature}",
        "cosine to the +1 version",
    )
    st.plotly_chart(figure, width="stretch")
    st.caption(
        "A sign-aware method drops well below 1 as the score goes negative; a sign-blind one stays near the top."
    )

    polarity = dx.prefix_polarity(space)
    ordered = sorted(polarity.items(), key=lambda item: -item[1])
    figure = go.Figure(go.Bar(x=[f for f, _ in ordered], y=[c for _, c in ordered], marker_color=COLOURS["prefix"]))
    finish(
        figure,
        "Prefix: cos('strongly enjoys X', 'strongly dislikes X') for every feature",
        "feature",
        "cosine",
        height=340,
        legend=False,
    )
    figure.update_yaxes(range=[0, 1])
    st.plotly_chart(figure, width="stretch")
    reading(dx.reading_prefix(polarity))

# 2 -- magnitude ----------------------------------------------------------------------------------
with tabs[1]:
    st.subheader("Does the method keep how strong a preference is?")
    figure = lines_by_method(
        result.scores,
        result.travelled,
        f"How far the vector has moved from {feature} = -1, as {feature} sweeps to +1 ({users[sweep_user]})",
        f"score of {feature}",
        "1 - cos(v(score), v(-1))",
        height=420,
        markers=True,
    )
    st.plotly_chart(figure, width="stretch")
    st.caption("Flat stretches mean the method ignores changes of size; steps mean it keeps only a few levels.")
    reading(dx.reading_magnitude(result))

# 3 -- truncation ---------------------------------------------------------------------------------
with tabs[2]:
    st.subheader("Does the model read the whole naive text?")
    truncated = _truncation(space, key)
    limit = next(iter(truncated.values())).limit
    figure = go.Figure(
        go.Bar(
            x=[users[u] for u in truncated],
            y=[t.tokens for t in truncated.values()],
            marker_color=["#e03131" if t.unseen else "#868e96" for t in truncated.values()],
            name="tokens",
        )
    )
    if limit:
        figure.add_hline(y=limit, line_dash="dash", annotation_text=f"the model reads {limit} tokens")
    finish(figure, "Tokens in each user's naive text", "user", "tokens", height=340, legend=False)
    st.plotly_chart(figure, width="stretch")
    reading(dx.reading_truncation(truncated))
    rows = [
        {"user": users[u], "tokens": t.tokens, "features never read": ", ".join(t.unseen) or "none"}
        for u, t in truncated.items()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

# 4 -- synonyms -----------------------------------------------------------------------------------
with tabs[3]:
    st.subheader("Do near-synonyms stack, and what does whitening cost?")
    threshold = st.slider("Near-synonym threshold (embedding cosine)", 0.5, 0.95, 0.75, step=0.01, key="d_threshold")
    groups = dx.synonym_groups(space, threshold)
    if groups:
        st.markdown("**Groups:** " + "; ".join(md_escape(", ".join(g)) for g in groups))
    else:
        st.markdown(f"No pair of features reaches cosine {threshold:.2f}.")
    a, b, cosine = dx.closest_pair(space)
    stack = dx.stacking(space, a, b, params)
    moved = dx.transfer(space, a, b, params)
    left, right = st.columns(2)
    figure = go.Figure(
        go.Bar(
            x=["weighted", "whitened"], y=[stack["weighted"], stack["whitened"]], marker_color=["#1971c2", "#0c8599"]
        )
    )
    figure.add_hline(y=1, line_dash="dot", annotation_text="no stacking")
    finish(figure, f"Stacking factor of '{a}' + '{b}'", "method", "stacking factor (1 = none, 2 = double)", 320)
    figure.update_yaxes(range=[0, 2])
    left.plotly_chart(figure, width="stretch")
    figure = go.Figure(
        go.Bar(
            x=[labels[m] for m in METHOD_NAMES],
            y=[moved[m] for m in METHOD_NAMES],
            marker_color=[COLOURS[m] for m in METHOD_NAMES],
        )
    )
    finish(figure, f"Transfer: user loves '{a}', product tagged only '{b}'", "method", "cosine", 320, legend=False)
    right.plotly_chart(figure, width="stretch")
    reading(dx.reading_synonyms((a, b, cosine), stack, moved, groups, threshold))

    pairs = tuple(sorted({(g[i], g[j]) for g in groups for i in range(len(g)) for j in range(i + 1, len(g))})) or (
        (a, b),
    )
    trade = _trade_off(space, key, pairs)
    st.markdown(
        f"**The trade-off**, over {len(pairs)} near-synonym pair{'s' if len(pairs) != 1 else ''}: "
        "more components and stronger whitening make feature vectors more orthogonal, which removes the stacking "
        "and the semantic transfer together."
    )
    left, right = st.columns(2)
    for column, values, title, zrange in (
        (left, trade.stacking, "Mean stacking factor", (1.0, 2.0)),
        (right, trade.transfer, "Mean transfer (cosine in whitened space)", (-0.2, 1.0)),
    ):
        figure = go.Figure(
            go.Heatmap(
                z=values,
                x=[f"{s:.2f}" for s in trade.strengths],
                y=[f"{v:.2f} (k={int(k)})" for v, k in zip(trade.variances, trade.components[:, 0], strict=True)],
                zmin=zrange[0],
                zmax=zrange[1],
                colorscale="Viridis",
                text=np.round(values, 2),
                texttemplate="%{text}",
                colorbar={"thickness": 10},
            )
        )
        finish(figure, title, "whitening strength α", "variance kept (components)", 330, legend=False)
        column.plotly_chart(figure, width="stretch")

    before, after = dx.vocabulary_cosines(space, params)
    left, right = st.columns(2)
    for column, matrix, title in (
        (left, before, "Feature cosines, raw embeddings"),
        (right, after, f"Feature cosines after whitening (α = {strength:.2f}, {variance:.0%})"),
    ):
        figure = go.Figure(
            go.Heatmap(
                z=matrix,
                x=list(space.vocabulary),
                y=list(space.vocabulary),
                zmin=-1,
                zmax=1,
                colorscale="RdBu",
                colorbar={"thickness": 10},
            )
        )
        finish(figure, title, "feature", "feature", 460, legend=False)
        figure.update_yaxes(autorange="reversed")
        column.plotly_chart(figure, width="stretch")

# 5 -- PCA variance -------------------------------------------------------------------------------
with tabs[4]:
    st.subheader("How many components does whitening keep?")
    pca = dx.pca_variance(space, params)
    if pca.cumulative.size:
        k_axis = np.arange(1, pca.cumulative.size + 1)
        figure = go.Figure(go.Scatter(x=k_axis, y=pca.cumulative, mode="lines+markers", name="cumulative share"))
        for level, colour in ((0.90, "#868e96"), (0.95, "#495057")):
            figure.add_hline(y=level, line_dash="dot", line_color=colour, annotation_text=f"{level:.0%}")
        figure.add_vline(x=pca.n_components, line_color="#e03131", annotation_text=f"chosen k = {pca.n_components}")
        finish(figure, "Cumulative explained variance of the feature embeddings", "components", "share", 400)
        figure.update_yaxes(range=[0, 1.02])
        st.plotly_chart(figure, width="stretch")
    reading(dx.reading_variance(pca, len(space.vocabulary)))

# 6 -- raw injection ------------------------------------------------------------------------------
with tabs[5]:
    st.subheader("What if a new feature is injected raw into the whitened space?")
    left, middle, right = st.columns(3)
    inject_user = left.selectbox("User", list(users), format_func=users.get, key="d_inject_user")
    suggested = dx.pick_novel(space)
    novel = middle.text_input("Feature outside the vocabulary", value=suggested, max_chars=80, key="d_novel").strip()
    score = right.slider("Its score", -1.0, 1.0, 0.9, step=0.05, key="d_novel_score")
    if not novel:
        st.warning("Type a feature name (1 to 80 characters).")
    elif novel in space.index:
        st.warning(md_escape(f"'{novel}' is in the vocabulary already; pick a feature the scenario does not use."))
    else:
        injection = _injection(space, key, inject_user, novel, score, params)
        names = [p.name for p in scenario.products]
        table = pd.DataFrame(
            {
                "without it": [names[i] for i in injection.baseline_top],
                "projected (correct)": [names[i] for i in injection.projected_top],
                "injected raw (wrong)": [names[i] for i in injection.raw_top],
            },
            index=pd.RangeIndex(1, injection.k + 1, name="rank"),
        )
        st.dataframe(table, width="stretch")
        reading(dx.reading_injection(injection))

# 7 -- tanh ---------------------------------------------------------------------------------------
with tabs[6]:
    st.subheader("What does tanh(2·score) do?")
    effect = _tanh(model)
    left, right = st.columns(2)
    s = np.linspace(-1, 1, 81)
    figure = go.Figure()
    figure.add_scatter(x=s, y=np.tanh(2 * s), name="tanh(2s)", line={"color": COLOURS["weighted"], "width": 3})
    figure.add_scatter(x=s, y=s, name="s (linear)", line={"color": "#868e96", "dash": "dash"})
    finish(figure, "A score's weight in the weighted sum", "score s", "weight", 360)
    left.plotly_chart(figure, width="stretch")
    figure = go.Figure(
        go.Bar(
            x=["with tanh", "linear"],
            y=[effect.degrees_with_tanh, effect.degrees_linear],
            marker_color=[COLOURS["weighted"], "#868e96"],
        )
    )
    finish(figure, f"One of {effect.features} scores goes 0.5 -> 1.0", "weighting", "profile turns (degrees)", 360)
    right.plotly_chart(figure, width="stretch")
    reading(dx.reading_tanh(effect))
