"""Scenario files in and out: JSON, the wide CSV, and the editor's tables.

The wide CSV has one row per user or product::

    kind,id,name,description,<feature 1>,<feature 2>,...
    scenario,my-id,My title,What it teaches,,
    user,u1,Ann,,0.8,-0.5
    product,p1,Wine bar,Small and quiet,1,

``kind`` is ``scenario`` (optional, at most one row: id, title, description),
``user`` or ``product``. An empty cell means the feature is absent from that
profile. Users have no description (leave it empty).

On the way out, text that a spreadsheet would run as a formula (starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return) is prefixed with ``'``; on
the way in that prefix is removed again, so export -> import is the identity.

Every path ends in the same pydantic models (:mod:`core.scenario`), so
uploads, edits and presets obey one set of rules, and errors name the row and
the column: ``products row 4, column 'wine': score must be in [-1, 1]``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.scenario import (
    MAX_FEATURES,
    MAX_UPLOAD_BYTES,
    Scenario,
    ScenarioError,
    parse_json_bytes,
    scenario_from_dict,
)

FIXED_COLUMNS = ("kind", "id", "name", "description")
KINDS = ("scenario", "user", "product")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
SUPPORTED = (".json", ".csv")


def escape_formula(text: str) -> str:
    """Neutralise text a spreadsheet would evaluate.

    >>> escape_formula("=HYPERLINK(\\"http://x\\")"), escape_formula("Wine bar")
    ('\\'=HYPERLINK("http://x")', 'Wine bar')
    """
    return ESCAPE + text if text.startswith(FORMULA_START) else text


def unescape_formula(text: str) -> str:
    return text[1:] if text.startswith(ESCAPE) and text[1:].startswith(FORMULA_START) else text


# -- CSV --------------------------------------------------------------------------------------------


def to_csv(scenario: Scenario) -> str:
    features = list(scenario.vocabulary)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*FIXED_COLUMNS, *features])
    writer.writerow(
        ["scenario", escape_formula(scenario.id), escape_formula(scenario.title), escape_formula(scenario.description)]
        + [""] * len(features)
    )
    for kind, items in (("user", scenario.users), ("product", scenario.products)):
        for item in items:
            description = getattr(item, "description", "")
            cells = [_format(item.profile.get(f)) for f in features]
            writer.writerow(
                [kind, escape_formula(item.id), escape_formula(item.name), escape_formula(description), *cells]
            )
    return out.getvalue()


def _format(score: float | None) -> str:
    return "" if score is None else repr(float(score))


def decode_text(data: bytes, *, source: str) -> str:
    """UTF-8 (with or without a byte-order mark) or UTF-16 with a BOM; anything else is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ScenarioError(source, [("", "file starts like UTF-16 but is not valid UTF-16")]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            source,
            [
                (
                    "",
                    f"file is not UTF-8 text (bad byte 0x{data[exc.start]:02x} at offset {exc.start}); save as UTF-8",
                )
            ],
        ) from None


def parse_csv(data: bytes, *, source: str, max_bytes: int = MAX_UPLOAD_BYTES) -> Scenario:
    if len(data) > max_bytes:
        raise ScenarioError(source, [("", f"file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")])
    text = decode_text(data, source=source)
    if not text.strip():
        raise ScenarioError(source, [("", "file is empty; expected a header row: kind,id,name,description,...")])
    if "\x00" in text:
        raise ScenarioError(
            source, [("", "file contains NUL bytes (UTF-16 without a byte-order mark?); save it as UTF-8")]
        )
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ScenarioError(source, [("", f"not a readable CSV file ({exc})")]) from None
    header = [cell.strip() for cell in rows[0]]
    problems: list[tuple[str, str]] = []
    missing = [c for c in FIXED_COLUMNS if c not in header[: len(FIXED_COLUMNS)]]
    if header[: len(FIXED_COLUMNS)] != list(FIXED_COLUMNS):
        found = ",".join(header[: len(FIXED_COLUMNS)])
        detail = f"missing {', '.join(missing)}" if missing else "in the wrong order"
        raise ScenarioError(
            source, [("header", f"the first columns must be kind,id,name,description ({detail}; found '{found}')")]
        )
    features = header[len(FIXED_COLUMNS) :]
    if len(features) > MAX_FEATURES:
        raise ScenarioError(
            source, [("header", f"{len(features)} feature columns; at most {MAX_FEATURES} are allowed")]
        )
    for i, name in enumerate(features):
        if not name:
            problems.append(("header", f"column {len(FIXED_COLUMNS) + i + 1} has no feature name"))
    clashes = [f for f in features if f in FIXED_COLUMNS]
    if clashes:
        problems.append(("header", f"feature columns may not be named {', '.join(clashes)}: those are fixed columns"))
    dupes = sorted({f for f in features if f and features.count(f) > 1})
    if dupes:
        problems.append(("header", f"feature columns listed twice: {', '.join(dupes)}"))
    if problems:
        raise ScenarioError(source, problems)

    meta: dict[str, Any] = {}
    users: list[dict] = []
    products: list[dict] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) != len(header):
            problems.append((f"line {number}", f"has {len(row)} cells; the header has {len(header)}"))
            continue
        kind = row[0].strip().lower()
        fixed = {c: unescape_formula(row[i]) for i, c in enumerate(FIXED_COLUMNS)}
        if kind not in KINDS:
            problems.append((f"line {number}, column 'kind'", f"must be one of {', '.join(KINDS)}; got {row[0]!r}"))
            continue
        if kind == "scenario":
            if meta:
                problems.append((f"line {number}", "only one 'scenario' row is allowed"))
            meta = {"id": fixed["id"], "title": fixed["name"], "description": fixed["description"]}
            continue
        profile: dict[str, Any] = {}
        for feature, cell in zip(features, row[len(FIXED_COLUMNS) :], strict=True):
            cell = cell.strip()
            if not cell:
                continue
            try:
                profile[feature] = float(cell)
            except ValueError:
                problems.append(
                    (f"line {number}, column {feature!r}", f"score must be a number in [-1, 1], got {cell!r}")
                )
        item: dict[str, Any] = {"id": fixed["id"], "name": fixed["name"], "profile": profile}
        if kind == "product":
            item["description"] = fixed["description"]
            products.append(item)
        else:
            if fixed["description"].strip():
                problems.append((f"line {number}, column 'description'", "users have no description; leave it empty"))
            users.append(item)
    if problems:
        raise ScenarioError(source, problems)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", source.rsplit("/", 1)[-1].rsplit(".", 1)[0]).strip("-") or "uploaded"
    data_dict = {
        "id": meta.get("id") or stem,
        "title": meta.get("title") or stem,
        "description": meta.get("description", ""),
        "users": users,
        "products": products,
    }
    return _validated({**data_dict, "features": features}, source=source)


def _validated(data: dict, *, source: str) -> Scenario:
    try:
        return scenario_from_dict(data, source=source)
    except ScenarioError as exc:
        raise ScenarioError(source, [(row_column(path), message) for path, message in exc.problems]) from None


_PATH = re.compile(
    r"^(users|products)\[(\d+)\](?:\.profile(?:\.(?P<plain>[^.\[]+)|\[\"(?P<quoted>.+)\"\])?|\.(?P<field>\w+))?"
)


def row_column(path: str) -> str:
    """``products[3].profile.wine`` -> ``products row 4, column 'wine'`` (rows count from 1).

    >>> row_column('products[3].profile["white wine"]'), row_column("users[0].name"), row_column("title")
    ("products row 4, column 'white wine'", "users row 1, column 'name'", 'title')
    """
    match = _PATH.match(path)
    if not match:
        return path
    kind, index = match.group(1), int(match.group(2)) + 1
    column = match.group("plain") or match.group("quoted") or match.group("field")
    return f"{kind} row {index}" + (f", column {column!r}" if column else "")


def parse_upload(name: str, data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Scenario:
    """A file from the uploader: JSON or wide CSV by extension (then by content)."""
    lower = name.lower()
    if len(data) > max_bytes:
        raise ScenarioError(name, [("", f"file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")])
    if lower.endswith(".csv"):
        return parse_csv(data, source=name, max_bytes=max_bytes)
    if lower.endswith(".json") or data.lstrip()[:1] in (b"{", b"["):
        return scenario_from_dict(parse_json_bytes(data, source=name, max_bytes=max_bytes), source=name)
    raise ScenarioError(name, [("", "unsupported file type; upload a .json scenario or a .csv in the wide format")])


# -- editor tables ----------------------------------------------------------------------------------


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
    return _validated(data, source=source)
