"""The editor's tables: round trip and validation as a whole."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.scenarios.model import ScenarioError, scenario_from_dict
from core.scenarios.presets import load_preset
from core.scenarios.tables import NAME, from_tables, to_tables
from core.scenarios.wide_csv import parse_csv, to_csv


def test_editor_tables_round_trip():
    scenario = load_preset("wine-synonyms")
    assert from_tables(to_tables(scenario)) == scenario


def test_tables_with_edits_are_validated_as_a_whole():
    tables = to_tables(load_preset("sign-trap"))
    tables.products.loc[2, "anxiety"] = 4.0
    tables.users.loc[0, NAME] = ""
    with pytest.raises(ScenarioError) as info:
        from_tables(tables)
    paths = [p for p, _ in info.value.problems]
    assert "products row 3, column 'anxiety'" in paths and "users row 1, column 'name'" in paths
    tables.products.loc[2, "anxiety"] = np.nan  # empty again: the feature is simply absent
    tables.users.loc[0, NAME] = "Ann"
    assert from_tables(tables).products[2].profile.get("anxiety") is None


def test_features_named_like_the_fixed_columns_simply_work():
    data = json.loads(load_preset("sign-trap").to_json())
    data["features"] += ["id", "name", "description", "kind"]
    for name in ("id", "name", "description", "kind"):
        data["users"][0]["profile"][name] = 0.5
        data["products"][0]["profile"][name] = -0.5
    scenario = scenario_from_dict(data, source="clash")
    tables = to_tables(scenario)
    assert {"id", "name", "description", "kind"} <= set(tables.features)
    assert from_tables(tables) == scenario
    assert parse_csv(to_csv(scenario).encode(), source="clash.csv") == scenario
