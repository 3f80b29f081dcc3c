"""Layout at 800, 1280 and 1920 px: numbers and arrows never wrap, headers never break inside a word, every
method column and every tab stays in view, stats never run into each other, chart titles are never cut, never
reach the plot and never wrap at 1920 px (test_charts_e2e.py walks every chart at 390 px too), reference lines
are named in the legend rather than on the plot, the Evaluation tables fit an 800-px screen, and nothing sticks
out of the page."""

from __future__ import annotations

import pytest

from core.vectors.methods import ALL_METHOD_NAMES
from scripts.harness import wait_idle
from tests.e2e.helpers import LIVE, LOAD, open_page, slider, wait_for_set

SIZES = [(800, 900), (1280, 800), (1920, 1080)]
ALL_METHODS = ",".join(ALL_METHOD_NAMES)  # every method of the registry
PEANUT = (
    "explorer?preset=peanut-allergy&user=peanut-allergic&hardno=-0.9&methods=naive,prefix,weighted,exact,qdrant-best"
)
DIAGNOSTICS_TABS = [
    "Sign",
    "Shift",
    "Dislikes",
    "Magnitude",
    "Truncation",
    "Synonyms",
    "PCA variance",
    "Raw injection",
    "Tanh",
]
LABS = ["User from history", "Negative feedback", "Category centroids", "EASE", "Vector database"]

UNWRAPPED = """
() => [...document.querySelectorAll(
    '.sae-live .sae-score, .sae-live .sae-up, .sae-live .sae-down, .sae-live .sae-count, .sae-live .sae-stat'
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
# Every method's column header, relative to the main area: nothing hidden off to the right.
COLUMNS = """
() => {
  const main = document.querySelector('[data-testid="stMain"]').getBoundingClientRect();
  return [...document.querySelectorAll('.sae-live table.sae-rankings thead tr:first-child th')].map((th) => {
    const box = th.getBoundingClientRect();
    return {text: th.textContent, left: box.left - main.left, right: main.right - box.right, width: box.width};
  });
}
"""
# Two stats of a column on the same line with (next to) no space between them: "overlap 20%hard no 4".
GLUED = """
() => [...document.querySelectorAll('.sae-live .sae-stat-list')].flatMap((list) => {
  const boxes = [...list.children].map((e) => e.getBoundingClientRect());
  return boxes.slice(1).filter((b, i) => Math.abs(b.top - boxes[i].top) < 2 && b.left - boxes[i].right < 4)
    .map(() => list.textContent);
})
"""
# Each visible chart: its title cut at either side, the gap between the title (and subtitle) and the plot or its
# top tick label, how many lines the title takes, its axis titles, labels written on the plot, and a legend
# above the x axis's title.
CHARTS = """
() => [...document.querySelectorAll('.js-plotly-plot')].filter((p) => p.getBoundingClientRect().width > 0)
  .map((plot) => {
    const box = plot.getBoundingClientRect();
    const title = plot.querySelector('.gtitle');
    if (!title) return {missing: true};
    const texts = [title, plot.querySelector('.gtitle-subtitle')].filter(Boolean).map((e) => e.getBoundingClientRect());
    const drag = plot.querySelector('.nsewdrag');
    const ticks = [...plot.querySelectorAll('.ytick text, .xtick text, .y2tick text')]
      .map((e) => e.getBoundingClientRect()).filter((b) => b.width > 0);
    const top = Math.min(...(drag ? [drag.getBoundingClientRect().top] : []), ...ticks.map((b) => b.top));
    const xtitle = plot.querySelector('.g-xtitle text');
    const legend = plot.querySelector('.legend');
    return {
      text: title.textContent,
      left: Math.min(...texts.map((t) => t.left)) - box.left,
      right: box.right - Math.max(...texts.map((t) => t.right)),
      gap: top - Math.max(...texts.map((t) => t.bottom)),
      lines: Math.max(1, title.querySelectorAll('tspan.line').length),
      sublines: Math.max(1, ...[...plot.querySelectorAll('.gtitle-subtitle')]
        .map((e) => e.querySelectorAll('tspan.line').length)),
      axes: [xtitle, plot.querySelector('.g-ytitle text')].map((e) => (e ? e.textContent : '')),
      onPlot: [...plot.querySelectorAll('.annotation-text')].map((e) => e.textContent),
      legendBelow: !legend || !xtitle ? true
        : legend.getBoundingClientRect().top >= xtitle.getBoundingClientRect().bottom - 1,
    };
  })
"""
WIDER_THAN_PAGE = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return [...main.querySelectorAll('.sae-maps, .sae-heat, .sae-bars, .sae-table-box, .js-plotly-plot')]
    .filter((e) => e.getBoundingClientRect().right > main.getBoundingClientRect().right + 1).length;
}
"""
TABS = """
() => [...document.querySelectorAll('[data-testid="stTabs"] [role="tablist"]')].map((list) => {
  const box = list.getBoundingClientRect();
  return {
    scrolls: list.scrollWidth - list.clientWidth,
    hidden: [...list.querySelectorAll('[role="tab"]')].filter((tab) => {
      const t = tab.getBoundingClientRect();
      return t.right > box.right + 1 || t.left < box.left - 1 || tab.scrollWidth > tab.clientWidth + 1;
    }).map((tab) => tab.textContent),
  };
})
"""
# st.dataframe draws in a canvas: its scroller is wider than its frame when columns are out of view.
TABLE_OVERFLOW = """
() => [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
  .map((s) => ({wide: s.scrollWidth - s.clientWidth, tall: s.scrollHeight - s.clientHeight}))
"""


def sized_page(browser, url: str, size: tuple[int, int]):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.goto(url)
    wait_idle(page, timeout=LOAD)
    return context, page


def assert_panel_fits(page) -> None:
    cells = page.evaluate(UNWRAPPED)
    wrapped = [c for c in cells if c["boxes"] != 1 or c["height"] > 1.6 * c["line"]]
    assert not wrapped, wrapped
    broken = [h for h in page.evaluate(HEADERS) if h["overflow"] > 1]
    assert not broken, broken
    assert not page.evaluate(GLUED)
    assert page.evaluate(WIDER_THAN_PAGE) == 0


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
    assert len(page.evaluate(UNWRAPPED)) > 30
    assert_panel_fits(page)
    context.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}px")
@pytest.mark.parametrize("path", [f"explorer?methods={ALL_METHODS}", PEANUT], ids=["every-method", "peanut"])
def test_every_method_column_is_in_view(browser, server_url, size, path):
    """On a narrow screen the method columns wrap into rows: none hides off to the right."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    open_page(page, f"{server_url}/{path}")
    columns = page.evaluate(COLUMNS)
    assert len(columns) == (len(ALL_METHOD_NAMES) if ALL_METHODS in path else 5)
    hidden = [c for c in columns if c["left"] < -1 or c["right"] < -1 or c["width"] < 100]
    assert not hidden, hidden
    assert_panel_fits(page)
    context.close()


PROGRESS_GONE = '() => !document.querySelector(\'[data-testid="stMain"] [data-testid="stProgress"]\')'


def open_each(page, kind: str, names: list[str]):
    """Open each tab (or lab) in turn and yield its name once it has drawn (a lab computes on first use)."""
    for name in names:
        page.get_by_role(kind, name=name, exact=True).click()
        page.wait_for_timeout(500)
        wait_idle(page, timeout=LOAD)
        page.wait_for_function(PROGRESS_GONE, timeout=LOAD)
        wait_idle(page, timeout=LOAD)
        page.wait_for_timeout(800)
        yield name


def assert_charts_read_well(page, size, where: str) -> None:
    charts = page.evaluate(CHARTS)
    assert charts and not [c for c in charts if c.get("missing")], where
    cut = [c for c in charts if c["left"] < -1 or c["right"] < -1]
    assert not cut, (where, cut)
    crowded = [c for c in charts if c["gap"] < 2]
    assert not crowded, (where, crowded)
    no_axes = [c for c in charts if not all(c["axes"])]
    assert not no_axes, (where, no_axes)
    labelled = [c for c in charts if c["onPlot"]]
    assert not labelled, (where, labelled)  # reference lines are named in the legend
    assert all(c["legendBelow"] for c in charts), where
    if size[0] >= 1920:  # titles are short; a subtitle is wrapped to fit a 390-px phone, so it may wrap here
        wrapped = [c for c in charts if c["lines"] > 1]
        assert not wrapped, (where, wrapped)
    assert page.evaluate(WIDER_THAN_PAGE) == 0, where


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}px")
@pytest.mark.parametrize("path", ["evaluation", "diagnostics?scenario=wine-synonyms", "labs", "about"])
def test_chart_titles_are_never_cut_or_crowded(browser, server_url, size, path):
    context, page = sized_page(browser, f"{server_url}/{path}", size)
    page.wait_for_selector(".js-plotly-plot .gtitle", timeout=LOAD)
    page.wait_for_timeout(500)
    if path.startswith("diagnostics"):
        for tab in open_each(page, "tab", DIAGNOSTICS_TABS):
            if tab != "Raw injection":  # a table, no chart
                assert_charts_read_well(page, size, tab)
    elif path == "labs":
        for lab in open_each(page, "radio", LABS):
            assert_charts_read_well(page, size, lab)
    else:
        assert_charts_read_well(page, size, path)
    context.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}px")
def test_every_tab_is_in_sight(browser, server_url, size):
    """Ten Diagnostics tabs: they wrap onto a second line rather than hide behind a scroll arrow."""
    context, page = sized_page(browser, f"{server_url}/diagnostics", size)
    page.wait_for_function(f"() => ({TABS})().every((t) => t.scrolls <= 1)", timeout=10_000)  # the page's CSS
    tabs = page.evaluate(TABS)
    assert tabs and all(t["scrolls"] <= 1 and not t["hidden"] for t in tabs), tabs
    page.get_by_role("tab", name="Tanh", exact=True).click()  # the last tab of the first line at 800 px
    wait_idle(page, timeout=LOAD)
    assert page.get_by_role("tab", name="Tanh", exact=True).inner_text() == "Tanh"
    context.close()


def test_the_evaluation_tables_fit_an_800_px_screen(browser, server_url):
    """The results and the comparison with naive show every column and every row without scrolling."""
    context, page = sized_page(browser, f"{server_url}/evaluation", (800, 900))
    page.wait_for_selector('[data-testid="stDataFrame"] .dvn-scroller', timeout=LOAD)
    page.wait_for_timeout(500)
    results, against = page.evaluate(TABLE_OVERFLOW)[:2]
    assert results == {"wide": 0, "tall": 0} and against == {"wide": 0, "tall": 0}, (results, against)
    context.close()
