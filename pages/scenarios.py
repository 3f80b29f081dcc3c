"""Scenarios: create, edit, upload and download scenarios; open them in the Explorer."""

from __future__ import annotations

import streamlit as st

from ui import editor
from ui.navigation import explicit_navigation_only

explicit_navigation_only()

st.title("Scenarios")
st.markdown(editor.INTRO)
editor.ensure_started()
with st.container(border=True):
    editor.source_section()
with st.container(border=True):
    working = editor.edit_section()
with st.container(border=True):
    editor.apply_section(working)
