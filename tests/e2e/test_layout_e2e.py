"""Layout at 800, 1280 and 1920 px: numbers and arrows never wrap, headers never break inside a word,
chart titles are never cut, and nothing sticks out of the page."""

from __future__ import annotations

import pytest

from scripts.harness import wait_idle
from tests.e2e.helpers import LIVE, LOAD, open_page, slider, wait_for_set

SIZES = [(800, 900), (1280, 800), (1920, 1080)]

UNWRAPPED = """
() => [...document.querySelectorAll(
    '.sae-live .sae-score, .sae-live .sae-up, .sae-live .sae-down, .sae-live .sae-count'
  )].map((e) => {
    const style = getComputedStyle(e);
    const line = parseFloat(style.lineHeight) || 1.4 * parseFloat(style.fontSize);
    return {text: e.textContent, boxes: e.getClientRects().length, height: e.getBoundingClientRect().height, line};
  })
"""
HEADERS = """
() => [...document.querySelectorAll('.sae-live table.sae-rankings th')]
  .map((e) => ({text: e.textContent, overflow: e.scrollWidth - e.clientWidth}))
"""
TITLES = """
() => [...document.querySelectorAll('.js-plotly-plot')].map((plot) => {
  const title = plot.querySelector('.gtitle');
  if (!title) return {missing: true};
  const box = plot.getBoundingClientRect();
  const text = title.getBoundingClientRect();
  return {text: title.textContent, left: text.left - box.left, right: box.right - text.right};
})
"""
WIDER_THAN_PAGE = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return [...main.querySelectorAll('.sae-maps, .sae-heat, .sae-bars, .js-plotly-plot')]
    .filter((e) => e.getBoundingClientRect().right > main.getBoundingClientRect().right + 1).length;
}
"""


def sized_page(browser, url: str, size: tuple[int, int]):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.goto(url)
    wait_idle(page, timeout=LOAD)
    return context, page


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}px")
def test_explorer_numbers_arrows_and_headers_fit(browser, server_url, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    open_page(page, f"{server_url}/explorer?preset=peanut-allergy&user=peanut-allergic")
    # One change that reorders every method (arrows show moves since the last change, so several small
    # key presses could end on one that moves nothing): flip chocolate from +0.9 to -0.9.
    slider(page, "chocolate").get_by_role("button", name="Flip the sign of chocolate").click()
    wait_for_set(page, "chocolate:-0.9")
    page.wait_for_selector(f"{LIVE} .sae-up, {LIVE} .sae-down", timeout=60_000)
    cells = page.evaluate(UNWRAPPED)
    assert len(cells) > 30
    wrapped = [c for c in cells if c["boxes"] != 1 or c["height"] > 1.6 * c["line"]]
    assert not wrapped, wrapped
    broken = [h for h in page.evaluate(HEADERS) if h["overflow"] > 1]
    assert not broken, broken
    assert page.evaluate(WIDER_THAN_PAGE) == 0
    context.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}px")
@pytest.mark.parametrize("path", ["evaluation", "diagnostics?scenario=wine-synonyms", "labs"])
def test_chart_titles_are_never_cut(browser, server_url, size, path):
    context, page = sized_page(browser, f"{server_url}/{path}", size)
    page.wait_for_selector(".js-plotly-plot .gtitle", timeout=LOAD)
    page.wait_for_timeout(500)
    titles = [t for t in page.evaluate(TITLES) if not t.get("missing")]
    assert titles
    cut = [t for t in titles if t["left"] < -1 or t["right"] < -1]
    assert not cut, cut
    assert page.evaluate(WIDER_THAN_PAGE) == 0
    context.close()
