"""The preset scenarios: hand-written JSON files in ``presets/`` plus generated ones.

>>> "sign-trap" in preset_ids() and "bench-10k" in preset_ids()
True
>>> load_preset("nope")
Traceback (most recent call last):
...
core.errors.UnknownName: unknown preset 'nope'; choose one of: ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import UnknownName
from core.scenarios.io import load_scenario_file
from core.scenarios.model import Scenario, ScenarioError
from core.scenarios.synthetic import generate_scenario

PRESET_DIR = Path(__file__).resolve().parents[2] / "presets"
DEFAULT_PRESET = "sign-trap"
"""What the Explorer and every page open when nothing else is asked for."""

# The source article's pair: the same two features, opposite signs on anxiety.
SEED_USER_A = {"anxiety": -0.9, "adventure": 0.8}
SEED_USER_B = {"anxiety": 0.9, "adventure": 0.7}

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


@cache
def load_preset(preset_id: str) -> Scenario:
    """Load a preset by id; cached, since scenarios are immutable."""
    if preset_id in GENERATED:
        return GENERATED[preset_id]()
    if preset_id not in _file_ids():
        raise UnknownName("preset", preset_id, preset_ids())
    scenario = load_scenario_file(PRESET_DIR / f"{preset_id}.json")
    if scenario.id != preset_id:
        raise ScenarioError(f"presets/{preset_id}.json", [("id", f"is {scenario.id!r}; it must match the file name")])
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


def own_names(scenario: Scenario) -> Scenario:
    """An edited preset under names of its own: a preset's id gets ``-edited`` and a preset's title ``(edited)``
    (the part before its colon, so that a picker that cuts long titles still tells the two apart). A scenario
    that is a preset unchanged, or that already has names of its own, is returned as it is.

    >>> edited = own_names(Scenario.model_validate({**load_preset("sign-trap").to_dict(), "description": "Mine."}))
    >>> edited.id, edited.title
    ('sign-trap-edited', 'The sign trap (edited)')
    >>> own_names(load_preset("sign-trap")).id
    'sign-trap'
    """
    titles = {info.title for info in list_presets(include_generated=False)}
    taken_id = scenario.id in _file_ids()
    if taken_id and load_preset(scenario.id).fingerprint == scenario.fingerprint:
        return scenario
    update = {}
    if taken_id:
        update["id"] = f"{scenario.id[:93]}-edited"
    if scenario.title in titles:
        update["title"] = f"{scenario.title.split(':')[0].strip()[:190]} (edited)"
    return Scenario.model_validate({**scenario.to_dict(), **update}) if update else scenario
