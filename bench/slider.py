"""Slider-move latency on bench-10k: p50/p95 per method and for all six, against the floor.

Usage: ``python bench/slider.py [--products N] [--features F] [--moves M]``.
Writes ``bench/results/slider.json`` and prints it. See README, "Speed".
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.benchmark import bench_slider  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--features", type=int, default=200)
    parser.add_argument("--moves", type=int, default=60)
    parser.add_argument("--seed", type=int, default=None, help="random walk seed (default: fresh each run)")
    args = parser.parse_args()
    result = bench_slider(
        n_products=args.products,
        n_features=args.features,
        moves=args.moves,
        seed=args.seed,
        log=lambda m: print(m, file=sys.stderr, flush=True),
    )
    text = json.dumps(result, indent=2)
    (ROOT / "bench" / "results" / "slider.json").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
