"""MovieLens ml-latest-small on disk: where it is looked for, loading it, and downloading it with a checksum.

The CSV files are never part of this repository. They are looked for, in order,
in ``--data PATH``, ``MOVIELENS_DIR``, ``./data/ml-latest-small`` and
``../shared/data/ml-latest-small``. A folder that is given (``--data``, or ``MOVIELENS_DIR``, checked by
:mod:`core.settings`) is the only one tried: it is used or refused, never replaced by the shared copy.
"""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import os
import re
import stat
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core import settings, textfiles
from core.errors import InputError, shorten
from core.numeric import NUMBER_PATTERN
from core.scenarios.io import read_bytes
from core.scenarios.model import MAX_FEATURE_CHARS, MAX_NAME_CHARS, invisible_characters, size_text
from core.textfiles import TextFileError

OFFICIAL_URL = "https://files.grouplens.org/datasets/movielens/ml-latest-small.zip"
DATASET = "ml-latest-small"
FILES = settings.MOVIELENS_FILES
ROOT = Path(__file__).resolve().parents[2]


class DataError(InputError):
    """MovieLens is missing or unusable; the message names the file, the column and the rule, or where to get it."""


def candidate_dirs(explicit: str | Path | None = None) -> list[Path]:
    """Where the data is looked for, in order: a folder that is given (``--data``, then MOVIELENS_DIR) alone."""
    if explicit:
        return [settings.expand_argument(str(explicit), "--data")]
    configured = settings.current().movielens_dir
    if configured is not None:
        return [configured]
    out = [Path.cwd() / "data" / DATASET]
    out.append(ROOT / "data" / DATASET)
    out.append(ROOT.parent / "shared" / "data" / DATASET)
    return list(dict.fromkeys(out))


def file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as a data file ("missing", "is not a regular file (...)"), or None.

    A FIFO would block, ``/dev/zero`` (or a link to it) never ends and a folder is no file: each is named as what it
    is, never reported as missing.
    """
    try:
        mode = path.stat().st_mode  # follows a symbolic link: what matters is what it points to
    except FileNotFoundError:
        return "missing" if not os.path.lexists(path) else "is a broken symbolic link"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISREG(mode):
        return None
    kind = "a folder" if stat.S_ISDIR(mode) else "a pipe" if stat.S_ISFIFO(mode) else "a device or socket"
    return f"is not a regular file ({kind})"


def _folder_problems(folder: Path) -> dict[str, str]:
    return {name: problem for name in FILES if (problem := file_problem(folder / name)) is not None}


def find_data(explicit: str | Path | None = None) -> Path:
    """The first folder holding the three CSV files; an explicit folder is the only one tried. A folder whose files
    are all present but one is not a regular file (a pipe, a device, a folder) is refused, naming that file."""
    if explicit is not None and not str(explicit).strip():
        raise DataError("--data is empty; give the unpacked ml-latest-small folder")
    looked = candidate_dirs(explicit)
    given = f"--data {explicit}" if explicit else None
    if given is None and settings.current().movielens_dir is not None:
        given = f"{settings.ENV_MOVIELENS}={shorten(str(looked[0]))}"
    for path in looked:
        problems = _folder_problems(path)
        missing = [name for name, problem in problems.items() if problem == "missing"]
        if not problems:
            return path
        if missing and given:
            raise DataError(f"{given}: not a MovieLens folder (missing {', '.join(missing)})")
        if not missing:  # the files are here, but one cannot be read as a file: say so, never "missing"
            where = given or str(path)
            listed = "; ".join(f"{name} {problem}" for name, problem in problems.items())
            raise DataError(f"{where}: {listed}; the three files must be regular files")
    raise DataError(
        "MovieLens ml-latest-small not found; looked in: "
        + ", ".join(str(p) for p in looked)
        + f". Get the official zip from {OFFICIAL_URL} (or run: python -m core data movielens --download), "
        "or point MOVIELENS_DIR at the unpacked folder."
    )


@dataclass(frozen=True)
class MovieLens:
    path: Path
    ratings: pd.DataFrame  # userId, movieId, rating, timestamp
    movies: pd.DataFrame  # movieId, title, genres
    tags: pd.DataFrame  # userId, movieId, tag, timestamp


# Every column we read, and what each cell must be. Text columns may be empty only where allowed.
SCHEMA: dict[str, dict[str, str]] = {
    "ratings.csv": {"userId": "id", "movieId": "id", "rating": "rating", "timestamp": "integer"},
    "movies.csv": {"movieId": "id", "title": "title", "genres": "genres"},
    "tags.csv": {"userId": "id", "movieId": "id", "tag": "tag", "timestamp": "integer"},
}
RULES = {
    "id": "a whole number of at least 1",
    "integer": "a whole number",
    "rating": "a number from 0.5 to 5",
    "text": "some text",
    "optional text": "text (may be empty)",
    "title": "a title of 1 to 200 characters without control or invisible characters",
    "genres": "genres separated by '|', each 1 to 80 characters without control or invisible characters",
    "tag": "a tag without control or invisible characters (may be empty)",
}
MAX_CSV_BYTES = 64 * 1024 * 1024


def _good_genres(cell: str) -> bool:
    parts = [g.strip() for g in cell.split("|")]
    return all(1 <= len(g) <= MAX_FEATURE_CHARS and not invisible_characters(g) for g in parts)


# Text that becomes a product name or a feature must follow the scenario rules (core.scenarios.model).
TEXT_RULES: dict[str, Callable[[str], bool]] = {
    "title": lambda t: 1 <= len(t.strip()) <= MAX_NAME_CHARS and not invisible_characters(t.strip()),
    "genres": _good_genres,
    "tag": lambda t: not invisible_characters(t.strip()),
}


def _bad_cells(values: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """(converted column, mask of cells that break the column's rule)."""
    text = values.str.strip()
    if kind in ("text", "optional text"):
        return values, (text == "") if kind == "text" else pd.Series(False, index=values.index)
    if kind in TEXT_RULES:
        return values, ~values.map(TEXT_RULES[kind])
    # The one strict number rule (core.numeric.NUMBER_PATTERN): a cell pandas would also read ("inf", "nan") is
    # bad unless it is decimal notation; a 401-digit id then fails the whole-number check, never becomes inf.
    number = pd.to_numeric(text.where(text.str.fullmatch(NUMBER_PATTERN), None), errors="coerce")
    if kind == "rating":
        return number, ~number.between(0.5, 5.0)
    whole = number.notna() & (number == number.round()) & (number.abs() < 2**53)
    bad = ~whole | ((number < 1) if kind == "id" else False)
    return number.where(~bad, 0).astype("int64"), bad


def _read_table(folder: Path, name: str) -> pd.DataFrame:
    """One CSV, every column checked against :data:`SCHEMA`; a problem names the file, column, line and rule. The
    text and its header are read by the rules every CSV shares (:mod:`core.textfiles`), before pandas (which
    would skip blank lines before the header and rename a second ``rating`` to ``rating.1``)."""
    path = folder / name
    try:
        data = read_bytes(path, max_bytes=MAX_CSV_BYTES)
    except InputError as exc:
        raise DataError(f"{exc} (ml-latest-small's largest file is about 2.4 MiB)") from None
    try:
        text = textfiles.decode_text(data)
        textfiles.header(textfiles.iter_records(text))
    except TextFileError as exc:
        raise DataError(f"{path}: {exc}") from None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: not a readable CSV file ({str(exc).splitlines()[0][:200]})") from None
    missing = [c for c in SCHEMA[name] if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing columns {', '.join(missing)}; expected {', '.join(SCHEMA[name])}")
    for column, kind in SCHEMA[name].items():
        frame[column], bad = _bad_cells(frame[column], kind)
        if bad.any():
            line = physical_line(data, int(bad.to_numpy().argmax()))
            raise DataError(
                f"{path}: column '{column}' has {int(bad.sum()):,} cell(s) that are not {RULES[kind]} "
                f"(first at line {line})"
            )
    return frame


def physical_line(data: bytes, record: int) -> int:
    """The line of the file where data record ``record`` (0-based, after the header) starts.

    Not ``record + 2``: a quoted cell may span lines, and pandas skips blank lines. A record Python's CSV reader
    cannot read (pandas can: a cell of 150,000 characters) stops the count at the line where it starts.

    >>> physical_line(b'a,b\\n\\n1,"x\\ny"\\n2,z\\n', 1)
    5
    """
    reader = csv.reader(io.StringIO(data.decode("utf-8", "replace"), newline=""))
    seen, start = -1, 1
    try:
        next(reader, None)
        start = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                seen += 1
                if seen == record:
                    return start
            start = reader.line_num + 1
    except csv.Error:  # a record Python's reader refuses (a cell over its size limit): the line it starts on
        return start
    return start


def load(path: str | Path | None = None) -> MovieLens:
    """The three CSV files, checked cell by cell and against each other: bad data is refused with one line,
    never half-used."""
    folder = find_data(path)
    ratings, movies, tags = (_read_table(folder, name) for name in FILES)
    _consistent(folder, ratings, movies, tags)
    for column in ("title", "genres", "tag"):
        for frame in (movies, tags):
            if column in frame:
                frame[column] = frame[column].astype("string")
    return MovieLens(folder, ratings, movies, tags)


def _first(mask: pd.Series) -> int:
    """The 1-based data row (after the header) of the first True."""
    return int(mask.to_numpy().argmax()) + 1


def _consistent(folder: Path, ratings: pd.DataFrame, movies: pd.DataFrame, tags: pd.DataFrame) -> None:
    """Rules across rows and files; a problem names the file and the data row (1 = the first after the header)."""
    for name, frame in (("ratings.csv", ratings), ("movies.csv", movies)):
        if frame.empty:
            raise DataError(f"{folder / name}: has no rows (only a header)")
    twice = movies["movieId"].duplicated()
    if twice.any():
        movie = movies["movieId"][twice].iloc[0]
        raise DataError(f"{folder / 'movies.csv'}: movieId {movie} is listed twice (again at data row {_first(twice)})")
    again = ratings.duplicated(["userId", "movieId"])
    if again.any():
        raise DataError(
            f"{folder / 'ratings.csv'}: {int(again.sum()):,} repeated (userId, movieId) pair(s); a user rates a movie "
            f"once (first repeat at data row {_first(again)})"
        )
    known = set(movies["movieId"])
    for name, frame in (("ratings.csv", ratings), ("tags.csv", tags)):
        unknown = ~frame["movieId"].isin(known)
        if unknown.any():
            raise DataError(
                f"{folder / name}: {int(unknown.sum()):,} row(s) name a movieId that movies.csv does not list "
                f"(first: {frame['movieId'][unknown].iloc[0]}, at data row {_first(unknown)})"
            )


MAX_DOWNLOAD_BYTES = 16 * 2**20  # the official zip is 978,202 bytes
MAX_MEMBERS = 16  # the official zip holds its folder and 5 files
MAX_UNPACKED_BYTES = 64 * 2**20  # its files unpack to about 3.3 MB (one CSV may hold at most MAX_CSV_BYTES)


def _check_download_arguments(target: Path, url: str, md5: str | None) -> None:
    try:
        scheme = urllib.parse.urlsplit(url).scheme
    except ValueError as exc:  # "Invalid IPv6 URL" and the like
        raise DataError(f"--url {shorten(url, 200)}: not a valid address ({exc})") from None
    if scheme not in ("http", "https"):
        raise DataError(f"--url {shorten(url, 200)}: only http:// and https:// addresses are fetched")
    if md5 is not None and not re.fullmatch(r"[0-9a-fA-F]{32}", md5.strip()):
        raise DataError(f"--md5 {shorten(md5, 80)}: expected 32 hexadecimal digits")
    if target.exists() and not target.is_dir():
        raise DataError(f"--target {target}: exists and is not a folder")


def _fetch(url: str, destination: Path, timeout: float) -> None:
    """Copy the response into ``destination``, refusing more than MAX_DOWNLOAD_BYTES."""
    with urllib.request.urlopen(url, timeout=timeout) as response, open(destination, "wb") as out:
        total = 0
        while block := response.read(1 << 20):
            total += len(block)
            if total > MAX_DOWNLOAD_BYTES:
                raise DataError(f"{url}: larger than {size_text(MAX_DOWNLOAD_BYTES)}; not the MovieLens zip")
            out.write(block)


def download(
    target: str | Path = "data",
    *,
    url: str = OFFICIAL_URL,
    md5: str | None = None,
    log: Callable[[str], None] = lambda message: None,
    timeout: float = 60.0,
) -> Path:
    """Fetch the zip, check its MD5 (from ``url + '.md5'`` unless given), unpack it into ``target``.

    The folder appears only when everything succeeded (unpacked to a temporary
    folder, then renamed). Members outside ``ml-latest-small/`` are refused. Any
    failure (bad arguments, the network, a wrong archive) raises :class:`DataError`
    and leaves no trace: the folders this call created are removed again.
    """
    if not str(target).strip():
        raise DataError("--target is empty; give the folder to unpack into")
    target = Path(target)
    _check_download_arguments(target, url, md5)
    final = target / DATASET
    if not _folder_problems(final):
        log(f"already present: {final}")
        return final
    if final.exists() or final.is_symlink():
        raise DataError(f"--target {target}: {final} exists but is not a complete copy; remove it or choose another")
    created = _missing_folders(target)
    try:
        target.mkdir(parents=True, exist_ok=True)
        _fetch_and_unpack(target, final, url, md5, log, timeout)
    except BaseException as exc:
        for folder in created:  # deepest first; only folders this call made, and only if empty
            try:
                folder.rmdir()
            except OSError:
                pass
        if isinstance(exc, InputError) or not isinstance(exc, OSError | http.client.HTTPException | ValueError):
            raise
        raise DataError(f"download from {shorten(url, 200)} failed ({_reason(exc)}); nothing was written") from None
    log(f"unpacked into {final}")
    return final


def _missing_folders(target: Path) -> list[Path]:
    """The folders of ``target``'s path that do not exist yet, deepest first."""
    missing, path = [], target.absolute()
    while not path.exists() and not path.is_symlink() and path != path.parent:
        missing.append(path)
        path = path.parent
    return missing


def _reason(exc: BaseException) -> str:
    """What went wrong with a download, in a few words (a network error, an HTTP status, a bad address)."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(reason)[:200]


def _fetch_and_unpack(
    target: Path, final: Path, url: str, md5: str | None, log: Callable[[str], None], timeout: float
) -> None:
    with tempfile.TemporaryDirectory(dir=target) as tmp:
        archive = Path(tmp) / f"{DATASET}.zip"
        log(f"downloading {url}")
        _fetch(url, archive, timeout)
        if md5 is None:
            with urllib.request.urlopen(url + ".md5", timeout=timeout) as response:
                words = response.read(4096).decode("ascii", "replace").split()
            md5 = words[0] if words else "(an empty .md5 file)"
        actual = hashlib.md5(archive.read_bytes()).hexdigest()
        if actual.lower() != md5.strip().lower():
            raise DataError(f"checksum mismatch for {url}: expected MD5 {md5.strip()[:40]}, got {actual}")
        log(f"checksum OK (MD5 {actual})")
        _unpack(archive, Path(tmp) / "unpacked", url)
        os.replace(Path(tmp) / "unpacked" / DATASET, final)


def _unpack(archive: Path, unpacked: Path, url: str) -> None:
    """Unpack the zip, capped in members (counted from its directory before anything is read) and in bytes
    (counted while writing: a member's declared size is not trusted). A zip bomb stops at the cap."""
    members = _member_count(archive, url)
    if members > MAX_MEMBERS:
        raise DataError(
            f"{url}: the archive holds {members:,} members; the MovieLens zip holds 6 (at most {MAX_MEMBERS})"
        )
    try:
        with zipfile.ZipFile(archive) as bundle:
            infos = bundle.infolist()
            for info in infos:
                parts = Path(info.filename).parts
                link = stat.S_ISLNK(info.external_attr >> 16)
                if not info.filename.startswith(f"{DATASET}/") or ".." in parts or link:
                    raise DataError(f"{url}: refusing archive member outside {DATASET}/: {shorten(info.filename, 200)}")
            _extract(bundle, infos, unpacked, url)
    except (zipfile.BadZipFile, zipfile.LargeZipFile):
        raise DataError(f"{url}: not a zip archive") from None
    if not all((unpacked / DATASET / name).is_file() for name in FILES):
        raise DataError(f"{url}: the archive does not contain {DATASET}/{{{','.join(FILES)}}}")


def _member_count(archive: Path, url: str) -> int:
    """How many members the zip's end record declares (read before the directory is parsed: a directory of a
    million entries would cost hundreds of MB to read)."""
    with open(archive, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - (1 << 16) - 22))
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise DataError(f"{url}: not a zip archive")
    total = int.from_bytes(tail[at + 10 : at + 12], "little")
    return MAX_MEMBERS + 1 if total == 0xFFFF else total  # 0xFFFF: a zip64 archive, far beyond any MovieLens zip


def _extract(bundle: zipfile.ZipFile, infos: list[zipfile.ZipInfo], unpacked: Path, url: str) -> None:
    written = 0
    for info in infos:
        target = unpacked / info.filename
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with bundle.open(info) as source, open(target, "wb") as out:
            while block := source.read(1 << 20):
                written += len(block)
                if written > MAX_UNPACKED_BYTES:
                    raise DataError(
                        f"{url}: the archive unpacks to more than {size_text(MAX_UNPACKED_BYTES)}; the MovieLens zip "
                        "unpacks to about 3.3 MB (refusing what looks like a zip bomb)"
                    )
                out.write(block)
