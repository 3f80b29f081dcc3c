"""The preset scenarios: hand-written JSON files in ``presets/`` plus generated ones.

>>> "sign-trap" in preset_ids() and "bench-10k" in preset_ids()
True
>>> load_preset("nope")
Traceback (most recent call last):
...
ValueError: unknown preset 'nope'; choose one of: ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.scenario import Scenario, load_scenario_file
from core.synthetic import generate_scenario

PRESET_DIR = Path(__file__).resolve().parent.parent / "presets"

# Generated presets are built at load time (seeded), never stored.
GENERATED: dict[str, Callable[[], Scenario]] = {
    "bench-10k": lambda: generate_scenario(
        n_products=10_000, n_features=200, n_users=3, seed=10_000, scenario_id="bench-10k"
    ),
}


@dataclass(frozen=True)
class PresetInfo:
    id: str
    title: str
    description: str
    users: int
    products: int
    features: int
    generated: bool


def _file_ids() -> list[str]:
    return sorted(p.stem for p in PRESET_DIR.glob("*.json"))


def preset_ids() -> list[str]:
    """Hand-written presets first (alphabetical), then the generated ones."""
    return [*_file_ids(), *GENERATED]


def _unknown(preset_id: str) -> ValueError:
    # Keep the doctest above stable whatever presets exist: it matches "...".
    return ValueError(f"unknown preset {preset_id!r}; choose one of: {', '.join(preset_ids())}")


@cache
def load_preset(preset_id: str) -> Scenario:
    """Load a preset by id; cached, since scenarios are immutable."""
    if preset_id in GENERATED:
        return GENERATED[preset_id]()
    if preset_id not in _file_ids():
        raise _unknown(preset_id)
    scenario = load_scenario_file(PRESET_DIR / f"{preset_id}.json")
    if scenario.id != preset_id:
        raise ValueError(f"presets/{preset_id}.json declares id {scenario.id!r}; it must match the file name")
    return scenario


def preset_info(preset_id: str) -> PresetInfo:
    scenario = load_preset(preset_id)
    return PresetInfo(
        id=scenario.id,
        title=scenario.title,
        description=scenario.description,
        users=len(scenario.users),
        products=len(scenario.products),
        features=len(scenario.vocabulary),
        generated=preset_id in GENERATED,
    )


def list_presets(*, include_generated: bool = True) -> list[PresetInfo]:
    ids = preset_ids() if include_generated else _file_ids()
    return [preset_info(i) for i in ids]
