"""Labs: neighbouring problems, each measured on the Evaluation page's MovieLens split."""

from __future__ import annotations

import streamlit as st

from core.movielens.data import DataError, MovieLens, find_data, load
from core.movielens.labs.experiments import compute
from ui import labs, resources
from ui.navigation import explicit_navigation_only
from ui.text import md_escape

explicit_navigation_only()

st.title("Labs")
st.markdown(labs.INTRO)

try:
    data_path = str(find_data())
except DataError as error:
    st.error(md_escape(str(error)), icon=":material/folder_off:")
    st.stop()

choice = st.segmented_control(
    "Lab",
    list(labs.LABS),
    format_func=labs.LABS.get,
    default="history",
    key="lab",
    bind="query-params",
)
choice = choice or "history"


@st.cache_resource(show_spinner=False)
def _data(path: str) -> MovieLens:
    return load(path)


st.subheader(labs.HEADINGS[choice])
result = resources.computed_once(
    ("lab", choice, data_path, resources.embedder().name),
    f"Running the {labs.LABS[choice].lower()} lab (first time only; then cached)",
    lambda report: compute(choice, resources.embedder(), _data(data_path), report=report),
)
labs.DRAW[choice](result)
st.divider()
st.caption(labs.LICENCE)
