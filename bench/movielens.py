"""MovieLens evaluation time, cold (empty embedding cache) and warm, each in a fresh process.

Writes ``bench/results/movielens.json`` with the timings and the full results.
Usage: ``python bench/movielens.py [--features genres|genres+tags]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cache: str, features: str) -> dict:
    env = {**os.environ, "SIGNED_EXPLORER_CACHE": cache, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "core", "eval", "movielens", "--features", features, "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return {"seconds": round(time.perf_counter() - start, 1), "result": json.loads(out.stdout)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", choices=("genres", "genres+tags"), action="append")
    args = parser.parse_args()
    report = {}
    for features in args.features or ["genres", "genres+tags"]:
        with tempfile.TemporaryDirectory() as cache:
            print(f"{features}: cold...", file=sys.stderr, flush=True)
            cold = run(cache, features)
            print(f"{features}: warm...", file=sys.stderr, flush=True)
            warm = run(cache, features)
        report[features] = {"cold_s": cold["seconds"], "warm_s": warm["seconds"], **warm["result"]}
        print(f"{features}: cold {cold['seconds']} s, warm {warm['seconds']} s", file=sys.stderr, flush=True)
    text = json.dumps(report, indent=2)
    (ROOT / "bench" / "results" / "movielens.json").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
