"""Evaluation: every method on real MovieLens ratings, with intervals, per-user scatter and a drill-down."""

from __future__ import annotations

import streamlit as st

from core.movielens.data import DataError, find_data
from core.movielens.protocol import FEATURE_MODES
from ui import evaluation as parts
from ui import session
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
mode = left.segmented_control(
    "Features", list(FEATURE_MODES), default=FEATURE_MODES[0], key="features", bind="query-params"
)
mode = mode or FEATURE_MODES[0]
try:
    data_path = str(find_data())
except DataError as error:
    st.error(md_escape(str(error)), icon=":material/folder_off:")
    st.stop()
right.caption(md_escape(f"Data: {data_path}"))

# The open tab and the features live in the link (?features=genres%2Btags&tab=Across+models). Only the open tab
# runs, so each shows its heading and its own progress at once.
results, every, vector = st.tabs(list(parts.TABS), key="tab", bind="query-params")
if results.open:
    with results:
        parts.tab_results(model, mode, data_path)
if every.open:  # every installed model's evaluation
    with every:
        parts.tab_across(mode, data_path)
if vector.open:
    with vector:
        parts.tab_vector_database(model, data_path)
st.divider()
st.caption(parts.LICENCE)
