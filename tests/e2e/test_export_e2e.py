"""A chart downloads as a PNG for a slide: at twice its pixels, laid out at a slide's width, its legend whole.

The download is the real one: the chart's own toolbar button in the app, caught by the browser. The legend is
checked on the same figure rendered with the same options by plotly.js (the library the button calls) in a
blank page: every entry's text lies inside the image ("hates exertio" was cut off at the screen's width).
"""

from __future__ import annotations

from pathlib import Path

import plotly
from PIL import Image

from scripts.harness import wait_idle
from tests.e2e.helpers import LOAD

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
USERS = ["User A: adventurous, avoids anxiety", "User B: seeks anxiety and thrills", "Calm explorer"]

LEGEND_AT_EXPORT = """
async ([figure, options]) => {
  const g = document.getElementById('g');
  const layout = {...figure.layout, width: options.width, height: options.height};
  await Plotly.newPlot(g, figure.data, layout, {staticPlot: true});
  const image = g.querySelector('.main-svg').getBoundingClientRect();
  const entries = [...g.querySelectorAll('.legendtext')].map((e) => {
    const box = e.getBoundingClientRect();
    return {text: e.textContent, inside: box.left >= image.left && box.right <= image.right
      && box.top >= image.top && box.bottom <= image.bottom};
  });
  const title = g.querySelector('.gtitle').getBoundingClientRect();
  return {entries, title: title.right <= image.right && title.left >= image.left};
}
"""


def test_a_chart_downloads_as_a_png_at_twice_its_size_with_its_legend_whole(page, server_url, tmp_path):
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the PNG must not be a phone's width
    page.goto(f"{server_url}/diagnostics?tab=Sign")
    wait_idle(page, timeout=LOAD)
    plot = page.locator(".js-plotly-plot").filter(has_text="for every user").locator("visible=true").first
    plot.wait_for(timeout=LOAD)
    options = plot.evaluate("(p) => p._context.toImageButtonOptions")
    assert options["format"] == "png" and 2 <= options["scale"] <= 3 and options["width"] >= 800, options

    plot.hover()
    with page.expect_download(timeout=60_000) as caught:
        plot.locator('.modebar-btn[data-title^="Download plot" i]').click()
    download = caught.value
    assert download.suggested_filename == f"{options['filename']}.png" and "every-user" in options["filename"]
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with Image.open(saved) as png:
        assert png.format == "PNG"
        assert png.size == (options["width"] * options["scale"], options["height"] * options["scale"]), png.size

    figure = plot.evaluate("(p) => ({data: p.data, layout: p.layout})")
    blank = page.context.new_page()
    blank.set_content('<div id="g"></div>')
    blank.add_script_tag(path=str(PLOTLY_JS))
    rendered = blank.evaluate(LEGEND_AT_EXPORT, [figure, options])
    texts = [e["text"] for e in rendered["entries"]]
    assert all(user in texts for user in USERS), texts  # whole names, as the scenario spells them
    assert "Horror fan who hates exertion" in texts
    assert all(e["inside"] for e in rendered["entries"]), rendered
    assert rendered["title"], "the title lies inside the image"
    blank.close()
