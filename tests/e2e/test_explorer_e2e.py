"""The Explorer in a real browser against a real server."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from scripts.harness import wait_idle

SLIDER = '[data-testid="stMain"] [data-testid="stSlider"]'
TABLE = '[data-testid="stMain"] [data-testid="stMarkdownContainer"] table'
LOAD = 240_000  # the first page of a session may compile UMAP and load the model


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_idle(page, timeout=LOAD)
    page.wait_for_selector(TABLE, timeout=LOAD)


def table_text(page) -> str:
    return page.locator(TABLE).inner_text()


def test_a_share_link_opens_the_view_it_describes(page, server_url):
    open_page(page, f"{server_url}/?preset=wine-synonyms&user=teetotal&set=coffee:-0.5&methods=naive,exact&k=3")
    assert page.get_by_role("combobox", name="Scenario").input_value().startswith("Near-synonyms stack")
    assert page.get_by_role("combobox", name="User").input_value() == "Teetotaller who loves coffee"
    coffee = page.locator(SLIDER, has_text="coffee").locator('input[type="range"]')
    assert coffee.get_attribute("aria-valuetext") == "-0.50"
    headers = page.locator(f"{TABLE} th").all_inner_texts()
    assert headers == ["Naive text", "Exact (reference)"]
    assert page.locator(f"{TABLE} tbody tr").count() == 1 + 3  # the stats row, then the top 3
    assert not page.locator('[data-testid="stException"]').count()


def test_moving_a_slider_updates_the_rankings_and_the_link(page, server_url):
    open_page(page, f"{server_url}/?preset=sign-trap&user=user-a")
    before = table_text(page)
    anxiety = page.locator(SLIDER, has_text="anxiety").locator('input[type="range"]')
    anxiety.focus()
    for _ in range(36):  # -0.90 -> +0.90 in steps of 0.05
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => new URLSearchParams(location.search).getAll('set').includes('anxiety:0.9')", timeout=60_000
    )
    wait_idle(page, timeout=LOAD)
    after = table_text(page)
    assert after != before
    assert anxiety.get_attribute("aria-valuetext") == "0.90"
    assert "Tandem skydive" in after or "Bungee jump from a bridge" in after
    query = parse_qs(urlparse(page.url).query)
    assert query["set"] == ["anxiety:0.9"]
    assert re.search(r"[↑↓]\d", after), "rank changes since the last move are shown"


def test_a_hostile_link_shows_warnings_not_errors(page, server_url):
    hostile = (
        "/?preset=%3Cscript%3Ealert(1)%3C/script%3E"
        "&user=%22%3E%3Cimg%20src=x%20onerror=alert(2)%3E"
        "&set=anxiety:NaN&set=wine:1e309&set=%3Cb%3Ex%3C/b%3E:0.5"
        "&k=-5&methods=naive,%3Csvg%20onload=alert(3)%3E&var=2&alpha=abc&align=maybe&junk=1"
    )
    open_page(page, server_url + hostile)
    page.wait_for_timeout(1000)
    assert not page.locator('[data-testid="stException"]').count()
    assert page.dialogs == [], "no script from the URL ran"
    warnings = page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()
    text = " ".join(warnings)
    assert "Unknown preset" in text and "k=" in text and "scores are numbers" in text
    assert page.locator('[data-testid="stMain"] img[src="x"]').count() == 0
    assert page.locator("svg[onload]").count() == 0
