"""Reading text files people give us (CSV, TSV), with one rule each for the encoding, broken records and headers.

Every reader of a delimited file (scenarios in wide CSV, negation pairs, MovieLens's CSVs) decodes, splits
records and reads its header here, so the same file gets the same answer everywhere. A problem is a
:class:`TextFileError` saying where (``line 4``, or nothing for the whole file) and what it found; each caller
turns it into its own error type, naming the file. The rules:

- UTF-8 (with or without a byte-order mark) or UTF-16 with a byte-order mark; no NUL bytes.
- A quote that is opened is closed: an unclosed quote is named with the line its record starts on.
- The header is the first line: blank lines before it are refused (counted), never skipped.
- No column name twice (compared after stripping and Unicode normalisation, NFC): a reader would otherwise
  silently take the first (Python) or rename the second (pandas' ``rating.1``).

>>> read_records(decode_text(b'a,b\\n1,"x\\ny"\\n2,z\\n'))
[(1, ['a', 'b']), (2, ['1', 'x\\ny']), (4, ['2', 'z'])]
>>> header(read_records("\\n\\nkind,id\\n"))
Traceback (most recent call last):
...
core.textfiles.TextFileError: line 3: 2 blank lines before the header; the header must be the first line
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence


class TextFileError(ValueError):
    """A file that cannot be read as text records: ``where`` ('' or 'line N') and ``problem``."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)
        self.where, self.problem = where, problem


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark) or UTF-16 with a BOM; anything else is refused, and so are NUL
    bytes (UTF-16 without a BOM reads as UTF-8 full of them)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise TextFileError("", "file starts like UTF-16 but is not valid UTF-16") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TextFileError(
            "", f"file is not UTF-8 text (bad byte 0x{data[exc.start]:02x} at offset {exc.start}); save as UTF-8"
        ) from None
    if "\x00" in text:
        raise TextFileError("", "file contains NUL bytes (UTF-16 without a byte-order mark?); save it as UTF-8")
    return text


def normal(text: str) -> str:
    """Text people typed, in one Unicode form (NFC): "café" typed composed or decomposed is one name.

    >>> normal("cafe\\u0301") == "caf\\u00e9"
    True
    """
    return unicodedata.normalize("NFC", text)


def record_problem(exc: csv.Error) -> str:
    """One clause for a record the reader refused: what it found, in words.

    >>> record_problem(csv.Error("field larger than field limit (131072)"))
    'a cell is longer than 131,072 characters; not a readable file'
    >>> record_problem(csv.Error("unexpected end of data"))
    'a quote (") opened in this record is never closed'
    """
    text = str(exc)
    if text.startswith("field larger than field limit"):
        return f"a cell is longer than {csv.field_size_limit():,} characters; not a readable file"
    if text == "unexpected end of data":
        return 'a quote (") opened in this record is never closed'
    if text.endswith("expected after '\"'"):
        return 'text follows the closing quote of a cell (a quote inside a quoted cell is written "")'
    return f"not a readable file ({exc})"


def read_records(text: str, *, tabs: bool = False) -> list[tuple[int, list[str]]]:
    """(the line a record starts on, its cells) for every record: a quoted cell may span lines.

    ``tabs``: tab-separated, quotes are ordinary text ('He said "no".'); else comma-separated with quotes, where
    an unclosed quote is an error (it would swallow the rest of the file into one cell).
    """
    return list(iter_records(text, tabs=tabs))


def iter_records(text: str, *, tabs: bool = False) -> Iterator[tuple[int, list[str]]]:
    """:func:`read_records`, one record at a time (reading a header needs only the first lines)."""
    if tabs:
        reader = csv.reader(lines(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    else:
        reader = csv.reader(lines(text), strict=True)
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise TextFileError(f"line {start}", record_problem(exc)) from None


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their endings (\\n, \\r\\n or \\r, as ``open(newline="")`` reads them), one at a
    time: ``io.StringIO`` would first copy the text into 4 bytes a character.

    >>> list(lines("a\\r\\nb\\rc\\nd"))
    ['a\\r\\n', 'b\\r', 'c\\n', 'd']
    """
    return (match.group() for match in _LINE.finditer(text))


def blank(cells: Sequence[str]) -> bool:
    """A record with nothing in it (an empty line, or only separators and spaces)."""
    return not any(cell.strip() for cell in cells)


def header(records: Iterable[tuple[int, list[str]]], *, unique: bool = True) -> tuple[int, list[str]]:
    """(its line, its cells): the first record, which must be on the first line and (``unique``) name no column
    twice. Reads no further than the header. The wide CSV passes ``unique=False``: its first columns are fixed by
    position, so a feature may be called ``kind``; it checks its feature columns with :func:`duplicates`."""
    skipped = 0
    for line, cells in records:
        if blank(cells):
            skipped += 1
            continue
        where = f"line {line}"
        if skipped:
            lines = "blank line" if skipped == 1 else "blank lines"
            raise TextFileError(where, f"{skipped} {lines} before the header; the header must be the first line")
        twice = duplicates(cells) if unique else []
        if twice:
            raise TextFileError(where, f"the header names {listed(twice)} more than once; name each column once")
        return line, cells
    raise TextFileError("", "the file has no header (it is empty or blank)")


def duplicates(names: Iterable[str]) -> list[str]:
    """The names that occur more than once (after stripping and NFC), each once, in the order first seen.

    >>> duplicates(["rating", "id", " rating", "caf\\u00e9", "cafe\\u0301", "x"])
    ['rating', 'café']
    """
    seen: dict[str, int] = {}
    first: dict[str, str] = {}
    for name in names:
        key = normal(name.strip())
        seen[key] = seen.get(key, 0) + 1
        first.setdefault(key, name.strip())
    return [first[key] for key, count in seen.items() if count > 1]


def listed(names: Sequence[str]) -> str:
    """Names for a message, quoted, at most five, then a count."""
    shown = ", ".join(repr(name[:40]) for name in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")
