"""The first visitor of a fresh server: how long until sign-trap's Explorer is on screen and quiet.

Each run starts ``python -m ui.server`` (which prepares the hand-written presets in the background
from its first second) on an EMPTY embedding cache, so every preset text must be embedded again; only
UMAP's compiled code is kept, as on any server after its first start. A headless Chromium opens
``/?preset=sign-trap`` as soon as the server answers its health check, and the time runs from
process start, and from the first request, until the live panel's rankings are drawn and the page has
not changed for 400 ms (progress bars count as changes). The same with a warm cache is the floor.

Usage: ``python bench/first_visit.py [--runs 3]``. Writes ``bench/results/first_visit.json``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bounded_int, log, write_result  # noqa: E402
from core.embedding.cache import default_cache_dir  # noqa: E402
from scripts.harness import chromium, streamlit_server  # noqa: E402

QUIET_MS = 400
LINK = "/?preset=sign-trap&user=user-a"
RANKINGS = '[data-testid="stMain"] .sae-live table.sae-rankings tbody td'
QUIET = f"""
() => {{
  if (!window.__watch) {{
    window.__watch = true;
    window.__last = performance.now();
    new MutationObserver(() => {{ window.__last = performance.now(); }})
      .observe(document.body, {{subtree: true, childList: true, attributes: true, characterData: true}});
  }}
  const idle = document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]');
  return idle && document.querySelector('{RANKINGS}') && performance.now() - window.__last > {QUIET_MS};
}}
"""


def one_visit(cache: Path, browser) -> dict:
    started = time.perf_counter()
    with streamlit_server(env={"SIGNED_EXPLORER_CACHE": str(cache)}, timeout=300) as url:
        healthy = time.perf_counter()
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        try:
            page.goto(url + LINK)
            page.wait_for_function(QUIET, timeout=600_000, polling=100)
            quiet = time.perf_counter() - QUIET_MS / 1000
        finally:
            page.close()
    return {"from_start_s": round(quiet - started, 2), "from_first_request_s": round(quiet - healthy, 2)}


def empty_cache(folder: Path) -> Path:
    """An empty embedding cache that keeps UMAP's compiled code (every server has it after its first start)."""
    compiled = (default_cache_dir() or Path.home() / ".cache" / "signed-explorer") / "numba"
    if compiled.is_dir():
        shutil.copytree(compiled, folder / "numba", dirs_exist_ok=True)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=bounded_int(1, 10), default=3, help="cold visits, 1 to 10 (default 3)")
    args = parser.parse_args()
    cold, warm = [], []
    with chromium() as browser, tempfile.TemporaryDirectory(prefix="sae-first-") as base:
        for run in range(args.runs):
            cache = empty_cache(Path(base) / f"cold-{run}")
            cold.append(one_visit(cache, browser))
            log(f"cold visit {run + 1}: {cold[-1]}")
            warm.append(one_visit(cache, browser))  # the same cache, now full: a restarted server
            log(f"warm visit {run + 1}: {warm[-1]}")

    def summary(visits: list[dict]) -> dict:
        return {key: round(float(np.median([v[key] for v in visits])), 2) for key in visits[0]}

    write_result(
        "first_visit",
        {
            "link": LINK,
            "runs": args.runs,
            "cold": cold,
            "warm": warm,
            "cold_median": summary(cold),
            "warm_median": summary(warm),
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
