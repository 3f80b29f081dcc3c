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
