"""Readings are computed from the numbers: the same sentence template says opposite things for opposite numbers."""

from __future__ import annotations

from core.diagnostics import readings
from core.diagnostics.injection import Injection
from core.diagnostics.tanh import TanhEffect
from core.diagnostics.truncation import Truncation
from core.wording import NOT_DEFINED


def test_sign_reading_sorts_methods_into_blind_aware_and_partly():
    text = readings.reading_sign({"naive": {"a": 0.97}, "split": {"a": 0.3}, "weighted": {"a": -1.0}})
    assert text.startswith("Naive text cannot tell a profile from its opposite (mean cos(P, -P) 0.97)")
    assert "weighted sum can (-1.00)" in text and "split channel partly (0.30)" in text


def test_prefix_reading_follows_the_polarity():
    assert "nearly sign-blind" in readings.reading_prefix({"a": 0.95, "b": 0.9})
    assert "does separate" in readings.reading_prefix({"a": 0.1, "b": 0.2})


def test_truncation_reading_counts_what_is_never_read():
    fits = readings.reading_truncation({"u": Truncation(20, 256, [])})
    assert fits == "Every user's naive text fits the model's 256 tokens (longest: 20)."
    cut = readings.reading_truncation({"u": Truncation(300, 256, ["x", "y"]), "v": Truncation(10, 256, [])})
    assert "1 of 2 users" in cut and "never reads 2" in cut


def test_injection_reading_with_an_undefined_correlation_says_so():
    injection = Injection("opera", 5, [0, 1], [0, 2], [0, 1], 1, 1, 0, float("nan"))
    assert "silently ignored" in readings.reading_injection(injection)
    same = Injection("opera", 5, [0, 1], [0, 1], [0, 1], 0, 0, 0, float("nan"))
    assert f"rank correlation {NOT_DEFINED}" in readings.reading_injection(same)


def test_tanh_reading_states_whether_the_claim_holds():
    assert "as claimed" in readings.reading_tanh(TanhEffect(200, "wine", 0.5, 1.0, 1.0, 4.0))
    assert "does not damp" in readings.reading_tanh(TanhEffect(200, "wine", 0.5, 1.0, 4.0, 1.0))


def test_dislikes_reading_names_the_worst_method_and_the_clean_ones():
    totals = {
        "naive": {"hard_no_in_top_k": 7, "disliked_in_top_k": 4},
        "weighted": {"hard_no_in_top_k": 0, "disliked_in_top_k": 0},
        "exact": {"hard_no_in_top_k": 0, "disliked_in_top_k": 0},
    }
    text = readings.reading_dislikes(totals, 5)
    assert text.startswith("Over all users, naive text puts 7 products that break a hard no")
    assert "weighted sum and exact (reference) put none" in text
    floor = {**totals, "exact": {"hard_no_in_top_k": 2, "disliked_in_top_k": 0}}
    assert "Even exact ranks 2 products that break a hard no in a top 5" in readings.reading_dislikes(floor, 5)


def test_a_method_without_a_vector_reads_as_such_never_as_partly():
    nan = float("nan")
    flip = {"naive": {"a": 0.95}, "split": {"a": 0.0}, "whitened": {"a": nan}, "exact": {"a": nan}}
    text = readings.reading_sign(flip)
    assert "split channel partly (0.00)" in text
    assert "whitened sum and exact (reference) give no vector for these profiles, so cos(P, -P) is not defined" in text
    assert "nan" not in text
    alone = readings.reading_sign({"weighted": {"a": nan, "b": nan}})
    assert alone == "Weighted sum gives no vector for these profiles, so cos(P, -P) is not defined."


def test_injection_and_tanh_that_measure_nothing_say_why():
    nothing = Injection("opera", 1, [0], [0], [0], None, None, None, float("nan"), "every product scores the same")
    text = readings.reading_injection(nothing)
    assert "cannot be measured on this scenario: every product scores the same" in text and "invisible" not in text
    flat = TanhEffect(3, "wine", 0.5, 1.0, float("nan"), float("nan"), "every other score of the profile is 0")
    assert "is not defined here: every other score" in readings.reading_tanh(flat)
    assert "does not damp" not in readings.reading_tanh(flat)


def test_synonyms_without_a_whitened_vector_are_not_read_as_stacking():
    nan = float("nan")
    text = readings.reading_synonyms(
        ("a", "b", 0.8), {"weighted": 1.8, "whitened": nan}, {"weighted": 0.8, "whitened": nan}, []
    )
    assert "not defined" in text and "nan" not in text and "removes" not in text
