"""Evaluation: every method on real MovieLens ratings, with intervals, per-user scatter and a drill-down."""

from __future__ import annotations

import streamlit as st

from core.movielens.data import DataError, find_data
from core.movielens.evaluate import verdicts
from core.movielens.protocol import FEATURE_MODES
from core.wording import counted
from ui import evaluation as parts
from ui import resources, session
from ui.navigation import explicit_navigation_only
from ui.text import md_escape

explicit_navigation_only()

st.title("Evaluation on MovieLens")
st.markdown(
    "We wrote the presets ourselves. Here every method ranks real users' held-out movies from "
    "[MovieLens ml-latest-small](https://grouplens.org/datasets/movielens/) (100,836 ratings by 610 people), "
    "so the article's claims can hold, or visibly fail, on data nobody here wrote."
)

with st.expander("Protocol", icon=":material/rule:"):
    st.markdown(parts.PROTOCOL)
with st.sidebar:
    model = session.model_picker("ev_model")

left, right = st.columns([2, 3], vertical_alignment="bottom")
mode = left.segmented_control("Features", list(FEATURE_MODES), default=FEATURE_MODES[0], key="ev_mode")
mode = mode or FEATURE_MODES[0]
try:
    data_path = str(find_data())
except DataError as error:
    st.error(md_escape(str(error)), icon=":material/folder_off:")
    st.stop()
right.caption(md_escape(f"Data: {data_path}"))

results, every, vector = st.tabs(["Results", "Across models", "Vector database"], key="ev_tab", on_change="rerun")
with results:
    evaluation = resources.wait_for(parts.start_evaluation(model, mode, data_path))
    st.caption(
        md_escape(
            f"{counted(len(evaluation.users), 'user')} evaluated with {evaluation.model} · computed in "
            f"{evaluation.seconds:.0f} s · {counted(evaluation.texts_encoded, 'text')} embedded (the rest came from "
            "the cache)"
        )
    )
    st.info(" ".join(md_escape(v) for v in verdicts(evaluation)), icon=":material/balance:")
    parts.results_table(evaluation)
    parts.charts(evaluation)
    parts.drill_down(evaluation)
with every:
    if every.open:  # every installed model's evaluation: only when the tab is open
        parts.tab_across(mode, data_path)
with vector:
    if vector.open:
        parts.tab_vector_database(model, data_path)
st.divider()
st.caption(parts.LICENCE)
