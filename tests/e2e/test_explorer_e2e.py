"""The Explorer in a real browser against a real server."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from tests.e2e.helpers import LIVE, TABLE, open_page, slider, table_text, wait_for_set


def test_a_share_link_opens_the_view_it_describes(page, server_url):
    open_page(page, f"{server_url}/?preset=wine-synonyms&user=teetotal&set=coffee:-0.5&methods=naive,exact&k=3")
    assert page.get_by_role("combobox", name="Scenario").input_value().startswith("Near-synonyms stack")
    assert page.get_by_role("combobox", name="User").input_value() == "Teetotaller who loves coffee"
    assert slider(page, "coffee").locator('input[type="range"]').input_value() == "-0.5"
    headers = page.locator(f"{TABLE} thead tr").first.locator("th").all_inner_texts()
    assert headers == ["Naive text", "Exact (reference)"]
    assert page.locator(f"{TABLE} tbody tr").count() == 3
    assert page.locator(f"{LIVE} .sae-map canvas").count() == 2
    assert not page.locator('[data-testid="stException"]').count()


def test_moving_a_slider_updates_the_rankings_and_the_link(page, server_url):
    open_page(page, f"{server_url}/?preset=sign-trap&user=user-a")
    before = table_text(page)
    anxiety = slider(page, "anxiety").locator('input[type="range"]')
    anxiety.focus()
    for _ in range(36):  # -0.90 -> +0.90 in steps of 0.05
        page.keyboard.press("ArrowRight")
    wait_for_set(page, "anxiety:0.9")
    page.wait_for_function(f"() => document.querySelector('{TABLE}').innerText !== {before!r}", timeout=60_000)
    after = table_text(page)
    assert anxiety.input_value() == "0.9"
    assert "Tandem skydive" in after or "Bungee jump from a bridge" in after
    assert parse_qs(urlparse(page.url).query)["set"] == ["anxiety:0.9"]
    assert re.search(r"[↑↓]\d", after), "rank changes since the last move are shown"
    # Slider moves rerun only the fragment, which sends the map background once; it must still be drawn.
    drawn = page.locator(f"{LIVE} .sae-map canvas").evaluate_all("cs => cs.map(c => c.dataset.background)")
    assert drawn == ["24"] * 6


def test_flip_reset_and_add_a_feature(page, server_url):
    open_page(page, f"{server_url}/?preset=sign-trap&user=user-a")
    anxiety = slider(page, "anxiety")
    anxiety.get_by_role("button", name="Flip the sign of anxiety").click()
    wait_for_set(page, "anxiety:0.9")
    assert anxiety.locator('input[type="range"]').input_value() == "0.9"
    assert "sae-changed" in anxiety.get_attribute("class")
    anxiety.get_by_role("button", name="Reset anxiety").click()
    wait_for_set(page, None)
    assert anxiety.locator('input[type="range"]').input_value() == "-0.9"

    page.get_by_role("combobox", name="Add a feature").fill("calm")
    page.get_by_role("combobox", name="Add a feature").dispatch_event("change")
    wait_for_set(page, "calm:0")
    page.wait_for_selector(f'{LIVE} .sae-slider[data-feature="calm"]', timeout=60_000)
    page.get_by_role("button", name="Reset all").click()
    wait_for_set(page, None)
    assert slider(page, "calm").count() == 0


def test_hovering_a_product_shows_its_profile(page, server_url):
    open_page(page, f"{server_url}/?preset=sign-trap&user=user-a")
    cell = page.locator(f"{TABLE} tbody td").first
    title = cell.get_attribute("title")
    assert re.fullmatch(r".+: .+ [+-]?\d+(\.\d+)?.*", title), title


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
