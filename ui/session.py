"""Per-session scenario state shared by the pages: this session's applied scenarios, and picking a scenario."""

from __future__ import annotations

import streamlit as st

from core.engine.share import shown
from core.scenarios.model import Scenario
from ui import resources
from ui.text import md_escape

UPLOADS = "uploads"  # session_state: {scenario id: Scenario}, filled by the Scenarios page
UPLOAD_PREFIX = "upload:"
DEFAULT_PRESET = "sign-trap"


def uploads() -> dict[str, Scenario]:
    """This session's applied (uploaded or edited) scenarios, by id."""
    return st.session_state.setdefault(UPLOADS, {})


def scenario_options() -> dict[str, str]:
    """Selectbox option -> label: presets, then this session's uploads (``upload:<id>``)."""
    options = {info.id: info.title for info in resources.preset_infos()}
    for sid, scenario in uploads().items():
        options[UPLOAD_PREFIX + sid] = f"{scenario.title} (uploaded)"
    return options


def scenario_for(choice: str) -> Scenario:
    """The scenario behind a selectbox option (a preset id or ``upload:<id>``)."""
    if choice.startswith(UPLOAD_PREFIX):
        return uploads()[choice.removeprefix(UPLOAD_PREFIX)]
    return resources.preset(choice)


def is_upload(choice: str) -> bool:
    return choice.startswith(UPLOAD_PREFIX)


K_LINK_WARNINGS = "s_link_warnings"
URL_KEY = "scenario"


def scenario_picker(key: str) -> Scenario:
    """A scenario selectbox that a link can set (``?scenario=<preset id>``) and that writes the link back."""
    options = scenario_options()
    wanted = st.query_params.get(URL_KEY)
    state = st.session_state
    if wanted is not None and wanted != state.get(f"{key}_from_url"):
        state[f"{key}_from_url"] = wanted
        if wanted in options:
            state[key] = wanted
        else:
            state[K_LINK_WARNINGS] = [f"Unknown scenario {shown(wanted)} in the link; showing {DEFAULT_PRESET!r}."]
    if state.get(key) not in options:
        state[key] = state.get("x_preset") if state.get("x_preset") in options else DEFAULT_PRESET
    choice = st.selectbox("Scenario", list(options), format_func=options.get, key=key)
    if is_upload(choice):
        st.query_params.pop(URL_KEY, None)  # this session's upload: a link cannot carry it
    elif st.query_params.get(URL_KEY) != choice:
        st.query_params[URL_KEY] = choice
        state[f"{key}_from_url"] = choice
    return scenario_for(choice)


def show_link_warnings() -> None:
    warnings = st.session_state.pop(K_LINK_WARNINGS, [])
    if warnings:
        st.warning("\n".join(f"- {md_escape(w)}" for w in warnings), icon=":material/link_off:")
