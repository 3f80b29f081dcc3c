"""The Diagnostics page's tabs: each measure from :mod:`core.diagnostics`, charted, with its reading.

Every computation is cached per (scenario content, model, parameters); a
function here reads widgets, calls core, and draws.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.diagnostics import dislikes, readings, shift, sign, synonyms, tanh, truncation, variance
from core.diagnostics.injection import pick_novel, raw_injection
from core.diagnostics.report import requirements
from core.retrieval.marks import DISLIKED_NAME, HARD_NO_NAME
from core.retrieval.marks import describe as describe_marks
from core.retrieval.recommender import Recommender
from core.scenarios.model import Scenario
from core.vectors.methods import ALL_METHOD_NAMES, METHOD_NAMES, METHODS
from core.vectors.space import FeatureSpace, MethodParams
from core.wording import counted
from ui.colours import ROLE_COLOURS
from ui.plots import COLOURS, finish, heatmap, lines_by_method, reference_line, show, square_heatmap
from ui.text import md_escape

LABELS = {m: METHODS[m].label for m in METHODS}
HEADINGS = {  # tab name (short: eleven tabs wrap onto two lines at 800 px, ui/app.css) -> the question it answers
    "Sign": "Can the method tell a profile from its opposite?",
    "Shift": "Does the method hear where a score sits, or only how scores differ?",
    "Dislikes": "What lands in each user's top 5?",
    "Magnitude": "Does the method keep how strong a preference is?",
    "Truncation": "Does the model read the whole naive text?",
    "Synonyms": "Do near-synonyms stack, and what does whitening cost?",
    "PCA variance": "How many components does whitening keep?",
    "Raw injection": "What if a new feature is injected raw into the whitened space?",
    "Tanh": "What does tanh(2·score) do?",
}  # the tabs that measure the chosen scenario's vectors; the last two (ui/across.py) compare every model
TABS = (*HEADINGS, "Across models", "Negation")
TAB_KEY = "tab"  # the open tab lives in the link, by its name: /diagnostics?tab=Synonyms


def reading(text: str) -> None:
    st.info(md_escape(text), icon=":material/insights:")


def _users(scenario: Scenario) -> dict[str, str]:
    return {u.id: u.name for u in scenario.users}


# -- cached computations: keyed by (scenario fingerprint, model); the space is passed unhashed ------------


@st.cache_data(show_spinner="Flipping every user's signs...", max_entries=32)
def _sign_flip(_space: FeatureSpace, _scenario: Scenario, key: tuple, params: MethodParams):
    return sign.sign_flip(_space, {u.id: dict(u.profile) for u in _scenario.users}, params)


@st.cache_data(show_spinner="Sweeping one score from -1 to 1...", max_entries=64)
def _sweep(_space: FeatureSpace, _scenario: Scenario, key: tuple, user_id: str, feature: str, params: MethodParams):
    return sign.sweep(_space, dict(_scenario.user(user_id).profile), feature, params)


@st.cache_data(show_spinner=False, max_entries=32)
def _truncation(_space: FeatureSpace, _scenario: Scenario, key: tuple):
    return {u.id: truncation.truncation(_space.embedder, dict(u.profile)) for u in _scenario.users}


@st.cache_data(show_spinner="Measuring the whitening trade-off...", max_entries=32)
def _trade_off(_space: FeatureSpace, key: tuple, pairs: tuple):
    return synonyms.whitening_trade_off(_space, pairs)


@st.cache_data(show_spinner="Comparing projected and raw injection...", max_entries=64)
def _injection(_rec: Recommender, key: tuple, user_id: str, novel: str, score: float, params: MethodParams):
    profile = {**_rec.scenario.user(user_id).profile, novel: score}
    return raw_injection(_rec.product_vectors("whitened", params), _rec.space, profile, novel, params=params)


@st.cache_data(show_spinner=False, max_entries=32)
def _tanh(_space: FeatureSpace, _scenario: Scenario, key: tuple):
    richest = max(_scenario.users, key=lambda u: len(u.profile))
    return tanh.tanh_effect(_space, dict(richest.profile))


@st.cache_data(show_spinner="Shifting every score, and making every score a dislike...", max_entries=32)
def _shift(_rec: Recommender, key: tuple, params: MethodParams):
    return shift.shift_blindness(_rec, params)


@st.cache_data(show_spinner="Ranking every user's products with every method...", max_entries=32)
def _dislikes(_rec: Recommender, key: tuple, params: MethodParams):
    return dislikes.dislikes(_rec, params)


def needs(scenario: Scenario, name: str) -> bool:
    """Show what a diagnostic needs instead of running it on a scenario too small for it; True if shown."""
    reason = requirements(scenario)[name]
    if reason:
        st.info(md_escape(reason), icon=":material/info:")
    return reason is not None


# -- tabs --------------------------------------------------------------------------------------------------


def tab_sign(space: FeatureSpace, scenario: Scenario, key: tuple, params: MethodParams):
    """Sign blindness: cos(P, -P) per user, a sweep of one score, and prefix polarity. Returns the sweep."""
    st.subheader(HEADINGS["Sign"])
    flip = _sign_flip(space, scenario, key, params)
    users = _users(scenario)
    figure = go.Figure()
    for uid, name in users.items():
        figure.add_bar(x=[LABELS[m] for m in METHOD_NAMES], y=[flip[m][uid] for m in METHOD_NAMES], name=name)
    subtitle = "a profile against its sign-flip: 1 = blind to the sign, −1 = sees it"
    finish(figure, "cos(P, −P) for every user", "method", "cosine", height=480, subtitle=subtitle)  # a phone: legend
    figure.update_yaxes(range=[-1.05, 1.05])
    show(figure)
    reading(readings.reading_sign(flip))

    if needs(scenario, "magnitude"):
        return None, ""
    scored = {uid: name for uid, name in users.items() if scenario.user(uid).profile}
    left, right = st.columns(2)
    user_id = left.selectbox("User to sweep", list(scored), format_func=scored.get, key="d_sweep_user")
    profile = dict(scenario.user(user_id).profile)
    strongest = max(profile, key=lambda f: abs(profile[f]))
    feature = right.selectbox(
        "Feature to sweep", list(profile), index=list(profile).index(strongest), key=f"d_sweep_feature|{user_id}"
    )
    result = _sweep(space, scenario, key, user_id, feature, params)
    figure = lines_by_method(
        result.scores,
        result.to_positive,
        f"Sweeping {feature} from −1 to +1",
        f"score of {feature}",
        "cosine to +1 version",
        subtitle=f"cosine to the same profile with {feature} = +1",
    )
    show(figure)
    st.caption(
        "A sign-aware method drops well below 1 as the score goes negative; a sign-blind one stays near the top."
    )
    _polarity(space, scenario)
    return result, users[user_id]


def _polarity(space: FeatureSpace, scenario: Scenario) -> None:
    if needs(scenario, "prefix"):
        return
    polarity = sign.prefix_polarity(space)
    ordered = sorted(polarity.items(), key=lambda item: -item[1])
    figure = go.Figure(go.Bar(x=[f for f, _ in ordered], y=[c for _, c in ordered], marker_color=COLOURS["prefix"]))
    subtitle = "cos('strongly enjoys X', 'strongly dislikes X') for every feature X"
    finish(figure, "Prefix polarity", "feature", "cosine", height=360, legend=False, subtitle=subtitle)
    figure.update_yaxes(range=[0, 1])
    show(figure)
    reading(readings.reading_prefix(polarity))


def tab_magnitude(result, user_name: str) -> None:
    st.subheader(HEADINGS["Magnitude"])
    if result is None:
        st.info("Needs a user with at least one scored feature to sweep.", icon=":material/info:")
        return
    feature = result.feature
    figure = lines_by_method(
        result.scores,
        result.travelled,
        "How far the vector moves",
        f"score of {feature}",
        "1 − cos(v(score), v(−1))",
        height=420,
        markers=True,
        subtitle=f"from {feature} = −1 to +1, for {user_name}",
    )
    show(figure)
    st.caption("Flat stretches mean the method ignores changes of size; steps mean it keeps only a few levels.")
    reading(readings.reading_magnitude(result))


def tab_truncation(space: FeatureSpace, scenario: Scenario, key: tuple) -> None:
    st.subheader(HEADINGS["Truncation"])
    truncated = _truncation(space, scenario, key)
    users = _users(scenario)
    limit = next(iter(truncated.values())).limit
    figure = go.Figure()
    for label, cut, colour in (
        ("read in full", False, ROLE_COLOURS["neutral"]),
        ("some features never read", True, ROLE_COLOURS["alarm"]),
    ):
        kept = [u for u, t in truncated.items() if bool(t.unseen) == cut]
        if not kept:
            continue
        figure.add_bar(x=[users[u] for u in kept], y=[truncated[u].tokens for u in kept], name=label)
        figure.data[-1].marker.color = colour
    if limit:
        reference_line(figure, f"the model reads {limit} tokens", y=limit, dash="dash")
    finish(figure, "Tokens in each user's naive text", "user", "tokens", height=360)
    figure.update_layout(barmode="relative")  # one bar per user, in one of the two traces
    figure.update_xaxes(categoryorder="array", categoryarray=[users[u] for u in truncated])
    show(figure)
    reading(readings.reading_truncation(truncated))
    rows = [
        {"user": users[u], "tokens": t.tokens, "features never read": ", ".join(t.unseen) or "none"}
        for u, t in truncated.items()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def tab_synonyms(space: FeatureSpace, scenario: Scenario, key: tuple, params: MethodParams) -> None:
    st.subheader(HEADINGS["Synonyms"])
    if needs(scenario, "synonyms"):
        return
    threshold = st.slider(
        "Near-synonym threshold (embedding cosine)",
        0.5,
        0.95,
        synonyms.SYNONYM_THRESHOLD,
        step=0.01,
        key="d_threshold",
    )
    groups = synonyms.synonym_groups(space, threshold)
    a, b, cosine = synonyms.closest_pair(space)
    if groups:
        st.markdown("**Groups:** " + "; ".join(md_escape(", ".join(g)) for g in groups))
    else:  # the charts below then show the closest pair, named as what it is
        st.markdown(md_escape(readings.synonym_line(groups, (a, b, cosine), threshold)))
    pair = "a near-synonym" if cosine >= threshold else "the closest pair"
    stack, moved = synonyms.stacking(space, a, b, params), synonyms.transfer(space, a, b, params)
    left, right = st.columns(2)
    colours = [COLOURS["weighted"], COLOURS["whitened"]]
    figure = go.Figure(
        go.Bar(x=["weighted", "whitened"], y=[stack["weighted"], stack["whitened"]], marker_color=colours)
    )
    figure.data[0].showlegend = False
    reference_line(figure, "no stacking (1)", y=1)
    subtitle = f"of '{a}' + '{b}' (cosine {cosine:.2f})"
    finish(figure, "Stacking factor", "method", "stacking factor", 340, columns=2, subtitle=subtitle)
    figure.update_yaxes(range=[0, 2])
    show(figure, left)
    figure = go.Figure(
        go.Bar(
            x=[LABELS[m] for m in METHOD_NAMES],
            y=[moved[m] for m in METHOD_NAMES],
            marker_color=[COLOURS[m] for m in METHOD_NAMES],
        )
    )
    subtitle = f"'{a}' liked → '{b}' tagged"
    finish(figure, f"Transfer to {pair}", "method", "cosine", 340, legend=False, columns=2, subtitle=subtitle)
    show(figure, right)
    reading(readings.reading_synonyms((a, b, cosine), stack, moved, groups, threshold))
    _trade_off_charts(space, key, synonyms.pairs_in_groups(groups) or ((a, b),), params, grouped=bool(groups))


def _trade_off_charts(space: FeatureSpace, key: tuple, pairs: tuple, params: MethodParams, grouped: bool) -> None:
    trade = _trade_off(space, key, pairs)
    over = counted(len(pairs), "near-synonym pair") if grouped else "the closest pair (below the threshold)"
    st.markdown(
        f"**The trade-off**, over {md_escape(over)}: "
        "more components and stronger whitening make feature vectors more orthogonal, which removes the stacking "
        "and the semantic transfer together."
    )
    rows = [f"{v:.2f} (k={int(k)})" for v, k in zip(trade.variances, trade.components[:, 0], strict=True)]
    columns = [f"{s:.2f}" for s in trade.strengths]
    left, right = st.columns(2)
    for column, values, title, subtitle, zrange in (
        (left, trade.stacking, "Mean stacking factor", "1 = no stacking, 2 = counted twice", (1.0, 2.0)),
        (right, trade.transfer, "Mean transfer", "cosine in the whitened space", (-0.2, 1.0)),
    ):
        figure = heatmap(values, columns, rows, zrange, colorscale="Viridis", annotate=True)
        y_title = "variance kept (components)"
        finish(figure, title, "whitening strength α", y_title, 350, legend=False, columns=2, subtitle=subtitle)
        show(figure, column)
    before, after = synonyms.vocabulary_cosines(space, params)
    names = list(space.vocabulary)
    left, right = st.columns(2)
    after_title = f"after whitening (α = {params.whiten_strength:.2f}, {params.whiten_variance:.0%} variance)"
    for column, matrix, subtitle in ((left, before, "raw embeddings"), (right, after, after_title)):
        figure, height = square_heatmap(matrix, names, (-1, 1), colorscale="RdBu")
        x_title = "feature (in the rows' order)"
        finish(figure, "Feature cosines", x_title, "feature", height, legend=False, columns=2, subtitle=subtitle)
        show(figure, column)


def tab_variance(space: FeatureSpace, scenario: Scenario, params: MethodParams) -> None:
    st.subheader(HEADINGS["PCA variance"])
    if needs(scenario, "variance"):
        return
    pca = variance.pca_variance(space, params)
    if pca.cumulative.size:
        k_axis = np.arange(1, pca.cumulative.size + 1)
        figure = go.Figure(go.Scatter(x=k_axis, y=pca.cumulative, mode="lines+markers", name="cumulative share"))
        for level, dash, colour in ((0.90, "dot", ROLE_COLOURS["neutral"]), (0.95, "dash", ROLE_COLOURS["strong"])):
            reference_line(figure, f"{level:.0%} of the variance", y=level, dash=dash, color=colour)
        reference_line(
            figure, f"chosen k = {pca.n_components}", x=pca.n_components, color=ROLE_COLOURS["alarm"], dash="solid"
        )
        subtitle = f"of the feature embeddings; whitening keeps {params.whiten_variance:.0%}"
        finish(figure, "Cumulative explained variance", "components", "share", 420, subtitle=subtitle)
        figure.update_yaxes(range=[0, 1.02])
        show(figure)
    reading(readings.reading_variance(pca, len(space.vocabulary)))


def tab_injection(recommender: Recommender, key: tuple, params: MethodParams) -> None:
    st.subheader(HEADINGS["Raw injection"])
    space, scenario = recommender.space, recommender.scenario
    if needs(scenario, "raw_injection"):
        return
    users = _users(scenario)
    left, middle, right = st.columns(3)
    user_id = left.selectbox("User", list(users), format_func=users.get, key="d_inject_user")
    novel = (
        middle.text_input(  # keyed by scenario: a feature typed for one scenario may be in the next one's vocabulary
            "Feature outside the vocabulary", value=pick_novel(space), max_chars=80, key=f"d_novel|{key[0]}"
        ).strip()
    )
    score = right.slider("Its score", -1.0, 1.0, 0.9, step=0.05, key="d_novel_score")
    if not novel:
        st.warning("Type a feature name (1 to 80 characters).")
        return
    if novel in space.index:
        st.warning(md_escape(f"'{novel}' is in the vocabulary already; pick a feature the scenario does not use."))
        return
    injection = _injection(recommender, key, user_id, novel, score, params)
    names = [p.name for p in scenario.products]
    table = pd.DataFrame(
        {
            "rank": range(1, injection.k + 1),
            "without it": [names[i] for i in injection.baseline_top],
            "projected (correct)": [names[i] for i in injection.projected_top],
            "injected raw (wrong)": [names[i] for i in injection.raw_top],
        }
    )
    st.table(table, hide_index=True)  # a static table wraps long product names: every column stays in view at 800 px
    reading(readings.reading_injection(injection))


def tab_tanh(space: FeatureSpace, scenario: Scenario, key: tuple) -> None:
    st.subheader(HEADINGS["Tanh"])
    if needs(scenario, "tanh"):
        return
    effect = _tanh(space, scenario, key)
    left, right = st.columns(2)
    s = np.linspace(-1, 1, 81)
    figure = go.Figure()
    figure.add_scatter(x=s, y=np.tanh(2 * s), name="tanh(2s)", line={"color": COLOURS["weighted"], "width": 3})
    figure.add_scatter(x=s, y=s, name="s (linear)", line={"color": ROLE_COLOURS["neutral"], "dash": "dash"})
    finish(figure, "A score's weight", "score s", "weight", 380, columns=2, subtitle="in the weighted sum")
    show(figure, left)
    figure = go.Figure(
        go.Bar(
            x=["with tanh", "linear"],
            y=[effect.degrees_with_tanh, effect.degrees_linear],
            marker_color=[COLOURS["weighted"], ROLE_COLOURS["neutral"]],
        )
    )
    subtitle = f"'{effect.feature}': 0.5 → 1.0, of {counted(effect.features, 'score')}"
    finish(figure, "How far the profile turns", "weighting", "degrees", 380, legend=False, columns=2, subtitle=subtitle)
    show(figure, right)
    reading(readings.reading_tanh(effect))


def tab_dislikes(recommender: Recommender, key: tuple, params: MethodParams) -> None:
    st.subheader(HEADINGS["Dislikes"])
    marks = describe_marks()
    st.markdown(
        f"Two marks, counted over every user: a product **{md_escape(marks['hard_no'])}**, or is "
        f"**{md_escape(marks['disliked'])}**. A cosine weighs preferences and never forbids anything, so even "
        "the exact reference may rank a product that breaks a hard no; only a filter can enforce one."
    )
    counts = _dislikes(recommender, key, params)
    total = dislikes.totals(counts)
    figure = go.Figure()
    for mark, label, colour in (
        ("hard_no_in_top_k", HARD_NO_NAME, ROLE_COLOURS["alarm"]),
        ("disliked_in_top_k", DISLIKED_NAME, ROLE_COLOURS["caution"]),
    ):
        figure.add_bar(x=[LABELS[m] for m in total], y=[total[m][mark] for m in total], name=label)
        figure.data[-1].marker.color = colour
    subtitle = f"summed over {counted(len(recommender.scenario.users), 'user')}"
    finish(figure, f"Marked products in the top {dislikes.TOP_K}", "method", "products", 440, subtitle=subtitle)
    show(figure)
    reading(readings.reading_dislikes(total, dislikes.TOP_K))


FEEDBACK_HELP = (
    "**Qdrant feedback** is Qdrant's relevance feedback query (naive strategy), run by Qdrant's own engine: the "
    "target is the profile's naive text embedding (what a search box would send), and every scored feature is a "
    "feedback item, its embedding with its score. A product x scores a·cos(x, target) plus, for every pair of "
    "items with scores s_i > s_j, c·(s_i − s_j)^b·(cos(x, v_i) − cos(x, v_j)), with a = b = c = 1."
)


def tab_shift(recommender: Recommender, key: tuple, params: MethodParams) -> None:
    """Shift blindness: each method's answer to a constant added to every score, and to all dislikes."""
    st.subheader(HEADINGS["Shift"])
    st.markdown(
        f"Every user's profile with {shift.SHIFT:+g} added to every score (clipped to [−1, 1]), and the same "
        f"features all disliked (each score −|s|). {FEEDBACK_HELP}"
    )
    measured = _shift(recommender, key, params)
    labels, users = [LABELS[m] for m in ALL_METHOD_NAMES], len(recommender.scenario.users)
    left, right = st.columns(2)
    taus, unmoved = measured.mean_tau(), measured.unmoved()
    figure = go.Figure(
        go.Bar(x=labels, y=[taus[m] for m in ALL_METHOD_NAMES], marker_color=[COLOURS[m] for m in ALL_METHOD_NAMES])
    )
    figure.update_traces(customdata=[unmoved[m] for m in ALL_METHOD_NAMES], hovertemplate="%{x}: tau %{y:.2f}, "
                         f"unmoved for %{{customdata}} of {users}<extra></extra>")  # fmt: skip
    subtitle = f"Kendall tau, P against P {shift.SHIFT:+g}: 1 = did not move"
    finish(
        figure, "Rankings after a shift", "method", "mean Kendall tau", 380, legend=False, columns=2, subtitle=subtitle
    )
    figure.update_yaxes(range=[-1.05, 1.05])
    show(figure, left)
    carrying, refused = measured.carrying(), measured.refused()
    shown = [m for m in ALL_METHOD_NAMES if refused[m] < users]
    figure = go.Figure(
        go.Bar(x=[LABELS[m] for m in shown], y=[carrying[m] for m in shown], marker_color=[COLOURS[m] for m in shown])
    )
    subtitle = f"top {measured.k} products carrying a disliked feature"
    finish(figure, "All dislikes", "method", "products", 380, legend=False, columns=2, subtitle=subtitle)
    show(figure, right)
    reading(readings.reading_shift(measured))
    _dislikes_table(recommender, measured)


def _dislikes_table(recommender: Recommender, measured: shift.ShiftBlindness) -> None:
    """One user's all-dislikes top k under every method."""
    scenario = recommender.scenario
    users = _users(scenario)
    user_id = st.selectbox("User, every score disliked", list(users), format_func=users.get, key="d_shift_user")
    names = [p.name for p in scenario.products]
    rows = []
    for method in ALL_METHOD_NAMES:
        found = measured.by_method[method][user_id]
        top = "no answer: Qdrant needs a like" if found.refused else "; ".join(names[i] for i in found.dislikes_top)
        rows.append({"method": LABELS[method], f"top {measured.k}": top, "carrying a dislike": found.dislikes_carrying})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
