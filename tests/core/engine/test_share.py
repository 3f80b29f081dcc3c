"""The URL codec: round trips, and every kind of bad value becomes a warning, never an exception."""

from __future__ import annotations

import random

import pytest

from core.engine.methods import METHOD_NAMES
from core.engine.share import DEFAULT_VIEW, MAX_VALUE_CHARS, ViewState, decode, encode
from core.scenarios.presets import load_preset


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
    ({"var": "0.1"}, "number from 0.5 to 1.0"),
    ({"alpha": "-1"}, "number from 0.0 to 1.0"),
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


@pytest.mark.parametrize("raw", ["0.5", "-1.5", "nan", "inf", "-0.9x", "<b>", "x" * 500])
def test_a_bad_hard_no_threshold_warns_and_leaves_the_filter_off(raw):
    view, warnings = decode({"preset": "peanut-allergy", "hardno": raw})
    assert view.hard_no is None and len(warnings) == 1
    assert "hardno" in warnings[0] and ("-1 to 0" in warnings[0] or "longer than" in warnings[0])
