"""MovieLens ml-latest-small on disk: where it is looked for, loading it, and downloading it with a checksum.

The CSV files are never part of this repository. They are looked for, in order,
in ``--data PATH``, ``MOVIELENS_DIR``, ``./data/ml-latest-small`` and
``../shared/data/ml-latest-small``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core.errors import InputError

OFFICIAL_URL = "https://files.grouplens.org/datasets/movielens/ml-latest-small.zip"
DATASET = "ml-latest-small"
FILES = ("ratings.csv", "movies.csv", "tags.csv")
ROOT = Path(__file__).resolve().parents[2]
ENV_DATA = "MOVIELENS_DIR"


class DataError(InputError):
    """MovieLens is missing or unusable; the message names the file, the column and the rule, or where to get it."""


def candidate_dirs(explicit: str | Path | None = None) -> list[Path]:
    """Where the data is looked for, in order."""
    out: list[Path] = []
    if explicit:
        out.append(Path(explicit).expanduser())
    if os.environ.get(ENV_DATA):
        out.append(Path(os.environ[ENV_DATA]).expanduser())
    out.append(Path.cwd() / "data" / DATASET)
    out.append(ROOT / "data" / DATASET)
    out.append(ROOT.parent / "shared" / "data" / DATASET)
    return list(dict.fromkeys(out))


def find_data(explicit: str | Path | None = None) -> Path:
    """The first folder holding the three CSV files; an explicit folder is the only one tried."""
    looked = [Path(explicit).expanduser()] if explicit else candidate_dirs()
    for path in looked:
        if all((path / name).is_file() for name in FILES):
            return path
    if explicit:
        missing = [name for name in FILES if not (Path(explicit) / name).is_file()]
        raise DataError(f"--data {explicit}: not a MovieLens folder (missing {', '.join(missing)})")
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
    "movies.csv": {"movieId": "id", "title": "text", "genres": "text"},
    "tags.csv": {"userId": "id", "movieId": "id", "tag": "optional text", "timestamp": "integer"},
}
RULES = {
    "id": "a whole number of at least 1",
    "integer": "a whole number",
    "rating": "a number from 0.5 to 5",
    "text": "some text",
    "optional text": "text (may be empty)",
}


def _bad_cells(values: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """(converted column, mask of cells that break the column's rule)."""
    text = values.str.strip()
    if kind in ("text", "optional text"):
        return values, (text == "") if kind == "text" else pd.Series(False, index=values.index)
    number = pd.to_numeric(text, errors="coerce")
    if kind == "rating":
        return number, ~number.between(0.5, 5.0)
    whole = number.notna() & (number == number.round()) & (number.abs() < 2**53)
    bad = ~whole | ((number < 1) if kind == "id" else False)
    return number.where(~bad, 0).astype("int64"), bad


def _read_table(folder: Path, name: str) -> pd.DataFrame:
    """One CSV, every column checked against :data:`SCHEMA`; a problem names the file, column, line and rule."""
    path = folder / name
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise DataError(f"{path}: not a readable CSV file ({str(exc).splitlines()[0][:200]})") from None
    missing = [c for c in SCHEMA[name] if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing columns {', '.join(missing)}; expected {', '.join(SCHEMA[name])}")
    for column, kind in SCHEMA[name].items():
        frame[column], bad = _bad_cells(frame[column], kind)
        if bad.any():
            line = int(bad.to_numpy().argmax()) + 2  # the header is line 1
            raise DataError(
                f"{path}: column '{column}' has {int(bad.sum()):,} cell(s) that are not {RULES[kind]} "
                f"(first at line {line})"
            )
    return frame


def load(path: str | Path | None = None) -> MovieLens:
    """The three CSV files, checked cell by cell: bad data is refused with one line, never half-used."""
    folder = find_data(path)
    ratings, movies, tags = (_read_table(folder, name) for name in FILES)
    if ratings.empty:
        raise DataError(f"{folder / 'ratings.csv'}: has no ratings (only a header)")
    for column in ("title", "genres", "tag"):
        for frame in (movies, tags):
            if column in frame:
                frame[column] = frame[column].astype("string")
    return MovieLens(folder, ratings, movies, tags)


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
    folder, then renamed). Members outside ``ml-latest-small/`` are refused.
    """
    target = Path(target)
    final = target / DATASET
    if all((final / name).is_file() for name in FILES):
        log(f"already present: {final}")
        return final
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target) as tmp:
        archive = Path(tmp) / f"{DATASET}.zip"
        log(f"downloading {url}")
        with urllib.request.urlopen(url, timeout=timeout) as response, open(archive, "wb") as out:
            shutil.copyfileobj(response, out)
        if md5 is None:
            with urllib.request.urlopen(url + ".md5", timeout=timeout) as response:
                md5 = response.read().decode("ascii", "replace").split()[0]
        actual = hashlib.md5(archive.read_bytes()).hexdigest()
        if actual.lower() != md5.strip().lower():
            raise ValueError(f"checksum mismatch for {url}: expected MD5 {md5.strip()}, got {actual}")
        log(f"checksum OK (MD5 {actual})")
        unpacked = Path(tmp) / "unpacked"
        with zipfile.ZipFile(archive) as bundle:
            for member in bundle.namelist():
                if not member.startswith(f"{DATASET}/") or ".." in Path(member).parts:
                    raise ValueError(f"refusing archive member outside {DATASET}/: {member!r}")
            bundle.extractall(unpacked)
        if not all((unpacked / DATASET / name).is_file() for name in FILES):
            raise ValueError(f"the archive does not contain {DATASET}/{{{','.join(FILES)}}}")
        os.replace(unpacked / DATASET, final)
    log(f"unpacked into {final}")
    return final
