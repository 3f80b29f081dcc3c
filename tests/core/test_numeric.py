"""The shared numeric rules: one epsilon for every normalisation, one NaN rule."""

from __future__ import annotations

import numpy as np
import pytest

from core.numeric import (
    EPS,
    NumberError,
    cosine,
    finite_mean,
    finite_or_none,
    format_number,
    inverse_norms,
    json_ready,
    measured_cosine,
    normalize_rows,
    number_text,
    parse_integer,
    parse_number,
    tanh_weights,
    unit,
)


def test_one_epsilon_decides_what_counts_as_zero_everywhere():
    tiny = np.array([EPS / 2, 0.0])
    small = np.array([EPS * 2, 0.0])
    assert unit(tiny).tolist() == [0.0, 0.0] and unit(small).tolist() == [1.0, 0.0]
    rows = normalize_rows(np.stack([tiny, small]))
    assert rows.dtype == np.float32 and rows.tolist() == [[0.0, 0.0], [1.0, 0.0]]
    assert inverse_norms(np.stack([tiny, small])).tolist() == pytest.approx([0.0, 1 / (EPS * 2)])
    assert cosine(tiny, small) == 0.0 and cosine(small, small) == pytest.approx(1.0)


def test_the_nan_rule_reports_null_and_never_a_made_up_number():
    assert finite_or_none(float("nan")) is None
    assert finite_or_none(float("inf")) is None and finite_or_none(-float("inf")) is None
    assert finite_or_none(None) is None
    assert finite_or_none(0.0) == 0.0 and finite_or_none(-0.1234567891, 3) == -0.123


def test_tanh_weights_absent_features_weigh_nothing():
    weights = tanh_weights(np.array([[1.0, np.nan], [-1.0, 0.0]]))
    assert weights.dtype == np.float32
    np.testing.assert_allclose(weights, [[np.tanh(2), 0.0], [-np.tanh(2), 0.0]], rtol=1e-6)


# -- one strict number rule for every input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.5", 0.5), ("-1", -1.0), ("+0.25", 0.25), (" 0.75 ", 0.75), (".5", 0.5), ("1e-3", 0.001), ("-2.5E+1", -25.0)],
)
def test_decimal_notation_is_read(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text",
    ["1_0", "0.5_0", "0_5", "0x1A", "0b1", "nan", "NaN", "inf", "-Infinity", "1 0", "", " ", "1e", "--1", "٣", "½"],
)
def test_anything_else_is_refused_where_float_would_read_it(text):
    with pytest.raises(NumberError) as error:
        parse_number(text)
    assert error.value.got is None, "the text itself is echoed by the caller"


def test_huge_integers_are_reported_by_digit_count_and_never_converted():
    for text, digits in (("1" * 401, 401), ("-" + "9" * 31, 31), ("1" * 5_000 + ".5", 5_000)):
        with pytest.raises(NumberError) as error:
            parse_number(text)
        assert error.value.got == f"a {digits:,}-digit number"
    assert parse_number("0" * 40 + "1") == 1.0, "leading zeros are not digits of size"
    with pytest.raises(NumberError):
        parse_number("1e400")  # beyond a float: refused, never inf


@pytest.mark.parametrize(("text", "ok"), [("12", 12), (" -3 ", -3), ("1_0", None), ("1.0", None), ("1e1", None)])
def test_whole_numbers_are_digits_only(text, ok):
    if ok is None:
        with pytest.raises(NumberError):
            parse_integer(text)
    else:
        assert parse_integer(text) == ok


@pytest.mark.parametrize("value", [0.123, 0.955, -0.5, 1.0, 0.0, -0.9, 0.123456, 0.1234567, 1e-7, 0.1 + 0.2])
def test_number_text_reads_back_as_the_same_value(value):
    text = number_text(value)
    assert parse_number(text) == pytest.approx(value, abs=1e-12) and "_" not in text
    assert len(text) <= len(repr(value)) + 1


def test_format_number_keeps_six_decimals_and_strips_zeros():
    assert [format_number(v) for v in (0.1230, 0.95, -0.0, 2.0, 0.1234567)] == ["0.123", "0.95", "0", "2", "0.123457"]


def test_a_measure_of_a_zero_vector_is_not_defined_while_ranking_keeps_zero():
    zero, e = np.zeros(3), np.array([1.0, 0.0, 0.0])
    assert cosine(zero, e) == 0.0, "for ranking a zero vector matches nothing"
    assert np.isnan(measured_cosine(zero, e)) and np.isnan(measured_cosine(e, zero))
    assert measured_cosine(e, -e) == pytest.approx(-1.0)


def test_means_and_json_never_make_up_a_zero():
    assert np.isnan(finite_mean([])) and np.isnan(finite_mean([float("nan")])) and finite_mean([1, np.nan, 0]) == 0.5
    assert json_ready({"a": [np.float32(0.5), float("inf")], "b": (np.int64(2), np.bool_(True))}) == {
        "a": [0.5, None],
        "b": [2, True],
    }
