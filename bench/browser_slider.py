"""A slider move in a real browser: the Explorer against a trivial one-slider app, in one run.

For each app: start ``streamlit run`` on a free port, open it in headless Chromium,
focus a slider and press an arrow key. A move's time runs from the key press until
the page stops changing (no DOM mutation for QUIET_MS and the script idle).
The trivial app is measured twice: with our config (the floor) and with Streamlit's
default post-run garbage collection ("trivial-stock"), which our config turns off.
Writes ``bench/results/browser_slider.json``.

Usage: ``python bench/browser_slider.py [--moves 40] [--presets sign-trap,bench-10k]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bounded_int, log, write_result  # noqa: E402
from scripts.harness import IDLE, chromium, streamlit_server, wait_idle  # noqa: E402

QUIET_MS = 400
OBSERVER = """
() => {
  window.__last = performance.now();
  window.__key = 0;
  new MutationObserver(() => { window.__last = performance.now(); })
    .observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  document.addEventListener('keydown', () => { window.__key = performance.now(); }, true);
}
"""
SETTLED = f"""
() => window.__key > 0 && window.__last >= window.__key
      && performance.now() - window.__last > {QUIET_MS}
      && document.querySelector('{IDLE}') !== null
"""


def measure(browser, url: str, slider_selector: str, moves: int, *, load_timeout: float = 900_000) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    start = time.perf_counter()
    page.goto(url)
    wait_idle(page, timeout=load_timeout)
    page.wait_for_selector(slider_selector, timeout=load_timeout)
    load_s = time.perf_counter() - start
    page.wait_for_timeout(1500)
    page.evaluate(OBSERVER)
    thumb = page.locator(slider_selector).first
    # Start towards the middle: a key pressed at the end of a slider changes nothing.
    value, top = thumb.evaluate("e => [parseFloat(e.value), parseFloat(e.max)]")
    at_top = value >= top - 1e-9
    first, second = ("ArrowLeft", "ArrowRight") if at_top else ("ArrowRight", "ArrowLeft")
    samples = []
    for i in range(moves + 2):
        thumb.focus()
        page.evaluate("() => { window.__key = 0; }")
        page.keyboard.press(second if i % 2 else first)
        page.wait_for_function(SETTLED, timeout=120_000, polling=20)
        elapsed = page.evaluate("() => window.__last - window.__key")
        if i >= 2:  # two warm-up moves
            samples.append(elapsed)
    page.close()
    values = np.array(samples)
    return {
        "load_s": round(load_s, 2),
        "p50_ms": round(float(np.percentile(values, 50)), 1),
        "p95_ms": round(float(np.percentile(values, 95)), 1),
        "moves": len(samples),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=bounded_int(5, 500), default=40)
    parser.add_argument("--presets", default="sign-trap,bench-10k")
    args = parser.parse_args()
    # The floor app has one standard st.slider; the Explorer's feature sliders live in its live panel.
    trivial_slider = '[data-testid="stMain"] [data-testid="stSlider"] input[type="range"]'
    explorer_slider = '[data-testid="stMain"] .sae-slider input[type="range"]'
    result: dict = {"moves": args.moves, "quiet_ms": QUIET_MS, "apps": {}}
    with chromium() as browser:
        # The floor runs with our .streamlit/config.toml, like the app. "trivial-stock" turns Streamlit's
        # post-run garbage collection back on (its default), which our config turns off.
        for name, options in (("trivial", {}), ("trivial-stock", {"runner.postScriptGC": "true"})):
            with streamlit_server(ROOT / "bench" / "trivial_app.py", options=options) as url:
                result["apps"][name] = measure(browser, url, trivial_slider, args.moves)
                log(f"{name} {result['apps'][name]}")
        with streamlit_server(ROOT / "app.py") as url:
            for preset in args.presets.split(","):
                user = "user-a" if preset == "sign-trap" else ""
                query = f"?preset={preset}" + (f"&user={user}" if user else "")
                result["apps"][preset] = measure(browser, url + "/" + query, explorer_slider, args.moves)
                log(f"{preset} {result['apps'][preset]}")
    explorer = {name: stats for name, stats in result["apps"].items() if not name.startswith("trivial")}
    for floor_name in ("trivial", "trivial-stock"):
        floor = result["apps"][floor_name]["p95_ms"]
        key = "ratio_p95_to_trivial" if floor_name == "trivial" else "ratio_p95_to_trivial_stock"
        result[key] = {name: round(stats["p95_ms"] / floor, 2) for name, stats in explorer.items()}
    write_result("browser_slider", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
