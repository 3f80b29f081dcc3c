"""Small numeric rules every package shares: one epsilon, one way to normalise, one NaN rule.

>>> unit(np.array([3.0, 4.0])).tolist()
[0.6, 0.8]
>>> unit(np.zeros(2)).tolist()  # a (near) zero vector stays exactly zero
[0.0, 0.0]
>>> normalize_rows(np.array([[0.0, 2.0], [0.0, 0.0]])).tolist()
[[0.0, 1.0], [0.0, 0.0]]
>>> cosine(np.array([1.0, 0.0]), np.array([1.0, 1.0]))
0.7071067811865475
>>> finite_or_none(float("nan")), finite_or_none(0.1234567891)
(None, 0.123457)
>>> parse_number(" -0.5e1 "), format_number(0.1230)
(-5.0, '0.123')
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

EPS = 1e-8
"""A vector whose length is at or below EPS counts as zero: it is never divided by."""

DIGITS = 6
"""Decimals kept when a number leaves the program (JSON, tables, links)."""

MAX_NUMBER_DIGITS = 30
"""An integer part longer than this is never converted (it could overflow a float or hit Python's limit on
integer digits): it is reported by its digit count, "a 401-digit number"."""

NUMBER_PATTERN = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
"""Decimal notation, the one way a number is written in every input (CSV cells, links, CLI arguments):
an optional sign, ASCII digits, an optional fraction and an optional exponent. No underscores, hexadecimal,
inner spaces, other scripts' digits, 'nan' or 'inf' (all of which Python's ``float()`` accepts)."""
_NUMBER = re.compile(NUMBER_PATTERN)
_INTEGER = re.compile(r"[+-]?[0-9]+")


def unit(vector: np.ndarray) -> np.ndarray:
    """``vector`` scaled to length 1; a vector of length <= EPS becomes exactly zero."""
    vector = np.asarray(vector)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > EPS else np.zeros_like(vector)


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise the rows of an (n, d) array as float32; rows of length <= EPS stay exactly zero."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > EPS)


def inverse_norms(vectors: np.ndarray) -> np.ndarray:
    """1 / the length of each row, 0 for rows of length <= EPS (so they score 0 against everything)."""
    norms = np.linalg.norm(np.asarray(vectors), axis=1)
    return np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > EPS).astype(np.float32)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two vectors; 0.0 when either has length <= EPS (no direction, no similarity)."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return 0.0 if na <= EPS or nb <= EPS else float(a @ b / (na * nb))


def tanh_weights(scores: np.ndarray | float) -> np.ndarray:
    """The weight of a score in a weighted sum: tanh(2s). An absent score (NaN) weighs 0.

    >>> [round(float(w), 3) for w in tanh_weights(np.array([1.0, np.nan, -0.5]))]
    [0.964, 0.0, -0.762]
    """
    return np.tanh(2.0 * np.nan_to_num(np.asarray(scores, dtype=np.float64))).astype(np.float32)


def finite_or_none(value: float | None, digits: int = DIGITS) -> float | None:
    """The one NaN rule: a number that is not finite is reported as None (JSON null), never as a made-up 0."""
    if value is None:
        return None
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


class NumberError(ValueError):
    """Text that is not a number in decimal notation, or one too large to convert.

    ``digits`` is set for an integer part of more than :data:`MAX_NUMBER_DIGITS` digits; ``got`` then describes
    it ("a 401-digit number") where the text itself should not be echoed, else it is None.
    """

    def __init__(self, message: str, digits: int | None = None) -> None:
        super().__init__(message)
        self.digits = digits

    @property
    def got(self) -> str | None:
        return None if self.digits is None else huge_number(self.digits)


def digit_count(text: str) -> int:
    """Digits of a number's integer part, its sign and leading zeros left out: the one count behind
    :func:`huge_number`.

    >>> digit_count("-000123.45e6"), digit_count("0"), digit_count("1" * 401)
    (3, 0, 401)
    """
    whole = re.split(r"[.eE]", text.strip().lstrip("+-"), maxsplit=1)[0]
    return len(whole.lstrip("0"))


def huge_number(digits: int) -> str:
    """How a number too long to convert is named in a message, never echoed: 'a 401-digit number'."""
    return f"a {digits:,}-digit number"


def _checked(text: object, pattern: re.Pattern[str], what: str) -> str:
    if not isinstance(text, str):
        raise NumberError(f"expected {what} as text, got {type(text).__name__}")
    stripped = text.strip()
    if not pattern.fullmatch(stripped):
        raise NumberError(f"not {what} in decimal notation (digits, an optional fraction and exponent)")
    digits = digit_count(stripped)
    if digits > MAX_NUMBER_DIGITS:
        raise NumberError(f"a {digits:,}-digit number is too large", digits=digits)
    return stripped


def parse_number(text: str) -> float:
    """The one strict reading of a number typed by a person: :data:`NUMBER_PATTERN`, surrounding spaces allowed.

    Raises :class:`NumberError` for anything else, including a number beyond a float's range.

    >>> parse_number("1e-3"), parse_number(".5"), parse_number("+1")
    (0.001, 0.5, 1.0)
    >>> for bad in ("1_0", "0x1A", "nan", "inf", "1 0", "", "1" * 401):
    ...     try:
    ...         parse_number(bad)
    ...     except NumberError as exc:
    ...         print(exc.got or "refused")
    refused
    refused
    refused
    refused
    refused
    refused
    a 401-digit number
    """
    value = float(_checked(text, _NUMBER, "a number"))
    if not math.isfinite(value):
        raise NumberError("the number is beyond the range of numbers this program handles")
    return value


def parse_integer(text: str) -> int:
    """A whole number in decimal digits (an optional sign, no point, no exponent, no underscores).

    >>> parse_integer(" 12 "), parse_integer("-3")
    (12, -3)
    """
    return int(_checked(text, _INTEGER, "a whole number"))


def format_number(value: float, digits: int = DIGITS) -> str:
    """A number as a link or a message writes it: at most ``digits`` decimals, trailing zeros stripped.

    Read back with :func:`parse_number` it gives the same value to ``digits`` decimals.

    >>> format_number(0.955), format_number(-0.5), format_number(1.0), format_number(-0.0000001)
    ('0.955', '-0.5', '1', '0')
    """
    text = f"{round(float(value), digits):.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def measured_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two vectors as a *measure*: NaN (reported as null, "not defined") when either has length <= EPS.

    :func:`cosine` gives 0.0 there, which is right for ranking (a zero vector matches nothing) and wrong for a
    measure: a method that gives no vector has no cos(P, -P), not a cosine of 0.

    >>> measured_cosine(np.zeros(2), np.array([1.0, 0.0]))
    nan
    """
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return math.nan if na <= EPS or nb <= EPS else float(a @ b / (na * nb))


def finite_mean(values: Any) -> float:
    """The mean of the finite values; NaN when there is none (a mean of nothing is not 0).

    >>> finite_mean([1.0, float("nan"), 0.0]), finite_mean([float("nan")])
    (0.5, nan)
    """
    array = np.asarray(list(values), dtype=float)
    array = array[np.isfinite(array)]
    return float(array.mean()) if array.size else math.nan


def json_ready(value: Any, digits: int | None = None) -> Any:
    """A structure for JSON with the NaN rule applied everywhere: non-finite floats become None, numpy numbers
    plain ones (rounded to ``digits`` if given).

    >>> json_ready({"ci": [float("nan"), np.float64(0.5)], "n": np.int64(3)})
    {'ci': [None, 0.5], 'n': 3}
    """
    if isinstance(value, dict):
        return {k: json_ready(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v, digits) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return finite_or_none(value, digits) if digits is not None else (float(value) if math.isfinite(value) else None)
    return value


def number_text(value: float, digits: int = DIGITS) -> str:
    """A number written so that :func:`parse_number` reads back the same value: :func:`format_number` (at most
    ``digits`` decimals) when that is the value (up to float noise), else Python's shortest exact ``repr``.

    Links carry numbers this way: ``0.123`` stays ``0.123`` (never ``0.12``), a slider's ``0.35000000000000003`` is
    ``0.35``, and a hand-typed ``0.1234567`` is kept whole.

    >>> number_text(0.123), number_text(0.955), number_text(0.1 + 0.25), number_text(0.1234567), number_text(-1.0)
    ('0.123', '0.955', '0.35', '0.1234567', '-1')
    """
    text = format_number(value, digits)
    return text if abs(float(text) - float(value)) <= 1e-12 else repr(float(value))
