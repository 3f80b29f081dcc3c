"""Scenario bytes in: JSON text, files on disk and uploads (JSON or wide CSV).

Every path ends in :func:`core.scenarios.model.scenario_from_dict`, so uploads,
files and presets obey one set of rules. Broken input gets one message naming
the source and what is wrong (invalid JSON with line and column, truncated,
empty, not UTF-8, nested too deeply, too large).
"""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from typing import Any

from core.errors import shorten
from core.scenarios.model import (
    MAX_CONTAINERS,
    MAX_JSON_DEPTH,
    MAX_PRODUCTS,
    MAX_UPLOAD_BYTES,
    MAX_USERS,
    HugeNumber,
    Scenario,
    ScenarioError,
    check_size,
    scenario_from_dict,
    too_large,
)
from core.scenarios.wide_csv import parse_csv


def _json_depth(value: Any) -> int:
    depth, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        depth = max(depth, level)
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return depth


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def loads(text: str, *, source: str) -> Any:
    """``json.loads`` with the rules every input shares: no duplicate keys (a later one would silently win),
    huge integers kept as :class:`HugeNumber` (never converted), and one clean message for broken text."""
    try:
        value = json.loads(text, parse_int=HugeNumber.parse, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise ScenarioError(source, [("", f"JSON is nested too deeply (limit {MAX_JSON_DEPTH} levels)")]) from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(source, [("", json_problem(exc, text) + _csv_hint(exc, text))]) from None
    except _DuplicateKey as exc:
        key = shorten(str(exc.args[0]))
        raise ScenarioError(
            source, [("", f"duplicate key {key} in one object; each key may appear only once")]
        ) from None
    if _json_depth(value) > MAX_JSON_DEPTH:
        raise ScenarioError(source, [("", f"JSON is nested too deeply (limit {MAX_JSON_DEPTH} levels)")])
    where = _lone_surrogate(value)
    if where is not None:
        raise ScenarioError(source, [(where, "text holds a lone surrogate (a \\udXXX escape that is not a character)")])
    return value


# json's messages, finished: some end in "at" and expect the position after them ("Invalid control character at").
_JSON_MESSAGES = {
    "Invalid control character at": "a raw control character (a tab or line break) inside a string; write it as \\t "
    "or \\n",
    "Invalid \\escape": "an invalid backslash escape in a string",
    "Invalid \\uXXXX escape": "an invalid \\uXXXX escape in a string",
}


def json_problem(exc: json.JSONDecodeError, text: str) -> str:
    r"""One complete sentence for a JSON syntax error; an error at the end of the document (or a string that runs
    to it) means the file looks truncated.

    >>> text = '{"id": "abc'
    >>> json_problem(json.JSONDecodeError("Unterminated string starting at", text, 7), text)
    'JSON ends inside a string that starts at line 1, column 8; the file looks truncated'
    >>> print(json_problem(json.JSONDecodeError("Invalid \\escape", '["a\\qb"]', 3), '["a\\qb"]'))
    invalid JSON at line 1, column 4: an invalid backslash escape in a string
    """
    where = f"line {exc.lineno}, column {exc.colno}"
    if exc.msg.startswith("Unterminated string"):
        return f"JSON ends inside a string that starts at {where}; the file looks truncated"
    cut = exc.msg != "Extra data" and _cut_token(text[exc.pos :].strip())
    if exc.pos >= len(text.rstrip()) or cut:
        return "JSON ends unexpectedly; the file looks truncated"
    message = _JSON_MESSAGES.get(exc.msg, exc.msg.removesuffix(" at"))
    return f"invalid JSON at {where}: {message[:1].lower()}{message[1:]}"


def _csv_hint(exc: json.JSONDecodeError, text: str) -> str:
    """What JSON that fails on its first character may be instead: a CSV file.

    >>> _csv_hint(json.JSONDecodeError("Expecting value", "kind,id\\n", 0), "kind,id\\n")
    '; this looks like CSV, not JSON (a file ending in .csv is read as the wide CSV)'
    """
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if exc.pos == 0 and ("," in first or "\t" in first):
        return "; this looks like CSV, not JSON (a file ending in .csv is read as the wide CSV)"
    return ""


def _cut_token(rest: str) -> bool:
    """Whether what follows a syntax error is only the start of a number or a literal that the end of the document
    cut short (``0.``, ``1e``, ``tru``, ``nul``).

    >>> _cut_token("0."), _cut_token("1e-"), _cut_token("tru"), _cut_token("x"), _cut_token("0.5, 1")
    (True, True, True, False, False)
    """
    return bool(rest) and (
        bool(re.fullmatch(r"-?[0-9]*\.?[0-9]*(?:[eE][+-]?[0-9]*)?", rest))
        or any(word.startswith(rest) for word in ("true", "false", "null"))
    )


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def _lone_surrogate(value: Any, path: str = "") -> str | None:
    """The path of the first key or string holding a lone surrogate (JSON allows the escape; text cannot hold it).

    >>> _lone_surrogate({"users": [{"na\\udc80me": 1}]})
    'users[0]'
    """
    if isinstance(value, str):
        return path if _has_surrogate(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _has_surrogate(key):
                return path
            found = _lone_surrogate(item, f"{path}.{key}" if path else key)
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _lone_surrogate(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def parse_json_bytes(data: bytes, *, source: str, max_bytes: int = MAX_UPLOAD_BYTES) -> Any:
    """Decode and parse JSON with messages a person can act on."""
    check_size(data, source=source, max_bytes=max_bytes)
    if not data.strip():
        raise ScenarioError(source, [("", "file is empty; expected a JSON object")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            source, [("", f"file is not UTF-8 text (bad byte 0x{data[exc.start]:02x} at offset {exc.start})")]
        ) from None
    return loads(text, source=source)


_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]')  # a whole string (which may hold brackets), or a bracket


def count_containers(data: bytes) -> int:
    """Objects and lists in JSON bytes, counted without parsing them and without copying them (brackets inside
    strings do not count).

    >>> count_containers(b'{"a": [1, {"b": "{[not these]}"}], "c": [], "d": "a \\\\"quoted\\\\" [x]"}')
    4
    """
    return sum(1 for match in _TOKEN.finditer(data) if match.end() - match.start() == 1)


def _too_many_containers(data: bytes) -> int | None:
    """How many objects and lists the JSON holds when that is more than a scenario needs, else None. Every
    bracket is counted first (fast); only a file with too many of them is scanned for those inside strings."""
    if data.count(b"{") + data.count(b"[") <= MAX_CONTAINERS:
        return None
    found = count_containers(data)
    return found if found > MAX_CONTAINERS else None


def parse_scenario(data: bytes | str, *, source: str, max_bytes: int = MAX_UPLOAD_BYTES) -> Scenario:
    """Parse a scenario from JSON bytes; raise :class:`ScenarioError` listing every problem. Bounded before
    parsing: the size, then the objects and lists (:data:`MAX_CONTAINERS`)."""
    raw = data.encode() if isinstance(data, str) else data
    check_size(raw, source=source, max_bytes=max_bytes)
    containers = _too_many_containers(raw)
    if containers is not None:
        raise ScenarioError(
            source,
            [
                (
                    "",
                    f"the JSON holds {containers:,} objects and lists; a scenario needs at most {MAX_CONTAINERS:,} "
                    f"(at most {MAX_USERS:,} users and {MAX_PRODUCTS:,} products, each an object with a profile)",
                )
            ],
        )
    return scenario_from_dict(parse_json_bytes(raw, source=source, max_bytes=max_bytes), source=source)


def read_bytes(path: str | Path, *, max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """A file's bytes, for any input read from disk: only regular files, and never more than ``max_bytes``.

    A FIFO would block forever and ``/dev/zero`` never ends, so both are refused before reading.
    """
    if not str(path).strip():
        raise ScenarioError("file", [("", "the file name is empty; give a path")])
    path = Path(path)
    source = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ScenarioError(source, [("", "no such file")]) from None
    except OSError as exc:
        raise ScenarioError(source, [("", f"cannot read the file ({exc.strerror})")]) from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(source, [("", "is a directory, not a file")])
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(source, [("", "is not a regular file (a pipe, socket or device); give a file")])
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ScenarioError(source, [("", f"cannot read the file ({exc.strerror})")]) from None
    if len(data) > max_bytes:
        raise ScenarioError(source, [("", too_large(max_bytes))])
    return data


def load_scenario_file(path: str | Path, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Scenario:
    """A scenario file from disk (the CLI's ``--scenario``, the presets), read exactly as an upload: JSON, or the
    wide CSV for a file ending in ``.csv``, within the upload's size limit."""
    return parse_upload(str(path), read_bytes(path, max_bytes=max_bytes), max_bytes=max_bytes)


def parse_upload(name: str, data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Scenario:
    """A file from the uploader (or the disk): JSON or wide CSV by extension (then by content)."""
    lower = name.lower()
    check_size(data, source=name, max_bytes=max_bytes)
    if lower.endswith(".csv"):
        return parse_csv(data, source=name, max_bytes=max_bytes)
    if lower.endswith(".json") or data.lstrip()[:1] in (b"{", b"["):
        return parse_scenario(data, source=name, max_bytes=max_bytes)
    raise ScenarioError(name, [("", "unsupported file type; give a .json scenario or a .csv in the wide format")])
