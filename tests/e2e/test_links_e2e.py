"""Every page's choices live in its URL: a Diagnostics tab, a lab, the Evaluation's features and tab.

Streamlit writes a widget bound to the URL with ``history.replaceState``: switching tabs changes the address
but adds no entry to the browser's history. So a link to a tab opens that tab, a reload keeps it, and the
browser's Back leaves the page (to whatever was open before it) rather than stepping back through its tabs.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from scripts.harness import wait_idle
from tests.e2e.helpers import LOAD
from ui.diagnostics import HEADINGS
from ui.labs import HEADINGS as LAB_HEADINGS

SELECTED_TAB = '[data-testid="stMain"] [role="tab"][aria-selected="true"]'


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def settle(page) -> None:
    page.wait_for_timeout(500)
    wait_idle(page, timeout=LOAD)


def heading(page, text: str):
    return page.locator('[data-testid="stMain"] h3').filter(has_text=text)


def test_a_diagnostics_tab_link_opens_that_tab_and_a_click_writes_it(page, server_url):
    page.goto(f"{server_url}/about")
    settle(page)
    page.goto(f"{server_url}/diagnostics?scenario=wine-synonyms&tab=Synonyms")
    settle(page)
    assert page.locator(SELECTED_TAB).inner_text() == "Synonyms"
    heading(page, HEADINGS["Synonyms"]).wait_for(timeout=LOAD)
    assert query(page) == {"scenario": ["wine-synonyms"], "tab": ["Synonyms"]}

    page.get_by_role("tab", name="PCA variance", exact=True).click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('tab') === 'PCA variance'")
    settle(page)
    heading(page, HEADINGS["PCA variance"]).wait_for(timeout=LOAD)
    page.reload()
    settle(page)
    assert page.locator(SELECTED_TAB).inner_text() == "PCA variance", "a reload keeps the tab"

    page.get_by_role("tab", name="Sign", exact=True).click()  # the first tab is the default: left out of the link
    page.wait_for_function("() => !new URLSearchParams(location.search).has('tab')")
    settle(page)
    page.go_back()  # the address was replaced, not pushed: Back leaves the page
    page.wait_for_url(f"{server_url}/about", timeout=30_000)


def test_an_unknown_tab_in_a_link_opens_the_first_tab(page, server_url):
    page.goto(f"{server_url}/diagnostics?tab=Nonsense")
    settle(page)
    assert page.locator(SELECTED_TAB).inner_text() == "Sign"
    assert "tab" not in query(page)


def test_a_lab_link_opens_that_lab(page, server_url):
    page.goto(f"{server_url}/labs?lab=EASE")
    settle(page)
    assert page.get_by_role("radio", name="EASE", exact=True).get_attribute("aria-checked") == "true"
    heading(page, LAB_HEADINGS["ease"]).wait_for(timeout=LOAD)
    page.get_by_role("radio", name="Category centroids", exact=True).click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('lab') === 'Category centroids'")


def test_the_evaluation_link_carries_its_features_and_tab_and_the_tab_heads_its_progress(page, server_url):
    page.goto(f"{server_url}/evaluation?features=genres%2Btags&tab=Vector+database")
    page.wait_for_selector(SELECTED_TAB, timeout=LOAD)
    assert page.locator(SELECTED_TAB).inner_text() == "Vector database"
    # The heading shows at once, before (and while) the lab computes: never a blank tab.
    heading(page, LAB_HEADINGS["qdrant"]).wait_for(timeout=30_000)
    settle(page)
    pressed = page.locator('[data-testid="stMain"] [data-testid="stButtonGroup"] [aria-checked="true"]')
    assert pressed.inner_text() == "genres+tags"
    assert query(page) == {"features": ["genres+tags"], "tab": ["Vector database"]}
