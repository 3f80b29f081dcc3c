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
from collections.abc import Callable, Iterable, Mapping
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
from core.textfiles import normal

MAX_FEATURES = 1_000
MAX_PRODUCTS = 20_000  # bench/limits.py: about 1.4 GB peak and ~11 min of text embedding on 2 cores
MAX_USERS = 1_000
MAX_FEATURE_CHARS = 80
MAX_ID_CHARS = 100
MAX_NAME_CHARS = 200
MAX_DESCRIPTION_CHARS = 2_000
MAX_UPLOAD_BYTES = 10_000_000
"""A scenario file, uploaded or given to the CLI: 10 MB as Streamlit's uploader counts it (10 x 1,000,000 bytes,
``maxUploadSize = 10`` in .streamlit/config.toml), so the label, the widget and the check agree. Parsing stays
within a measured multiple of the file's size (bench/limits.py, README "Limits")."""
PARSE_MEMORY = (9, 14_000_000)
"""Parsing a scenario file of n bytes (JSON or CSV, accepted or refused) takes at most 9 n + 14 MB of memory at its
peak. bench/limits.py measures the worst shapes: 8.0 n for 10 MB of texts with an emoji each (Python then keeps
every character in 4 bytes), and 12.7 MB for a 1 MB file of the 33,000 small objects the limits let through."""
MAX_CONTAINERS = 4 + 2 * (MAX_USERS + MAX_PRODUCTS)
"""Objects and lists a scenario's JSON can need: itself, features, users and products, and each user and product
with its profile. Counted before parsing: a file of empty lists costs 50 times its size once parsed."""
MAX_JSON_DEPTH = 32
MAX_LISTED_PROBLEMS = 25  # problems listed in a message (CLI and pages); the rest are counted
MAX_COUNTED_PROBLEMS = 10_000  # then reading stops: a file of a million bad cells answers in a second, not twenty


class ScenarioError(InputError):
    """A scenario could not be loaded; lists every problem found.

    ``problems`` holds ``(path, message)`` pairs, where ``path`` is like
    ``products[3].profile.wine`` (empty for problems with the whole file).
    """

    def __init__(self, source: str, problems: list[tuple[str, str]], *, more: int = 0, stopped: bool = False) -> None:
        self.source = source
        self.problems = problems
        self.more = more  # problems found but not kept (see :class:`Problems`)
        self.stopped = stopped  # reading stopped at MAX_COUNTED_PROBLEMS: there may be more
        super().__init__(self._render())

    @property
    def count(self) -> int:
        """Every problem found, kept or only counted."""
        return len(self.problems) + self.more

    def _render(self) -> str:
        lines = problem_lines(self)
        if self.count == 1:
            return f"{self.source}: {lines[0]}"
        counted = f"{self.count:,}{' or more' if self.stopped else ''} problems"
        return "\n".join([f"{self.source}: {counted}", *(f"  - {line}" for line in lines)])


class Problems:
    """Problems found while reading: the first :data:`MAX_LISTED_PROBLEMS` kept, the rest only counted up to
    :data:`MAX_COUNTED_PROBLEMS` (then reading stops), so a file with a million bad cells costs neither a million
    messages nor the time to find them all."""

    def __init__(self) -> None:
        self.kept: list[tuple[str, str]] = []
        self.more = 0

    @property
    def enough(self) -> bool:
        """Whether reading should stop: this many problems say all a person needs to know."""
        return len(self.kept) + self.more >= MAX_COUNTED_PROBLEMS

    @property
    def full(self) -> bool:
        """Whether a further problem is only counted (callers may then skip writing its message)."""
        return len(self.kept) >= MAX_LISTED_PROBLEMS

    def add(self, path: str, message: str | Callable[[], str]) -> None:
        """Keep a problem (``message`` may be a function, called only when the problem is kept) or count it."""
        if self.full:
            self.more += 1
        else:
            self.kept.append((path, message if isinstance(message, str) else message()))

    def __bool__(self) -> bool:
        return bool(self.kept)

    def error(self, source: str) -> ScenarioError:
        return ScenarioError(source, self.kept, more=self.more, stopped=self.enough)


def size_text(n: int) -> str:
    """A size limit as messages and the README state it: in binary units (1 MiB = 1,048,576 bytes) when it is a
    whole number of them, else in megabytes (1 MB = 1,000,000 bytes, as Streamlit's uploader counts), else bytes.

    >>> size_text(10 * 2**20), size_text(64 * 2**10), size_text(10_000_000), size_text(64_000)
    ('10 MiB', '64 KiB', '10 MB', '64,000 bytes')
    """
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10), ("MB", 10**6)):
        if n >= size and n % size == 0:
            return f"{n // size:,} {unit}"
    return f"{n:,} bytes"


def too_large(max_bytes: int, size: int | None = None) -> str:
    """The one message for a file over its size limit (uploads, files, links, data folders)."""
    has = f"; it has {size:,} bytes" if size is not None else ""
    return f"file is larger than the limit of {size_text(max_bytes)} ({max_bytes:,} bytes){has}"


def check_size(data: bytes, *, source: str, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    """The one size rule for scenario bytes (uploads, files, links): refuse more than ``max_bytes``."""
    if len(data) > max_bytes:
        raise ScenarioError(source, [("", too_large(max_bytes, len(data)))])


def problem_lines(error: ScenarioError) -> list[str]:
    """The problems as lines, at most :data:`MAX_LISTED_PROBLEMS`, then a count of the rest."""
    lines = [
        visible(f"{path + ': ' if path else ''}{message}") for path, message in error.problems[:MAX_LISTED_PROBLEMS]
    ]
    if error.count > MAX_LISTED_PROBLEMS:
        stopped = " (reading stopped there)" if error.stopped else ""
        lines.append(f"... and {error.count - MAX_LISTED_PROBLEMS:,} more{stopped}")
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
    return ch in JOINERS or _variation_selector(ch)


def _variation_selector(ch: str) -> bool:
    return "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"


def unseen(text: str) -> str:
    """``text`` without the invisible characters a name may hold (zero-width joiner and non-joiner, variation
    selectors): what a reader sees. Two names equal after this look alike.

    >>> unseen("wi\u200dne") == unseen("wine\ufe0f") == "wine"
    True
    """
    return "".join(ch for ch in text if not _allowed_format(ch))


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
    name = normal(value.strip())
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
        text = normal(value.strip())
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
    """Refuse two keys that become one feature name (" wine" and "wine", "café" composed and decomposed): the
    validated profile would silently keep one of their scores."""
    if not isinstance(value, Mapping):
        raise _fail("profile", "profile must be an object of {feature: score}")
    seen: dict[str, str] = {}
    for key in value:
        if isinstance(key, str):
            stripped = normal(key.strip())
            if stripped in seen:
                raise _fail(
                    "profile",
                    f"features {quoted(seen[stripped])} and {quoted(key)} are the same after stripping spaces "
                    "and Unicode normalisation (NFC)",
                )
            seen[stripped] = key
    if len(value) > MAX_FEATURES:
        raise _fail("profile", f"a profile may have at most {MAX_FEATURES} features")
    return value


Profile = Annotated[dict[FeatureName, Score], BeforeValidator(_check_profile)]


def folded(name: str) -> str:
    """What a reader (and an uncased model) cannot tell apart: the invisible characters a name may hold, Unicode
    compatibility form, then case.

    >>> folded("Café") == folded("cafe\u0301".upper()) == folded("ＣＡＦＥ\u0301") == folded("ca\u200dfe\u0301")
    True
    """
    return unicodedata.normalize("NFKC", unseen(name)).casefold()


LOOK_ALIKE = "differ only in case, Unicode form or invisible characters (zero-width joiners, variation selectors)"


def _no_look_alikes(vocabulary: tuple[str, ...]) -> None:
    """Refuse two features that look like one ("Wine" and "wine", "café" composed or not, "wine" and "wi\u200dne"):
    a reader cannot tell them apart, and a model that lower-cases embeds them identically."""
    seen: dict[str, str] = {}
    for feature in vocabulary:
        key = folded(feature)
        if key in seen:
            raise _fail("features", f"features {quoted(seen[key])} and {quoted(feature)} {LOOK_ALIKE}; use one name")
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
    """Ids are unique, and no two look alike (they differ only by a zero-width joiner or a variation selector:
    printed, they are one id). Case is kept: ``A1`` and ``a1`` may be two products."""
    first_seen: dict[str, int] = {}
    for i, item in enumerate(items):
        key = unseen(item.id)
        if key in first_seen:
            j = first_seen[key]
            if items[j].id == item.id:
                message = f"duplicate id {shorten(item.id)} at {kind}[{j}] and {kind}[{i}]; ids must be unique"
            else:
                message = (
                    f"ids {quoted(items[j].id)} at {kind}[{j}] and {quoted(item.id)} at {kind}[{i}] look alike: they "
                    "differ only by invisible characters (zero-width joiners, variation selectors); ids must be unique"
                )
            raise _fail("duplicate_id", message)
        first_seen[key] = i
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
        self._fingerprint = self._canonical_digest()[:16]
        return self

    def _canonical_digest(self) -> str:
        """SHA-256 of the scenario as canonical JSON (sorted keys, no spaces), written one user and product at a
        time: the same digest as hashing ``json.dumps(self.to_dict(), sort_keys=True, ...)`` whole, without
        building that copy (five times the file's size for a large upload)."""
        digest = hashlib.sha256()
        top = self.model_dump(mode="json", exclude_none=True, exclude={"users", "products"})
        for n, key in enumerate(sorted([*top, "users", "products"])):
            digest.update(("," if n else "{").encode() + _canonical(key).encode() + b":")
            if key not in ("users", "products"):
                digest.update(_canonical(top[key]).encode())
                continue
            for i, item in enumerate(getattr(self, key)):
                digest.update(b"," if i else b"[")
                digest.update(_canonical(item.model_dump(mode="json", exclude_none=True)).encode())
            digest.update(b"]" if getattr(self, key) else b"[]")
        digest.update(b"}")
        return digest.hexdigest()

    @property
    def vocabulary(self) -> tuple[str, ...]:
        """Every feature of the scenario, declared order first, else order of first use."""
        return self._vocabulary

    @property
    def fingerprint(self) -> str:
        """A content hash: equal scenarios share caches, edited ones do not."""
        return self._fingerprint

    def find_user(self, user_id: str) -> User | None:
        """The user with this id, however it was typed (stripped, in either Unicode normal form), or None."""
        wanted = normal(user_id.strip())
        return next((user for user in self.users if user.id == wanted), None)

    def user(self, user_id: str) -> User:
        found = self.find_user(user_id)
        if found is None:
            raise UnknownName("user", user_id, [u.id for u in self.users], context=f"in scenario {quoted(self.id)}")
        return found

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------
# Parsing


MAX_PATH_KEY_CHARS = 60  # a key longer than this is shortened in messages, never echoed whole


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


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


def problems_from_validation(error: ValidationError, prefix: tuple[Any, ...] = ()) -> list[tuple[str, str]]:
    """Pydantic's errors as (path, message); ``prefix`` is where the validated value sits (``("products", 3)``)."""
    problems: list[tuple[str, str]] = []
    for item in error.errors(include_url=False):
        loc = prefix + tuple(item["loc"])
        message = item["msg"]
        template = _MESSAGES.get(item["type"])
        if template:
            message = template.format(**(item.get("ctx") or {}))
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


ITEMS = {"users": (User, MAX_USERS), "products": (Product, MAX_PRODUCTS)}


def _too_many(value: dict[str, Any]) -> list[tuple[str, str]]:
    """Lists longer than a scenario may hold, found before anything in them is validated."""
    limits = {**{key: limit for key, (_, limit) in ITEMS.items()}, "features": MAX_FEATURES}
    return [
        (key, f"has too many {key} ({len(value[key]):,}; at most {limit:,})")
        for key, limit in limits.items()
        if isinstance(value.get(key), list) and len(value[key]) > limit
    ]


def _validated_items(value: dict[str, Any], problems: Problems) -> dict[str, Any]:
    """Each user and product validated on its own, so the problems a file can cause are counted, not all kept:
    pydantic would otherwise hold an error object for every bad cell of a 10 MB file at once."""
    out = dict(value)
    for key, (model, _) in ITEMS.items():
        items = value.get(key)
        if not isinstance(items, list):
            continue
        validated = []
        for i, item in enumerate(items):
            if problems.enough:
                break
            try:
                validated.append(model.model_validate(item))
            except ValidationError as exc:
                if problems.full:
                    problems.more += exc.error_count()
                    continue
                for path, message in problems_from_validation(exc, (key, i)):
                    problems.add(path, message)
        out[key] = validated
    return out


def scenario_from_dict(value: Any, *, source: str) -> Scenario:
    """A scenario from parsed JSON (or the CSV's rows): the sizes first, then each user and product, then the
    rules across them. Every problem is listed (at most :data:`MAX_LISTED_PROBLEMS`, the rest counted)."""
    if not isinstance(value, dict):
        raise ScenarioError(source, [("", f"expected a JSON object at the top level, got {type(value).__name__}")])
    oversized = _too_many(value)
    if oversized:
        raise ScenarioError(source, oversized)
    problems = Problems()
    checked = _validated_items(value, problems)
    if problems and not problems.more:  # a few: validate it whole, so the rules across items are listed too
        try:
            Scenario.model_validate(value)
        except ValidationError as exc:
            raise ScenarioError(source, problems_from_validation(exc)) from None
    if problems:
        raise problems.error(source)
    try:
        return Scenario.model_validate(checked)
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
