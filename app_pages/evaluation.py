"""Evaluation: every method on real MovieLens ratings, with intervals, per-user scatter and a drill-down."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import movielens as ml
from core.methods import METHOD_NAMES, METHODS
from ui import resources
from ui.plots import COLOURS, METRIC_COLUMNS, auc_bars, finish, score_columns
from ui.text import md_escape

st.title("Evaluation on MovieLens")
st.markdown(
    "We wrote the presets ourselves. Here every method ranks real users' held-out movies from "
    "[MovieLens ml-latest-small](https://grouplens.org/datasets/movielens/) (100,836 ratings by 610 people), "
    "so the article's claims can hold, or visibly fail, on data nobody here wrote."
)

with st.expander("Protocol", icon=":material/rule:"):
    st.markdown(
        f"""
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
"""
    )

left, right = st.columns([2, 3], vertical_alignment="bottom")
mode = left.segmented_control("Features", list(ml.FEATURE_MODES), default="genres", key="ev_mode") or "genres"
try:
    data_path = str(ml.find_data())
except ml.DataNotFound as error:
    st.error(md_escape(str(error)), icon=":material/folder_off:")
    st.stop()
right.caption(md_escape(f"Data: {data_path}"))


evaluation: ml.Evaluation = resources.computed_once(
    ("evaluation", mode, data_path, resources.embedder().name),
    "Starting the evaluation (first time only; then cached)",
    lambda report: ml.evaluate(resources.embedder(), path=data_path, mode=mode, report=report),
)
summary = evaluation.summary()
methods = evaluation.methods
label = {**{m: METHODS[m].label for m in METHOD_NAMES}, "popularity": "Popularity", "random": "Random"}
st.caption(
    f"{len(evaluation.users)} users evaluated · computed in {evaluation.seconds:.0f} s · "
    f"{evaluation.texts_encoded} texts embedded (the rest came from the cache)"
)

# -- verdict: computed from the numbers ----------------------------------------------------------------


def verdicts() -> list[str]:
    def compared(a: str, b: str) -> str:
        """'A beats / loses to / is not distinguishable from B (difference, interval)', paired over users."""
        diff = evaluation.per_user("auc", a) - evaluation.per_user("auc", b)
        mean, lo, hi = ml.mean_ci(diff)
        verb = "beats" if lo > 0 else "loses to" if hi < 0 else "is not distinguishable from"
        return f"{label[a]} {verb} {label[b].lower()} ({mean:+.3f} AUC, 95% CI {lo:+.3f} to {hi:+.3f})."

    best = max(METHOD_NAMES, key=lambda m: summary[m]["auc"])
    return [
        compared("weighted", "naive"),
        compared("whitened", "weighted"),
        compared("prefix", "naive"),
        compared("exact", "random"),
        f"Popularity scores AUC {summary['popularity']['auc']:.3f}; the best of the six methods here is "
        f"{label[best].lower()}, at {summary[best]['auc']:.3f}.",
    ]


st.info(" ".join(md_escape(v) for v in verdicts()), icon=":material/balance:")

# -- table and bars --------------------------------------------------------------------------------------
table = pd.DataFrame(
    [
        {
            "method": label[m],
            "AUC": r["auc"],
            "95% CI": f"{r['auc_ci95'][0]:.3f} to {r['auc_ci95'][1]:.3f}",
            "AUC - naive": r["auc_minus_naive"],
            "95% CI of the difference": f"{r['auc_minus_naive_ci95'][0]:+.3f} to {r['auc_minus_naive_ci95'][1]:+.3f}",
            "NDCG@10": r["ndcg@10"],
            "precision@10": r["precision@10"],
        }
        for m, r in summary.items()
    ]
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config=score_columns(*METRIC_COLUMNS, signed=("AUC - naive",)),
)

left, right = st.columns(2)
figure = auc_bars(
    [label[m] for m in methods],
    {label[m]: summary[m] for m in methods},
    [COLOURS[m] for m in methods],
    "Mean AUC over users, with 95% intervals",
)
left.plotly_chart(figure, width="stretch")

naive_auc, whitened_auc = evaluation.per_user("auc", "naive"), evaluation.per_user("auc", "whitened")
figure = go.Figure(
    go.Scatter(
        x=naive_auc,
        y=whitened_auc,
        mode="markers",
        marker={"size": 6, "color": COLOURS["whitened"], "opacity": 0.6},
        text=[f"user {u.user}" for u in evaluation.users],
        hovertemplate="%{text}: naive %{x:.2f}, whitened %{y:.2f}<extra></extra>",
        name="one user",
    )
)
figure.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dash", "color": "#868e96"}, name="equal AUC")
above = int(np.sum(whitened_auc > naive_auc))
finish(figure, "Per-user AUC: whitened against naive", "naive AUC", "whitened AUC", 400)
figure.update_xaxes(range=[-0.02, 1.02])
figure.update_yaxes(range=[-0.02, 1.02], scaleanchor="x")
right.plotly_chart(figure, width="stretch")
right.caption(f"Above the diagonal, whitened ranks that user's movies better: {above} of {len(naive_auc)} users.")

# -- drill-down --------------------------------------------------------------------------------------------
st.subheader("One user, up close")
by_id = {u.user: u for u in evaluation.users}
chosen = st.selectbox(
    "User",
    list(by_id),
    format_func=lambda u: f"user {u}: {len(by_id[u].movies)} held-out movies, naive AUC {by_id[u].auc['naive']:.2f}",
    key="ev_user",
)
user = by_id[chosen]
left, right = st.columns([2, 3])
profile = sorted(user.profile.items(), key=lambda item: item[1])
figure = go.Figure(
    go.Bar(
        x=[s for _, s in profile],
        y=[f for f, _ in profile],
        orientation="h",
        marker_color=["#e03131" if s < 0 else "#2b8a3e" for _, s in profile],
    )
)
finish(figure, f"User {chosen}'s profile from history", "score", "feature", max(320, 18 * len(profile)), legend=False)
left.plotly_chart(figure, width="stretch")

method = right.selectbox("Sorted by", methods, index=methods.index("weighted"), format_func=label.get, key="ev_method")
ranks = {m: np.argsort(np.argsort(-user.scores[m], kind="stable"), kind="stable") + 1 for m in methods}
rows = pd.DataFrame(
    {
        "movie": [evaluation.titles.get(m, f"movie {m}") for m in user.movies],
        "rating": user.ratings,
        "label": ["like" if r >= ml.POSITIVE else "dislike" if r <= ml.NEGATIVE else "neutral" for r in user.ratings],
        **{label[m]: ranks[m] for m in methods},
    }
).sort_values(label[method])
right.dataframe(
    rows,
    hide_index=True,
    width="stretch",
    height=420,
    column_config={
        "rating": st.column_config.NumberColumn(format="%.1f"),
        "label": st.column_config.TextColumn(help="held-out rating >= 4: like; <= 2.5: dislike"),
    },
)
right.caption(
    "Each method's column is the rank it gives the movie among this user's held-out movies (1 = first). "
    "AUC for this user: " + ", ".join(f"{m} {user.auc[m]:.2f}" for m in METHOD_NAMES) + "."
)

st.divider()
st.caption(
    "Data: MovieLens ml-latest-small, GroupLens Research, University of Minnesota, used under its licence "
    "(research use, no commercial use without permission; no endorsement by GroupLens or the University is "
    "implied). F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets: History and Context. "
    "ACM Transactions on Interactive Intelligent Systems 5, 4: 19:1-19:19. https://doi.org/10.1145/2827872"
)
