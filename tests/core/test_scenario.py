from __future__ import annotations

import copy
import json

import pytest

from core.presets import list_presets, load_preset, preset_ids
from core.scenario import (
    MAX_FEATURES,
    MAX_PRODUCTS,
    Scenario,
    ScenarioError,
    load_scenario_file,
    parse_scenario,
    validate_profile,
)

BASE = {
    "id": "tiny",
    "title": "Tiny",
    "description": "A two-product scenario for tests.",
    "users": [{"id": "u1", "name": "One", "profile": {"wine": 0.8, "crowds": -0.5}}],
    "products": [
        {"id": "p1", "name": "Bar", "profile": {"wine": 1.0}},
        {"id": "p2", "name": "Club", "description": "Loud.", "profile": {"crowds": 1.0}},
    ],
}


def with_change(path: list, value) -> dict:
    data = copy.deepcopy(BASE)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


def problems(data) -> list[tuple[str, str]]:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    with pytest.raises(ScenarioError) as info:
        parse_scenario(raw, source="upload.json")
    assert str(info.value).startswith("upload.json"), "the message names the source"
    return info.value.problems


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


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "file is empty"),
        (b"   \n", "file is empty"),
        (b'{"id": "x", ', "truncated"),
        (b'{"id": "x" "title": 1}', "invalid JSON at line 1, column 12"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
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
    with pytest.raises(ScenarioError, match="limit is 1 MB"):
        parse_scenario(b" " * 1_000_001, source="big.json", max_bytes=1_000_000)


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
    assert found == [("products", "has too many products (at most 100,000)")]


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario_file(tmp_path / "nope.json")
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario_file(tmp_path)


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


# -- presets ----------------------------------------------------------------


def test_hand_written_presets_are_rich_enough():
    written = list_presets(include_generated=False)
    assert len(written) >= 6
    for info in written:
        assert info.products >= 20, info.id
        assert info.users >= 3, info.id
        assert info.features >= 15, info.id
        assert len(info.description) > 120, info.id


def test_presets_cover_the_teaching_cases():
    trap = load_preset("sign-trap")
    assert dict(trap.user("user-a").profile) == {"anxiety": -0.9, "adventure": 0.8}
    assert dict(trap.user("user-b").profile) == {"anxiety": 0.9, "adventure": 0.7}
    assert {"wine", "white wine", "red wine"} <= set(load_preset("wine-synonyms").vocabulary)
    allergy = load_preset("peanut-allergy")
    assert any(u.profile.get("peanuts") == -1.0 for u in allergy.users)


def test_every_preset_file_is_valid_and_named_after_its_id(root):
    for path in sorted((root / "presets").glob("*.json")):
        scenario = load_scenario_file(path)
        assert scenario.id == path.stem


def test_bench_preset_is_generated_deterministically():
    from core.synthetic import generate_scenario

    bench = load_preset("bench-10k")
    assert len(bench.products) == 10_000 and len(bench.vocabulary) == 200 and len(bench.users) == 3
    assert all(len(u.profile) == 200 for u in bench.users)
    assert all(5 <= len(p.profile) <= 15 for p in bench.products)
    again = generate_scenario(n_products=10_000, n_features=200, n_users=3, seed=10_000, scenario_id="bench-10k")
    assert again.fingerprint == bench.fingerprint
    assert "bench-10k" in preset_ids()


def test_unknown_preset_lists_choices():
    with pytest.raises(ValueError, match="unknown preset 'nope'; choose one of: .*sign-trap"):
        load_preset("nope")


def test_scenario_model_is_frozen():
    scenario = parse_scenario(json.dumps(BASE), source="x")
    with pytest.raises(Exception, match="frozen"):
        scenario.id = "other"
    assert isinstance(scenario, Scenario)
