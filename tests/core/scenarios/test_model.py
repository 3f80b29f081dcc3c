"""The scenario model's rules: every bad field named, limits, fingerprints, immutability."""

from __future__ import annotations

import copy
import json

import pytest

from core.errors import visible
from core.scenarios.io import parse_scenario
from core.scenarios.model import (
    MAX_COUNTED_PROBLEMS,
    MAX_FEATURES,
    MAX_LISTED_PROBLEMS,
    MAX_PRODUCTS,
    Scenario,
    ScenarioError,
    problem_lines,
    scenario_from_dict,
    score_cell,
    size_text,
    validate_profile,
)
from tests.samples import BASE, problems, with_change


def test_valid_scenario_round_trips():
    scenario = parse_scenario(json.dumps(BASE), source="x")
    assert scenario.vocabulary == ("wine", "crowds")
    assert parse_scenario(scenario.to_json(), source="again") == scenario
    assert scenario.products[0].description == ""


def test_feature_names_are_stripped():
    scenario = parse_scenario(json.dumps(with_change(["products", 0, "profile"], {"  wine ": 1.0})), source="x")
    assert "wine" in scenario.products[0].profile


BAD_FIELDS = [
    (["products", 1, "profile", "crowds"], 1.5, "products[1].profile.crowds", "in [-1, 1]"),
    (["products", 1, "profile", "crowds"], -1.01, "products[1].profile.crowds", "in [-1, 1]"),
    (["products", 1, "profile", "crowds"], "0.5", "products[1].profile.crowds", "number"),
    (["products", 1, "profile", "crowds"], True, "products[1].profile.crowds", "number"),
    (["products", 1, "profile", "crowds"], None, "products[1].profile.crowds", "number"),
    (["users", 0, "profile"], {"   ": 0.5}, "users[0].profile", "1 to 80 characters"),
    (["users", 0, "profile"], {"x" * 81: 0.5}, "users[0].profile", "1 to 80 characters"),
    (["users", 0, "profile"], {"wi\u0007ne": 0.5}, "users[0].profile", "control characters"),
    (["users", 0, "profile"], {"wine": 0.5, " wine": 0.2}, "users[0].profile", "same after stripping"),
    (["users", 0, "profile"], [["wine", 0.5]], "users[0].profile", "object"),
    (["products", 0, "id"], "p2", "products", "duplicate id 'p2'"),
    (["users"], [BASE["users"][0], BASE["users"][0]], "users", "duplicate id 'u1'"),
    (["products", 0, "colour"], "red", "products[0].colour", "unknown field"),
    (["users", 0, "name"], "", "users[0].name", "1 to 200 characters"),
    (["users", 0, "name"], "<b>\x00</b>", "users[0].name", "control characters"),
    (["id"], 17, "id", "must be text"),
    (["users"], [], "users", "must not be empty"),
    (["products"], "lots", "products", "must be a list"),
    (["features"], ["wine"], "products[1].profile.crowds", "not in the declared 'features' list"),
    (["features"], ["wine", "wine", "crowds"], "features", "listed twice"),
]


@pytest.mark.parametrize(("path", "value", "where", "rule"), BAD_FIELDS)
def test_bad_fields_are_named(path, value, where, rule):
    found = problems(with_change(path, value))
    assert any(p.startswith(where) and rule in m for p, m in found), found


def test_nan_and_infinity_are_refused():
    # Python's json module reads NaN and Infinity; the validator must still refuse them.
    for token in ("NaN", "Infinity", "-Infinity"):
        raw = json.dumps(BASE).replace('"crowds": 1.0', f'"crowds": {token}').encode()
        found = problems(raw)
        assert found == [("products[1].profile.crowds", f"score must be finite and in [-1, 1], got {float(token)}")]


def test_missing_fields_are_listed_together():
    found = problems({"id": "x", "users": BASE["users"]})
    assert {p for p, _ in found} == {"title", "description", "products"}
    assert all(m == "required field is missing" for _, m in found)


def test_validate_profile():
    assert validate_profile({" wine ": 0.5}) == {"wine": 0.5}
    with pytest.raises(ScenarioError, match=r"profile.wine: score must be in \[-1, 1\]"):
        validate_profile({"wine": 2})


def test_fingerprint_follows_content():
    a = parse_scenario(json.dumps(BASE), source="a")
    b = parse_scenario(json.dumps(BASE), source="b")
    c = parse_scenario(json.dumps(with_change(["users", 0, "profile", "wine"], 0.7)), source="c")
    assert a.fingerprint == b.fingerprint != c.fingerprint


def test_unknown_user_lists_valid_ids():
    with pytest.raises(ValueError, match="choose one of: u1"):
        parse_scenario(json.dumps(BASE), source="x").user("u9")


def test_feature_and_product_limits():
    many = {f"feature {i}": 0.1 for i in range(MAX_FEATURES + 1)}
    found = problems(with_change(["users", 0, "profile"], many))
    assert any("at most 1000 features" in m for _, m in found)
    spread = copy.deepcopy(BASE)
    spread["products"] = [
        {"id": f"p{i}", "name": "x", "profile": {f"feature {i}": 1.0}} for i in range(MAX_FEATURES + 1)
    ]
    found = problems(spread)
    assert found == [("", "the scenario uses 1003 distinct features; at most 1000 are allowed")]
    huge = copy.deepcopy(BASE)
    huge["products"] = [{"id": f"p{i}", "name": "x", "profile": {}} for i in range(MAX_PRODUCTS + 1)]
    found = problems(huge)
    assert found == [("products", f"has too many products ({MAX_PRODUCTS + 1:,}; at most {MAX_PRODUCTS:,})")]


def test_scenario_model_is_frozen():
    scenario = parse_scenario(json.dumps(BASE), source="x")
    with pytest.raises(Exception, match="frozen"):
        scenario.id = "other"
    assert isinstance(scenario, Scenario)


@pytest.mark.parametrize(
    "name",
    [
        "\U0001f469\u200d\U0001f4bb coding",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        "\u2764\ufe0f music",
        "caf\u00e9",
    ],
    ids=["zwj-emoji", "zwnj-persian", "variation-selector", "accent"],
)
def test_ordinary_text_with_joiners_and_selectors_is_a_valid_feature(name):
    assert validate_profile({name: 0.5}) == {name: 0.5}


@pytest.mark.parametrize(
    "char",
    ["\u2028", "\u2029", "\u200b", "\u202e", "\u0007", "\x00", "\ufeff"],
    ids=["line-sep", "para-sep", "zero-width-space", "rtl-override", "bell", "nul", "bom"],
)
def test_invisible_characters_are_refused_by_category(char):
    with pytest.raises(ScenarioError, match=f"U\\+{ord(char):04X}"):
        validate_profile({f"wi{char}ne": 0.5})


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("a\u202eb", '["a\\u202eb"]'),  # right-to-left override
        ("\u2067wine", '["\\u2067wine"]'),  # right-to-left isolate
        ("wi\u200bne", '["wi\\u200bne"]'),  # zero-width space
        ("a\x1b[2Jb", '["a\\u001b[2Jb"]'),  # a terminal escape
        ("a\u2028b", '["a\\u2028b"]'),  # line separator
    ],
)
def test_paths_in_messages_escape_what_would_reorder_or_hide_the_line(key, shown):
    found = problems(with_change(["users", 0, "profile"], {key: 0.5}))
    path, message = found[0]
    assert path == f"users[0].profile{shown}" and "U+" in message
    for line in problem_lines(ScenarioError("upload.json", found)):
        assert visible(line) == line, line


def test_an_allowed_combining_mark_at_the_start_of_a_name_is_escaped_in_messages():
    found = problems(with_change(["users", 0, "profile"], {"\u0301x": 5}))
    assert found[0][0] == 'users[0].profile["\\u0301x"]'


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.5", 0.5), (" -1 ", -1.0), ("1_0", "1_0"), ("0x1", "0x1"), ("inf", "inf"), ("", "")],
)
def test_score_cells_follow_the_one_strict_number_rule(text, expected):
    assert score_cell(text) == expected
    assert repr(score_cell("1" * 401)) == "a 401-digit number"


def test_size_limits_are_stated_in_the_unit_they_are_set_in():
    assert [size_text(n) for n in (10 * 2**20, 200 * 2**20, 2**30, 64_000, 10_000_000, 1_500_000)] == [
        "10 MiB",
        "200 MiB",
        "1 GiB",
        "64,000 bytes",
        "10 MB",
        "1,500,000 bytes",
    ]


# -- Unicode: one form on input, look-alikes refused, a user found in either form ------------------------------

INVISIBLE = {"ZWJ": "\u200d", "ZWNJ": "\u200c", "VS16": "\ufe0f", "VS1": "\ufe00", "VS17": "\U000e0100"}


def _with_features(*names: str) -> dict:
    data = copy.deepcopy(BASE)
    data["products"][0]["profile"] = {name: 0.5 for name in names}
    return data


@pytest.mark.parametrize("mark", INVISIBLE)
@pytest.mark.parametrize("where", [1, 2, 4])  # inside the name, and at its end
def test_feature_names_that_differ_only_by_an_invisible_character_are_refused_naming_both(mark, where):
    plain = "wine"
    hidden = plain[:where] + INVISIBLE[mark] + plain[where:]
    found = problems(_with_features(plain, hidden))
    (message,) = [m for _, m in found]
    assert "differ only in case, Unicode form or invisible characters" in message
    assert "'wine'" in message and visible(repr(hidden)) in message, message


@pytest.mark.parametrize("kind", ["users", "products"])
@pytest.mark.parametrize("mark", INVISIBLE)
def test_ids_that_differ_only_by_an_invisible_character_are_refused_naming_both(kind, mark):
    data = copy.deepcopy(BASE)
    items = data[kind]
    items.append({**copy.deepcopy(items[0]), "id": items[0]["id"][:1] + INVISIBLE[mark] + items[0]["id"][1:]})
    (message,) = [m for _, m in problems(data)]
    assert "look alike" in message and "differ only by invisible characters" in message
    assert f"{kind}[0]" in message and f"{kind}[{len(items) - 1}]" in message


def test_ids_that_differ_in_case_stay_two_ids():
    data = copy.deepcopy(BASE)
    data["products"].append({**copy.deepcopy(data["products"][0]), "id": "P1"})
    assert {p.id for p in Scenario.model_validate(data).products} == {"p1", "P1", "p2"}


DECOMPOSED = {
    "café": "cafe\u0301",
    "Ångström": "A\u030angstro\u0308m",
    "naïve": "nai\u0308ve",
    "한국": "\u1112\u1161\u11ab\u1100\u116e\u11a8",
}


@pytest.mark.parametrize("composed", DECOMPOSED)
def test_ids_and_feature_names_are_read_in_one_normal_form(composed):
    decomposed = DECOMPOSED[composed]
    data = copy.deepcopy(BASE)
    data["users"][0]["id"] = decomposed
    data["products"][0]["profile"] = {decomposed: 0.5}
    scenario = Scenario.model_validate(data)
    assert scenario.users[0].id == composed and composed in scenario.vocabulary
    assert scenario.user(decomposed).id == composed == scenario.user(f" {composed} ").id
    assert Scenario.model_validate(json.loads(scenario.to_json())).fingerprint == scenario.fingerprint


@pytest.mark.parametrize("composed", DECOMPOSED)
def test_one_feature_written_in_two_normal_forms_in_one_profile_is_refused(composed):
    (message,) = [m for _, m in problems(_with_features(composed, DECOMPOSED[composed]))]
    assert "the same after stripping spaces and Unicode normalisation (NFC)" in message


def _bad_products(n: int) -> dict:
    products = [{"id": f"p{i}", "name": "x", "profile": {"wine": "?"}} for i in range(n)]
    return {**copy.deepcopy(BASE), "products": products}


def test_problems_are_counted_beyond_the_listed_ones_and_reading_stops_at_the_cap():
    with pytest.raises(ScenarioError) as error:
        scenario_from_dict(_bad_products(300), source="s.json")
    assert error.value.count == 300 and len(error.value.problems) == MAX_LISTED_PROBLEMS and not error.value.stopped
    assert problem_lines(error.value)[-1] == f"... and {300 - MAX_LISTED_PROBLEMS} more"
    with pytest.raises(ScenarioError) as error:
        scenario_from_dict(_bad_products(MAX_COUNTED_PROBLEMS + 50), source="s.json")
    assert error.value.stopped and str(error.value).startswith(f"s.json: {MAX_COUNTED_PROBLEMS:,} or more problems")
