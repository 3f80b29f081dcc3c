"""How the app writes numbers and counts: one rule each, the same as the browser's (tests/js holds that)."""

from __future__ import annotations

import math

import pytest

from core.wording import MINUS, NOT_DEFINED, counted, fixed, join_names, percent, profile_text, score_text, signed


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (0.125, 2, "0.13"),  # an exact binary tie rounds away from zero (JavaScript's toFixed does too)
        (-0.125, 2, f"{MINUS}0.13"),
        (0.1249999, 2, "0.12"),
        (-0.001, 2, "0.00"),  # no "-0.00"
        (1.0, 0, "1"),
        (2.5, 0, "3"),
        (1234.5678, 3, "1234.568"),
    ],
)
def test_fixed_rounds_half_away_from_zero_and_never_writes_minus_zero(value, digits, expected):
    assert fixed(value, digits) == expected


@pytest.mark.parametrize("bad", [None, math.nan, math.inf, -math.inf])
def test_every_number_that_is_not_defined_reads_the_same(bad):
    assert fixed(bad) == signed(bad) == percent(bad) == NOT_DEFINED


def test_signed_shows_the_sign_except_for_what_rounds_to_zero():
    assert [signed(v) for v in (0.123, -0.5, 0.004, -0.004, 0.0)] == ["+0.12", f"{MINUS}0.50", "0.00", "0.00", "0.00"]
    assert percent(0.5) == "50%" and percent(0.125) == "13%" and percent(1) == "100%"


def test_counts_and_lists_read_as_english():
    assert [counted(n, "product") for n in (0, 1, 2, 1_500)] == [
        "0 products",
        "1 product",
        "2 products",
        "1,500 products",
    ]
    assert counted(3, "query", "queries") == "3 queries"
    assert [join_names(n) for n in ([], ["a"], ["a", "b"], ["a", "b", "c"])] == ["", "a", "a and b", "a, b and c"]
    assert join_names(["x", "y"], "or") == "x or y"


def test_scores_are_written_as_a_person_writes_them():
    assert [score_text(s) for s in (0.8, -0.25, 0.0001, 1.0, -0.0)] == ["0.8", "-0.25", "0", "1", "0"]
    assert profile_text({"a": 0.1, "b": -0.9, "c": 0.5}, limit=2) == "b -0.9, c +0.5, ... (1 more)"
