"""The page list, in one place. ``app.py`` registers it; About links to it.

Why the pages live in ``pages/`` and still appear once: Streamlit 1.67 decides,
when a server's first session starts, whether a ``pages/`` folder next to the
main script means "register every file in it" (``PagesManager.uses_pages_directory``,
read in ``ScriptRunner`` before ``app.py`` runs). ``st.navigation`` turns that off,
but only once ``app.py`` has run; a fresh server whose first visitor opens
``/diagnostics`` would run ``pages/diagnostics.py`` directly under the old
automatic navigation (a sidebar listing "app", "about", ...). Every entry point
therefore calls :func:`explicit_navigation_only` first: on such a run it registers
the app's navigation (which switches the old mode off) and runs the page through
it, so ``app.py``'s list is the only one.
(``app.py`` itself needs no check: when the old mode runs it, its own
``st.navigation`` replaces the automatic list in the same run.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from core.runtime import configuration_problems
from ui.text import md_escape


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    url_path: str
    summary: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "pages/explorer.py",
        "Explorer",
        ":material/compare_arrows:",
        "explorer",
        "One user, six methods side by side: move the sliders and watch the rankings and maps diverge.",
    ),
    PageSpec(
        "pages/diagnostics.py",
        "Diagnostics",
        ":material/science:",
        "diagnostics",
        "Each claim of the article measured on a scenario: sign blindness, magnitude, truncation, synonyms, "
        "PCA variance, raw injection and tanh.",
    ),
    PageSpec(
        "pages/evaluation.py",
        "Evaluation",
        ":material/leaderboard:",
        "evaluation",
        "Every method on real MovieLens ratings: AUC with intervals, per-user scatter, and one user up close.",
    ),
    PageSpec(
        "pages/labs.py",
        "Labs",
        ":material/biotech:",
        "labs",
        "Neighbouring problems on MovieLens: user vectors from history, negative feedback, category "
        "centroids and EASE.",
    ),
    PageSpec(
        "pages/scenarios.py",
        "Scenarios",
        ":material/edit_note:",
        "scenarios",
        "Create, edit, upload and download scenarios (JSON or wide CSV), then open them in the Explorer.",
    ),
    PageSpec(
        "pages/about.py",
        "About",
        ":material/info:",
        "about",
        "What the app shows, the six methods and the preset scenarios.",
    ),
)


ICON = Path(__file__).resolve().parent / "icon.png"  # served by the app itself: nothing is fetched from a CDN
CSS = Path(__file__).resolve().parent / "app.css"
HOME = "pages/explorer.py"  # what "/" shows


def _home() -> None:
    """``/``: open the Explorer at its own path, keeping every query parameter (a share link may use either)."""
    st.switch_page(HOME, query_params={key: st.query_params.get_all(key) for key in st.query_params})


def navigation() -> st.navigation:
    """Configure the page and register :data:`PAGES`: what ``app.py`` does before running the chosen page.

    Every page has a path (``/explorer`` included); ``/`` is a hidden page that opens the Explorer.
    """
    st.set_page_config(page_title="Signed Affinity Explorer", page_icon=str(ICON), layout="wide")
    st.html(CSS)
    pages = [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path) for p in PAGES]
    chosen = st.navigation([*pages, st.Page(_home, title="Home", default=True, visibility="hidden")])
    configuration_gate()
    return chosen


def configuration_gate() -> None:
    """The app's door: a mistake in the environment variables is a clear error on every page (and the page does
    not run), never a traceback or Streamlit's exception box."""
    problems = configuration_problems()
    if not problems:
        return
    listed = "\n".join(f"- {md_escape(line)}" for line in problems)
    st.error(f"The app cannot run with this configuration:\n\n{listed}", icon=":material/error:")
    st.caption("Fix or unset these environment variables, then restart; `python -m core settings` checks them.")
    st.stop()


def explicit_navigation_only() -> None:
    """Called first by every page: if this run reached the page without ``app.py``, run the app instead.

    That happens only under Streamlit's automatic ``pages/`` mode (see the module
    docstring). The app's navigation is registered and runs this same page inside
    the same script run (so a click that started the run is not lost), then the
    outer run stops. When ``app.py`` did run, its ``st.navigation`` had already
    turned the automatic mode off, and this costs one attribute read.
    """
    if PagesManager.uses_pages_directory:
        navigation().run()
        st.stop()
