"""What every benchmark shares: bounded arguments, progress on stderr, and the JSON result file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def bounded_int(lo: int, hi: int) -> Callable[[str], int]:
    """An argparse type: a whole number in [lo, hi], so a typo cannot start a seven-hour run."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number in [{lo}, {hi}], got {text[:40]!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be in [{lo}, {hi}], got {value}")
        return value

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
