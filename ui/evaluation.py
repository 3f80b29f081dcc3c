"""The Evaluation page's parts: the results table, the AUC bars, the per-user scatter and one user up close."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.engine import models
from core.engine.builds import Build
from core.engine.methods import METHOD_NAMES, STRATEGY_NAMES
from core.movielens import protocol as ml
from core.movielens.data import load
from core.movielens.evaluate import LABELS, Evaluation, across_models, across_reading, evaluate
from core.movielens.labs.experiments import compute
from ui import labs, resources
from ui.plots import COLOURS, METRIC_COLUMNS, auc_bars, finish, score_columns, show
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
- **Qdrant's recommend strategies** (qdrant-avg, qdrant-best, qdrant-sum): the user's history movies rated
  >= {ml.POSITIVE:g} are positive examples, <= {ml.NEGATIVE:g} negative; each movie is its weighted-sum vector;
  the query runs through the real Qdrant client (embedded). See the *Vector database* tab.
"""

MAX_PROFILE_BARS = 25  # with tags a profile has hundreds of features: the chart shows the strongest

LICENCE = (
    "Data: MovieLens ml-latest-small, GroupLens Research, University of Minnesota, used under its licence "
    "(research use, no commercial use without permission; no endorsement by GroupLens or the University is "
    "implied). F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets: History and Context. "
    "ACM Transactions on Interactive Intelligent Systems 5, 4: 19:1-19:19. https://doi.org/10.1145/2827872"
)


def results_table(evaluation: Evaluation) -> None:
    rows = [
        {
            "method": LABELS[m],
            "AUC": r["auc"],
            "95% CI": f"{r['auc_ci95'][0]:.3f} to {r['auc_ci95'][1]:.3f}",
            "AUC - naive": r["auc_minus_naive"],
            "95% CI of the difference": f"{r['auc_minus_naive_ci95'][0]:+.3f} to {r['auc_minus_naive_ci95'][1]:+.3f}",
            "NDCG@10": r["ndcg@10"],
            "precision@10": r["precision@10"],
        }
        for m, r in evaluation.summary().items()
    ]
    config = score_columns(*METRIC_COLUMNS, signed=("AUC - naive",))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config=config)


SCATTER_PAIRS = {"whitened vs weighted": ("weighted", "whitened"), "whitened vs naive": ("naive", "whitened")}


def charts(evaluation: Evaluation) -> None:
    """AUC bars with intervals, and two methods against each other per user (the page's question first)."""
    summary, methods = evaluation.summary(), evaluation.methods
    left, right = st.columns(2)
    figure = auc_bars(
        [LABELS[m] for m in methods],
        {LABELS[m]: summary[m] for m in methods},
        [COLOURS[m] for m in methods],
        "Mean AUC over users, with 95% intervals",
        columns=2,
    )
    show(figure, left)
    pair = right.selectbox("Per user", list(SCATTER_PAIRS), key="ev_pair")
    _per_user_scatter(evaluation, *SCATTER_PAIRS[pair], right)


def _per_user_scatter(evaluation: Evaluation, x_method: str, y_method: str, column) -> None:
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
    figure.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dash", "color": "#868e96"}, name="equal AUC")
    finish(figure, f"Per-user AUC: {yl} against {xl}", f"{xl} AUC", f"{yl} AUC", 400, columns=2)
    figure.update_xaxes(range=[-0.02, 1.02])
    figure.update_yaxes(range=[-0.02, 1.02], scaleanchor="x")
    show(figure, column)
    above, below = int(np.sum(y > x)), int(np.sum(y < x))
    column.caption(
        f"Above the diagonal, {yl} ranks that user's movies better: {above} of {len(x)} users ({below} below)."
    )


def drill_down(evaluation: Evaluation) -> None:
    """One user's profile and held-out movies, ranked by each method."""
    st.subheader("One user, up close")
    by_id = {u.user: u for u in evaluation.users}

    def describe(u: int) -> str:
        return f"user {u}: {len(by_id[u].movies)} held-out movies, naive AUC {by_id[u].auc['naive']:.2f}"

    chosen = st.selectbox("User", list(by_id), format_func=describe, key="ev_user")
    user = by_id[chosen]
    left, right = st.columns([2, 3])
    strongest = sorted(user.profile.items(), key=lambda item: -abs(item[1]))[:MAX_PROFILE_BARS]
    profile = sorted(strongest, key=lambda item: item[1])
    figure = go.Figure(
        go.Bar(
            x=[s for _, s in profile],
            y=[f for f, _ in profile],
            orientation="h",
            marker_color=["#e03131" if s < 0 else "#2b8a3e" for _, s in profile],
        )
    )
    height = max(320, 18 * len(profile) + 120)
    shown_count = f", the {len(profile)} strongest of {len(user.profile)}" if len(user.profile) > len(profile) else ""
    title = f"User {chosen}'s profile from history{shown_count}"
    finish(figure, title, "score", "feature", height, legend=False, columns=3)
    show(figure, left)
    methods = evaluation.methods
    method = right.selectbox(
        "Sorted by", methods, index=methods.index("weighted"), format_func=LABELS.get, key="ev_method"
    )
    _ranks_table(evaluation, user, method, right)


def _ranks_table(evaluation: Evaluation, user, method: str, column) -> None:
    others = [m for m in evaluation.methods if m != method]
    rows = pd.DataFrame(
        {
            "movie": [evaluation.titles.get(m, f"movie {m}") for m in user.movies],
            LABELS[method]: user.ranks(method),  # the sort column next to the title
            "rating": user.ratings,
            "label": [
                "like" if r >= ml.POSITIVE else "dislike" if r <= ml.NEGATIVE else "neutral" for r in user.ratings
            ],
            **{LABELS[m]: user.ranks(m) for m in others},
        }
    ).sort_values(LABELS[method])
    column.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        height=420,
        column_config={
            "movie": st.column_config.TextColumn(width="medium", pinned=True),
            "rating": st.column_config.NumberColumn(format="%.1f"),
            "label": st.column_config.TextColumn(help="held-out rating >= 4: like; <= 2.5: dislike"),
        },
    )
    column.caption(
        "Each method's column is the rank it gives the movie among this user's held-out movies (1 = first). "
        "AUC for this user: " + ", ".join(f"{m} {user.auc[m]:.2f}" for m in METHOD_NAMES) + "."
    )


# -- one evaluation per (model, features), shared by every session; all of them side by side -------------


def start_evaluation(model: str, mode: str, data_path: str) -> Build:
    """The evaluation under one model: started once for everyone (a build), then kept."""
    embedder = resources.embedder(model)
    return resources.builds().start(
        ("evaluation", mode, data_path, embedder.name),
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
        f"Evaluating with {len(ids)} models, one after another (first time only; then kept for everyone)",
        _every_model(mode, data_path, ids),
    )
    st.info(md_escape(across_reading(evaluations)), icon=":material/insights:")
    table = across_models(evaluations)
    names = {m: models.spec(m).name for m in evaluations}
    rows = [
        {"method": LABELS[method], **{names[m]: _auc_cell(cells[m]) for m in evaluations}}
        for method, cells in table.items()
    ]
    st.markdown(f"**Mean AUC [95% interval] over users, {mode}**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    rows = [
        {"method": LABELS[method], **{names[m]: _difference_cell(cells[m]) for m in evaluations}}
        for method, cells in table.items()
        if method != "naive"
    ]
    st.markdown("**AUC minus naive text's, paired per user within each model [95% interval]**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    missing = [m.name for m in models.registry() if not m.installed]
    if missing:
        st.caption(f"Not installed here: {', '.join(missing)} (`{models.INSTALL}` adds them).")


def _auc_cell(cell: dict) -> str:
    return f"{cell['auc']:.3f} [{cell['auc_ci95'][0]:.3f}, {cell['auc_ci95'][1]:.3f}]"


def _difference_cell(cell: dict) -> str:
    low, high = cell["auc_minus_naive_ci95"]
    return f"{cell['auc_minus_naive']:+.3f} [{low:+.3f}, {high:+.3f}]"


def tab_vector_database(model: str, data_path: str) -> None:
    embedder = resources.embedder(model)
    lab = resources.computed_once(
        ("lab", "qdrant", data_path, embedder.name),
        "Asking Qdrant for every user, with and without dislikes (first time only; then cached)",
        lambda report: compute("qdrant", embedder, load(data_path), report=report),
    )
    labs.qdrant(lab)
    st.caption(
        f"Genres only, model {embedder.name}. The Results tab lists the same three strategies "
        f"({', '.join(STRATEGY_NAMES)}) with the evaluation's features."
    )
