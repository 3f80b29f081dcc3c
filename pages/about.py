"""Home: the point in one chart, the six methods, the presets and where to go next."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from core.scenarios.presets import SEED_USER_A, SEED_USER_B
from core.vectors.methods import METHODS, compare_profiles
from core.wording import counted
from ui import resources
from ui.navigation import PAGES, explicit_navigation_only
from ui.plots import finish, show
from ui.text import md_escape

explicit_navigation_only()

st.title("Signed Affinity Explorer")
st.markdown(
    "A user profile is a set of signed scores, like `anxiety: -0.9, adventure: +0.8`. "
    "A common shortcut writes the profile out as text and embeds the text. The sign almost vanishes: "
    "a user who **avoids** anxiety and a user who **seeks** it land on nearly the same vector, and get "
    "the same recommendations. This app shows where that happens and measures how much."
)


def _colour(cosine: float) -> str:
    """Red: the method sees two opposite users as near-twins. Green: it keeps them apart."""
    return "#c92a2a" if cosine >= 0.8 else "#e8590c" if cosine >= 0.3 else "#2b8a3e"


@st.cache_data(show_spinner=False)
def _ab_cosines(model: str) -> dict[str, float]:
    return compare_profiles(SEED_USER_A, SEED_USER_B, resources.embedder())


left, right = st.columns([3, 2], gap="large")
with left:
    with st.spinner("Embedding the two profiles..."):
        cosine = _ab_cosines(resources.embedder().name)
    labels = [METHODS[m].label for m in cosine]
    figure = go.Figure(
        go.Bar(
            x=list(cosine.values()),
            y=labels,
            orientation="h",
            marker_color=[_colour(v) for v in cosine.values()],
            text=[f"{v:+.2f}" for v in cosine.values()],
            textposition="auto",  # inside a long bar, outside a short one: never on the method's name
            cliponaxis=False,
            hovertemplate="%{y}: cosine %{x:.3f}<extra></extra>",
        )
    )
    subtitle = "cosine: 1 = identical, −1 = opposite"
    finish(figure, "How alike are User A and User B?", "cosine", "method", 340, False, columns=2, subtitle=subtitle)
    figure.update_xaxes(range=[-1.3, 1.3])
    figure.update_yaxes(autorange="reversed")
    show(figure)
    st.caption(
        "User A = {anxiety: -0.9, adventure: +0.8}, User B = {anxiety: +0.9, adventure: +0.7}. "
        "Red (cosine 0.8 or more): the method sees them as near-twins; orange: partly apart; green: apart. "
        "Computed live with the configured model. With only two features, whitening has one dimension "
        "left, so its -1 is exact but says little; the Diagnostics page shows it on whole scenarios."
    )
with right:
    st.subheader("The methods")
    for method in METHODS.values():
        st.markdown(f"**{method.label}** (`{method.name}`): {method.summary}")

st.subheader("Preset scenarios")
st.caption("Each preset is a small catalogue written to teach one thing. Pick one in the pages below.")
infos = resources.preset_infos()
columns = st.columns(3)
for i, info in enumerate(infos):
    with columns[i % 3].container(border=True):
        st.markdown(f"**{md_escape(info.title)}**  \n`{info.id}`")
        st.caption(
            f"{counted(info.users, 'user')} · {counted(info.products, 'product')} · {counted(info.features, 'feature')}"
        )
        st.markdown(md_escape(info.description))

others = [p for p in PAGES if p.path != "pages/about.py"]
if others:
    st.subheader("Pages")
    for spec in others:
        st.page_link(spec.path, label=spec.title, icon=spec.icon)
        st.caption(spec.summary)
