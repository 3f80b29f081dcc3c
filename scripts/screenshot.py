"""Screenshots of app pages in headless Chromium.

``python scripts/screenshot.py --all [--out screenshots]``: every page at 390x844 (a phone), 800x900, 1280x800
and 1920x1080, and a 1024x768 projector zoomed to 150 % (683x512 CSS px), full height (what ``make screenshots``
runs), and every view a page hides behind a tab or a choice: the
Explorer on the peanut preset, each Diagnostics tab, each Evaluation tab, each lab.
``python scripts/screenshot.py PATH?QUERY ... [--width W]``: chosen pages at one size.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.harness import chromium, streamlit_server, wait_idle  # noqa: E402
from ui.diagnostics import TABS as DIAGNOSTICS_TABS  # noqa: E402
from ui.navigation import PAGES  # noqa: E402

SIZES = ((390, 844), (800, 900), (1280, 800), (1920, 1080))
PROJECTOR = (683, 512, 1.5)  # a 1024 x 768 projector with the browser zoomed to 150 %: 683 x 512 CSS px
LOAD = 600_000  # a cold first load may embed, fit maps and run the evaluation
PROGRESS_GONE = '() => !document.querySelector(\'[data-testid="stMain"] [data-testid="stProgress"]\')'


MAX_HEIGHT = 12_000
PEANUT = (
    "explorer?preset=peanut-allergy&user=peanut-allergic&hardno=-0.9&methods=naive,prefix,weighted,exact,qdrant-best"
)
EVALUATION_TABS = ("Results", "Across models", "Vector database")
LABS = ("User from history", "Negative feedback", "Category centroids", "EASE", "Vector database")


def slug(text: str) -> str:
    return "-".join(text.lower().split())


def file_name(path: str) -> str:
    """A file name for a page's path and query: 'diagnostics?tab=PCA+variance' -> 'diagnostics-tab-pca-variance'.

    >>> file_name(""), file_name("diagnostics?scenario=wine-synonyms&tab=PCA+variance")
    ('explorer', 'diagnostics-scenario-wine-synonyms-tab-pca-variance')
    """
    page, _, query = path.partition("?")
    words = re.split(r"[^a-z0-9]+", f"{page or 'explorer'} {query}".lower())
    return "-".join(w for w in words if w)


def views() -> list[tuple[str, str, tuple[str, str] | None]]:
    """(file name, path, (role, name) of the tab or choice to click first) for every view of every page."""
    out = [(spec.url_path, spec.url_path, None) for spec in PAGES]
    out.append(("explorer-peanut", PEANUT, None))
    out += [(f"diagnostics-{slug(tab)}", "diagnostics", ("tab", tab)) for tab in DIAGNOSTICS_TABS]
    out += [(f"evaluation-{slug(tab)}", "evaluation", ("tab", tab)) for tab in EVALUATION_TABS]
    out += [(f"labs-{slug(lab)}", "labs", ("radio", lab)) for lab in LABS]
    return [view for view in out if view[0] not in ("diagnostics", "evaluation", "labs")]


def shoot(page, url: str, path: str, target: Path, *, full: bool, click: tuple[str, str] | None = None) -> None:
    page.goto(f"{url}/{path}")
    wait_idle(page, timeout=LOAD)
    if click:  # a tab or a lab: open it
        page.get_by_role(click[0], name=click[1], exact=True).click()
        page.wait_for_timeout(500)
        wait_idle(page, timeout=LOAD)
    page.wait_for_function(PROGRESS_GONE, timeout=LOAD)  # then wait for what it computes
    wait_idle(page, timeout=LOAD)
    page.wait_for_timeout(1500)  # let charts and canvases finish drawing
    size = page.viewport_size
    if full:  # Streamlit scrolls inside its main element, so grow the window to the content instead
        height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), MAX_HEIGHT)})
        page.wait_for_timeout(1000)
    page.screenshot(path=str(target))
    page.set_viewport_size(size)
    print(target, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "paths", nargs="*", default=[""], help="page paths with query, e.g. 'explorer?preset=sign-trap'"
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="every page at every size (390, 800, 1280, 1920 px wide, and 1024 x 768 at 150 %)",
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/screens"))
    parser.add_argument("--full", action="store_true", help="capture the full page height")
    parser.add_argument("--name", help="file name for a single path (default: from the path)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with streamlit_server(timeout=300) as url, chromium() as browser:
        if args.all:
            for width, height, scale in (*((w, h, 1) for w, h in SIZES), PROJECTOR):
                page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=scale)
                suffix = f"{width}" if scale == 1 else "projector-150"
                for name, path, click in views():
                    shoot(page, url, path, args.out / f"{name}-{suffix}.png", full=True, click=click)
                page.close()
            return 0
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        for path in args.paths:
            name = args.name or file_name(path)
            shoot(page, url, path, args.out / (name if name.endswith(".png") else f"{name}.png"), full=args.full)
    return 0


if __name__ == "__main__":
    sys.exit(main())
