"""Process-wide resources, cached with ``st.cache_resource``: shared by every session."""

from __future__ import annotations

import streamlit as st

from core.embedder import CachedEmbedder, get_embedder
from core.engine import Recommender
from core.presets import list_presets, load_preset
from core.scenario import Scenario


@st.cache_resource(show_spinner=False)
def embedder() -> CachedEmbedder:
    return get_embedder()


@st.cache_resource(show_spinner=False)
def preset(preset_id: str) -> Scenario:
    return load_preset(preset_id)


@st.cache_resource(show_spinner=False)
def preset_infos():
    return list_presets()


@st.cache_resource(show_spinner=False, max_entries=16)
def _recommender(fingerprint: str, model: str, _scenario: Scenario) -> Recommender:
    return Recommender(_scenario, embedder())


def recommender(scenario: Scenario) -> Recommender:
    """One recommender per (scenario content, model): edits get a fresh one, presets share."""
    return _recommender(scenario.fingerprint, embedder().name, scenario)
