"""The wide CSV: round trips, formula escaping, row and column names."""

from __future__ import annotations

import csv
import io
import json

import pytest

from core.scenarios.io import parse_upload
from core.scenarios.model import ScenarioError, scenario_from_dict
from core.scenarios.presets import load_preset, preset_ids
from core.scenarios.wide_csv import FORMULA_START, escape_formula, parse_csv, row_column, to_csv
from tests.samples import GOOD_ROWS, HEADER


@pytest.mark.parametrize("preset", [p for p in preset_ids() if p != "bench-10k"])
def test_json_and_csv_round_trips_are_identical(preset):
    scenario = load_preset(preset)
    assert parse_upload(f"{preset}.json", scenario.to_json().encode()) == scenario
    assert parse_upload(f"{preset}.csv", to_csv(scenario).encode()) == scenario


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


def test_byte_order_marks_are_accepted():
    assert parse_upload("bom.csv", b"\xef\xbb\xbf" + (HEADER + GOOD_ROWS).encode()).id == "demo"
    assert parse_upload("bom16.csv", (HEADER + GOOD_ROWS).encode("utf-16")).id == "demo"


def test_row_and_column_names():
    assert row_column("products[0].profile.wine") == "products row 1, column 'wine'"
    assert row_column("users[9]") == "users row 10"


FORMULA_NAMES = ["=cmd|' /C calc'!A0", "@SUM(1)", "+1", "-1", "'=already", "'+x", "''", "'quoted", "\ttab"]


def test_every_cell_is_escaped_and_the_round_trip_is_exact():
    """Header cells (feature names) too; a name that starts with ' survives download then upload unchanged."""
    data = json.loads(load_preset("sign-trap").to_json())
    names = [n.strip() for n in FORMULA_NAMES if n.strip()]
    data["features"] += names
    data["users"][0]["profile"].update({n: 0.5 for n in names})
    data["products"][0]["name"] = "'=already escaped name"
    scenario = scenario_from_dict(data, source="formulas")
    text = to_csv(scenario)
    rows = list(csv.reader(io.StringIO(text)))
    text_cells = rows[0] + [cell for row in rows[1:] for cell in row[:4]]  # the header, then every text column
    assert not [cell for cell in text_cells if cell.startswith(FORMULA_START)]
    assert parse_csv(text.encode(), source="formulas.csv") == scenario


WIDE_HEADER = "kind,id,name,description,anxiety,adventure\n"


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ("scenario,s1,My S,desc,0.9,-1\nuser,u,U,,0.5,\nproduct,p,P,,0.5,\n", "line 2", "holds no scores"),
        ("scenario,,My S,desc,,\nuser,u,U,,0.5,\nproduct,p,P,,0.5,\n", "line 2, column 'id'", "needs an id"),
        (  # a description over three lines: the bad score is on line 6 of the file, not on record 4
            'scenario,s,S,"one\ntwo\nthree",,\nuser,u,U,,0.5,\nproduct,p,P,,lots,\n',
            "line 6, column 'anxiety'",
            "got 'lots'",
        ),
    ],
)
def test_problems_name_the_real_line_and_nothing_is_dropped(body, where, message):
    with pytest.raises(ScenarioError) as error:
        parse_csv((WIDE_HEADER + body).encode(), source="s.csv")
    assert (where, next(m for w, m in error.value.problems if w == where)) in error.value.problems
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1" * 401, "score must be in [-1, 1], got a 401-digit number"),  # as JSON says, never "got inf"
        ("-" + "9" * 40, "got a 40-digit number"),
        ("1_0", "score must be a number in [-1, 1], got '1_0'"),  # float() would read 10.0
        ("0.5_0", "got '0.5_0'"),  # float() would read 0.5: silently accepted
        ("0x1", "got '0x1'"),
        ("٠.٥", "got '٠.٥'"),
        ("nan", "score must be a number in [-1, 1], got 'nan' (not a finite number)"),
        ("-Infinity", "not a finite number"),
    ],
)
def test_csv_cells_follow_the_one_strict_number_rule(cell, message):
    data = (HEADER + GOOD_ROWS.replace("0.8", cell)).encode()
    with pytest.raises(ScenarioError) as error:
        parse_upload("bad.csv", data)
    assert any(p == "line 3, column 'wine'" and message in m for p, m in error.value.problems), error.value.problems


def test_a_cell_over_the_readers_limit_is_one_line_not_a_crash():
    data = (HEADER + GOOD_ROWS.replace("Quiet", "x" * 150_000)).encode()
    with pytest.raises(ScenarioError) as error:
        parse_upload("big.csv", data)
    assert error.value.problems == [("line 4", "a cell is longer than 131,072 characters; not a readable file")]


def test_hidden_characters_in_csv_names_are_escaped_in_messages():
    data = ("kind,id,name,description,a\u202eb,a\u202eb\nuser,u,U,,0.5,0.5\n").encode()
    with pytest.raises(ScenarioError) as error:
        parse_upload("up\u202eload.csv", data)
    assert str(error.value) == "up\\u202eload.csv: header: feature columns listed twice: 'a\\u202eb'"


# -- read as it is: what a CSV error says it found ----------------------------------------------------------------


@pytest.mark.parametrize(("before", "count"), [("\n", 1), ("\n\n", 2), ("\r\n\r\n\r\n", 3), (",,,\n \n", 2)])
def test_blank_lines_before_the_header_are_named_never_read_as_the_header(before, count):
    with pytest.raises(ScenarioError) as error:
        parse_upload("demo.csv", (before + HEADER + GOOD_ROWS).encode())
    (where, problem) = error.value.problems[0]
    assert where == f"line {count + 1}" and problem.startswith(f"{count} blank line") and "found ''" not in problem


@pytest.mark.parametrize(
    ("rows", "where"),
    [
        ('user,u1,"Ann,,0.8,-0.5\nproduct,p1,Bar,Quiet,1,\n', "line 3"),  # the quote opens on line 3 and never closes
        ('user,u1,Ann,,0.8,-0.5\nproduct,p1,Bar,"Quiet,1,\n', "line 4"),
        ('user,u1,Ann,,0.8,"-0.5\n', "line 3"),
    ],
)
def test_an_unclosed_quote_is_named_with_its_line(rows, where):
    with pytest.raises(ScenarioError) as error:
        parse_upload("demo.csv", (HEADER + "scenario,demo,Demo,,,\n" + rows).encode())
    assert (where, 'a quote (") opened in this record is never closed') in error.value.problems, error.value.problems


def test_a_quote_closed_much_later_says_how_far_its_cell_runs():
    rows = 'user,u1,"Ann,,0.8,-0.5\nproduct,p1,Bar,Quiet,1,\nproduct,p2,Club",1\n'
    with pytest.raises(ScenarioError) as error:
        parse_upload("demo.csv", (HEADER + rows).encode())
    (where, problem) = error.value.problems[0]
    assert where == "line 2" and "a quoted cell runs from line 2 to line 4: is a quote left open?" in problem


@pytest.mark.parametrize(
    "columns",
    ["wine,wine", "wine, wine ", "caf\u00e9,cafe\u0301", "wine,crowds,wine"],
    ids=["same", "spaces", "two-normal-forms", "apart"],
)
def test_a_feature_column_named_twice_is_refused_naming_it(columns):
    header = f"kind,id,name,description,{columns}\n"
    row = "user,u1,Ann" + ",," * 1 + ",".join(["0.5"] * len(columns.split(","))) + "\n"
    with pytest.raises(ScenarioError) as error:
        parse_upload(
            "demo.csv", (header + row + "product,p1,Bar,," + ",".join(["1"] * len(columns.split(",")))).encode()
        )
    (where, problem) = error.value.problems[0]
    assert where == "header" and problem.startswith("feature columns listed twice:")


@pytest.mark.parametrize(("rows", "message"), [(21_002, "more than 21,001 rows"), (1, "more than 42,002 records")])
def test_a_csv_stops_reading_at_the_most_rows_a_scenario_holds(rows, message):
    body = "user,u,U,,1\n" * rows + "\n" * (0 if rows > 1 else 50_000)
    with pytest.raises(ScenarioError) as error:
        parse_upload("many.csv", ("kind,id,name,description,a\n" + body).encode())
    assert any(message in problem for _, problem in error.value.problems), error.value.problems


def test_the_cli_reads_a_csv_scenario_file_and_a_json_file_holding_csv_says_so(tmp_path):
    from core.scenarios.io import load_scenario_file

    (tmp_path / "demo.csv").write_text(HEADER + GOOD_ROWS)
    assert load_scenario_file(tmp_path / "demo.csv").user("u1").profile == {"wine": 0.8, "crowds": -0.5}
    (tmp_path / "demo.json").write_text(HEADER + GOOD_ROWS)
    with pytest.raises(ScenarioError, match="this looks like CSV, not JSON"):
        load_scenario_file(tmp_path / "demo.json")
