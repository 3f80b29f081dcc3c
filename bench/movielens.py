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
sys.path.insert(0, str(ROOT))

from bench.common import log, write_result  # noqa: E402
from core.movielens.protocol import FEATURE_MODES  # noqa: E402


def run(cache: str, features: str, model: str | None = None) -> dict:
    """One ``eval movielens`` in a fresh process with the given embedding cache; its wall time and result."""
    env = {**os.environ, "SIGNED_EXPLORER_CACHE": cache, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "core", "eval", "movielens", "--features", features, "--json"]
        + (["--model", model] if model else []),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return {"seconds": round(time.perf_counter() - start, 1), "result": json.loads(out.stdout)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", choices=FEATURE_MODES, action="append")
    args = parser.parse_args()
    report = {}
    for features in args.features or list(FEATURE_MODES):
        with tempfile.TemporaryDirectory() as cache:
            log(f"{features}: cold...")
            cold = run(cache, features)
            log(f"{features}: warm...")
            warm = run(cache, features)
        report[features] = {"cold_s": cold["seconds"], "warm_s": warm["seconds"], **warm["result"]}
        log(f"{features}: cold {cold['seconds']} s, warm {warm['seconds']} s")
    write_result("movielens", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
