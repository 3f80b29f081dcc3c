"""The Explorer's view is a place to return to: after another page, by the sidebar or by the browser's Back."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from scripts.harness import wait_idle
from tests.e2e.helpers import LIVE, LOAD, TABLE, open_page

VIEW = "/explorer?preset=peanut-allergy&user=peanut-allergic&set=chocolate:-0.5&methods=naive,exact&k=3&hardno=-0.9"


def shown(page) -> dict:
    query = parse_qs(urlparse(page.url).query)
    headers = page.locator(f"{TABLE} thead tr:first-child th").all_inner_texts()
    rows = page.locator(f"{TABLE} tbody tr").count()
    value = page.locator(f'{LIVE} .sae-slider[data-feature="chocolate"] input[type="range"]').input_value()
    return {"query": query, "headers": [h.split(" ")[0] for h in headers], "rows": rows, "chocolate": value}


def test_the_view_survives_a_trip_to_diagnostics_by_the_sidebar_and_by_back(page, server_url):
    open_page(page, server_url + VIEW)
    before = shown(page)
    assert before["query"]["set"] == ["chocolate:-0.5"] and before["rows"] == 3 and before["chocolate"] == "-0.5"
    page.get_by_role("link", name="Diagnostics").click()
    page.wait_for_url("**/diagnostics**", timeout=60_000)
    wait_idle(page, timeout=LOAD)
    page.get_by_role("link", name="Explorer").click()
    page.wait_for_url("**/explorer**", timeout=60_000)
    wait_idle(page, timeout=LOAD)
    page.wait_for_selector(f"{TABLE} tbody td", timeout=LOAD)
    wait_idle(page, timeout=LOAD)
    assert shown(page) == before, "back by the sidebar: the same view, the same link"
    page.get_by_role("link", name="Diagnostics").click()
    page.wait_for_url("**/diagnostics**", timeout=60_000)
    wait_idle(page, timeout=LOAD)
    page.go_back()
    page.wait_for_url("**/explorer**", timeout=60_000)
    wait_idle(page, timeout=LOAD)
    page.wait_for_selector(f"{TABLE} tbody td", timeout=LOAD)
    wait_idle(page, timeout=LOAD)
    assert shown(page) == before, "back by the browser: the same view"


def test_the_sidebar_adds_one_history_entry_and_a_choice_on_the_page_writes_its_link(page, server_url):
    """A page reached by the sidebar keeps its bare address (one history entry, so Back returns at once); the
    first choice made there writes the link."""
    open_page(page, server_url + VIEW)
    entries = page.evaluate("history.length")
    page.get_by_role("link", name="Diagnostics").click()
    page.wait_for_url("**/diagnostics**", timeout=60_000)
    wait_idle(page, timeout=LOAD)
    page.wait_for_timeout(1_000)  # a late write would show here
    assert page.evaluate("history.length") == entries + 1 and urlparse(page.url).query == ""
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="The sign trap: anxiety and adventure").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('scenario') === 'sign-trap'", timeout=60_000)
    wait_idle(page, timeout=LOAD)
