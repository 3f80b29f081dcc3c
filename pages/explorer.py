"""Explorer: one user, every method side by side; move a score and watch where they disagree."""

from __future__ import annotations

import streamlit as st

from core.maps.store import MIN_MAP_PRODUCTS
from core.retrieval.marks import DISLIKED_NAME, HARD_NO, HARD_NO_NAME
from core.scenarios.model import Scenario
from ui import explorer as ex
from ui import live, resources
from ui.navigation import explicit_navigation_only
from ui.text import md_escape

explicit_navigation_only()

# On a projector (1280 x 800) the sliders and every method's top 5 fit on the first screen: less room above the
# title, a smaller title (this page only: the style goes with the page).
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:1.75rem} h1{font-size:2rem!important}</style>")
st.title("Explorer")
INTRO = (
    "Pick a scenario and a user, then move the sliders: every column re-ranks while the slider moves. Each column "
    f"ranks the products under one method. Two marks show what a user would not want: a red :red[■] "
    f"**{HARD_NO_NAME}** (the product carries a feature the user scores at {HARD_NO:g} or below, such as peanuts "
    "for an allergy; the filter's threshold can change it) and an orange :orange[▲] is "
    f"**{DISLIKED_NAME}** (its exact cosine with the user is below 0). A cosine only weighs preferences, so it "
    f"never forbids anything: even the exact reference can rank a product that {HARD_NO_NAME}; the sidebar's "
    "**Filter out hard nos** enforces one, as a vector database's payload filter would. "
    "Hover a product to see its profile; the link in the address bar always reproduces what you see."
)


ex.sync_from_url()
ex.ensure_widget_defaults()
warnings = st.session_state.get(ex.K_WARNINGS, [])
if warnings:
    st.warning("\n".join(f"- {md_escape(w)}" for w in warnings), icon=":material/link_off:")

scenario: Scenario = ex.sidebar()
user_id: str = st.session_state[ex.K_USER]
methods: list[str] = list(st.session_state[ex.K_METHODS])
k: int = int(st.session_state[ex.K_K])
params = ex.params()
ex.lesson(scenario)
if not methods:
    st.info("Pick at least one method in the sidebar.", icon=":material/checklist:")
    st.stop()

recommender = resources.recommender(scenario, ex.model())
needed = list(dict.fromkeys([*methods, "exact"]))
resources.ensure_ready(recommender, needed, params, maps=len(scenario.products) >= MIN_MAP_PRODUCTS)


@st.fragment
def panel() -> None:
    live.mount(key=ex.panel_key(scenario, user_id), data=ex.panel_props(recommender, user_id))


st.session_state[ex.K_BACKGROUND_SENT] = None  # a full run redraws the panel: send the map background again
st.session_state[ex.K_CATALOGUE_SENT] = None  # ... and the product names
panel()
ex.offline_copy(recommender, user_id)
ex.how_to_read(scenario, INTRO)
