"""The scenario editor's view: metadata and two wide tables (NaN = absent), and back.

:func:`from_tables` validates through the same models as every upload, so
problems name the table, the row and the column.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.scenarios.model import Scenario
from core.scenarios.wide_csv import FIXED_COLUMNS, validated


@dataclass
class Tables:
    """The editor's view of a scenario: metadata and two wide tables (NaN = absent)."""

    meta: dict[str, str]
    users: pd.DataFrame  # columns: id, name, <features...>
    products: pd.DataFrame  # columns: id, name, description, <features...>

    @property
    def features(self) -> list[str]:
        return [c for c in self.products.columns if c not in ("id", "name", "description")]


def to_tables(scenario: Scenario) -> Tables:
    features = list(scenario.vocabulary)
    clashes = [f for f in features if f in FIXED_COLUMNS]
    if clashes:
        raise ValueError(
            f"features named {', '.join(clashes)} clash with the editor's fixed columns; edit this scenario as JSON"
        )

    def frame(items, with_description: bool) -> pd.DataFrame:
        rows = []
        for item in items:
            row = {"id": item.id, "name": item.name}
            if with_description:
                row["description"] = item.description
            row.update({f: item.profile.get(f, math.nan) for f in features})
            rows.append(row)
        columns = ["id", "name", *(["description"] if with_description else []), *features]
        table = pd.DataFrame(rows, columns=columns)
        for f in features:
            table[f] = table[f].astype("float64")
        return table

    meta = {"id": scenario.id, "title": scenario.title, "description": scenario.description}
    return Tables(meta, frame(scenario.users, False), frame(scenario.products, True))


def _text(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value


def _profile(row: pd.Series, features: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in features:
        value = row.get(f)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        out[f] = float(value) if isinstance(value, int | float) else value
    return out


def from_tables(tables: Tables, *, source: str = "editor") -> Scenario:
    """Validate edited tables into a scenario; problems name the table, row and column."""
    features = [c for c in tables.users.columns if c not in ("id", "name")]
    product_features = tables.features
    data = {
        **tables.meta,
        "features": list(dict.fromkeys([*product_features, *features])),
        "users": [
            {"id": _text(r["id"]), "name": _text(r["name"]), "profile": _profile(r, features)}
            for _, r in tables.users.iterrows()
        ],
        "products": [
            {
                "id": _text(r["id"]),
                "name": _text(r["name"]),
                "description": _text(r.get("description", "")),
                "profile": _profile(r, product_features),
            }
            for _, r in tables.products.iterrows()
        ],
    }
    return validated(data, source=source)
