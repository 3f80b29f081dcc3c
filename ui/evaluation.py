"""The Evaluation page's parts: the results table, the AUC bars, the per-user scatter and one user up close."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.embedding import models
from core.jobs import Build
from core.movielens import protocol as ml
from core.movielens.data import load
from core.movielens.evaluate import LABELS, Evaluation, across_models, across_reading, evaluate, verdicts
from core.movielens.labs.experiments import compute
from core.movielens.metrics import BEATS, LEVEL, LOSES, Difference
from core.vectors.methods import METHOD_NAMES, STRATEGY_NAMES
from core.wording import NOT_DEFINED, counted
from ui import labs, resources
from ui.colours import ROLE_COLOURS
from ui.plots import COLOURS, METRIC_COLUMNS, auc_bars, finish, interval, score_columns, show
from ui.text import md_escape

PROTOCOL = f"""
- **Split**: each user's ratings sorted by time; the first {ml.HISTORY_SHARE:.0%} (rounded down) are history,
  the rest are held out.
- **Features**: the 19 genres; *genres+tags* adds every tag that at least 2 different users applied.
- **User profile**: for each feature, the mean of (rating - the user's mean) / 2 over history movies having it,
  clipped to [-1, 1]. **Movie profile**: +1 for each of its features.
- **Labels**: held-out ratings >= {ml.POSITIVE:g} are positives, <= {ml.NEGATIVE:g} negatives; users with at least
  {ml.MIN_EACH} of each are evaluated.
- **Metrics**: AUC (positives vs negatives, ties count half), NDCG@10 and precision@10 over all held-out movies
  (relevant: rating >= 4); means with t-based 95% intervals over users; paired AUC difference against naive.
- **Baselines**: popularity (number of ratings in the history part) and random.
- **Qdrant's recommend strategies** (qdrant-avg, qdrant-best, qdrant-sum): the user's {ml.MAX_EXAMPLES} most recent
  history movies rated >= {ml.POSITIVE:g} are positive examples, and the {ml.MAX_EXAMPLES} most recent rated
  <= {ml.NEGATIVE:g} negative; each movie is its weighted-sum vector; the query runs through Qdrant's own engine
  in this process (Qdrant Edge). See the *Vector database* tab.
- **Qdrant's relevance feedback** (qdrant-feedback, naive strategy, a = b = c = 1): the {ml.MAX_EXAMPLES} most
  recent rated history movies, each with its rating as its score; the target is the user's naive text
  embedding. Only score differences count.
"""

TABS = ("Results", "Across models", "Vector database")  # the open one lives in the link: ?tab=Across+models
MAX_PROFILE_BARS = 25  # with tags a profile has hundreds of features: the chart shows the strongest

LICENCE = (
    "Data: MovieLens ml-latest-small, GroupLens Research, University of Minnesota, used under its licence "
    "(research use, no commercial use without permission; no endorsement by GroupLens or the University is "
    "implied). F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets: History and Context. "
    "ACM Transactions on Interactive Intelligent Systems 5, 4: 19:1-19:19. https://doi.org/10.1145/2827872"
)


VERDICTS = {BEATS: "better", LOSES: "worse", LEVEL: "unclear"}
VERDICT_HELP = "better: the 95% interval lies above 0; worse: below 0; unclear: it contains 0"


def _verdict(mean: float, low: float, high: float) -> str:
    """What a paired difference against naive lets us say, in two words (core's rule: the interval's side of 0)."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return NOT_DEFINED
    return VERDICTS[Difference(mean, low, high).verb]


def tab_results(model: str, mode: str, data_path: str) -> None:
    """The Results tab: the heading at once, then the evaluation's progress, then its tables and charts."""
    st.subheader(f"Every method on real ratings ({mode})")
    evaluation = resources.wait_for(start_evaluation(model, mode, data_path), slow=True)
    st.caption(
        md_escape(
            f"{counted(len(evaluation.users), 'user')} evaluated with {evaluation.model} · computed in "
            f"{evaluation.seconds:.0f} s · {counted(evaluation.texts_encoded, 'text')} embedded (the rest came from "
            "the cache)"
        )
    )
    st.info(" ".join(md_escape(v) for v in verdicts(evaluation)), icon=":material/balance:")
    results_table(evaluation)
    charts(evaluation)
    drill_down(evaluation)


def results_table(evaluation: Evaluation) -> None:
    """Two tables that fit an 800-px screen: every method's scores, then each one against naive text."""
    summary = evaluation.summary()
    rows = [
        {
            "method": LABELS[m],
            "AUC": r["auc"],
            "95% interval": interval(*r["auc_ci95"]),
            "NDCG@10": r["ndcg@10"],
            "precision@10": r["precision@10"],
        }
        for m, r in summary.items()
    ]
    config = score_columns(*METRIC_COLUMNS)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height="content", column_config=config)
    st.markdown("**Against naive text**, paired per user (the same users, each method's AUC minus naive's)")
    rows = [
        {
            "method": LABELS[m],
            "AUC difference": r["auc_minus_naive"],
            "95% interval": interval(*r["auc_minus_naive_ci95"], signed=True),
            "verdict": _verdict(r["auc_minus_naive"], *r["auc_minus_naive_ci95"]),
        }
        for m, r in summary.items()
        if m != "naive"  # naive against itself is 0 by construction
    ]
    config = score_columns(signed=("AUC difference",)) | {"verdict": st.column_config.TextColumn(help=VERDICT_HELP)}
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height="content", column_config=config)


SCATTER_PAIRS = {"whitened vs weighted": ("weighted", "whitened"), "whitened vs naive": ("naive", "whitened")}


def charts(evaluation: Evaluation) -> None:
    """AUC bars with intervals, and two methods against each other per user (the page's question first)."""
    summary, methods = evaluation.summary(), evaluation.methods
    figure = auc_bars(
        [LABELS[m] for m in methods],
        {LABELS[m]: summary[m] for m in methods},
        [COLOURS[m] for m in methods],
        "Mean AUC over users",
    )
    show(figure)
    left, right = st.columns([3, 2])
    pair = right.selectbox("Per user", list(SCATTER_PAIRS), key="ev_pair")
    _per_user_scatter(evaluation, *SCATTER_PAIRS[pair], left, right)


def _per_user_scatter(evaluation: Evaluation, x_method: str, y_method: str, column, note) -> None:
    x, y = evaluation.per_user("auc", x_method), evaluation.per_user("auc", y_method)
    xl, yl = LABELS[x_method].lower(), LABELS[y_method].lower()
    figure = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="markers",
            marker={"size": 6, "color": COLOURS[y_method], "opacity": 0.6},
            text=[f"user {u.user}" for u in evaluation.users],
            hovertemplate=f"%{{text}}: {xl} %{{x:.2f}}, {yl} %{{y:.2f}}<extra></extra>",
            name="one user",
        )
    )
    figure.add_scatter(
        x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dash", "color": ROLE_COLOURS["neutral"]}, name="equal AUC"
    )
    finish(figure, "Per-user AUC", f"{xl} AUC", f"{yl} AUC", 440, columns=2, subtitle=f"{yl} against {xl}")
    # Square, with both axes kept to [0, 1]: "domain" shrinks the plot area rather than stretch an axis's range.
    figure.update_xaxes(range=[-0.02, 1.02], constrain="domain")
    figure.update_yaxes(range=[-0.02, 1.02], scaleanchor="x", scaleratio=1, constrain="domain")
    show(figure, column)
    above, below = int(np.sum(y > x)), int(np.sum(y < x))
    note.caption(
        f"Each dot is one user. Above the diagonal, {yl} ranks that user's movies better: {above} of "
        f"{counted(len(x), 'user')} ({below} below)."
    )


def drill_down(evaluation: Evaluation) -> None:
    """One user's profile, then their held-out movies ranked by each method (a full-width table: at 800 px the
    sort column, the rating and exact's rank stay in view)."""
    st.subheader("One user, up close")
    by_id = {u.user: u for u in evaluation.users}

    def describe(u: int) -> str:
        return f"user {u}: {counted(len(by_id[u].movies), 'held-out movie')}, naive AUC {by_id[u].auc['naive']:.2f}"

    chosen = st.selectbox("User", list(by_id), format_func=describe, key="ev_user")
    user = by_id[chosen]
    left, right = st.columns([3, 2])
    show(_profile_chart(chosen, user), left)
    methods = evaluation.methods
    method = right.selectbox(
        "Sorted by", methods, index=methods.index("weighted"), format_func=LABELS.get, key="ev_method"
    )
    right.caption(
        "The table below gives each movie's rank among this user's held-out movies under each method (1 = first), "
        "sorted by the method chosen here. AUC for this user: "
        + ", ".join(f"{m} {user.auc[m]:.2f}" for m in METHOD_NAMES)
        + "."
    )
    _ranks_table(evaluation, user, method)


def _profile_chart(chosen: int, user) -> go.Figure:
    strongest = sorted(user.profile.items(), key=lambda item: -abs(item[1]))[:MAX_PROFILE_BARS]
    profile = sorted(strongest, key=lambda item: item[1])
    figure = go.Figure(
        go.Bar(
            x=[s for _, s in profile],
            y=[f for f, _ in profile],
            orientation="h",
            marker_color=[ROLE_COLOURS["below"] if s < 0 else ROLE_COLOURS["above"] for _, s in profile],
        )
    )
    height = max(340, 18 * len(profile) + 150)
    title = f"User {chosen}'s {len(profile)} strongest scores" if len(user.profile) > len(profile) else ""
    title = title or f"User {chosen}'s profile"
    subtitle = "from history: green liked, red disliked"
    return finish(figure, title, "score", "feature", height, False, columns=2, subtitle=subtitle)


RANK_WIDTH = 80  # pixels: a method's id (qdrant-best) and a rank of up to four digits


def _ranks_table(evaluation: Evaluation, user, method: str) -> None:
    """The user's held-out movies with their ranks: the sort method first, then exact (the reference) and every
    other method, headed by their short ids (hover a header for the full name)."""
    others = [m for m in dict.fromkeys(("exact", *evaluation.methods)) if m != method]
    columns = [method, *others]
    rows = pd.DataFrame(
        {
            "movie": [evaluation.titles.get(m, f"movie {m}") for m in user.movies],
            "rating": user.ratings,
            "label": [
                "like" if r >= ml.POSITIVE else "dislike" if r <= ml.NEGATIVE else "neutral" for r in user.ratings
            ],
            **{m: user.ranks(m) for m in columns},
        }
    ).sort_values(method)
    ranks = {
        m: st.column_config.NumberColumn(m, help=f"rank by {LABELS[m]} (1 = first)", width=RANK_WIDTH) for m in columns
    }
    st.dataframe(
        rows[["movie", method, "rating", "label", *others]],
        hide_index=True,
        width="stretch",
        height=420,
        column_config={
            "movie": st.column_config.TextColumn(width="medium", pinned=True),
            "rating": st.column_config.NumberColumn(format="%.1f", width=60),
            "label": st.column_config.TextColumn(help="held-out rating >= 4: like; <= 2.5: dislike", width=70),
            **ranks,
        },
    )


# -- one evaluation per (model, features), shared by every session; all of them side by side -------------


def start_evaluation(model: str, mode: str, data_path: str) -> Build:
    """The evaluation under one model: started once for everyone (a build), then kept."""
    embedder = resources.embedder(model)
    return resources.builds().start(
        ("evaluation", mode, data_path, embedder.fingerprint),
        f"Evaluating on MovieLens with {models.spec(model).name} (first time only; then cached)",
        lambda report: evaluate(embedder, path=data_path, mode=mode, report=report),
    )


def _every_model(mode: str, data_path: str, ids: tuple[str, ...]):
    def work(report) -> dict[str, Evaluation]:
        out = {}
        for n, model in enumerate(ids):
            build = start_evaluation(model, mode, data_path)
            while not build.wait(1.0):
                report(
                    f"{models.spec(model).name} ({n + 1} of {len(ids)}): {build.stage}", (n + build.fraction) / len(ids)
                )
            if build.error is not None:
                raise RuntimeError(f"{model}: {build.error}")
            out[model] = build.result
        return out

    return work


def tab_across(mode: str, data_path: str) -> None:
    st.subheader("The same evaluation under every installed model")
    ids = tuple(m.id for m in models.installed())
    evaluations = resources.computed_once(
        ("evaluation-all", mode, data_path, ids),
        f"Evaluating with {counted(len(ids), 'model')}, one after another (first time only; then kept for everyone)",
        _every_model(mode, data_path, ids),
    )
    st.info(md_escape(across_reading(evaluations)), icon=":material/insights:")
    table = across_models(evaluations)
    # Numbers only, models headed by id (hover for the full name): a method and five models fit 800 px.
    config = {
        "method": st.column_config.TextColumn(pinned=True),
        **{m: st.column_config.NumberColumn(m, help=models.spec(m).name, format="%.3f") for m in evaluations},
    }
    intervals = st.toggle("Show each AUC's 95% interval", key="ev_across_ci")
    rows = [
        {"method": LABELS[method], **{m: _auc_cell(cells[m]) if intervals else cells[m]["auc"] for m in evaluations}}
        for method, cells in table.items()
    ]
    st.markdown(f"**Mean AUC over users**, features: {mode}")
    shown = config  # text cells with intervals: "0.495 [0.470, 0.519]"
    if intervals:
        shown = {
            "method": config["method"],
            **{m: st.column_config.TextColumn(m, help=models.spec(m).name) for m in evaluations},
        }
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height="content", column_config=shown)
    halves = [(c["auc_ci95"][1] - c["auc_ci95"][0]) / 2 for cells in table.values() for c in cells.values()]
    st.markdown("**AUC minus naive text's**, paired per user within each model")
    _differences(table, list(evaluations), config)
    st.caption(
        "Models: "
        + "; ".join(f"{m} = {models.spec(m).name}" for m in evaluations)
        + ". "
        + _interval_range(halves)
        + " A difference in grey has an interval that contains 0 (no clear difference)."
    )
    missing = [m.name for m in models.registry() if not m.installed]
    if missing:
        st.caption(f"Not installed here: {', '.join(missing)} (`{models.INSTALL}` adds them).")


def _interval_range(halves: list[float]) -> str:
    """'Each mean AUC's 95% interval (t-based over users) is ± 0.022 to ± 0.026.', or why there is none.

    >>> _interval_range([float("nan")])
    'With one user there are no intervals.'
    """
    finite = [h for h in halves if h is not None and np.isfinite(h)]
    if not finite:
        return "With one user there are no intervals."
    return f"Each mean AUC's 95% interval (t-based over users) is ± {min(finite):.3f} to ± {max(finite):.3f}."


def _auc_cell(cell: dict) -> str:
    """'0.495 [0.470, 0.519]'; an interval that is not defined (one user) reads 'n/a'."""
    low, high = cell["auc_ci95"]
    interval = NOT_DEFINED if low is None or not np.isfinite(low) else f"{low:.3f}, {high:.3f}"
    return f"{cell['auc']:.3f} [{interval}]"


def _signed(value: float) -> str:
    """'+0.053', '-0.016', and '0.000' for what rounds to zero (never '-0.000').

    >>> _signed(0.0531), _signed(-0.0004), _signed(float("nan"))
    ('+0.053', '0.000', 'n/a')
    """
    if not np.isfinite(value):
        return NOT_DEFINED
    return "0.000" if round(value, 3) == 0 else f"{value:+.3f}"


def _differences(table: dict, ids: list[str], config: dict) -> None:
    """Each method against naive under each model: the mean difference, grey when its interval contains 0, and
    for how many models it is clearly better."""
    methods = [m for m in table if m != "naive"]  # naive against itself is 0 by construction
    verdicts = {
        m: [_verdict(c["auc_minus_naive"], *c["auc_minus_naive_ci95"]) for c in table[m].values()] for m in methods
    }
    frame = pd.DataFrame(
        [
            {"method": LABELS[m], **{i: table[m][i]["auc_minus_naive"] for i in ids}}
            | {"better": f"{verdicts[m].count('better')} of {len(ids)}"}
            for m in methods
        ]
    )
    unclear = pd.DataFrame(
        [[verdict == "unclear" for verdict in verdicts[m]] for m in methods], columns=ids, index=frame.index
    )
    styled = frame.style.format(_signed, subset=ids).apply(
        lambda _: unclear.replace({True: f"color: {ROLE_COLOURS['muted_text']}", False: ""}), axis=None, subset=ids
    )
    config = config | {i: st.column_config.NumberColumn(i, help=config[i]["help"]) for i in ids}
    config["better"] = st.column_config.TextColumn(help="models for which the 95% interval lies above 0")
    st.dataframe(styled, hide_index=True, width="stretch", height="content", column_config=config)


def tab_vector_database(model: str, data_path: str) -> None:
    st.subheader(labs.HEADINGS["qdrant"])
    embedder = resources.embedder(model)
    lab = resources.computed_once(
        ("lab", "qdrant", data_path, embedder.fingerprint),
        "Asking Qdrant for every user, with and without dislikes (first time only; then cached)",
        lambda report: compute("qdrant", embedder, load(data_path), report=report),
    )
    labs.qdrant(lab)
    st.caption(
        f"Genres only, model {embedder.name}. The Results tab lists the same queries "
        f"({', '.join(STRATEGY_NAMES)}) with the evaluation's features."
    )
