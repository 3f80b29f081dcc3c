"""The Explorer in a real browser against a real server."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

from core.scenarios.link import pack
from core.scenarios.model import scenario_from_dict
from core.wording import fixed
from scripts.harness import wait_idle
from tests.e2e.helpers import LIVE, LOAD, TABLE, open_page, slider, table_text, wait_for_set
from tests.samples import PROTOTYPE_NAMES, prototype_scenario


def test_a_share_link_opens_the_view_it_describes(page, server_url):
    open_page(page, f"{server_url}/?preset=wine-synonyms&user=teetotal&set=coffee:-0.5&methods=naive,exact&k=3")
    assert page.get_by_role("combobox", name="Scenario").input_value().startswith("Near-synonyms stack")
    assert page.get_by_role("combobox", name="User").input_value() == "Teetotaller who loves coffee"
    assert slider(page, "coffee").locator('input[type="range"]').input_value() == "-0.5"
    headers = page.locator(f"{TABLE} thead tr:first-child th").all_inner_texts()
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


def prototype_link() -> str:
    """A scenario, carried in the link, whose features are named like the keys of JavaScript's Object.prototype."""
    return pack(scenario_from_dict(prototype_scenario(), source="probe"))


def test_features_named_like_object_prototype_keys_flip_and_reset(page, server_url):
    """A feature called __proto__ or constructor is a name like any other: flipping it, then another, then
    resetting it, shows numbers (never NaN) and never replaces the panel with an error."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_page(page, f"{server_url}/explorer?data={prototype_link()}")
    values = {
        "plain": 0.1,
        "__proto__": 0.2,
        "constructor": 0.3,
        "toString": 0.4,
        "hasOwnProperty": 0.5,
        "valueOf": 0.6,
    }
    for name in ["__proto__", "plain", *PROTOTYPE_NAMES[1:]]:
        slider(page, name).get_by_role("button", name=f"Flip the sign of {name}").click()
        values[name] = -values[name]
        expected = json.dumps(sorted(f"{n}:{v:g}" for n, v in values.items() if v < 0), separators=(",", ":"))
        sets = "JSON.stringify(new URLSearchParams(location.search).getAll('set').sort())"
        page.wait_for_function(f"() => {sets} === '{expected}'", timeout=60_000)
        wait_idle(page, timeout=LOAD)
        shown = {n: slider(page, n).locator(".sae-slider-value").inner_text() for n in values}
        assert shown == {n: fixed(v) for n, v in values.items()}, shown
    slider(page, "__proto__").get_by_role("button", name="Reset __proto__").click()
    page.wait_for_function(
        "() => !new URLSearchParams(location.search).getAll('set').some(s => s.startsWith('__proto__:'))"
    )
    wait_idle(page, timeout=LOAD)
    assert slider(page, "__proto__").locator('input[type="range"]').input_value() == "0.2"
    assert "Error" not in page.locator(LIVE).inner_text() and not errors, errors
    assert page.locator(f"{TABLE} tbody td").count() > 0
