"""Finding, loading and downloading MovieLens."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import threading
import zipfile

import pytest

import core.movielens.data as data_module
from core import settings
from core.movielens.data import DataError, download, find_data, load


def test_loader_finds_the_real_files_with_exact_counts(movielens):
    assert len(movielens.ratings) == 100_836
    assert movielens.ratings["userId"].nunique() == 610
    assert len(movielens.movies) == 9_742
    assert len(movielens.tags) == 3_683


def test_missing_data_says_where_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(data_module, "candidate_dirs", lambda explicit=None: [tmp_path / "nowhere"])
    with pytest.raises(DataError, match="files.grouplens.org"):
        find_data()
    with pytest.raises(DataError, match="missing ratings.csv"):
        load(tmp_path)


def make_zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, text in members.items():
            bundle.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


GOOD = {
    "ml-latest-small/ratings.csv": "userId,movieId,rating,timestamp\n1,1,4.0,1\n",
    "ml-latest-small/movies.csv": "movieId,title,genres\n1,Toy Story (1995),Comedy\n",
    "ml-latest-small/tags.csv": "userId,movieId,tag,timestamp\n",
    "ml-latest-small/README.txt": "licence",
}


def test_download_verifies_and_unpacks(served, tmp_path):
    root, url = served
    archive = make_zip(GOOD)
    (root / "ml.zip").write_bytes(archive)
    (root / "ml.zip.md5").write_text(hashlib.md5(archive).hexdigest() + "  ml.zip\n")
    target = tmp_path / "data"
    path = download(target, url=f"{url}/ml.zip")
    assert path == target / "ml-latest-small"
    assert load(path).movies["title"].tolist() == ["Toy Story (1995)"]
    assert download(target, url=f"{url}/missing.zip") == path, "already present: nothing fetched"


def test_download_with_a_bad_checksum_leaves_nothing(served, tmp_path):
    root, url = served
    (root / "ml.zip").write_bytes(make_zip(GOOD))
    (root / "ml.zip.md5").write_text("0" * 32)
    target = tmp_path / "data"
    with pytest.raises(DataError, match="checksum mismatch"):
        download(target, url=f"{url}/ml.zip")
    assert not target.exists(), "a failed download leaves no trace, not even an empty folder"


def test_download_refuses_paths_outside_the_dataset(served, tmp_path):
    root, url = served
    archive = make_zip({**GOOD, "../evil.txt": "x"})
    (root / "ml.zip").write_bytes(archive)
    with pytest.raises(DataError, match="refusing archive member"):
        download(tmp_path / "data", url=f"{url}/ml.zip", md5=hashlib.md5(archive).hexdigest())
    assert not (tmp_path / "evil.txt").exists()


def test_cli_download_and_missing_data(served, tmp_path, capsys):
    from core.cli import main

    root, url = served
    archive = make_zip(GOOD)
    (root / "ml.zip").write_bytes(archive)
    (root / "ml.zip.md5").write_text(hashlib.md5(archive).hexdigest())
    target = tmp_path / "data"
    code = main(["data", "movielens", "--download", "--url", f"{url}/ml.zip", "--target", str(target)])
    assert code == 0 and (target / "ml-latest-small" / "ratings.csv").exists()
    code = main(["eval", "movielens", "--data", str(tmp_path / "nope")])
    assert code == 2 and "not a MovieLens folder" in capsys.readouterr().err


MOVIES = "movieId,title,genres\n" + "".join(
    f"{m},Movie {m} (1995),{'Comedy' if m % 2 else 'Drama'}\n" for m in range(1, 21)
)
TAGS = "userId,movieId,tag,timestamp\n1,1,funny,5\n"
# Readable, but nobody has a dislike among their last 20% of ratings: nothing to evaluate.
NO_DISLIKES = "".join(f"1,{m},{1.0 if m <= 16 else 4.0},{m}\n" for m in range(1, 21))
BAD_DATA = [
    ("userId,movieId,rating,timestamp\n", "ratings.csv: has no rows (only a header)"),
    ("userId,movieId,rating,timestamp\n1,1,4,5\n1,1,3,6\n", "1 repeated (userId, movieId) pair(s)"),
    (
        "userId,movieId,rating,timestamp\n1,1,4,5\n1,999,3,6\n",
        "name a movieId that movies.csv does not list (first: 999, at data row 2)",
    ),
    ("userId,movieId,rating,timestamp\n1,1,,5\n", "column 'rating' has 1 cell(s) that are not a number from 0.5 to 5"),
    ("userId,movieId,rating,timestamp\n1,1,NaN,5\n", "column 'rating'"),
    ("userId,movieId,rating,timestamp\n1,1,7,5\n1,2,4,6\n", "(first at line 2)"),
    ("userId,movieId,rating,timestamp\nx,1,4,5\n", "column 'userId' has 1 cell(s) that are not a whole number"),
    ("userId,movieId,rating\n1,1,4\n", "missing columns timestamp"),
    ("userId,movieId,rating,timestamp\n" + NO_DISLIKES, "no user has at least 2 ratings >= 4 and 2 ratings <= 2.5"),
]


def folder_with(tmp_path, ratings: str, movies: str = MOVIES, tags: str = TAGS):
    (tmp_path / "ratings.csv").write_text(ratings)
    (tmp_path / "movies.csv").write_text(movies)
    (tmp_path / "tags.csv").write_text(tags)
    return tmp_path


RATINGS = "userId,movieId,rating,timestamp\n1,1,4,5\n"
BAD_TEXT = [
    ("movies", MOVIES + "21,Bad\x01title,Drama\n", "movies.csv: column 'title' has 1 cell(s) that are not a title"),
    ("movies", MOVIES + "21,Fine,| Animation|\u200bHorror\n", "column 'genres' has 1 cell(s)"),
    ("movies", MOVIES + f"21,Fine,{'x' * 81}\n", "each 1 to 80 characters"),
    ("movies", MOVIES + "3,Again,Drama\n", "movieId 3 is listed twice"),
    ("movies", "movieId,title,genres\n", "movies.csv: has no rows"),
    ("tags", TAGS + "1,2,funny\u202e,6\n", "tags.csv: column 'tag' has 1 cell(s)"),
    ("tags", TAGS + "1,77,funny,6\n", "tags.csv: 1 row(s) name a movieId that movies.csv does not list"),
    ("movies", "movieId,title,genres\n\n1,A,Drama\n\n2,Bad\x07,Drama\n", "(first at line 5)"),  # blank lines count
    ("movies", 'movieId,title,genres\n1,"A\ntitle on two lines",Drama\n', "column 'title' has 1 cell(s)"),
]


@pytest.mark.parametrize(("which", "content", "message"), BAD_TEXT)
def test_text_that_no_scenario_could_hold_is_refused_at_load(tmp_path, which, content, message):
    from core.movielens.data import DataError, load

    folder = folder_with(tmp_path, RATINGS, **{which: content})
    with pytest.raises(DataError) as error:
        load(folder)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_data_folder_that_is_empty_a_file_or_too_large_is_refused(tmp_path, monkeypatch):
    from core.movielens import data

    with pytest.raises(data.DataError, match="--data is empty"):
        data.find_data("  ")
    monkeypatch.setenv(settings.ENV_MOVIELENS, str(tmp_path / "ratings.csv"))
    (tmp_path / "ratings.csv").write_text(RATINGS)
    with pytest.raises(settings.SettingsError, match="is a file, not a folder"):
        data.find_data()
    monkeypatch.delenv(settings.ENV_MOVIELENS)
    folder = folder_with(tmp_path, RATINGS)
    monkeypatch.setattr(data, "MAX_CSV_BYTES", 100)
    with pytest.raises(data.DataError, match="larger than the limit"):
        data.load(folder)


@pytest.mark.parametrize(("ratings", "message"), BAD_DATA)
def test_unusable_data_is_refused_in_one_line_by_eval_and_labs(capsys, tmp_path, ratings, message):
    from core.cli import main

    folder = folder_with(tmp_path, ratings)
    for argv in (["eval", "movielens"], ["labs", "history"], ["labs", "ease"]):
        code = main([*argv, "--data", str(folder), "--json"])
        err = capsys.readouterr().err.strip()
        assert code == 2, (argv, err)
        assert message in err and "Traceback" not in err and len(err.splitlines()) <= 2, err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--url", "file:///etc/passwd"], "only http:// and https:// addresses are fetched"),
        (["--url", "not a url"], "only http://"),
        (["--md5", "0"], "expected 32 hexadecimal digits"),
    ],
)
def test_download_arguments_are_checked_before_any_fetch(capsys, tmp_path, argv, message):
    from core.cli import main

    code = main(["data", "movielens", "--download", "--target", str(tmp_path), *argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "bug" not in err


def test_a_download_that_is_not_the_zip_is_refused(served, tmp_path, monkeypatch):
    from core.movielens import data

    root, url = served
    (root / "page.html").write_bytes(b"<html>not a zip</html>")
    with pytest.raises(DataError, match="not a zip archive"):
        download(tmp_path / "a", url=f"{url}/page.html", md5=hashlib.md5(b"<html>not a zip</html>").hexdigest())
    monkeypatch.setattr(data, "MAX_DOWNLOAD_BYTES", 10)
    with pytest.raises(DataError, match="larger than"):
        download(tmp_path / "b", url=f"{url}/page.html", md5="0" * 32)
    assert not (tmp_path / "a" / "ml-latest-small").exists()


def _special(path, kind: str) -> None:
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()


@pytest.mark.parametrize(
    ("name", "kind", "what"),
    [("ratings.csv", "fifo", "a pipe"), ("movies.csv", "device", "a device"), ("tags.csv", "folder", "a folder")],
)
def test_a_file_that_is_not_regular_is_named_as_such_never_missing(tmp_path, monkeypatch, name, kind, what):
    folder = folder_with(tmp_path, RATINGS)
    _special(folder / name, kind)
    with pytest.raises(DataError) as error:
        find_data(folder)
    text = str(error.value)
    assert f"{name} is not a regular file ({what}" in text and "missing" not in text, text
    monkeypatch.setenv("MOVIELENS_DIR", str(folder))  # given by the variable: refused at the door, as clearly
    with pytest.raises(settings.SettingsError, match=f"^MOVIELENS_DIR=.*{name} is {what}.*must be regular files$"):
        find_data()


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ("userId,movieId,rating,timestamp\n1,1,inf,5\n", "column 'rating'"),
        ("userId,movieId,rating,timestamp\n1,1,4,1_0\n", "column 'timestamp'"),
        ("userId,movieId,rating,timestamp\n0x1,1,4,5\n", "column 'userId'"),
        ("userId,movieId,rating,timestamp\n" + "1" * 401 + ",1,4,5\n", "column 'userId'"),
        ("userId,movieId,rating,timestamp\n1,1,٤,5\n", "column 'rating'"),
    ],
)
def test_cells_follow_the_one_strict_number_rule(tmp_path, ratings, message):
    with pytest.raises(DataError) as error:
        load(folder_with(tmp_path, ratings))
    assert message in str(error.value) and "(first at line 2)" in str(error.value)


def test_a_cell_pythons_csv_reader_refuses_is_still_one_line(tmp_path):
    folder = folder_with(tmp_path, RATINGS, movies=MOVIES + "21," + "x" * 150_000 + ",Drama\n")
    with pytest.raises(DataError, match="column 'title' has 1 cell.* at line 22"):
        load(folder)


def test_a_failed_download_is_one_line_exit_2_and_leaves_no_trace(served, tmp_path, capsys):
    from core.cli import main

    _, url = served
    target = tmp_path / "new" / "data"
    for address in (f"{url}/absent.zip", "http://127.0.0.1:9/x.zip"):
        code = main(["data", "movielens", "--download", "--url", address, "--target", str(target)])
        err = capsys.readouterr().err
        assert code == 2 and "failed" in err and "bug" not in err and "Traceback" not in err, err
        assert not (tmp_path / "new").exists(), "no folder left behind"
    assert "HTTP 404" in str(pytest.raises(DataError, download, tmp_path / "t", url=f"{url}/absent.zip").value)
    kept = tmp_path / "kept"
    kept.mkdir()
    with pytest.raises(DataError):
        download(kept, url="http://127.0.0.1:9/x.zip")
    assert kept.is_dir() and list(kept.iterdir()) == [], "a folder that was there stays, empty as it was"


@pytest.mark.parametrize("target", ["", "   "])
def test_an_empty_target_is_refused(target):
    with pytest.raises(DataError, match="--target is empty"):
        download(target)


# -- read as it is: the raw header, before pandas renames or skips anything ----------------------------------------


@pytest.mark.parametrize(
    ("which", "content", "message"),
    [
        ("ratings", "userId,movieId,rating,rating,timestamp\n1,1,4,1,5\n", "the header names 'rating' more than once"),
        ("ratings", "userId,movieId,rating,timestamp,userId\n1,1,4,5,2\n", "names 'userId' more than once"),
        ("movies", "movieId,title,genres,title\n1,A,Drama,B\n", "names 'title' more than once"),
        ("tags", "userId,movieId,tag,tag ,timestamp\n", "names 'tag' more than once"),
        ("ratings", "\nuserId,movieId,rating,timestamp\n1,1,4,5\n", "line 2: 1 blank line before the header"),
        ("movies", "\n\n\nmovieId,title,genres\n1,A,Drama\n", "line 4: 3 blank lines before the header"),
        ("ratings", '"userId,movieId,rating,timestamp\n1,1,4,5\n', 'a quote (") opened in this record is never closed'),
        ("ratings", "\n\n", "the file has no header"),
    ],
)
def test_the_raw_header_is_checked_before_pandas_reads_a_file(tmp_path, which, content, message):
    files = {"ratings": RATINGS, "movies": MOVIES, "tags": TAGS, which: content}
    folder = folder_with(tmp_path, files["ratings"], files["movies"], files["tags"])
    with pytest.raises(DataError) as error:
        load(folder)
    assert f"{which}.csv: " in str(error.value) and message in str(error.value) and "\n" not in str(error.value)


def _served_zip(served, members: dict[str, bytes]) -> tuple[str, str]:
    root, url = served
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    (root / "ml.zip").write_bytes(buffer.getvalue())
    return f"{url}/ml.zip", hashlib.md5(buffer.getvalue()).hexdigest()


GOOD_BYTES = {name: text.encode() for name, text in GOOD.items()}
BOMBS = {
    "one member of 100 MB": (
        {**GOOD_BYTES, "ml-latest-small/ratings.csv": b"0" * 100_000_000},
        "unpacks to more than 64 MiB",
    ),
    "five members of 20 MB": (
        {**GOOD_BYTES, **{f"ml-latest-small/x{i}.csv": b"1" * 20_000_000 for i in range(5)}},
        "unpacks to more than 64 MiB",
    ),
    "a thousand members": (
        {**GOOD_BYTES, **{f"ml-latest-small/m{i}.txt": b"x" for i in range(1_000)}},
        r"holds 1,004 members; the MovieLens zip holds 6 \(at most 16\)",
    ),
    "seventeen members": (
        {**GOOD_BYTES, **{f"ml-latest-small/m{i}.txt": b"x" for i in range(13)}},
        "holds 17 members",
    ),
}


@pytest.mark.parametrize("case", BOMBS)
def test_an_archive_over_its_caps_is_refused_while_unpacking_and_leaves_nothing(served, tmp_path, case):
    members, message = BOMBS[case]
    url, md5 = _served_zip(served, members)
    target = tmp_path / "data"
    with pytest.raises(DataError, match=message):
        download(target, url=url, md5=md5)
    assert not target.exists(), "a failed download leaves nothing behind"


def test_a_symbolic_link_in_the_archive_is_refused(served, tmp_path):
    root, url = served
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, text in GOOD.items():
            bundle.writestr(name, text)
        link = zipfile.ZipInfo("ml-latest-small/links.csv")
        link.external_attr = 0o120777 << 16  # a symbolic link to /etc/passwd
        bundle.writestr(link, "/etc/passwd")
    (root / "ml.zip").write_bytes(buffer.getvalue())
    with pytest.raises(DataError, match="refusing archive member"):
        download(tmp_path / "data", url=f"{url}/ml.zip", md5=hashlib.md5(buffer.getvalue()).hexdigest())


def test_a_download_larger_than_the_cap_stops_while_writing(served, tmp_path, monkeypatch):
    root, url = served
    (root / "big.zip").write_bytes(b"\0" * 200_000)
    monkeypatch.setattr(data_module, "MAX_DOWNLOAD_BYTES", 100_000)
    with pytest.raises(DataError, match="larger than"):
        download(tmp_path / "data", url=f"{url}/big.zip", md5="0" * 32)
    assert not (tmp_path / "data").exists()


def test_a_movielens_dir_that_is_given_is_the_only_place_looked_in(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv(settings.ENV_MOVIELENS, str(empty))
    with pytest.raises(settings.SettingsError, match="holds no ratings.csv, movies.csv, tags.csv"):
        find_data()
    good = folder_with(tmp_path, RATINGS)
    monkeypatch.setenv(settings.ENV_MOVIELENS, str(good))
    assert find_data() == good
