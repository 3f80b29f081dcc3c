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


class DataNotFound(InputError):
    """MovieLens is not where we looked; the message says where to get it."""


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
        raise DataNotFound(f"--data {explicit}: not a MovieLens folder (missing {', '.join(missing)})")
    raise DataNotFound(
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


def load(path: str | Path | None = None) -> MovieLens:
    folder = find_data(path)
    try:
        ratings = pd.read_csv(
            folder / "ratings.csv", dtype={"userId": "int64", "movieId": "int64", "rating": "float64"}
        )
        movies = pd.read_csv(folder / "movies.csv", dtype={"movieId": "int64", "title": "string", "genres": "string"})
        tags = pd.read_csv(folder / "tags.csv", dtype={"tag": "string"})
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataNotFound(f"{folder}: cannot read the MovieLens CSV files ({exc})") from None
    for frame, columns, name in (
        (ratings, ("userId", "movieId", "rating", "timestamp"), "ratings.csv"),
        (movies, ("movieId", "title", "genres"), "movies.csv"),
        (tags, ("userId", "movieId", "tag", "timestamp"), "tags.csv"),
    ):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise DataNotFound(f"{folder / name}: missing columns {', '.join(missing)}")
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
