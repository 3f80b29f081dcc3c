"""What every benchmark shares: bounded arguments, progress on stderr, and the JSON result file."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core import runtime
from core.cli import bounded_int  # noqa: F401 - re-exported for the benches

runtime.start()

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def int_list(lo: int, hi: int) -> Callable[[str], list[int]]:
    """An argparse type: comma-separated whole numbers, each in [lo, hi] (``1,10,30``)."""
    one = bounded_int(lo, hi)

    def parse(text: str) -> list[int]:
        return [one(part) for part in text.split(",")]

    return parse


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds, rounded to microseconds."""
    values = np.array(seconds) * 1000.0
    return round(float(np.percentile(values, 50)), 3), round(float(np.percentile(values, 95)), 3)


def write_result(name: str, result: dict) -> None:
    """Write ``bench/results/<name>.json`` and print it."""
    text = json.dumps(result, indent=2)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(text + "\n")
    print(text)
