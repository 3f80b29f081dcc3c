"""Reading text files people give us (CSV, TSV), with one rule each for the encoding and for broken records.

Every reader of a delimited file (scenarios in wide CSV, negation pairs, ...) decodes and splits records here,
so the same file gets the same answer everywhere. A problem is a :class:`TextFileError` saying where (``line
4``, or nothing for the whole file) and what; each caller turns it into its own error type, naming the file.

>>> read_records(decode_text(b'a,b\\n1,"x\\ny"\\n2,z\\n'))
[(1, ['a', 'b']), (2, ['1', 'x\\ny']), (4, ['2', 'z'])]
"""

from __future__ import annotations

import csv
import io


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


def record_problem(exc: csv.Error) -> str:
    """One clause for a record the reader refused; a cell over the reader's limit says so in characters.

    >>> record_problem(csv.Error("field larger than field limit (131072)"))
    'a cell is longer than 131,072 characters; not a readable file'
    """
    if str(exc).startswith("field larger than field limit"):
        return f"a cell is longer than {csv.field_size_limit():,} characters; not a readable file"
    return f"not a readable file ({exc})"


def read_records(text: str, *, tabs: bool = False, strict: bool = False) -> list[tuple[int, list[str]]]:
    """(the line a record starts on, its cells) for every record: a quoted cell may span lines.

    ``tabs``: tab-separated, quotes are ordinary text ('He said "no".'); else comma-separated with quotes.
    ``strict``: an unclosed quote is an error, not text.
    """
    if tabs:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)
    else:
        reader = csv.reader(io.StringIO(text, newline=""), strict=strict)
    rows, start = [], 1
    try:
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise TextFileError(f"line {start}", record_problem(exc)) from None
    return rows
