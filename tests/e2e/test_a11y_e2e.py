"""Every reader in the room: axe-core's WCAG 2.1 A/AA rules hold on every page and every tab (the Explorer at two
widths), the page reflows at 320 CSS px (a 1280 px screen at 400 % zoom) without scrolling sideways, and the
suite can catch a violation (a deliberately low-contrast caption fails)."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from PIL import Image

from scripts.axe import violations
from scripts.harness import IDLE, wait_idle
from tests.e2e.helpers import LIVE, LOAD, open_page
from ui.colours import METHOD_COLOURS, MIN_DELTA_E, closest_pairs, delta_e
from ui.diagnostics import TABS as DIAGNOSTICS
from ui.evaluation import TABS as EVALUATION
from ui.labs import LABS

WIDTHS = [(800, 900), (1280, 800)]


def settled(page) -> list[dict]:
    """axe's reading of a page at rest. While Streamlit reruns a script it fades the elements not yet redrawn
    ("stale"), which no reader sees for long and which axe would read as low contrast; a page that started a
    rerun during the reading (a build finishing, a link written) is read again once it is idle."""
    at_rest = f"""() => !!document.querySelector('{IDLE}')
        && !document.querySelector('[data-testid="stElementContainer"][data-stale="true"]')"""
    for _ in range(5):
        wait_idle(page, timeout=LOAD)
        page.wait_for_function(at_rest, timeout=LOAD)
        found = violations(page)
        if page.evaluate(at_rest):
            return found
    return found


def summary(found: list[dict]) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}" for v in found]


@pytest.mark.parametrize("size", WIDTHS, ids=lambda s: f"{s[0]}px")
@pytest.mark.parametrize(
    "link", ["/?preset=sign-trap&user=user-a", "/?preset=peanut-allergy&user=peanut-allergic&hardno=-0.9"]
)
def test_the_explorer_has_no_wcag_violation(browser, server_url, size, link):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    open_page(page, server_url + link)
    page.locator(f"{LIVE} .sae-map-details summary").click()  # the maps' table too
    found = settled(page)
    context.close()
    assert not found, summary(found)


EVERY_VIEW = [
    "/scenarios",
    "/about",
    *(f"/diagnostics?tab={quote(tab)}" for tab in DIAGNOSTICS),
    *(f"/evaluation?tab={quote(tab)}" for tab in EVALUATION),
    *(f"/labs?lab={quote(name)}" for name in LABS.values()),  # a lab by its name, as its link says
]


@pytest.mark.parametrize("size", WIDTHS, ids=lambda s: f"{s[0]}px")
@pytest.mark.parametrize("link", EVERY_VIEW)
def test_every_page_and_tab_has_no_wcag_violation(browser, server_url, link, size):
    """Each tab of a page is its own link (?tab=...), so axe reads the one that link opens."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(server_url + link)
    found = settled(page)
    page.close()
    assert not found, summary(found)


def test_the_explorer_reflows_at_320_css_pixels(browser, server_url):
    """WCAG 1.4.10: at 320 CSS px nothing but a wide table or chart may scroll sideways, and the page itself not."""
    context = browser.new_context(viewport={"width": 320, "height": 640}, device_scale_factor=4)
    page = context.new_page()
    open_page(page, server_url + "/?preset=sign-trap&user=user-a")
    widths = page.evaluate(
        f"""() => ({{page: document.scrollingElement.scrollWidth, view: document.documentElement.clientWidth,
                    main: document.querySelector('[data-testid="stMain"]').scrollWidth,
                    sliders: document.querySelector('{LIVE} .sae-sliders').getBoundingClientRect().right}})"""
    )
    context.close()
    assert widths["page"] <= widths["view"] and widths["main"] <= widths["view"], widths
    assert widths["sliders"] <= widths["view"], widths


def test_a_projector_at_150_percent_shows_the_rankings_without_overlap(browser, server_url):
    """1024 x 768 zoomed to 150 %: 683 x 512 CSS px at 1.5 device pixels each. No sideways scroll, and no two
    cells of a rankings table overlap (WCAG 1.4.10)."""
    context = browser.new_context(viewport={"width": 683, "height": 512}, device_scale_factor=1.5)
    page = context.new_page()
    open_page(page, server_url + "/?preset=sign-trap&user=user-a")
    found = page.evaluate(
        f"""() => {{ const view = document.documentElement.clientWidth;
          const cells = [...document.querySelectorAll('{LIVE} table.sae-rankings tr:first-child > *')]
            .map(c => c.getBoundingClientRect());
          const overlaps = cells.filter((a, i) => cells.some((b, j) => j !== i && a.top === b.top &&
            a.left < b.right - 0.5 && b.left < a.right - 0.5)).length;
          return {{page: document.scrollingElement.scrollWidth, view, overlaps, columns: cells.length,
                   right: Math.max(...cells.map(c => c.right))}}; }}"""
    )
    context.close()
    assert found["page"] <= found["view"] and found["right"] <= found["view"], found
    assert found["columns"] >= 2 and found["overlaps"] == 0, found


@pytest.mark.parametrize("vision", ["protanopia", "deuteranopia", "tritanopia"])
def test_method_colours_stay_apart_under_chromium_s_own_vision_emulation(browser, vision):
    """Chromium's DevTools emulation (Emulation.setEmulatedVisionDeficiency) renders the palette as a dichromat
    sees it; every pair of method colours, read back from the screenshot, stays MIN_DELTA_E apart (pure red, green
    and blue, rendered far from themselves, show the emulation is on)."""
    swatches = {**METHOD_COLOURS, "red": "#ff0000", "green": "#00ff00", "blue": "#0000ff"}
    page = browser.new_page(viewport={"width": 40 * len(swatches), "height": 40})
    cells = "".join(f'<div style="width:40px;height:40px;background:{c}"></div>' for c in swatches.values())
    page.set_content(f'<body style="margin:0;display:flex">{cells}</body>')
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setEmulatedVisionDeficiency", {"type": vision})
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    page.close()
    seen = {name: "#{:02x}{:02x}{:02x}".format(*image.getpixel((40 * i + 20, 20))) for i, name in enumerate(swatches)}
    changed = max(delta_e(colour, seen[name]) for name, colour in swatches.items())
    assert changed > 2 * MIN_DELTA_E, ("the emulation changed nothing", seen)  # it is on
    methods = {name: seen[name] for name in METHOD_COLOURS}
    smallest, a, b = closest_pairs(methods)["normal"]  # already as the dichromat sees them
    assert smallest >= MIN_DELTA_E, (vision, a, b, smallest)


def test_the_suite_catches_a_low_contrast_caption(browser, server_url):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    open_page(page, server_url + "/?preset=sign-trap&user=user-a")
    page.evaluate(
        "() => { const p = document.createElement('p'); p.textContent = 'A caption nobody can read';"
        " p.className = 'sae-note'; p.style.color = '#b0b0b0';"
        " document.querySelector('[data-testid=\"stMain\"] .sae-live .sae-controls').append(p); }"
    )
    ids = [v["id"] for v in violations(page)]
    page.close()
    assert "color-contrast" in ids


def test_a_phone_sees_the_lesson_the_sliders_and_two_rankings_on_its_first_screen(browser, server_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    open_page(page, server_url + "/?preset=sign-trap&user=user-a")
    wait_idle(page, timeout=LOAD)
    boxes = page.evaluate(
        f"""() => {{ const top = (s) => document.querySelector(s).getBoundingClientRect().top;
          return {{sliders: top('{LIVE} .sae-sliders'), row: top('{LIVE} table.sae-rankings tbody tr'),
                   columns: document.querySelectorAll('{LIVE} table.sae-rankings thead tr:first-child th').length,
                   small: [...document.querySelectorAll('{LIVE} button, {LIVE} input')].filter(e => e.offsetParent)
                     .map(e => e.getBoundingClientRect()).filter(b => b.width < 44 || b.height < 44).length}}; }}"""
    )
    assert boxes["sliders"] < boxes["row"] < 844 and boxes["columns"] == 2, boxes
    headers = page.locator(f"{LIVE} table.sae-rankings thead tr:first-child th").all_inner_texts()
    assert headers == ["Naive text", "Exact (reference)"]
    page.get_by_role("button", name="Weighted sum", exact=True).tap()  # the other methods are a tap away
    headers = page.locator(f"{LIVE} table.sae-rankings thead tr:first-child th").all_inner_texts()
    assert "Weighted sum" in headers
    assert boxes["small"] == 0, "every control is at least 44 x 44 CSS px"
    context.close()


def test_the_keyboard_reaches_every_control_of_the_panel_with_a_visible_ring(browser, server_url):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    open_page(page, server_url + "/?preset=sign-trap&user=user-a")
    page.locator(f"{LIVE} .sae-add").focus()
    seen, rings = [], []
    for _ in range(60):
        info = page.evaluate(
            f"""() => {{ const e = document.activeElement; if (!e || !e.closest('{LIVE}')) return null;
              const s = getComputedStyle(e);
              return {{label: e.getAttribute('aria-label') || e.textContent.trim().slice(0, 30),
                ring: parseFloat(s.outlineWidth) > 0 || s.boxShadow !== 'none'}}; }}"""
        )
        if info is None:
            break
        seen.append(info["label"])
        rings.append(info["ring"])
        page.keyboard.press("Tab")
    expected = ["Add a feature", "↺ Reset all", "Copy link", "anxiety", "Flip the sign of anxiety", "Reset anxiety"]
    assert all(label in seen for label in expected), seen
    assert any(label.startswith("1. ") for label in seen), "product names open their profiles from the keyboard"
    assert all(rings), [label for label, ring in zip(seen, rings, strict=True) if not ring]
    page.close()


def test_the_headline_is_announced_once_after_a_drag_not_on_every_frame(browser, server_url):
    from tests.e2e.test_drag_e2e import committed, drag_to

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    open_page(page, server_url + "/?preset=sign-trap&user=user-a")
    drag_to(page, "anxiety", 0.7)
    assert page.locator(f"{LIVE} .sae-summary").get_attribute("aria-live") == "off"
    page.mouse.up()
    committed(page, "anxiety")
    summary = page.locator(f"{LIVE} .sae-summary")
    assert summary.get_attribute("aria-live") == "polite" and summary.get_attribute("role") == "status"
    page.close()
