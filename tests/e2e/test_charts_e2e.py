"""Every chart of every page, in a real browser at 390, 800 and 1280 px: no chart misstates a number or cuts a word.

For each drawn Plotly chart, from the figure Plotly actually laid out (its full data and full layout):

- every value it draws (a bar's end, a point, a whisker, an error bar's end, a reference line) lies inside its
  axis's range, and every heat-map value inside its colour scale's range: nothing is cut silently;
- its title, subtitle and legend lie inside the chart's box, and its toolbar (Plotly's mode bar) never covers the
  title or the subtitle;
- no two value labels written on it (a bar's value, a heat-map cell's) overlap ("1.001.001.00");
- at 1280 px, every tick label is at least 14 px.
"""

from __future__ import annotations

import pytest

from scripts.harness import wait_idle
from tests.e2e.helpers import LOAD
from ui.diagnostics import HEADINGS

SIZES = [(390, 844), (800, 900), (1280, 800)]
VIEWS = [
    *(f"diagnostics?scenario=wine-synonyms&tab={tab.replace(' ', '+')}" for tab in HEADINGS if tab != "Raw injection"),
    "diagnostics?tab=Sign",  # sign-trap: its users' long names fill the legend
    "diagnostics?tab=Across+models",
    "evaluation",
    "evaluation?tab=Vector+database",
    *(f"labs?lab={lab}" for lab in ("User+from+history", "Negative+feedback", "Category+centroids", "EASE")),
    "about",
]
PROGRESS_GONE = '() => !document.querySelector(\'[data-testid="stMain"] [data-testid="stProgress"]\')'

# One record per drawn chart. Values are read from Plotly's own full data and layout (after autorange), boxes from
# the DOM. A category axis is skipped for values (its range is in category indices).
PROBE = """
() => {
  const inside = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1
    && a.bottom <= b.bottom + 1;
  const meets = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const boxOf = (e) => e.getBoundingClientRect();
  const seen = (b) => b.width > 0 && b.height > 0;
  return [...document.querySelectorAll('.js-plotly-plot')].filter((p) => boxOf(p).width > 0).map((plot) => {
    const box = boxOf(plot);
    const layout = plot._fullLayout;
    const title = (layout.title && layout.title.text) || '';
    const problems = [];
    const axisOf = (id) => layout[id.replace(/^x/, 'xaxis').replace(/^y/, 'yaxis')];
    const check = (axis, values, what) => {
      if (!axis || axis.type === 'category' || !axis.range) return;
      const [lo, hi] = [Math.min(...axis.range), Math.max(...axis.range)];
      const eps = (hi - lo) * 1e-6;
      for (const v of values) {
        if (typeof v === 'number' && Number.isFinite(v) && (v < lo - eps || v > hi + eps)) {
          problems.push(`${what} ${v} outside [${lo.toFixed(3)}, ${hi.toFixed(3)}]`);
        }
      }
    };
    const ends = (values, error) => {
      if (!error || !error.visible || !error.array) return values;
      const minus = error.symmetric === false ? error.arrayminus : error.array;
      return values.flatMap((v, i) => [v, v + (error.array[i] || 0), v - ((minus || [])[i] || 0)]);
    };
    for (const trace of plot._fullData) {
      if (trace.visible !== true) continue;
      const xa = axisOf(trace.xaxis || 'x'), ya = axisOf(trace.yaxis || 'y');
      if (trace.type === 'heatmap') {
        const z = (trace.z || []).flat();
        const [zmin, zmax] = [trace.zmin, trace.zmax];
        for (const v of z) {
          if (Number.isFinite(v) && (v < zmin - 1e-9 || v > zmax + 1e-9)) {
            problems.push(`z ${v} outside [${zmin}, ${zmax}]`);
          }
        }
        continue;
      }
      const horizontal = trace.orientation === 'h';
      const xs = Array.from(trace.x || []), ys = Array.from(trace.y || []);
      check(xa, ends(xs, trace.error_x), `${trace.name || trace.type} x`);
      check(ya, ends(ys, trace.error_y), `${trace.name || trace.type} y`);
      if (trace.type === 'bar') check(horizontal ? xa : ya, [0], 'bar base');
    }
    const onData = (ref) => ref && /^[xy][0-9]*$/.test(ref);
    for (const shape of layout.shapes || []) {
      if (onData(shape.xref)) check(axisOf(shape.xref), [shape.x0, shape.x1], 'line x');
      if (onData(shape.yref)) check(axisOf(shape.yref), [shape.y0, shape.y1], 'line y');
    }
    const texts = [...plot.querySelectorAll('.gtitle, .gtitle-subtitle')].map(boxOf).filter(seen);
    for (const t of texts) if (!inside(t, box)) problems.push('title cut');
    const legend = plot.querySelector('.legend');
    if (legend) {
      if (!inside(boxOf(legend), box)) problems.push('legend outside the chart');
      for (const item of legend.querySelectorAll('.legendtext')) {
        if (!inside(boxOf(item), box)) problems.push(`legend entry cut: ${item.textContent}`);
      }
    }
    const modebar = plot.querySelector('.modebar');
    if (modebar && seen(boxOf(modebar)) && texts.some((t) => meets(t, boxOf(modebar)))) {
      problems.push('toolbar on the title');
    }
    const labels = [...plot.querySelectorAll('.textpoint text, text.bartext')]
      .filter((e) => e.textContent.trim() && seen(boxOf(e))).map(boxOf);
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        if (meets(labels[i], labels[j])) problems.push('value labels overlap');
      }
    }
    const ticks = [...plot.querySelectorAll('.xtick text, .ytick text')].filter((e) => seen(boxOf(e)))
      .map((e) => parseFloat(getComputedStyle(e).fontSize));
    const name = title.replace(/<[^>]*>/g, ' ').trim();
    return {title: name, problems: [...new Set(problems)], smallest: Math.min(...ticks, 99)};
  });
}
"""


def open_view(page, url: str) -> None:
    page.goto(url)
    page.wait_for_timeout(500)
    wait_idle(page, timeout=LOAD)
    page.wait_for_function(PROGRESS_GONE, timeout=LOAD)
    wait_idle(page, timeout=LOAD)
    page.locator(".js-plotly-plot .gtitle").locator("visible=true").first.wait_for(timeout=LOAD)
    page.wait_for_timeout(800)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}px")
def test_every_chart_shows_every_value_and_every_word(browser, server_url, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    found, charts = [], 0
    for view in VIEWS:
        open_view(page, f"{server_url}/{view}")
        for chart in page.evaluate(PROBE):
            charts += 1
            if chart["problems"]:
                found.append((view, chart["title"], chart["problems"]))
            if size[0] >= 1280 and chart["smallest"] < 14:
                found.append((view, chart["title"], f"tick labels of {chart['smallest']} px"))
    context.close()
    assert not found, "\n".join(map(str, found))
    assert charts >= len(VIEWS), charts  # every view drew at least one chart
