"""Fixtures the browser's tests read, written by Python from the rules the browser must follow.

``python -m tests.js.fixtures`` rewrites them; ``tests/js/test_node.py`` fails when a committed fixture differs
from what Python says now (a rule changed on one side only).
"""

from __future__ import annotations

import json
from pathlib import Path

from core.wording import NOT_DEFINED, fixed, percent, signed

HERE = Path(__file__).resolve().parent / "fixtures"
VALUES = [0, 0.5, -0.5, 0.125, -0.125, 0.004, -0.004, 0.005, -0.005, 0.1249999, 1, -1, 0.999, -0.9995, 12.345, 1e-9]


def format_cases() -> dict:
    """Each formatting rule of core.wording on values chosen at its edges (ties, signs, near zero)."""
    cases = []
    for value in [*VALUES, None]:
        for digits in (0, 1, 2, 3):
            cases.append({"fn": "fixed", "value": value, "digits": digits, "expected": fixed(value, digits)})
            cases.append({"fn": "signed", "value": value, "digits": digits, "expected": signed(value, digits)})
        cases.append({"fn": "percent", "value": value, "expected": percent(value)})
    return {"notDefined": NOT_DEFINED, "cases": cases}


FIXTURES = {"format.json": format_cases}


def render(name: str) -> str:
    return json.dumps(FIXTURES[name](), indent=1, ensure_ascii=False) + "\n"


def write() -> None:
    HERE.mkdir(exist_ok=True)
    for name in FIXTURES:
        (HERE / name).write_text(render(name), encoding="utf-8")


if __name__ == "__main__":
    write()
