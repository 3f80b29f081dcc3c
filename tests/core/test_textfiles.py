"""One reading of text files for every reader: encodings, broken records and their lines."""

from __future__ import annotations

import pytest

from core.textfiles import TextFileError, decode_text, duplicates, header, iter_records, read_records


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


@pytest.mark.parametrize(
    ("text", "where", "found"),
    [
        ('a,b\nx,y\n"open,z\n', "line 3", 'a quote (") opened in this record is never closed'),
        ('a,b\n"open\nx,y\nz,w\n', "line 2", "never closed"),
        ('a,b\nx,"y\n', "line 2", "never closed"),
        ('a,"b\n', "line 1", "never closed"),
        ('a,b\n"x"y,z\n', "line 2", "text follows the closing quote of a cell"),
        ('a,b\n1,2\n"ok","a"b\n', "line 3", "text follows the closing quote"),
    ],
)
def test_a_broken_record_says_what_it_found_and_its_line(text, where, found):
    with pytest.raises(TextFileError) as error:
        read_records(text)
    assert error.value.where == where and found in error.value.problem
    with pytest.raises(TextFileError, match="a cell is longer than 131,072 characters") as error:
        read_records("a,b\n" + "x" * 150_000 + ",y\n")
    assert error.value.where == "line 2"


@pytest.mark.parametrize(
    ("text", "count", "line"),
    [
        ("\nkind,id\n", 1, 2),
        ("\n\nkind,id\n", 2, 3),
        ("\r\n\r\n\r\nkind,id\r\n", 3, 4),
        ("  \n,,\nkind,id\n", 2, 3),
        ("\t\nsentence\tnegated\n", 1, 2),
    ],
)
def test_blank_lines_before_the_header_are_refused_and_counted(text, count, line):
    tabs = "\t" in text.strip()
    with pytest.raises(TextFileError) as error:
        header(iter_records(text, tabs=tabs))
    assert error.value.where == f"line {line}"
    assert error.value.problem.startswith(f"{count} blank line") and "must be the first line" in error.value.problem


@pytest.mark.parametrize(
    ("names", "twice"),
    [
        (["userId", "rating", "rating"], ["rating"]),
        (["rating", " rating "], ["rating"]),
        (["caf\u00e9", "cafe\u0301"], ["caf\u00e9"]),  # one name, two Unicode forms
        (["a", "b", "a", "b", "a"], ["a", "b"]),
        (["sentence", "negated", "sentence"], ["sentence"]),
    ],
)
def test_a_column_named_twice_is_refused_naming_it(names, twice):
    assert duplicates(names) == twice
    with pytest.raises(TextFileError, match="more than once; name each column once") as error:
        header([(1, names)])
    assert all(repr(name) in error.value.problem for name in twice)


@pytest.mark.parametrize("names", [["a", "b"], ["Rating", "rating"], ["wine", "wi\u200dne"], ["kind", "id"]])
def test_distinct_columns_pass(names):
    assert header([(1, names), (2, ["x", "y"])]) == (1, names)


def test_a_blank_file_has_no_header():
    for text in ("", "\n\n", " , \n"):
        with pytest.raises(TextFileError, match="no header"):
            header(iter_records(text))


def test_the_header_is_read_without_reading_the_rest():
    records = iter_records('a,b\n1,2\n"never closed\n')
    assert header(records) == (1, ["a", "b"])  # the broken record further down is not read yet
