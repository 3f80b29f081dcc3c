"""The scenario editor's view: metadata and two wide tables (NaN = absent), and back.

:func:`from_tables` validates through the same models as every upload, so
problems name the table, the row and the column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.scenarios.model import Scenario, folded, score_cell
from core.scenarios.wide_csv import validated

# The fixed columns' keys start with a space, which no feature name can (names are stripped),
# so a feature may be called "id", "name" or "description" and still get its own column.
ID, NAME, DESCRIPTION = " id", " name", " description"
FIXED = (ID, NAME, DESCRIPTION)
LABELS = {ID: "id", NAME: "name", DESCRIPTION: "description"}


def column_labels(features: Sequence[str]) -> list[str]:
    """A header label per feature column, unique among themselves and against the fixed columns (compared as a
    reader sees them, :func:`~core.scenarios.model.folded`). A feature keeps its own name unless that is taken: a
    feature ``id`` is shown as ``id (feature)``, and if a feature is literally called ``id (feature)``, the first
    becomes ``id (feature 2)``.

    >>> column_labels(["wine", "id", "id (feature)", "Name"])
    ['wine', 'id (feature 2)', 'id (feature)', 'Name (feature)']
    """
    names = {folded(f) for f in features}
    taken = {folded(label) for label in LABELS.values()}
    labels = []
    for feature in features:
        label, n = feature, 1
        while folded(label) in taken or (label != feature and folded(label) in names):
            label = f"{feature} (feature)" if n == 1 else f"{feature} (feature {n})"
            n += 1
        taken.add(folded(label))
        labels.append(label)
    return labels


@dataclass
class Tables:
    """The editor's view of a scenario: metadata and two wide tables (NaN = absent).

    ``users`` has the columns :data:`ID`, :data:`NAME` and one per feature; ``products`` also :data:`DESCRIPTION`.
    """

    meta: dict[str, str]
    users: pd.DataFrame
    products: pd.DataFrame

    @property
    def features(self) -> list[str]:
        return [c for c in self.products.columns if c not in FIXED]

    @property
    def cells(self) -> int:
        return (len(self.users) + len(self.products)) * max(len(self.features), 1)

    def same_as(self, other: Tables) -> bool:
        """Whether two editor states hold the same scenario text and scores (NaN equals NaN)."""
        return self.meta == other.meta and self.users.equals(other.users) and self.products.equals(other.products)


def _frame(items, features: Sequence[str], fixed: dict[str, list[str]]) -> pd.DataFrame:
    """A wide table: the fixed text columns, then one float column per feature (NaN where absent)."""
    index = {f: j for j, f in enumerate(features)}
    scores = np.full((len(items), len(features)), np.nan)
    for row, item in enumerate(items):
        for feature, score in item.profile.items():
            scores[row, index[feature]] = score
    table = pd.DataFrame(scores, columns=list(features))
    for position, (key, values) in enumerate(fixed.items()):
        table.insert(position, key, pd.Series(values, dtype=object))
    return table


def cells(scenario: Scenario) -> int:
    """How many cells :func:`to_tables` would build: rows x feature columns."""
    return (len(scenario.users) + len(scenario.products)) * max(len(scenario.vocabulary), 1)


def to_tables(scenario: Scenario) -> Tables:
    features = list(scenario.vocabulary)
    users = _frame(
        scenario.users, features, {ID: [u.id for u in scenario.users], NAME: [u.name for u in scenario.users]}
    )
    products = _frame(
        scenario.products,
        features,
        {
            ID: [p.id for p in scenario.products],
            NAME: [p.name for p in scenario.products],
            DESCRIPTION: [p.description for p in scenario.products],
        },
    )
    meta = {"id": scenario.id, "title": scenario.title, "description": scenario.description}
    return Tables(meta, users, products)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _text(value: Any) -> Any:
    """A text cell; an empty one is "" so that validation names it (a row is never dropped for it)."""
    return "" if _missing(value) else value


def _profile(row: dict[str, Any], features: Sequence[str]) -> dict[str, Any]:
    return {f: float(row[f]) if isinstance(row[f], int | float) else row[f] for f in features if not _missing(row[f])}


def from_tables(tables: Tables, *, source: str = "editor") -> Scenario:
    """Validate edited tables into a scenario; problems name the table, row and column.

    Every row counts, incomplete ones included: a row without an id or a name is an error, never dropped.
    """
    user_features = [c for c in tables.users.columns if c not in FIXED]
    product_features = tables.features
    data = {
        **tables.meta,
        "features": list(dict.fromkeys([*product_features, *user_features])),
        "users": [
            {"id": _text(r[ID]), "name": _text(r[NAME]), "profile": _profile(r, user_features)}
            for r in tables.users.to_dict("records")
        ],
        "products": [
            {
                "id": _text(r[ID]),
                "name": _text(r[NAME]),
                "description": _text(r.get(DESCRIPTION, "")),
                "profile": _profile(r, product_features),
            }
            for r in tables.products.to_dict("records")
        ],
    }
    return validated(data, source=source)


def scores_as_text(frame: pd.DataFrame, features: Sequence[str]) -> pd.DataFrame:
    """Score columns as text for editing: an absent score is an empty cell (a number column would show "None").

    >>> scores_as_text(pd.DataFrame({"wine": [0.8, np.nan]}), ["wine"])["wine"].tolist()
    ['0.8', '']
    """
    out = frame.copy()
    for feature in features:
        out[feature] = [("" if _missing(v) else repr(float(v))) for v in frame[feature]]
    return out


def scores_from_text(frame: pd.DataFrame, features: Sequence[str]) -> pd.DataFrame:
    """Back from :func:`scores_as_text`: empty is absent, numbers are floats, anything else stays text for
    validation to name (``products row 3, column 'wine': score must be a number in [-1, 1], got 'lots'``).

    >>> scores_from_text(pd.DataFrame({"wine": ["0.8", " ", None, "lots", " -nan "]}), ["wine"])["wine"].tolist()
    [0.8, nan, nan, 'lots', ' -nan ']
    """
    out = frame.copy()
    for feature in features:
        out[feature] = pd.Series([_number(v) for v in frame[feature]], index=frame.index, dtype=object)
        if all(isinstance(v, float) for v in out[feature]):
            out[feature] = out[feature].astype("float64")
    return out


def _number(value: Any) -> Any:
    """A cell as a float, read with the one strict number rule (:func:`core.scenarios.model.score_cell`); an empty
    cell is NaN (absent). Anything else typed ("nan", "1_0", "0x1") stays text, and a 401-digit integer a
    :class:`~core.scenarios.model.HugeNumber`: only an empty cell may mean absent, so validation names the cell
    instead of silently dropping or changing the score."""
    if _missing(value) or (isinstance(value, str) and not value.strip()):
        return math.nan
    return score_cell(value) if isinstance(value, str) else value


_CELL = re.compile(r"^(users|products) row (\d+), column '(.*)'$", re.DOTALL)


def bad_cells(problems: Sequence[tuple[str, str]]) -> dict[str, dict[int, dict[str, str]]]:
    """The editor's cells its validation names (``products row 3, column 'wine'``, rows counted from 1):
    ``{"users"|"products": {row index: {column: message}}}``, a column being :data:`ID`, :data:`NAME`,
    :data:`DESCRIPTION` or a feature's name. A problem with the whole scenario (its id) names no cell.

    >>> bad_cells([("products row 3, column 'red wine'", "score must be in [-1, 1], got 1.5"),
    ...            ("users row 1, column 'id'", "id is empty"), ("id", "too long")])
    {'products': {2: {'red wine': 'score must be in [-1, 1], got 1.5'}}, 'users': {0: {' id': 'id is empty'}}}
    """
    cells: dict[str, dict[int, dict[str, str]]] = {}
    fixed = {label: column for column, label in LABELS.items()}
    for path, message in problems:
        match = _CELL.match(path)
        if match:
            table, row, column = match.groups()
            cells.setdefault(table, {}).setdefault(int(row) - 1, {})[fixed.get(column, column)] = message
    return cells
