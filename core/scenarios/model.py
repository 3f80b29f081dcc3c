"""Scenarios: users and products described by signed profiles.

A *profile* maps feature names to scores in [-1, 1]: +1 means "loves it",
-1 means "avoids it", 0 is neutral, and an absent feature is unknown.

Everything that enters the app (a preset file, an upload, an edited table, a
link) ends in the pydantic models below (through :func:`scenario_from_dict`),
so the rules live in one place. Errors name the source, the path inside it and
the rule:

>>> scenario_from_dict({"id": "x"}, source="demo.json")
Traceback (most recent call last):
...
core.scenarios.model.ScenarioError: demo.json: 4 problems
  - title: required field is missing
  - description: required field is missing
  - users: required field is missing
  - products: required field is missing
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from core.errors import InputError, UnknownName, quoted, shorten, visible
from core.numeric import MAX_NUMBER_DIGITS, NumberError, digit_count, huge_number, parse_number

MAX_FEATURES = 1_000
MAX_PRODUCTS = 20_000  # bench/limits.py: about 1.4 GB peak and ~11 min of text embedding on 2 cores
MAX_USERS = 1_000
MAX_FEATURE_CHARS = 80
MAX_ID_CHARS = 100
MAX_NAME_CHARS = 200
MAX_DESCRIPTION_CHARS = 2_000
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_JSON_DEPTH = 32
MAX_LISTED_PROBLEMS = 25  # problems listed in a message (CLI and pages); the rest are counted
MAX_FILE_BYTES = 200 * 1024 * 1024  # a scenario file read from disk by the CLI


class ScenarioError(InputError):
    """A scenario could not be loaded; lists every problem found.

    ``problems`` holds ``(path, message)`` pairs, where ``path`` is like
    ``products[3].profile.wine`` (empty for problems with the whole file).
    """

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(self._render())

    def _render(self) -> str:
        lines = problem_lines(self)
        if len(self.problems) == 1:
            return f"{self.source}: {lines[0]}"
        return "\n".join([f"{self.source}: {len(self.problems)} problems", *(f"  - {line}" for line in lines)])


def size_text(n: int) -> str:
    """A size limit as messages and the README state it, in binary units (1 MiB = 1,048,576 bytes).

    >>> size_text(10 * 2**20), size_text(200 * 2**20), size_text(64 * 2**10), size_text(64_000)
    ('10 MiB', '200 MiB', '64 KiB', '64,000 bytes')
    """
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size and n % size == 0:
            return f"{n // size:,} {unit}"
    return f"{n:,} bytes"


def too_large(max_bytes: int) -> str:
    """The one message for a file over its size limit (uploads, files, links, data folders)."""
    return f"file is larger than the limit of {size_text(max_bytes)}"


def check_size(data: bytes, *, source: str, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    """The one size rule for scenario bytes (uploads, files, links): refuse more than ``max_bytes``."""
    if len(data) > max_bytes:
        raise ScenarioError(source, [("", f"{too_large(max_bytes)} (it has {len(data):,} bytes)")])


def problem_lines(error: ScenarioError) -> list[str]:
    """The problems as lines, at most :data:`MAX_LISTED_PROBLEMS`, then a count of the rest."""
    lines = [
        visible(f"{path + ': ' if path else ''}{message}") for path, message in error.problems[:MAX_LISTED_PROBLEMS]
    ]
    if len(error.problems) > MAX_LISTED_PROBLEMS:
        lines.append(f"... and {len(error.problems) - MAX_LISTED_PROBLEMS} more")
    return lines


# --------------------------------------------------------------------------
# Field rules


def _fail(kind: str, message: str) -> PydanticCustomError:
    """A validation error with a finished message (no template: user text may hold braces)."""
    return PydanticCustomError(kind, message)


# Invisible characters that change how text looks or breaks are refused by Unicode category:
# controls (Cc), formatting (Cf), line and paragraph separators (Zl, Zp), lone surrogates (Cs).
# Three format characters are part of ordinary text and allowed: the zero-width joiner and
# non-joiner (emoji sequences such as a person at a laptop, and scripts like Persian) and the
# variation selectors (emoji versus text presentation).
# Also refused: unassigned code points (Cn), and letters and marks that draw nothing (Hangul fillers, the
# braille blank, the combining grapheme joiner), with which a name can look empty or like another name.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Cn"})
BLANK_GLYPHS = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u034f"})
JOINERS = frozenset({"\u200c", "\u200d"})


def _allowed_format(ch: str) -> bool:
    return ch in JOINERS or "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"


def invisible_characters(text: str, allowed: str = "") -> list[str]:
    """The characters of ``text`` a name may not contain (``allowed`` are exceptions, e.g. newlines).

    >>> invisible_characters("\U0001f469\u200d\U0001f4bb coding"), invisible_characters("a\u2028b")
    ([], ['U+2028'])
    """
    return [
        f"U+{ord(ch):04X}"
        for ch in text
        if (unicodedata.category(ch) in INVISIBLE_CATEGORIES or ch in BLANK_GLYPHS)
        and ch not in allowed
        and not _allowed_format(ch)
    ]


def _has_control_chars(text: str) -> bool:
    return bool(invisible_characters(text))


def check_feature_name(value: Any) -> str:
    """Validate and strip one feature name.

    >>> check_feature_name("  white wine ")
    'white wine'
    """
    if not isinstance(value, str):
        raise _fail("feature_name", "feature name must be text")
    name = value.strip()
    if not 1 <= len(name) <= MAX_FEATURE_CHARS:
        raise _fail(
            "feature_name",
            f"feature name must be 1 to {MAX_FEATURE_CHARS} characters after stripping (got {len(name)})",
        )
    bad = invisible_characters(name)
    if bad:
        raise _fail(
            "feature_name", f"feature name must not contain control characters or other invisible ones (found {bad[0]})"
        )
    return name


class HugeNumber:
    """A JSON integer of more than :data:`MAX_NUMBER_DIGITS` digits: never converted, only reported.

    (Converting it could overflow a float or hit Python's limit on integer digits.)
    """

    def __init__(self, text: str = "", *, digits: int | None = None) -> None:
        self.digits = digit_count(text) if digits is None else digits

    def __repr__(self) -> str:
        return huge_number(self.digits)

    @classmethod
    def parse(cls, text: str) -> int | HugeNumber:
        """``json.loads(..., parse_int=HugeNumber.parse)``."""
        return cls(text) if digit_count(text) > MAX_NUMBER_DIGITS else int(text)


def score_cell(text: str) -> float | HugeNumber | str:
    """A score typed as text (a CSV cell, an editor cell), read with the one strict number rule
    (:func:`core.numeric.parse_number`): a float, a :class:`HugeNumber`, or the text itself, which
    :func:`check_score` then names ("score must be a number in [-1, 1], got '1_0'").

    >>> score_cell(" 0.5 "), score_cell("1_0"), score_cell("1" * 401)
    (0.5, '1_0', a 401-digit number)
    """
    try:
        return parse_number(text)
    except NumberError as exc:
        return text if exc.digits is None else HugeNumber(digits=exc.digits)


_NOT_FINITE = re.compile(r"[+-]?(nan|inf|infinity)", re.IGNORECASE)


def score_problem(value: Any) -> str:
    """What :func:`check_score` says about ``value`` ("score must be in [-1, 1], got a 401-digit number")."""
    try:
        check_score(value)
    except PydanticCustomError as exc:
        return str(exc)
    raise ValueError(f"{value!r} is a valid score")


def check_score(value: Any) -> float:
    """Validate one score: a finite number in [-1, 1]. Booleans, strings and huge integers are refused.

    >>> check_score(-1)
    -1.0
    >>> check_score(10**400)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.PydanticCustomError: score must be in [-1, 1], got a 401-digit number
    """
    if isinstance(value, HugeNumber):
        raise _fail("score", f"score must be in [-1, 1], got {value!r}")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 1:  # never float() a huge int
        shown = huge_number(len(str(abs(value)))) if abs(value) >= 10**MAX_NUMBER_DIGITS else str(value)
        raise _fail("score", f"score must be in [-1, 1], got {shown}")
    if isinstance(value, str):
        finite = " (not a finite number)" if _NOT_FINITE.fullmatch(value.strip()) else ""
        raise _fail("score", f"score must be a number in [-1, 1], got {shorten(value)}{finite}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail("score", f"score must be a number in [-1, 1], got {type(value).__name__}")
    score = float(value)
    if not math.isfinite(score):
        raise _fail("score", f"score must be finite and in [-1, 1], got {value}")
    if not -1.0 <= score <= 1.0:
        raise _fail("score", f"score must be in [-1, 1], got {value!r}")
    return score


def _text_rule(field: str, max_chars: int, *, allow_empty: bool = False):
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise _fail("text", f"{field} must be text")
        text = value.strip()
        if not text and not allow_empty:
            raise _fail("text", f"{field} is empty; every row needs one (1 to {max_chars} characters)")
        if not (0 if allow_empty else 1) <= len(text) <= max_chars:
            raise _fail(
                "text", f"{field} must be {0 if allow_empty else 1} to {max_chars} characters (got {len(text)})"
            )
        # Descriptions may span lines; everything else is a single line.
        allowed = "\n\t" if allow_empty else ""
        bad = invisible_characters(text, allowed)
        if bad:
            raise _fail("text", f"{field} must not contain control characters or other invisible ones (found {bad[0]})")
        return text

    return check


FeatureName = Annotated[str, BeforeValidator(check_feature_name)]
Score = Annotated[float, BeforeValidator(check_score)]
Id = Annotated[str, BeforeValidator(_text_rule("id", MAX_ID_CHARS))]
Name = Annotated[str, BeforeValidator(_text_rule("name", MAX_NAME_CHARS))]
Description = Annotated[str, BeforeValidator(_text_rule("description", MAX_DESCRIPTION_CHARS, allow_empty=True))]


def _check_profile(value: Any) -> Any:
    """Refuse two keys that collide after stripping (" wine" and "wine")."""
    if not isinstance(value, Mapping):
        raise _fail("profile", "profile must be an object of {feature: score}")
    seen: dict[str, str] = {}
    for key in value:
        if isinstance(key, str):
            stripped = key.strip()
            if stripped in seen:
                raise _fail(
                    "profile",
                    f"features {quoted(seen[stripped])} and {quoted(key)} are the same after stripping spaces",
                )
            seen[stripped] = key
    if len(value) > MAX_FEATURES:
        raise _fail("profile", f"a profile may have at most {MAX_FEATURES} features")
    return value


Profile = Annotated[dict[FeatureName, Score], BeforeValidator(_check_profile)]


def folded(name: str) -> str:
    """What a reader (and an uncased model) cannot tell apart: Unicode compatibility form, then case.

    >>> folded("Café") == folded("cafe\u0301".upper()) == folded("ＣＡＦＥ\u0301")
    True
    """
    return unicodedata.normalize("NFKC", name).casefold()


def _no_look_alikes(vocabulary: tuple[str, ...]) -> None:
    """Refuse two features that differ only in case or Unicode form ("Wine" and "wine", "café" composed or not):
    they look like one feature, and a model that lower-cases embeds them identically."""
    seen: dict[str, str] = {}
    for feature in vocabulary:
        key = folded(feature)
        if key in seen:
            raise _fail(
                "features",
                f"features {quoted(seen[key])} and {quoted(feature)} differ only in case or Unicode form; "
                "use one name for both",
            )
        seen[key] = feature


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class User(_Strict):
    id: Id
    name: Name
    profile: Profile


class Product(_Strict):
    id: Id
    name: Name
    description: Description = ""
    profile: Profile


def _unique_ids(items: list[Any], kind: str) -> list[Any]:
    first_seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in first_seen:
            raise _fail(
                "duplicate_id",
                f"duplicate id {shorten(item.id)} at {kind}[{first_seen[item.id]}] and {kind}[{i}]; ids must be unique",
            )
        first_seen[item.id] = i
    return items


class Scenario(_Strict):
    """A set of users and products to rank, with a text saying what it teaches."""

    id: Id
    title: Name
    description: Description
    features: list[FeatureName] | None = Field(
        default=None, description="Declared vocabulary; when given, every profile feature must be in it."
    )
    users: list[User] = Field(min_length=1, max_length=MAX_USERS)
    products: list[Product] = Field(min_length=1, max_length=MAX_PRODUCTS)

    _vocabulary: tuple[str, ...] = PrivateAttr(default=())
    _fingerprint: str = PrivateAttr(default="")

    @field_validator("users")
    @classmethod
    def _users_unique(cls, users: list[User]) -> list[User]:
        return _unique_ids(users, "users")

    @field_validator("products")
    @classmethod
    def _products_unique(cls, products: list[Product]) -> list[Product]:
        return _unique_ids(products, "products")

    @field_validator("features")
    @classmethod
    def _features_unique(cls, features: list[str] | None) -> list[str] | None:
        if features is not None:
            dupes = sorted({f for f in features if features.count(f) > 1})
            if dupes:
                raise _fail("features", f"features listed twice: {', '.join(map(quoted, dupes))}")
        return features

    @model_validator(mode="after")
    def _vocabulary_rules(self) -> Scenario:
        used: dict[str, None] = {}
        for group in (self.products, self.users):
            for item in group:
                used.update(dict.fromkeys(item.profile))
        if self.features is not None:
            declared = set(self.features)
            for kind, group in (("products", self.products), ("users", self.users)):
                for i, item in enumerate(group):
                    for feature in item.profile:
                        if feature not in declared:
                            path = f"{kind}[{i}].profile{_key_path(feature)}"
                            raise _fail(
                                "features", f"{path}: feature {quoted(feature)} is not in the declared 'features' list"
                            )
            vocabulary = tuple(self.features)
        else:
            vocabulary = tuple(used)
        if len(vocabulary) > MAX_FEATURES:
            raise _fail(
                "features", f"the scenario uses {len(vocabulary)} distinct features; at most {MAX_FEATURES} are allowed"
            )
        _no_look_alikes(vocabulary)
        self._vocabulary = vocabulary
        # Computed now, not lazily: pydantic compares private attributes in ==, so a lazily
        # filled cache would make two equal scenarios compare unequal.
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        self._fingerprint = hashlib.sha256(canonical.encode()).hexdigest()[:16]
        return self

    @property
    def vocabulary(self) -> tuple[str, ...]:
        """Every feature of the scenario, declared order first, else order of first use."""
        return self._vocabulary

    @property
    def fingerprint(self) -> str:
        """A content hash: equal scenarios share caches, edited ones do not."""
        return self._fingerprint

    def user(self, user_id: str) -> User:
        for user in self.users:
            if user.id == user_id:
                return user
        raise UnknownName("user", user_id, [u.id for u in self.users], context=f"in scenario {quoted(self.id)}")

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------
# Parsing


MAX_PATH_KEY_CHARS = 60  # a key longer than this is shortened in messages, never echoed whole


def _key_path(key: Any) -> str:
    if isinstance(key, int):
        return f"[{key}]"
    text = str(key)
    if len(text) > MAX_PATH_KEY_CHARS:
        text = f"{text[:MAX_PATH_KEY_CHARS]}... ({len(text):,} characters)"
    if text.isidentifier() and visible(text) == text:
        return f".{text}"
    return f"[{json_quoted(text)}]"


def json_quoted(text: str) -> str:
    r"""``json.dumps`` of a key for a path in a message, with invisible characters and a leading combining mark
    escaped as JSON escapes (so the path still reads as JSON).

    >>> print(json_quoted("a\u202eb"), json_quoted("\u0301x"), json_quoted("white wine"))
    "a\u202eb" "\u0301x" "white wine"
    """
    body = json.dumps(text, ensure_ascii=False)[1:-1]
    return '"' + visible(body, escape=lambda ch: json.dumps(ch)[1:-1]) + '"'


def format_location(loc: Iterable[Any]) -> str:
    """Turn a pydantic location into ``products[3].profile.wine``.

    >>> format_location(("products", 3, "profile", "white wine"))
    'products[3].profile["white wine"]'
    """
    parts = [p for p in loc if p != "[key]"]
    out = ""
    for part in parts:
        piece = _key_path(part)
        out += piece[1:] if not out and piece.startswith(".") else piece
    return out


_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field; allowed fields are listed in the README's scenario schema",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "too_short": "must not be empty",
    "too_long": "has too many entries (at most {max_length})",
}


def problems_from_validation(error: ValidationError) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        message = item["msg"]
        template = _MESSAGES.get(item["type"])
        if template:
            message = template.format(**(item.get("ctx") or {}))
        if item["type"] == "too_long" and loc and loc[-1] == "products":
            message = f"has too many products (at most {MAX_PRODUCTS:,})"
        elif item["type"] == "too_long" and loc and loc[-1] == "users":
            message = f"has too many users (at most {MAX_USERS:,})"
        if "[key]" in loc:
            message = f"bad feature name {shorten(str(loc[-2]))}: {message}"
        path = format_location(loc)
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        # Messages that carry their own path (cross-field rules) keep it.
        if item["type"] == "features" and message.split(":")[0].startswith(("products[", "users[")):
            path, message = message.split(": ", 1)
        problems.append((path, message))
    return problems


def scenario_from_dict(value: Any, *, source: str) -> Scenario:
    if not isinstance(value, dict):
        raise ScenarioError(source, [("", f"expected a JSON object at the top level, got {type(value).__name__}")])
    try:
        return Scenario.model_validate(value)
    except ValidationError as exc:
        raise ScenarioError(source, problems_from_validation(exc)) from None


def validate_profile(value: Any, *, source: str = "profile") -> dict[str, float]:
    """Validate a bare ``{feature: score}`` mapping (the CLI's ``compare``)."""

    class _Wrapper(_Strict):
        profile: Profile

    try:
        return dict(_Wrapper(profile=value).profile)
    except ValidationError as exc:
        raise ScenarioError(source, problems_from_validation(exc)) from None
