"""Live dragging in a real browser: every method re-ranks while the pointer moves, and what the browser shows at a
position held still is exactly what the server shows once the position is committed."""

from __future__ import annotations

import pytest

from scripts.harness import wait_idle
from tests.e2e.helpers import LIVE, LOAD, open_page, slider
from tests.e2e.test_explorer_e2e import prototype_link

PARTS = ", ".join(f"{LIVE} .sae-{part}" for part in ("table-box", "summary", "heat", "bars"))
SHOWN = f"() => [...document.querySelectorAll('{PARTS}')].map(e => e.innerText)"
COUNT_REDRAWS = f"""() => {{ window.__redraws = 0; new MutationObserver(() => {{ window.__redraws++; }})
  .observe(document.querySelector('{LIVE} .sae-table-box'), {{childList: true, subtree: true}}); }}"""


def committed(page, feature: str) -> None:
    page.wait_for_function(
        f"() => new URLSearchParams(location.search).getAll('set').some(s => s.startsWith('{feature}:'))",
        timeout=60_000,
    )
    wait_idle(page, timeout=LOAD)
    page.wait_for_timeout(500)


def drag_to(page, feature: str, fraction: float, steps: int = 24) -> str:
    """Press on the slider's left end, move to ``fraction`` of its width and stay there; returns the value."""
    track = slider(page, feature).locator('input[type="range"]')
    box = track.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 2, y)  # hovering asks for the sweep: wait until it is in hand
    page.wait_for_function(
        f"() => document.querySelector('{LIVE}').dataset.live.split('\\n').includes({feature!r})", timeout=60_000
    )
    page.mouse.down()
    for i in range(1, steps + 1):
        page.mouse.move(box["x"] + 2 + (box["width"] * fraction - 2) * i / steps, y)
        page.wait_for_timeout(30)
    page.wait_for_timeout(400)
    return track.input_value()


@pytest.mark.parametrize(
    ("link", "feature", "fraction"),
    [
        ("/?preset=sign-trap&user=user-a", "anxiety", 0.62),
        ("/?preset=peanut-allergy&user=peanut-allergic&hardno=-0.9", "peanuts", 0.3),  # crosses the filter
        ("/?preset=wine-synonyms&user=teetotal&methods=naive,split,prefix,exact,qdrant-best", "coffee", 0.8),
        (f"/explorer?data={prototype_link()}", "constructor", 0.9),  # a scenario from a link, names like __proto__
    ],
)
def test_the_view_held_still_during_a_drag_is_the_one_the_server_commits(page, server_url, link, feature, fraction):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_page(page, server_url + link)
    page.evaluate(COUNT_REDRAWS)
    value = drag_to(page, feature, fraction)
    held = page.evaluate(SHOWN)
    redraws = page.evaluate("window.__redraws")
    assert redraws > 0, "the rankings moved while the button was held"
    assert page.url.find(f"{feature}%3A{value}") < 0 and f"{feature}:{value}" not in page.url  # not committed yet
    page.mouse.up()
    committed(page, feature)
    after = page.evaluate(SHOWN)
    assert held == after, (value, held, after)
    assert not errors, errors


def test_arrow_keys_play_the_sweep_then_commit_after_a_pause(page, server_url):
    open_page(page, server_url + "/?preset=sign-trap&user=user-a")
    track = slider(page, "anxiety").locator('input[type="range"]')
    track.focus()  # focusing asks for the sweep
    page.wait_for_function(f"() => document.querySelector('{LIVE}').dataset.live.split('\\n').includes('anxiety')")
    before = page.evaluate(SHOWN)
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    # the rankings redraw in the input event, the charts in the next animation frame: let that frame come
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    live = page.evaluate(SHOWN)
    assert live != before, "the panel moved with the keys, before the server committed anything"
    committed(page, "anxiety")
    assert track.input_value() == "0.1" and page.evaluate(SHOWN) == live
    assert track.evaluate("e => e === document.activeElement"), "focus stays on the slider"


def test_at_1280_by_800_the_sliders_and_every_top_5_fit_on_the_first_screen(page, server_url):
    for link in ("/?preset=sign-trap&user=user-a", "/?preset=peanut-allergy&user=peanut-allergic"):
        open_page(page, server_url + link)
        bottom = page.evaluate(f"() => document.querySelector('{LIVE} .sae-table-box').getBoundingClientRect().bottom")
        sliders = page.evaluate(f"() => document.querySelector('{LIVE} .sae-sliders').getBoundingClientRect().top")
        assert 0 < sliders < bottom <= 800, (link, sliders, bottom)
