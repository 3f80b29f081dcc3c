"""One reading of text files for every reader: encodings, broken records and their lines."""

from __future__ import annotations

import pytest

from core.textfiles import TextFileError, decode_text, read_records


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"a,b\n", "a,b\n"),
        (b"\xef\xbb\xbfa,b\n", "a,b\n"),  # UTF-8 with a byte-order mark
        ("a,b\n".encode("utf-16"), "a,b\n"),  # UTF-16 with its BOM
    ],
)
def test_the_encodings_we_read(data, text):
    assert decode_text(data) == text


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\xff\xfea", "starts like UTF-16 but is not valid UTF-16"),
        (b"caf\xe9", "bad byte 0xe9 at offset 3"),
        ("a,b".encode("utf-16-le"), "NUL bytes"),
    ],
)
def test_other_encodings_are_one_clear_problem(data, problem):
    with pytest.raises(TextFileError, match=problem):
        decode_text(data)


def test_records_carry_the_line_they_start_on():
    rows = read_records('h1,h2\n\n"two\nlines",x\nlast,y\n')
    assert rows == [(1, ["h1", "h2"]), (2, []), (3, ["two\nlines", "x"]), (5, ["last", "y"])]
    assert read_records('a\tb\n"quoted" text\tc\n', tabs=True) == [(1, ["a", "b"]), (2, ['"quoted" text', "c"])]


def test_a_broken_record_names_its_line():
    with pytest.raises(TextFileError) as error:
        read_records('a,b\nx,y\n"open,z\n', strict=True)
    assert error.value.where == "line 3"
    with pytest.raises(TextFileError, match="a cell is longer than 131,072 characters") as error:
        read_records("a,b\n" + "x" * 150_000 + ",y\n")
    assert error.value.where == "line 2"
