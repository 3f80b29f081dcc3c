"""Uploads and downloads: round trips, and malformed files each rejected (or neutralised) with a message."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.presets import load_preset, preset_ids
from core.scenario import MAX_UPLOAD_BYTES, ScenarioError
from core.scenario_io import escape_formula, from_tables, parse_upload, row_column, to_csv, to_tables

HEADER = "kind,id,name,description,wine,crowds\n"
GOOD_ROWS = "scenario,demo,Demo,Teaches little,,\nuser,u1,Ann,,0.8,-0.5\nproduct,p1,Bar,Quiet,1,\nproduct,p2,Club,,,1\n"


def rejected(name: str, data: bytes) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as info:
        parse_upload(name, data)
    assert "Traceback" not in str(info.value)
    assert str(info.value).startswith(name)
    return info.value.problems


@pytest.mark.parametrize("preset", [p for p in preset_ids() if p != "bench-10k"])
def test_json_and_csv_round_trips_are_identical(preset):
    scenario = load_preset(preset)
    assert parse_upload(f"{preset}.json", scenario.to_json().encode()) == scenario
    assert parse_upload(f"{preset}.csv", to_csv(scenario).encode()) == scenario


def test_editor_tables_round_trip():
    scenario = load_preset("wine-synonyms")
    assert from_tables(to_tables(scenario)) == scenario


def test_a_good_csv():
    scenario = parse_upload("demo.csv", (HEADER + GOOD_ROWS).encode())
    assert scenario.id == "demo" and scenario.user("u1").profile == {"wine": 0.8, "crowds": -0.5}
    assert scenario.products[1].profile == {"crowds": 1.0}, "an empty cell means absent"


def test_csv_without_a_scenario_row_takes_its_id_from_the_file_name():
    scenario = parse_upload("my scenario!.csv", (HEADER + "user,u1,Ann,,0.8,\nproduct,p1,Bar,,1,\n").encode())
    assert scenario.id == "my-scenario" and scenario.title == "my-scenario"


def test_formula_injection_is_escaped_on_download_and_restored_on_upload():
    scenario = parse_upload("demo.csv", (HEADER + GOOD_ROWS.replace("Bar", "=HYPERLINK(1)")).encode())
    exported = to_csv(scenario)
    assert "'=HYPERLINK(1)" in exported
    for line in exported.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "@")) or cell.startswith("'")
    assert parse_upload("again.csv", exported.encode()) == scenario
    assert escape_formula("-1 + 1") == "'-1 + 1" and escape_formula("@home") == "'@home"


def test_html_in_names_is_kept_as_text():
    scenario = parse_upload("demo.csv", (HEADER + GOOD_ROWS.replace("Ann", "<script>alert(1)</script>")).encode())
    assert scenario.user("u1").name == "<script>alert(1)</script>"  # stored as text, escaped wherever shown


MALFORMED = [
    ("bad.json", b'{"id": "x",', "truncated"),
    ("bad.json", b"{'id': 'x'}", "invalid JSON at line 1"),
    ("bad.json", b"", "file is empty"),
    ("bad.json", b"\x89PNG\r\n\x1a\n", "not UTF-8"),
    ("bad.json", b"[" * 5000 + b"]" * 5000, "nested too deeply"),
    (
        "bad.json",
        json.dumps({"id": 1, "title": "t", "description": "", "users": [], "products": []}).encode(),
        "must be text",
    ),
    (
        "bad.json",
        b'{"id":"x","title":"t","description":"","users":[{"id":"u","name":"n","profile":{"w":NaN}}],'
        b'"products":[{"id":"p","name":"n","profile":{"w":1}}]}',
        "finite",
    ),
    (
        "bad.json",
        b'{"id":"x","title":"t","description":"","users":[{"id":"u","name":"n","profile":{"w":"0.5"}}],'
        b'"products":[{"id":"p","name":"n","profile":{"w":1}}]}',
        "number",
    ),
    ("bad.csv", (HEADER + GOOD_ROWS.replace("0.8", "1.5")).encode(), "users row 1, column 'wine'"),
    ("bad.csv", (HEADER + GOOD_ROWS.replace("0.8", "inf")).encode(), "finite"),
    ("bad.csv", (HEADER + GOOD_ROWS.replace("0.8", "lots")).encode(), "line 3, column 'wine'"),
    ("bad.csv", (HEADER + GOOD_ROWS.replace("p2", "p1")).encode(), "duplicate id 'p1'"),
    ("bad.csv", (HEADER + GOOD_ROWS + "user,u2,Bob,,0.1\n").encode(), "line 6: has 5 cells"),
    ("bad.csv", (HEADER + GOOD_ROWS + "user,u2,Bob,,0.1,0.2,0.3\n").encode(), "line 6: has 7 cells"),
    ("bad.csv", ("id,name,description,wine\n" + "u1,Ann,,0.8\n").encode(), "first columns must be kind,id,name"),
    ("bad.csv", ("kind,id,name,description,wine,wine\n" + "user,u1,Ann,,0.8,0.1\n").encode(), "listed twice"),
    ("bad.csv", ("kind,id,name,description,name\n" + "user,u1,Ann,,0.8\n").encode(), "fixed columns"),
    ("bad.csv", (HEADER + GOOD_ROWS + "admin,x,y,,,\n").encode(), "must be one of scenario, user, product"),
    ("bad.csv", (HEADER + "user,u1,Ann,Likes wine,0.8,\nproduct,p1,Bar,,1,\n").encode(), "users have no description"),
    ("bad.csv", (HEADER + GOOD_ROWS).encode("utf-16-le"), "save it as UTF-8"),
    ("bad.csv", (HEADER + GOOD_ROWS.replace("Bar", "Caf\u00e9")).encode("latin-1"), "not UTF-8"),
    ("bad.csv", (HEADER + GOOD_ROWS.replace("Ann", "An\u0000n")).encode(), "NUL bytes"),
    ("bad.csv", (HEADER + GOOD_ROWS.replace("u1,Ann", "u1,")).encode(), "users row 1, column 'name'"),
    ("bad.txt", b"hello", "unsupported file type"),
    ("huge.json", b" " * (MAX_UPLOAD_BYTES + 1), "the limit is 10 MB"),
]


@pytest.mark.parametrize(("name", "data", "message"), MALFORMED)
def test_malformed_uploads_are_rejected_with_a_message(name, data, message):
    problems = rejected(name, data)
    text = " | ".join(f"{p}: {m}" for p, m in problems)
    assert message in text, text


def test_byte_order_marks_are_accepted():
    assert parse_upload("bom.csv", b"\xef\xbb\xbf" + (HEADER + GOOD_ROWS).encode()).id == "demo"
    assert parse_upload("bom16.csv", (HEADER + GOOD_ROWS).encode("utf-16")).id == "demo"


def test_row_and_column_names():
    assert row_column("products[0].profile.wine") == "products row 1, column 'wine'"
    assert row_column("users[9]") == "users row 10"


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
