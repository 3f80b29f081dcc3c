"""The editor's tables: round trip and validation as a whole."""

from __future__ import annotations

import numpy as np
import pytest

from core.scenarios.model import ScenarioError
from core.scenarios.presets import load_preset
from core.scenarios.tables import from_tables, to_tables


def test_editor_tables_round_trip():
    scenario = load_preset("wine-synonyms")
    assert from_tables(to_tables(scenario)) == scenario


def test_tables_with_edits_are_validated_as_a_whole():
    tables = to_tables(load_preset("sign-trap"))
    tables.products.loc[2, "anxiety"] = 4.0
    tables.users.loc[0, "name"] = ""
    with pytest.raises(ScenarioError) as info:
        from_tables(tables)
    paths = [p for p, _ in info.value.problems]
    assert "products row 3, column 'anxiety'" in paths and "users row 1, column 'name'" in paths
    tables.products.loc[2, "anxiety"] = np.nan  # empty again: the feature is simply absent
    tables.users.loc[0, "name"] = "Ann"
    assert from_tables(tables).products[2].profile.get("anxiety") is None
