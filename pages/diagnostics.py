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
key = (scenario.fingerprint, space.embedder.fingerprint)
features = counted(len(scenario.vocabulary), "feature")
st.caption(md_escape(f"{scenario.title} · {features} · model {space.embedder.name}"))

# The open tab lives in the link (/diagnostics?tab=Synonyms). Each tab shows its heading and its own progress
# at once: the two that compare every model need nothing of this scenario; the others wait for its vectors.
opened = dict(zip(tabs.TABS, st.tabs(list(tabs.TABS), key=tabs.TAB_KEY, bind="query-params"), strict=True))
chosen = next((name for name, tab in opened.items() if tab.open), tabs.TABS[0])
for name, draw in (("Across models", across.tab_across), ("Negation", across.tab_negation)):
    if opened[name].open:  # every installed model: only when the tab is open
        with opened[name]:
            draw()
methods = list(ALL_METHOD_NAMES)
if not resources.ready(recommender, methods, params, maps=False):
    with opened[chosen if chosen in tabs.HEADINGS else "Sign"]:
        heading = st.empty()  # the tab's heading while its vectors are prepared; the tab draws its own after
        heading.subheader(tabs.HEADINGS.get(chosen, tabs.HEADINGS["Sign"]))
        resources.ensure_ready(recommender, methods, params, maps=False)
        heading.empty()

with opened["Sign"]:
    sweep, swept_user = tabs.tab_sign(space, scenario, key, params)
with opened["Shift"]:
    tabs.tab_shift(recommender, key, params)
with opened["Dislikes"]:
    tabs.tab_dislikes(recommender, key, params)
with opened["Magnitude"]:
    tabs.tab_magnitude(sweep, swept_user)
with opened["Truncation"]:
    tabs.tab_truncation(space, scenario, key)
with opened["Synonyms"]:
    tabs.tab_synonyms(space, scenario, key, params)
with opened["PCA variance"]:
    tabs.tab_variance(space, scenario, params)
with opened["Raw injection"]:
    tabs.tab_injection(recommender, key, params)
with opened["Tanh"]:
    tabs.tab_tanh(space, scenario, key)
