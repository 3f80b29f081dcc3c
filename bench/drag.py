"""Live dragging in a real browser: how often the rankings redraw while a slider is dragged, and how late.

Headless Chromium against a real server. For each preset, the mouse presses a slider's left end and drags it
across its whole range over ``--seconds`` (default 2 s, a pointer move every 16 ms), then releases. In the page,
a MutationObserver on the rankings table timestamps every redraw, and every ``input`` event (a pointer move that
changed the slider's position) is timestamped too. Reported per preset:

- redraws while the button is held, and per second of the drag;
- the lag from each input event to the next redraw (p50, p95);
- the time from the press to the first live frame: *cold* (pressed at once, the sweep asked for on the press)
  and *prefetched* (the pointer rests on the slider first, which asks for it), and to the first frame in which
  every shown method is live (none marked "preparing");
- the bytes of one sweep as the browser receives it, and the server's CPU for one grab (the sweep) and for one
  release (the commit), from /proc.

The floor, measured in the same run and browser: a page with nothing but a range input and a number redrawn on
every ``input`` event. With 41 slider positions, a drag across the range in 2 s can produce at most 41 redraws
on any page, the floor included: compare the redraws per input event and the lag, not a redraw rate.
Writes ``bench/results/drag.json``. Usage: ``python bench/drag.py [--presets sign-trap,peanut-allergy,bench-10k]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.classroom import ServerStats, _pid_on  # noqa: E402
from bench.common import log, write_result  # noqa: E402
from scripts.harness import chromium, streamlit_server, wait_idle  # noqa: E402

PRESETS = {  # a link and the slider to drag
    "sign-trap": ("/?preset=sign-trap&user=user-a", "anxiety"),
    "peanut-allergy": ("/?preset=peanut-allergy&user=peanut-allergic", "peanuts"),
    "bench-10k": ("/?preset=bench-10k", None),  # the user's strongest slider
}
LIVE = '[data-testid="stMain"] .sae-live'
FLOOR = """<!doctype html><html><body><input id="s" type="range" min="-1" max="1" step="0.05" value="-1"
style="width:300px;margin:40px"><div id="n">-1.00</div><script>
const s = document.getElementById('s'), n = document.getElementById('n');
s.addEventListener('input', () => { n.textContent = Number(s.value).toFixed(2); });
</script></body></html>"""
PROBE = """(target) => {
  const m = window.__m = {inputs: [], redraws: [], painted: [], down: null, firstLive: null, allLive: null};
  const box = document.querySelector(target);
  new MutationObserver(() => {
    const t = performance.now(); m.redraws.push(t);
    requestAnimationFrame((frame) => m.painted.push(frame));
    if (m.down !== null && m.firstLive === null) m.firstLive = t;
    if (m.down !== null && m.allLive === null && !box.querySelector('.sae-preparing-mark')) m.allLive = t;
  }).observe(box, {childList: true, subtree: true, characterData: true});
  document.addEventListener('input', () => m.inputs.push(performance.now()), true);
  document.addEventListener('pointerdown', () => { m.down = performance.now(); }, true);
}"""


def drag(page, track: str, seconds: float, hover: float) -> dict:
    """Press one end of the slider, drag to the other over ``seconds``, release; the page's timestamps. The
    drag starts at the end away from the slider's value, so where it stops always differs from where it was."""
    box = page.locator(track).bounding_box()
    y = box["y"] + box["height"] / 2
    start, end = box["x"] + 1, box["x"] + box["width"] - 1
    if float(page.locator(track).input_value()) > 0:
        start, end = end, start
    page.mouse.move(start, y)
    if hover:
        page.wait_for_timeout(hover * 1000)
    page.mouse.down()
    steps = max(2, int(seconds / 0.016))
    started = time.perf_counter()
    for i in range(1, steps + 1):
        page.mouse.move(start + (end - start) * i / steps, y)
        pause = started + seconds * i / steps - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
    held = page.evaluate("() => ({...window.__m, end: performance.now()})")
    page.mouse.up()
    return held


def measures(m: dict, seconds: float) -> dict:
    inputs, redraws, painted = np.array(m["inputs"]), np.array(m["redraws"]), np.array(m["painted"])
    held = redraws[(redraws >= m["down"]) & (redraws <= m["end"])]
    lags = [float(redraws[redraws >= t][0] - t) for t in inputs if (redraws >= t).any()]
    frames = [float(painted[painted >= t][0] - t) for t in inputs if (painted >= t).any()]
    first = None if m["firstLive"] is None else round(m["firstLive"] - m["down"], 1)
    moved = inputs[inputs >= m["down"]]  # the press itself may not move the slider: the first position change
    every = None if m["allLive"] is None else round(m["allLive"] - m["down"], 1)
    return {
        "inputs": len(inputs),
        "redraws_held": int(len(held)),
        "redraws_per_second": round(len(held) / seconds, 1),
        "redraws_per_input": round(len(held) / max(len(inputs), 1), 2),
        "lag_p50_ms": round(float(np.percentile(lags, 50)), 2) if lags else None,
        "lag_p95_ms": round(float(np.percentile(lags, 95)), 2) if lags else None,
        "to_next_frame_p50_ms": round(float(np.percentile(frames, 50)), 2) if frames else None,
        "to_next_frame_p95_ms": round(float(np.percentile(frames, 95)), 2) if frames else None,
        "press_to_first_input_ms": round(float(moved[0] - m["down"]), 1) if len(moved) else None,
        "press_to_first_frame_ms": first,
        "press_to_every_method_live_ms": every,
    }


def floor(browser, seconds: float) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_content(FLOOR)
    page.evaluate(PROBE, "#n")
    result = measures(drag(page, "#s", seconds, 0), seconds)
    page.close()
    return result


def preset_run(browser, url: str, stats: ServerStats, name: str, seconds: float) -> dict:
    link, feature = PRESETS[name]
    out = {}
    for mode, hover in (("cold", 0.0), ("prefetched", 1.5)):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url + link)
        wait_idle(page, 600_000)
        page.wait_for_selector(f"{LIVE} table.sae-rankings tbody td", timeout=600_000)
        chosen = feature or page.locator(f"{LIVE} .sae-slider").first.get_attribute("data-feature")
        track = f'{LIVE} .sae-slider[data-feature="{chosen}"] input[type="range"]'
        page.evaluate(PROBE, f"{LIVE} .sae-table-box")
        cpu = stats.cpu_seconds()
        result = measures(drag(page, track, seconds, hover), seconds)
        page.wait_for_function(
            f"() => new URLSearchParams(location.search).getAll('set').some(s => s.startsWith('{chosen}:'))",
            timeout=120_000,
        )
        wait_idle(page, 120_000)
        result["server_cpu_ms_grab_and_release"] = round(1000 * (stats.cpu_seconds() - cpu), 1)
        result["feature"] = chosen
        out[mode] = result
        page.close()
    out["sweep_bytes"] = sweep_bytes(name, out["cold"]["feature"])
    return out


def sweep_bytes(name: str, feature: str) -> int:
    """One sweep's size as it travels (the props the browser receives), computed here with the same code."""
    from core.embedding.cache import get_embedder
    from core.explorer.state import ViewState
    from core.explorer.sweep import build_sweep
    from core.retrieval.recommender import Recommender
    from core.scenarios.presets import load_preset
    from ui.live.props import sweep_props

    scenario = load_preset(name)
    recommender = Recommender(scenario, get_embedder())
    user = scenario.users[0]
    sweep = build_sweep(recommender=recommender, view=ViewState(), profile=dict(user.profile), feature=feature)
    return len(json.dumps(sweep_props(sweep, True), separators=(",", ":")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="sign-trap,peanut-allergy,bench-10k")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of the drag (0.5 to 10)")
    args = parser.parse_args()
    names = [n for n in args.presets.split(",") if n]
    unknown = [n for n in names if n not in PRESETS]
    if unknown or not 0.5 <= args.seconds <= 10:
        parser.error(f"--presets from {', '.join(PRESETS)}; --seconds from 0.5 to 10")
    with streamlit_server(timeout=300) as url, chromium() as browser:
        stats = ServerStats([_pid_on(url)])
        result = {"seconds": args.seconds, "floor": floor(browser, args.seconds), "presets": {}}
        log(f"floor: {result['floor']}")
        for name in names:
            result["presets"][name] = preset_run(browser, url, stats, name, args.seconds)
            log(f"{name}: {result['presets'][name]}")
    write_result("drag", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
