"""How the app writes small things, in one place: counts, lists of names, scores, and "not defined".

Every page, the CLI's text output and the readings use these; the browser's panel formats with the same
rules (``ui/live/js/format.js``, held against fixtures this module writes: ``tests/js/fixtures``).

>>> counted(1, "product"), counted(1_500, "product"), counted(2, "query", "queries")
('1 product', '1,500 products', '2 queries')
>>> join_names(["a"]), join_names(["a", "b"]), join_names(["a", "b", "c"], "or")
('a', 'a and b', 'a, b or c')
>>> score_text(0.8), score_text(-0.25), score_text(0.0001), signed(0.123), signed(-0.5, 1), signed(None)
('0.8', '-0.25', '0', '+0.12', '\u22120.5', 'n/a')
>>> profile_text({"wine": 0.8, "crowds": -0.5, "jazz": 0.1}, limit=2)
'wine +0.8, crowds -0.5, ... (1 more)'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

NOT_DEFINED = "n/a"
"""What a table, a chart label or a CLI column shows for a number that is not defined (null in JSON, NaN in
numpy): never a made-up 0, and never any other placeholder."""

MINUS = "\u2212"
"""The minus sign of a number shown to a person (a hyphen in a link or a CSV, where it is read back)."""


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count and its noun, singular for exactly one: every "N things" the app writes goes through here."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def join_names(names: Sequence[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c' (an empty list is an empty string)."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {conjunction} " + names[-1]


def score_text(score: float) -> str:
    """A score as a person writes it: two decimals at most, no trailing zeros, a plain hyphen for minus.

    The naive method embeds exactly this text (``core.vectors.texts.naive_text``)."""
    value = round(float(score), 2)
    return "0" if value == 0 else f"{value:g}"


def defined(value: float | None) -> bool:
    """Whether a number is defined: not None, not NaN, not infinite."""
    return value is not None and math.isfinite(float(value))


def fixed(value: float | None, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals (a typographic minus), or :data:`NOT_DEFINED`.

    >>> fixed(0.5), fixed(-0.125, 3), fixed(0.125), fixed(-0.001), fixed(float("nan"))
    ('0.50', '\u22120.125', '0.13', '0.00', 'n/a')
    """
    if not defined(value):
        return NOT_DEFINED
    text = _rounded(abs(float(value)), digits)
    negative = float(value) < 0 and any(c not in "0." for c in text)
    return (MINUS if negative else "") + text


def _rounded(magnitude: float, digits: int) -> str:
    """The exact binary value rounded half away from zero: JavaScript's ``toFixed`` rule, so both sides agree."""
    return str(Decimal(magnitude).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def signed(value: float | None, digits: int = 2) -> str:
    """``value`` with its sign always shown (+, a typographic minus, none for 0), or :data:`NOT_DEFINED`."""
    if not defined(value):
        return NOT_DEFINED
    text = _rounded(abs(float(value)), digits)
    if all(c in "0." for c in text):
        return text
    return ("+" if value > 0 else MINUS) + text


def percent(value: float | None) -> str:
    """A share as a whole percentage ('50%'), or :data:`NOT_DEFINED`."""
    return NOT_DEFINED if not defined(value) else fixed(float(value) * 100, 0) + "%"


def profile_text(profile: Mapping[str, float], limit: int = 12) -> str:
    """The strongest scores first, as a person would write them."""
    items = sorted(profile.items(), key=lambda item: -abs(item[1]))
    text = ", ".join(f"{f} {'+' if s > 0 else ''}{score_text(s)}" for f, s in items[:limit])
    return text + (f", ... ({len(items) - limit} more)" if len(items) > limit else "")
