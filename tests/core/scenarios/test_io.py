"""Scenario bytes in: JSON text and files, uploads; broken input gets one clean message; HTML stays text."""

from __future__ import annotations

import json

import pytest

from core.scenarios.io import load_scenario_file, parse_scenario, parse_upload
from core.scenarios.model import MAX_UPLOAD_BYTES, ScenarioError
from tests.samples import BASE, GOOD_ROWS, HEADER, problems


def rejected(name: str, data: bytes) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as info:
        parse_upload(name, data)
    assert "Traceback" not in str(info.value)
    assert str(info.value).startswith(name)
    return info.value.problems


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
    ("bad.csv", (HEADER + GOOD_ROWS + "admin,x,y,,,\n").encode(), "must be one of scenario, user, product"),
    ("bad.csv", (HEADER + "user,u1,Ann,Likes wine,0.8,\nproduct,p1,Bar,,1,\n").encode(), "users have no description"),
    ("bad.csv", (HEADER + GOOD_ROWS).encode("utf-16-le"), "save it as UTF-8"),
    ("bad.csv", (HEADER + GOOD_ROWS.replace("Bar", "Caf\u00e9")).encode("latin-1"), "not UTF-8"),
    ("bad.csv", (HEADER + GOOD_ROWS.replace("Ann", "An\u0000n")).encode(), "NUL bytes"),
    ("bad.csv", (HEADER + GOOD_ROWS.replace("u1,Ann", "u1,")).encode(), "users row 1, column 'name'"),
    ("bad.txt", b"hello", "unsupported file type"),
    ("huge.json", b" " * (MAX_UPLOAD_BYTES + 1), "the limit of 10 MB (10,000,000 bytes); it has 10,000,001 bytes"),
]


@pytest.mark.parametrize(("name", "data", "message"), MALFORMED)
def test_malformed_uploads_are_rejected_with_a_message(name, data, message):
    problems = rejected(name, data)
    text = " | ".join(f"{p}: {m}" for p, m in problems)
    assert message in text, text


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "file is empty"),
        (b"   \n", "file is empty"),
        (b'{"id": "x", ', "truncated"),
        (b'{"id": "x" "title": 1}', "invalid JSON at line 1, column 12"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "the JSON holds 100,000 objects and lists; a scenario needs at most"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, "nested too deeply"),
        (b"[1, 2]", "expected a JSON object at the top level, got list"),
        (b"null", "expected a JSON object"),
    ],
)
def test_broken_files_get_one_clean_message(raw, message):
    found = problems(raw)
    assert len(found) == 1 and message in found[0][1], found


def test_byte_order_mark_is_accepted():
    scenario = parse_scenario(b"\xef\xbb\xbf" + json.dumps(BASE).encode(), source="bom.json")
    assert scenario.id == "tiny"


def test_size_limit():
    with pytest.raises(ScenarioError, match=r"limit of 1 MiB \(1,048,576 bytes\); it has 1,048,577 bytes"):
        parse_scenario(b" " * (2**20 + 1), source="big.json", max_bytes=2**20)
    with pytest.raises(ScenarioError, match=r"limit of 1 MB \(1,000,000 bytes\)"):
        parse_scenario(b" " * 1_000_001, source="big.json", max_bytes=1_000_000)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario_file(tmp_path / "nope.json")
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario_file(tmp_path)


TRUNCATED_JSON = [
    b'{"id": "tiny", "title": "Ti',  # inside a string value
    b'{"id": "tiny", "ti',  # inside a key
    b'{"id": "tiny", "users": [{"id": "u1", "name": "One", "profile": {"wine": 0.',  # inside a number
    b'{"id": "tiny", "users": [',  # after an opening bracket
    b'{"id": "tiny",\n  ',  # after a comma and white space
    b'{"id"',  # before the colon
    b'{"id": "tiny", "users": [{"id": "u1", "name": "One", "profile": {"wine": 1e',  # inside an exponent
    b'{"id": "tiny", "users": [{"id": "u1", "name": "One", "profile": {"wine": 0.5}}], "products": nu',  # a literal
]


@pytest.mark.parametrize("raw", TRUNCATED_JSON)
def test_a_file_cut_anywhere_says_it_looks_truncated_in_a_complete_sentence(raw):
    (found,) = problems(raw)
    message = found[1]
    assert "the file looks truncated" in message, message
    assert not message.endswith((" at", " at:", ":")), "a complete message, never a dangling 'starting at'"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"id": "a\tb"}', "invalid JSON at line 1, column 10: a raw control character"),
        (b'{"id": "a\\qb"}', "invalid JSON at line 1, column 10: an invalid backslash escape"),
        (b'{"id": 1,, "x": 2}', "invalid JSON at line 1, column 10: expecting property name"),
        (b'{"id": 1} {"x": 2}', "invalid JSON at line 1, column 11: extra data"),
        (b'{"id": 1} 5', "invalid JSON at line 1, column 11: extra data"),
    ],
)
def test_broken_json_in_the_middle_names_line_column_and_a_whole_reason(raw, message):
    (found,) = problems(raw)
    assert found[1].startswith(message) and not found[1].endswith(" at"), found


@pytest.mark.parametrize("size", [MAX_UPLOAD_BYTES + 1, 10 * 2**20, 210 * 2**20])
def test_the_cli_reads_a_file_within_the_upload_limit_never_past_it(tmp_path, size):
    sparse = tmp_path / "sparse.json"
    with open(sparse, "wb") as handle:  # without writing the bytes: a sparse file
        handle.truncate(size)
    with pytest.raises(ScenarioError) as error:
        load_scenario_file(sparse)
    assert str(error.value).endswith("file is larger than the limit of 10 MB (10,000,000 bytes)"), str(error.value)
    with pytest.raises(ScenarioError, match=r"limit of 10 MB \(10,000,000 bytes\); it has 10,000,001 bytes"):
        parse_upload("big.json", b" " * (MAX_UPLOAD_BYTES + 1))


@pytest.mark.parametrize("path", ["", "  "])
def test_an_empty_file_name_is_refused_never_read_as_a_folder(path):
    with pytest.raises(ScenarioError, match="the file name is empty"):
        load_scenario_file(path)


@pytest.mark.slow
@pytest.mark.parametrize("megabytes", [2])
def test_memory_while_parsing_stays_within_the_stated_bound(megabytes):
    """Every shape bench/limits.py measures, hostile ones included, parsed in a fresh process (the kernel's peak
    resident size, reset just before parsing): at most PARSE_MEMORY's multiple of the size plus its base."""
    from bench.limits import SHAPES, measure_parse
    from core.scenarios.model import PARSE_MEMORY

    per_byte, base = PARSE_MEMORY
    for shape in SHAPES:
        found = measure_parse(shape, megabytes)
        assert "error" not in found, found
        assert found["peak_mb"] * 1e6 <= per_byte * found["bytes"] + base, found
