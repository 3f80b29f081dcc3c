"""The editor's tables: round trip and validation as a whole."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.scenarios.model import ScenarioError, folded, scenario_from_dict
from core.scenarios.presets import load_preset
from core.scenarios.tables import (
    LABELS,
    NAME,
    column_labels,
    from_tables,
    scores_as_text,
    scores_from_text,
    to_tables,
)
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


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1_0", "got '1_0'"),  # float() would read 10.0
        ("0.5_0", "got '0.5_0'"),  # float() would read 0.5: a silently accepted typo
        ("0x1", "got '0x1'"),
        ("٠.٥", "got '٠.٥'"),  # other scripts' digits: float() reads 0.5
        ("nan", "not a finite number"),
        ("1" * 401, "got a 401-digit number"),
    ],
)
def test_editor_cells_follow_the_one_strict_number_rule(cell, message):
    tables = to_tables(load_preset("sign-trap"))
    shown = scores_as_text(tables.products, tables.features)
    shown.loc[2, "anxiety"] = cell
    tables.products = scores_from_text(shown, tables.features)
    with pytest.raises(ScenarioError) as info:
        from_tables(tables)
    assert any(p == "products row 3, column 'anxiety'" and message in m for p, m in info.value.problems), info.value


@pytest.mark.parametrize(
    "features",
    [
        ["id", "id (feature)"],
        ["id (feature)", "id"],
        ["Name", "name (feature)", "description"],
        ["id", "id (feature)", "id (feature 2)", "ID (FEATURE 3)"],
        ["wine", "crowds"],
    ],
)
def test_editor_column_labels_are_unique_and_unambiguous(features):
    labels = column_labels(features)
    shown = [folded(label) for label in [*labels, *LABELS.values()]]
    assert len(set(shown)) == len(shown), labels
    for feature, label in zip(features, labels, strict=True):
        assert label == feature or label.startswith(f"{feature} (feature"), (feature, label)
    assert column_labels(["wine", "crowds"]) == ["wine", "crowds"], "ordinary names stay as they are"
