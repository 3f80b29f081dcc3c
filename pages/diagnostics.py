"""Diagnostics: each claim of the source article, measured live on a scenario and the model in use."""

from __future__ import annotations

import streamlit as st

from core.vectors.methods import ALL_METHOD_NAMES
from core.vectors.space import MethodParams
from core.wording import counted
from ui import across, resources, session
from ui import diagnostics as tabs
from ui.navigation import explicit_navigation_only
from ui.text import md_escape

explicit_navigation_only()

st.title("Diagnostics")
st.markdown(
    "The article makes claims about each method. Here they are measured on the scenario and model you choose. "
    "Each chart comes with one sentence computed from its numbers: where a claim does not hold, it says so; "
    "where the scenario is too small for a measure, it says what the measure needs."
)

with st.sidebar:
    scenario = session.scenario_picker("d_scenario")
    model = session.model_picker("d_model")
    with st.expander("Whitening", icon=":material/tune:", expanded=True):
        variance = st.slider("Variance kept", 0.5, 1.0, 0.95, step=0.01, key="d_var")
        strength = st.slider("Strength α", 0.0, 1.0, 1.0, step=0.05, key="d_alpha")
session.show_link_warnings()
params = MethodParams(whiten_variance=variance, whiten_strength=strength)
recommender = resources.recommender(scenario, model)
space = recommender.space
resources.ensure_ready(recommender, list(ALL_METHOD_NAMES), params, maps=False)
key = (scenario.fingerprint, space.embedder.name)
features = counted(len(scenario.vocabulary), "feature")
st.caption(md_escape(f"{scenario.title} · {features} · model {space.embedder.name}"))

sign, shifted, dislikes, magnitude, truncation, synonyms, pca, injection, tanh, every, negated = st.tabs(
    list(tabs.TABS), key="d_tab", on_change="rerun"
)
with sign:
    sweep, swept_user = tabs.tab_sign(space, scenario, key, params)
with shifted:
    tabs.tab_shift(recommender, key, params)
with dislikes:
    tabs.tab_dislikes(recommender, key, params)
with magnitude:
    tabs.tab_magnitude(sweep, swept_user)
with truncation:
    tabs.tab_truncation(space, scenario, key)
with synonyms:
    tabs.tab_synonyms(space, scenario, key, params)
with pca:
    tabs.tab_variance(space, scenario, params)
with injection:
    tabs.tab_injection(recommender, key, params)
with tanh:
    tabs.tab_tanh(space, scenario, key)
with every:
    if every.open:  # every installed model: only when the tab is open
        across.tab_across()
with negated:
    if negated.open:
        across.tab_negation()
