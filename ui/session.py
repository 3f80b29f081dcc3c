"""Per-session scenario state shared by the pages: this session's applied scenarios, and picking a scenario."""

from __future__ import annotations

import streamlit as st

from core.scenarios.model import Scenario
from ui import resources

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
