"""The wide CSV: one row per user or product, one column per feature.

::

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
Errors name the row and the column:
``products row 4, column 'wine': score must be in [-1, 1]``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from core import textfiles
from core.errors import quoted, shorten
from core.scenarios.model import (
    MAX_FEATURES,
    MAX_UPLOAD_BYTES,
    Scenario,
    ScenarioError,
    check_size,
    scenario_from_dict,
    score_cell,
    score_problem,
)
from core.textfiles import TextFileError

FIXED_COLUMNS = ("kind", "id", "name", "description")
KINDS = ("scenario", "user", "product")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def escape_formula(text: str) -> str:
    """Neutralise text a spreadsheet would evaluate; text that already starts with ' gets one more.

    The extra quote makes the escape reversible for every text (``'=x`` and ``=x`` stay apart).

    >>> escape_formula("=HYPERLINK(\\"http://x\\")"), escape_formula("Wine bar"), escape_formula("'=x")
    ('\\'=HYPERLINK("http://x")', 'Wine bar', "''=x")
    """
    return ESCAPE + text if text.startswith((*FORMULA_START, ESCAPE)) else text


def unescape_formula(text: str) -> str:
    """Undo :func:`escape_formula`: drop one ' that a formula character or another ' follows.

    A hand-written ``'quoted`` name keeps its quote; ``'=x`` (a spreadsheet's own escape) becomes ``=x``.

    >>> [unescape_formula(escape_formula(t)) for t in ["=x", "'=x", "''", "'quoted", "-1"]]
    ['=x', "'=x", "''", "'quoted", '-1']
    """
    return text[1:] if text.startswith(ESCAPE) and text[1:].startswith((*FORMULA_START, ESCAPE)) else text


# -- CSV --------------------------------------------------------------------------------------------


def to_csv(scenario: Scenario) -> str:
    features = list(scenario.vocabulary)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*FIXED_COLUMNS, *map(escape_formula, features)])
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
    """The file's text by the one rule (:func:`core.textfiles.decode_text`); a problem names the file."""
    try:
        return textfiles.decode_text(data)
    except TextFileError as exc:
        raise ScenarioError(source, [(exc.where, exc.problem)]) from None


def _read_rows(data: bytes, *, source: str) -> list[tuple[int, list[str]]]:
    """(the line the record starts on, its cells) for every record: a quoted cell may span lines."""
    text = decode_text(data, source=source)
    if not text.strip():
        raise ScenarioError(source, [("", "file is empty; expected a header row: kind,id,name,description,...")])
    try:
        return textfiles.read_records(text)
    except TextFileError as exc:
        raise ScenarioError(source, [(exc.where, exc.problem)]) from None


def _features(header: list[str], *, source: str) -> list[str]:
    """The feature columns of the header, or every problem with it."""
    fixed = header[: len(FIXED_COLUMNS)]
    if fixed != list(FIXED_COLUMNS):
        missing = [c for c in FIXED_COLUMNS if c not in fixed]
        detail = f"missing {', '.join(missing)}" if missing else "in the wrong order"
        raise ScenarioError(
            source,
            [
                (
                    "header",
                    f"the first columns must be kind,id,name,description ({detail}; found {shorten(','.join(fixed))})",
                )
            ],
        )
    features = [unescape_formula(name) for name in header[len(FIXED_COLUMNS) :]]
    if len(features) > MAX_FEATURES:
        raise ScenarioError(
            source, [("header", f"{len(features)} feature columns; at most {MAX_FEATURES} are allowed")]
        )
    problems = [
        ("header", f"column {len(FIXED_COLUMNS) + i + 1} has no feature name")
        for i, name in enumerate(features)
        if not name
    ]
    dupes = sorted({f for f in features if f and features.count(f) > 1})
    if dupes:
        problems.append(("header", f"feature columns listed twice: {', '.join(map(quoted, dupes))}"))
    if problems:
        raise ScenarioError(source, problems)
    return features


def _profile(cells: list[str], features: list[str], number: int, problems: list) -> dict[str, Any]:
    """Scores read with the one strict number rule (:func:`core.scenarios.model.score_cell`); a cell that is not a
    number is named by its line and column, with the rule every input shares."""
    profile: dict[str, Any] = {}
    for feature, cell in zip(features, cells, strict=True):
        if not cell.strip():
            continue
        value = score_cell(cell)
        if isinstance(value, float):
            profile[feature] = value
        else:
            problems.append((f"line {number}, column {quoted(feature)}", score_problem(value)))
    return profile


def _items(rows: list[tuple[int, list[str]]], header: list[str], features: list[str]) -> tuple[dict, list, list, list]:
    """(scenario metadata, users, products, problems) from the rows after the header."""
    meta: dict[str, Any] = {}
    users: list[dict] = []
    products: list[dict] = []
    problems: list[tuple[str, str]] = []
    for number, row in rows:
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) != len(header):
            problems.append((f"line {number}", f"has {len(row)} cells; the header has {len(header)}"))
            continue
        kind = row[0].strip().lower()
        fixed = {c: unescape_formula(row[i]) for i, c in enumerate(FIXED_COLUMNS)}
        if kind not in KINDS:
            problems.append(
                (f"line {number}, column 'kind'", f"must be one of {', '.join(KINDS)}; got {shorten(row[0])}")
            )
        elif kind == "scenario":
            if meta:
                problems.append((f"line {number}", "only one 'scenario' row is allowed"))
            if not fixed["id"].strip():
                problems.append((f"line {number}, column 'id'", "the scenario row needs an id"))
            if any(cell.strip() for cell in row[len(FIXED_COLUMNS) :]):
                problems.append((f"line {number}", "the scenario row holds no scores; leave its feature cells empty"))
            meta = {"id": fixed["id"], "title": fixed["name"], "description": fixed["description"]}
        else:
            item: dict[str, Any] = {"id": fixed["id"], "name": fixed["name"]}
            item["profile"] = _profile(row[len(FIXED_COLUMNS) :], features, number, problems)
            if kind == "product":
                products.append({**item, "description": fixed["description"]})
            else:
                if fixed["description"].strip():
                    problems.append(
                        (f"line {number}, column 'description'", "users have no description; leave it empty")
                    )
                users.append(item)
    return meta, users, products, problems


def parse_csv(data: bytes, *, source: str, max_bytes: int = MAX_UPLOAD_BYTES) -> Scenario:
    """A scenario from the wide CSV; every problem names its line or its row and column."""
    check_size(data, source=source, max_bytes=max_bytes)
    rows = _read_rows(data, source=source)
    header = [cell.strip() for cell in rows[0][1]]
    features = _features(header, source=source)
    meta, users, products, problems = _items(rows[1:], header, features)
    if problems:
        raise ScenarioError(source, problems)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", source.rsplit("/", 1)[-1].rsplit(".", 1)[0]).strip("-") or "uploaded"
    scenario = {
        "id": meta.get("id") or stem,
        "title": meta.get("title") or stem,
        "description": meta.get("description", ""),
        "features": features,
        "users": users,
        "products": products,
    }
    return validated(scenario, source=source)


def validated(data: dict, *, source: str) -> Scenario:
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
    >>> print(row_column('users[0].profile["a\\u202eb"]'))
    users row 1, column 'a\u202eb'
    """
    match = _PATH.match(path)
    if not match:
        return path
    kind, index = match.group(1), int(match.group(2)) + 1
    column = match.group("plain") or match.group("field")
    if match.group("quoted"):
        column = json.loads(f'"{match.group("quoted")}"')  # the path writes the name as JSON, escapes included
    return f"{kind} row {index}" + (f", column {quoted(column)}" if column else "")
