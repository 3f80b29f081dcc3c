"""The URL codec: round trips, and every kind of bad value becomes a warning, never an exception."""

from __future__ import annotations

import random

import pytest

from core.explorer.links import DEFAULT_VIEW, MAX_VALUE_CHARS, ViewState, decode, encode
from core.scenarios.presets import load_preset
from core.vectors.methods import METHOD_NAMES


def test_defaults_encode_to_nothing():
    assert encode(DEFAULT_VIEW) == {}
    assert decode({}) == (DEFAULT_VIEW, [])


def test_random_views_round_trip():
    rng = random.Random(0)
    presets = ["sign-trap", "wine-synonyms", "peanut-allergy", "focus-music"]
    for _ in range(200):
        preset = rng.choice(presets)
        scenario = load_preset(preset)
        user = rng.choice(scenario.users)
        features = rng.sample(list(scenario.vocabulary), rng.randint(0, 4))
        view = ViewState(
            preset=preset,
            user=user.id,
            overrides={f: round(rng.uniform(-1, 1), 2) for f in features},
            methods=tuple(rng.sample(list(METHOD_NAMES), rng.randint(1, 6))),
            k=rng.randint(1, 20),
            variance=round(rng.uniform(0.5, 1.0), 2),
            strength=round(rng.uniform(0, 1), 2),
            aligned=rng.random() < 0.5,
        )
        assert decode(encode(view)) == (view, [])


def test_feature_names_with_colons_and_commas_survive():
    view = ViewState(preset="sign-trap", overrides={"physical exertion": -0.35})
    assert decode(encode(view))[0] == view


HOSTILE = [
    ({"preset": "<script>alert(1)</script>"}, "Unknown preset '<script>alert(1)</script>'"),
    ({"preset": "x" * 500}, "longer than 200 characters"),
    ({"user": "nobody"}, "Unknown user 'nobody'"),
    ({"user": '"><img src=x onerror=alert(1)>'}, "Unknown user"),
    ({"set": "stargazing:0.5"}, "not in this scenario"),
    ({"set": "anxiety:NaN"}, "scores are numbers in [-1, 1]"),
    ({"set": "anxiety:inf"}, "scores are numbers in [-1, 1]"),
    ({"set": "anxiety:1e309"}, "scores are numbers in [-1, 1]"),
    ({"set": "anxiety:2"}, "scores are numbers in [-1, 1]"),
    ({"set": "anxiety"}, "expected FEATURE:SCORE"),
    ({"set": ":0.5"}, "expected FEATURE:SCORE"),
    ({"methods": "naive,<b>evil</b>"}, "Ignored unknown methods '<b>evil</b>'"),
    ({"k": "0"}, "whole number from 1 to 20"),
    ({"k": "2.5"}, "whole number from 1 to 20"),
    ({"k": "lots"}, "whole number from 1 to 20"),
    ({"var": "0.1"}, "number from 0.5 to 1"),
    ({"alpha": "-1"}, "number from 0 to 1"),
    ({"align": "maybe"}, "use 1 or 0"),
    ({"upload": "mine"}, "exists only in the sender's session"),
    ({"model": "gpt-9"}, "Unknown model 'gpt-9' in the link (installed here: minilm"),
    ({"model": "<b>x</b>"}, "showing the default model"),
    ({"set": [f"anxiety:{i / 10_000}" for i in range(1_500)]}, "Ignored the last 500 of 1,500 'set' values"),
]


@pytest.mark.parametrize(("params", "message"), HOSTILE)
def test_bad_values_warn_and_fall_back(params, message):
    view, warnings = decode(params)
    assert any(message in w for w in warnings), warnings
    assert view.preset == DEFAULT_VIEW.preset or "preset" not in params


def test_unknown_keys_are_ignored_silently():
    assert decode({"utm_source": "newsletter", "k": "7"}) == (ViewState(k=7), [])


def test_partial_methods_keep_the_valid_ones():
    view, warnings = decode({"methods": "naive,nave,exact"})
    assert view.methods == ("naive", "exact") and len(warnings) == 1


def test_warnings_quote_long_values_shortened():
    _, warnings = decode({"preset": "y" * 150})
    assert len(warnings[0]) < 220 and "..." in warnings[0]


def test_overlong_values_are_dropped():
    view, warnings = decode({"set": "a" * (MAX_VALUE_CHARS + 1) + ":0.5"})
    assert view.overrides == {} and "longer than" in warnings[0]


def test_uploads_are_found_in_the_session():
    scenario = load_preset("wine-synonyms")
    view, warnings = decode({"upload": "mine", "user": "granular"}, uploads={"mine": scenario})
    assert view.upload == "mine" and view.user == "granular" and warnings == []
    assert encode(view)["upload"] == "mine"


def test_an_empty_methods_list_is_reported_not_ignored():
    view, warnings = decode({"methods": ""})
    assert view.methods == DEFAULT_VIEW.methods and warnings == [
        "Ignored an empty 'methods' in the link; showing all of: naive, split, prefix, weighted, whitened, exact."
    ]


def test_a_thousand_bad_values_give_a_short_summary():
    view, warnings = decode({"set": [f"nosuch{i}:0.5" for i in range(1_000)]})
    assert view.overrides == {} and len(warnings) == 9
    assert warnings[-1] == "... and 992 more problems with the link."


def test_a_model_in_the_link_round_trips_in_any_case():
    view, warnings = decode({"model": "E5-Small"}, models=["minilm", "e5-small"])
    assert view.model == "e5-small" and not warnings
    assert encode(view) == {"model": "e5-small"} and decode(encode(view), models=["e5-small"])[0] == view


def test_the_hard_no_filter_travels_in_the_link():
    view = ViewState(preset="peanut-allergy", methods=("naive", "qdrant-best"), hard_no=-0.9)
    params = encode(view)
    assert params["hardno"] == "-0.9" and params["methods"] == "naive,qdrant-best"
    assert decode(params)[0] == view
    assert "hardno" not in encode(ViewState())


@pytest.mark.parametrize("raw", ["0", "-0.01", "0.5", "-1.5", "nan", "inf", "-0.9x", "<b>", "x" * 500])
def test_a_bad_hard_no_threshold_warns_and_leaves_the_filter_off(raw):
    view, warnings = decode({"preset": "peanut-allergy", "hardno": raw})
    assert view.hard_no is None and len(warnings) == 1
    assert "hardno" in warnings[0] and ("-1 to -0.05" in warnings[0] or "longer than" in warnings[0])


# -- a link carries exactly the view it was copied from ------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "key", "value", "text"),
    [
        ("overrides", "set", {"anxiety": 0.123}, ["anxiety:0.123"]),
        ("overrides", "set", {"anxiety": -0.4567}, ["anxiety:-0.4567"]),
        ("variance", "var", 0.955, "0.955"),
        ("variance", "var", 0.5125, "0.5125"),
        ("strength", "alpha", 0.333, "0.333"),
        ("hard_no", "hardno", -0.875, "-0.875"),
        ("hard_no", "hardno", -0.1234567, "-0.1234567"),  # more than 6 decimals: kept whole
    ],
)
def test_every_numeric_parameter_round_trips_exactly(field, key, value, text):
    view = ViewState(**{field: value})
    params = encode(view)
    assert params[key] == text
    assert decode(params) == (view, [])


def test_a_slider_value_with_float_noise_gives_a_short_link():
    assert 0.1 + 0.2 != 0.3 and encode(ViewState(strength=0.1 + 0.2))["alpha"] == "0.3"


@pytest.mark.parametrize("raw", ["0.5_0", "0_5", "0x0", "٠.٥", " 0. 5", "5e-1_0", "1" * 40])
def test_link_numbers_follow_the_one_strict_number_rule(raw):
    for params in ({"set": f"anxiety:{raw}"}, {"var": raw}, {"alpha": raw}, {"hardno": raw}, {"k": raw}):
        view, warnings = decode(params)
        assert view == DEFAULT_VIEW and len(warnings) == 1, (params, warnings)


# -- repeats and conflicts are never resolved silently -------------------------------------------------------------


def test_a_score_set_twice_warns_and_says_which_value_is_used():
    view, warnings = decode({"set": ["anxiety:0.5", "anxiety:-0.5"]})
    assert view.overrides == {"anxiety": -0.5}
    assert warnings == ["The link sets 'anxiety' 2 times (0.5, -0.5); using the last, -0.5."]
    assert decode({"set": ["anxiety:0.5", "adventure:0.1", "anxiety:0.5"]})[1] == [], "the same value twice: no doubt"


@pytest.mark.parametrize(
    ("key", "values", "used"),
    [("k", ["3", "7"], "'7'"), ("var", ["0.9", "0.6"], "'0.6'"), ("user", ["user-a", "user-b"], "'user-b'")],
)
def test_a_single_valued_parameter_given_twice_warns(key, values, used):
    _, warnings = decode({key: values})
    head, tail = f"The link gives '{key}' 2 times", f"using the last, {used}."
    assert any(w.startswith(head) and w.endswith(tail) for w in warnings), warnings


def test_a_scenario_in_the_link_wins_over_a_preset_and_says_so():
    from core.scenarios.link import pack

    data = pack(load_preset("wine-synonyms"))
    view, warnings = decode({"data": data, "preset": "sign-trap"})
    assert view.data == data and warnings == [
        "The link gives both 'data' and preset='sign-trap'; showing the scenario in 'data' ('data' wins)."
    ]
    _, warnings = decode({"upload": "mine", "preset": "sign-trap"}, uploads={"mine": load_preset("wine-synonyms")})
    assert warnings and "'upload' wins" in warnings[0]


@pytest.mark.parametrize("blob", ["1.eJwLycgsVgAi", "1.!!!", "1.eJzLSM3JyQcABiwCFQ"])
def test_a_broken_scenario_warning_ends_with_one_mark(blob):
    _, warnings = decode({"data": blob})
    assert warnings and all(not w.endswith(("?.", "..", ".?")) for w in warnings), warnings


@pytest.mark.parametrize("hidden", ["\u202e", "\u2066", "\u200b", "\x1b", "\u2028"])
def test_link_warnings_escape_hidden_characters(hidden):
    params = {"preset": f"x{hidden}y", "user": f"u{hidden}", "set": f"a{hidden}b:0.5", "methods": f"n{hidden}"}
    _, warnings = decode(params)
    assert len(warnings) >= 3 and all(hidden not in w for w in warnings), warnings


def test_every_parameter_a_link_writes_is_one_the_explorer_knows():
    from core.explorer.links import KEYS

    full = ViewState(
        preset="wine-synonyms", user="granular", overrides={"wine": 0.1}, methods=("naive",), k=3, variance=0.9,
        strength=0.5, aligned=True, model="mpnet", hard_no=-0.5,
    )  # fmt: skip
    assert set(encode(full)) <= KEYS and {"data", "upload"} <= KEYS and "scenario" not in KEYS
