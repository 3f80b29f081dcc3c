"""Screenshot app pages at 1280x800: ``python scripts/screenshot.py [path?query ...] [--out DIR]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.harness import chromium, streamlit_server, wait_idle  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "paths", nargs="*", default=[""], help="page paths with query, e.g. 'explorer?preset=sign-trap'"
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/screens"))
    parser.add_argument("--full", action="store_true", help="capture the full page height")
    parser.add_argument("--name", help="file name for a single path (default: from the path)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with streamlit_server() as url, chromium() as browser:
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        for path in args.paths:
            page.goto(f"{url}/{path}")
            wait_idle(page)
            page.wait_for_timeout(1500)  # let charts finish drawing
            name = args.name or (path.split("?")[0] or "explorer").replace("/", "_")
            target = args.out / (name if name.endswith(".png") else f"{name}.png")
            page.screenshot(path=str(target), full_page=args.full)
            print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
