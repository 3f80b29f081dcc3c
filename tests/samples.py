"""Test inputs shared by several test modules (one definition each)."""

from __future__ import annotations

import copy
import json

import pytest

from core.scenarios.io import parse_scenario
from core.scenarios.model import ScenarioError

# Short texts of the kinds the methods embed: a naive profile, a prefix sentence, a feature.
TEXTS = ["wine: 0.8 crowds: -0.7", "strongly dislikes anxiety", "white wine"]
# A richer profile with likes and dislikes, some of them near-synonyms.
RICH = {"wine": 0.8, "live music": 0.6, "crowds": -0.7, "anxiety": -0.9, "adventure": 0.5, "calm spaces": 0.7}

# The wide CSV: a header and rows that make a good file.
HEADER = "kind,id,name,description,wine,crowds\n"
GOOD_ROWS = "scenario,demo,Demo,Teaches little,,\nuser,u1,Ann,,0.8,-0.5\nproduct,p1,Bar,Quiet,1,\nproduct,p2,Club,,,1\n"

# A two-product scenario, and helpers to break it one field at a time.
BASE = {
    "id": "tiny",
    "title": "Tiny",
    "description": "A two-product scenario for tests.",
    "users": [{"id": "u1", "name": "One", "profile": {"wine": 0.8, "crowds": -0.5}}],
    "products": [
        {"id": "p1", "name": "Bar", "profile": {"wine": 1.0}},
        {"id": "p2", "name": "Club", "description": "Loud.", "profile": {"crowds": 1.0}},
    ],
}


def with_change(path: list, value) -> dict:
    data = copy.deepcopy(BASE)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


def problems(data) -> list[tuple[str, str]]:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    with pytest.raises(ScenarioError) as info:
        parse_scenario(raw, source="upload.json")
    assert str(info.value).startswith("upload.json"), "the message names the source"
    return info.value.problems


def _small(sid: str, users: list[dict], products: list[dict], features: list[str] | None = None) -> dict:
    data = {"id": sid, "title": f"Small: {sid}", "description": "An edge case.", "users": users, "products": products}
    return data if features is None else {**data, "features": features}


# Valid scenarios at the edges: every page and command must degrade to a sentence on them, never fail.
SMALL_SCENARIOS = [
    _small(
        "one-of-each",
        [{"id": "u", "name": "U", "profile": {"wine": 0.8}}],
        [{"id": "p", "name": "P", "profile": {"wine": 1}}],
    ),
    _small(
        "four-products",
        [{"id": "u", "name": "U", "profile": {"wine": 0.8, "crowds": -1}}],
        [{"id": f"p{i}", "name": f"P{i}", "profile": {"wine": i / 4, "crowds": 1 - i / 4}} for i in range(4)],
    ),
    _small(
        "first-user-empty",
        [{"id": "e", "name": "Empty", "profile": {}}, {"id": "u", "name": "U", "profile": {"wine": 0.5, "jazz": -0.9}}],
        [{"id": f"p{i}", "name": f"P{i}", "profile": {"wine": 1, "jazz": i / 3}} for i in range(3)],
    ),
    _small(
        "no-features",
        [{"id": "u", "name": "U", "profile": {}}],
        [{"id": "p", "name": "P", "profile": {}}, {"id": "q", "name": "Q", "profile": {}}],
        features=[],
    ),
    _small(
        "declared-but-unused",
        [{"id": "u", "name": "U", "profile": {}}],
        [{"id": "p", "name": "P", "profile": {}}],
        features=["wine", "crowds"],
    ),
]

# A score on a prefix bucket edge, one inside the bucket below it (same phrase) and one above it (next phrase).
PREFIX_EDGE_CASES = [(0.2, 0.15, 0.25), (-0.2, -0.25, -0.15), (0.7, 0.5, 0.75), (-0.7, -0.9, -0.65)]


# Feature names that are keys of JavaScript's Object.prototype: the live panel must treat them as plain names.
PROTOTYPE_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]


def prototype_scenario() -> dict:
    """A scenario whose features are named like Object.prototype's keys, with no description."""
    names = ["plain", *PROTOTYPE_NAMES]
    return {
        "id": "prototype-names",
        "title": "Prototype names",
        "description": "",
        "features": names,
        "users": [{"id": "u", "name": "U", "profile": dict(zip(names, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], strict=True))}],
        "products": [
            {"id": f"p{i}", "name": f"P{i}", "profile": {n: (-1) ** (i + j) * 0.5 for j, n in enumerate(names)}}
            for i in range(8)
        ],
    }


def same_top(a, b, k: int, atol: float = 1e-5) -> bool:
    """Two score arrays have the same top k up to ties: the sorted top-k scores agree, and the products one side puts
    in its top k score the same on the other."""
    import numpy as np

    top_a, top_b = np.argsort(-a, kind="stable")[:k], np.argsort(-b, kind="stable")[:k]
    return np.allclose(np.sort(a[top_a]), np.sort(b[top_b]), atol=atol) and np.allclose(a[top_b], b[top_b], atol=atol)
