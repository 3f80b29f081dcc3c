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
from collections.abc import Iterator
from typing import Any

from core import textfiles
from core.errors import quoted, shorten
from core.scenarios.model import (
    MAX_FEATURES,
    MAX_PRODUCTS,
    MAX_UPLOAD_BYTES,
    MAX_USERS,
    Problems,
    Scenario,
    ScenarioError,
    check_size,
    scenario_from_dict,
    score_cell,
    score_problem,
)
from core.textfiles import TextFileError

FIXED_COLUMNS = ("kind", "id", "name", "description")
MAX_ROWS = MAX_USERS + MAX_PRODUCTS + 1  # every user and product a scenario may hold, and its scenario row
MAX_RECORDS = 2 * MAX_ROWS  # blank lines are skipped, not free: a file of ten million of them stops here
ROWS_ALLOWED = f"a scenario has at most {MAX_USERS:,} users, {MAX_PRODUCTS:,} products and one scenario row"
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


def _read_rows(data: bytes, *, source: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """(the header's cells, then (the line each record starts on, its cells), read one at a time): by the rules
    every CSV shares (:mod:`core.textfiles`: encodings, unclosed quotes, blank lines before the header)."""
    text = decode_text(data, source=source)
    if not text.strip():
        raise ScenarioError(source, [("", "file is empty; expected a header row: kind,id,name,description,...")])
    rows = textfiles.iter_records(text)
    try:
        _, cells = textfiles.header(rows, unique=False)
    except TextFileError as exc:
        raise ScenarioError(source, [(exc.where, exc.problem)]) from None
    return cells, rows


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
    dupes = textfiles.duplicates(f for f in features if f)
    if dupes:
        problems.append(("header", f"feature columns listed twice: {', '.join(map(quoted, dupes))}"))
    if problems:
        raise ScenarioError(source, problems)
    return features


def _profile(cells: list[str], features: list[str], number: int, problems: Problems) -> dict[str, Any]:
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
            problems.add(f"line {number}, column {quoted(feature)}", lambda v=value: score_problem(v))
    return profile


def _scenario_row(number: int, row: list[str], fixed: dict[str, str], meta: dict, problems: Problems) -> dict:
    if meta:
        problems.add(f"line {number}", "only one 'scenario' row is allowed")
    if not fixed["id"].strip():
        problems.add(f"line {number}, column 'id'", "the scenario row needs an id")
    if any(cell.strip() for cell in row[len(FIXED_COLUMNS) :]):
        problems.add(f"line {number}", "the scenario row holds no scores; leave its feature cells empty")
    return {"id": fixed["id"], "title": fixed["name"], "description": fixed["description"]}


def _item(kind: str, number: int, row: list[str], features: list[str], problems: Problems) -> dict[str, Any]:
    fixed = {c: unescape_formula(row[i]) for i, c in enumerate(FIXED_COLUMNS)}
    item: dict[str, Any] = {"id": fixed["id"], "name": fixed["name"]}
    item["profile"] = _profile(row[len(FIXED_COLUMNS) :], features, number, problems)
    if kind == "product":
        return {**item, "description": fixed["description"]}
    if fixed["description"].strip():
        problems.add(f"line {number}, column 'description'", "users have no description; leave it empty")
    return item


def _items(
    rows: Iterator[tuple[int, list[str]]], header: list[str], features: list[str], problems: Problems
) -> tuple[dict, list, list]:
    """(scenario metadata, users, products) from the rows after the header, read one at a time: at most
    :data:`MAX_ROWS` rows and :data:`MAX_RECORDS` records are read (a file of millions of short or blank lines
    stops there, not in memory)."""
    meta: dict[str, Any] = {}
    found: dict[str, list[dict]] = {"user": [], "product": []}
    count = records = 0
    for number, row in rows:
        records += 1
        if records > MAX_RECORDS:
            problems.add(f"line {number}", f"more than {MAX_RECORDS:,} records, blank lines included; {ROWS_ALLOWED}")
            break
        if textfiles.blank(row):
            continue  # blank line
        if problems.enough:
            break
        count += 1
        if count > MAX_ROWS:
            problems.add(f"line {number}", f"more than {MAX_ROWS:,} rows; {ROWS_ALLOWED}")
            break
        if len(row) != len(header):
            problems.add(f"line {number}", f"has {len(row)} cells; the header has {len(header)}{_spans(row, number)}")
            continue
        kind = row[0].strip().lower()
        if kind not in KINDS:
            problems.add(f"line {number}, column 'kind'", f"must be one of {', '.join(KINDS)}; got {shorten(row[0])}")
        elif kind == "scenario":
            fixed = {c: unescape_formula(row[i]) for i, c in enumerate(FIXED_COLUMNS)}
            meta = _scenario_row(number, row, fixed, meta, problems)
        else:
            found[kind].append(_item(kind, number, row, features, problems))
    return meta, found["user"], found["product"]


def _spans(row: list[str], number: int) -> str:
    """For a record with the wrong number of cells: where a quoted cell runs over several lines (a quote left
    open swallows the lines after it until the next quote)."""
    breaks = sum(cell.count("\n") for cell in row)
    if not breaks:
        return ""
    return f" (a quoted cell runs from line {number} to line {number + breaks}: is a quote left open?)"


def parse_csv(data: bytes, *, source: str, max_bytes: int = MAX_UPLOAD_BYTES) -> Scenario:
    """A scenario from the wide CSV; every problem names its line or its row and column."""
    check_size(data, source=source, max_bytes=max_bytes)
    cells, rows = _read_rows(data, source=source)
    header = [cell.strip() for cell in cells]
    features = _features(header, source=source)
    problems = Problems()
    try:
        meta, users, products = _items(rows, header, features, problems)
    except TextFileError as exc:  # a broken record further down (an unclosed quote)
        problems.add(exc.where, exc.problem)
    if problems:
        raise problems.error(source)
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
        moved = [(row_column(path), message) for path, message in exc.problems]
        raise ScenarioError(source, moved, more=exc.more, stopped=exc.stopped) from None


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
