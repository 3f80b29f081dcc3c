"""Signed Affinity Explorer: registers the pages and runs the selected one."""

from __future__ import annotations

import streamlit as st

from ui import resources
from ui.navigation import PAGES

st.set_page_config(page_title="Signed Affinity Explorer", page_icon=":material/join_inner:", layout="wide")
navigation = st.navigation(
    [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path, default=p.default) for p in PAGES]
)
resources.warm_up_umap()  # compile UMAP in the background while the first page renders
navigation.run()
