"""MovieLens ml-latest-small: loading it, and evaluating every method on real ratings.

Protocol (also in the README and on the Evaluation page):

- **Split.** Each user's ratings sorted by time (ties by movie id): the first 80%
  (rounded down) are history, the rest are held out.
- **Features.** The 19 genres; with ``genres+tags`` also every tag (lower-cased,
  stripped) that at least 2 distinct users applied anywhere in the data.
- **User profile.** Per feature, the mean over history movies having it of
  (rating - the user's mean history rating) / 2, clipped to [-1, 1].
- **Movie profile.** +1 for each of its features.
- **Labels.** Held-out ratings >= 4 are positives, <= 2.5 negatives. Users with
  at least 2 of each are evaluated.
- **Scoring.** Every held-out movie gets each method's cosine to the user.
  Baselines: popularity (number of ratings in everyone's history part) and random.
- **Metrics.** AUC of positives against negatives (ties count half); NDCG@10 and
  precision@10 over all of the user's held-out movies (relevant = rating >= 4),
  with ties in score broken by one seeded shuffle per user, the same for every
  method. Means over users with a t-based 95% interval; for each method, the
  paired per-user AUC difference against naive, with its interval.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from core.embedder import Embedder
from core.engine import Recommender
from core.methods import DEFAULT_PARAMS, METHOD_NAMES, METHODS
from core.scenario import Scenario

OFFICIAL_URL = "https://files.grouplens.org/datasets/movielens/ml-latest-small.zip"
DATASET = "ml-latest-small"
FILES = ("ratings.csv", "movies.csv", "tags.csv")
ROOT = Path(__file__).resolve().parent.parent
HISTORY_SHARE = 0.8
POSITIVE, NEGATIVE = 4.0, 2.5
MIN_EACH = 2
TOP = 10
SEED = 20151
FEATURE_MODES = ("genres", "genres+tags")
BASELINES = ("popularity", "random")
NO_GENRE = "(no genres listed)"

Report = Callable[[str, float], None]


class DataNotFound(FileNotFoundError):
    """MovieLens is not where we looked; the message says where to get it."""


def candidate_dirs(explicit: str | Path | None = None) -> list[Path]:
    """Where the data is looked for, in order."""
    out: list[Path] = []
    if explicit:
        out.append(Path(explicit).expanduser())
    if os.environ.get("MOVIELENS_DIR"):
        out.append(Path(os.environ["MOVIELENS_DIR"]).expanduser())
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


# -- download ---------------------------------------------------------------------------------------


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


# -- the protocol -----------------------------------------------------------------------------------


@dataclass
class Split:
    features: list[str]
    movie_features: dict[int, list[str]]
    history: pd.DataFrame
    held_out: pd.DataFrame
    users: list[int]  # evaluated users
    popularity: dict[int, int]  # movieId -> ratings in the history part


def movie_features(data: MovieLens, mode: str) -> tuple[list[str], dict[int, list[str]]]:
    if mode not in FEATURE_MODES:
        raise ValueError(f"unknown feature mode {mode!r}; choose one of: {', '.join(FEATURE_MODES)}")
    genres: dict[int, list[str]] = {}
    for movie_id, text in zip(data.movies["movieId"], data.movies["genres"].fillna(""), strict=True):
        genres[int(movie_id)] = [g for g in str(text).split("|") if g and g != NO_GENRE]
    vocabulary = sorted({g for gs in genres.values() for g in gs})
    if mode == "genres+tags":
        tags = data.tags.assign(tag=data.tags["tag"].astype(str).str.strip().str.lower())
        tags = tags[tags["tag"].str.len().between(1, 80) & ~tags["tag"].str.contains(r"[\x00-\x1f\x7f]", regex=True)]
        users_per_tag = tags.groupby("tag")["userId"].nunique()
        kept = sorted(t for t in users_per_tag[users_per_tag >= 2].index if t not in vocabulary)
        vocabulary += kept
        kept_set = set(kept)
        for movie_id, tag in zip(tags["movieId"], tags["tag"], strict=True):
            if tag in kept_set and tag not in genres.setdefault(int(movie_id), []):
                genres[int(movie_id)].append(tag)
    return vocabulary, genres


def split(data: MovieLens, mode: str = "genres") -> Split:
    vocabulary, features = movie_features(data, mode)
    ratings = data.ratings.sort_values(["userId", "timestamp", "movieId"], kind="mergesort")
    position = ratings.groupby("userId").cumcount()
    counts = ratings.groupby("userId")["movieId"].transform("size")
    is_history = position < np.floor(HISTORY_SHARE * counts)
    history, held_out = ratings[is_history], ratings[~is_history]
    labels = held_out.assign(pos=held_out["rating"] >= POSITIVE, neg=held_out["rating"] <= NEGATIVE)
    per_user = labels.groupby("userId")[["pos", "neg"]].sum()
    users = sorted(int(u) for u in per_user.index[(per_user["pos"] >= MIN_EACH) & (per_user["neg"] >= MIN_EACH)])
    popularity = history.groupby("movieId").size().astype(int).to_dict()
    return Split(vocabulary, features, history, held_out, users, popularity)


def user_profile(history: pd.DataFrame, features: dict[int, list[str]]) -> dict[str, float]:
    """Mean of (rating - user mean) / 2 over history movies having each feature, clipped to [-1, 1]."""
    mean = float(history["rating"].mean())
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for movie_id, rating in zip(history["movieId"], history["rating"], strict=True):
        deviation = (float(rating) - mean) / 2.0
        for feature in features.get(int(movie_id), ()):
            sums[feature] = sums.get(feature, 0.0) + deviation
            counts[feature] = counts.get(feature, 0) + 1
    return {f: float(np.clip(round(sums[f] / counts[f], 6), -1.0, 1.0)) for f in sums}


def build_scenario(s: Split, data: MovieLens, mode: str) -> tuple[Scenario, dict[int, str]]:
    """Users = evaluated users (profiles from history); products = their held-out movies."""
    titles = dict(zip(data.movies["movieId"].astype(int), data.movies["title"].astype(str), strict=True))
    history = s.history[s.history["userId"].isin(s.users)]
    users = []
    for user_id, rows in history.groupby("userId"):
        users.append(
            {"id": f"u{user_id}", "name": f"MovieLens user {user_id}", "profile": user_profile(rows, s.movie_features)}
        )
    movie_ids = sorted(set(s.held_out.loc[s.held_out["userId"].isin(s.users), "movieId"].astype(int)))
    products = [
        {
            "id": f"m{m}",
            "name": titles.get(m, f"movie {m}")[:200] or f"movie {m}",
            "profile": {f: 1.0 for f in s.movie_features.get(m, [])},
        }
        for m in movie_ids
    ]
    scenario = Scenario.model_validate(
        {
            "id": f"movielens-{mode.replace('+', '-')}",
            "title": f"MovieLens ml-latest-small ({mode})",
            "description": "Evaluated users' history profiles and their held-out movies.",
            "features": s.features,
            "users": users,
            "products": products,
        }
    )
    return scenario, {i: f"m{m}" for i, m in enumerate(movie_ids)}


# -- metrics ----------------------------------------------------------------------------------------


def auc(scores: np.ndarray, positive: np.ndarray, negative: np.ndarray) -> float:
    """P(score of a positive > score of a negative), ties counting one half."""
    pos, neg = scores[positive], scores[negative]
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (pos.size * neg.size))


def ranking_metrics(scores: np.ndarray, relevant: np.ndarray, order_seed: int, k: int = TOP) -> tuple[float, float]:
    """NDCG@k and precision@k, ties in score broken by a seeded shuffle shared by every method."""
    shuffle = np.random.default_rng(order_seed).permutation(scores.size)
    order = shuffle[np.argsort(-scores[shuffle], kind="stable")]
    top = order[: min(k, scores.size)]
    gains = relevant[top].astype(float)
    discounts = 1.0 / np.log2(np.arange(2, top.size + 2))
    ideal = np.sort(relevant.astype(float))[::-1][: top.size]
    idcg = float((ideal * discounts).sum())
    ndcg = float((gains * discounts).sum() / idcg) if idcg > 0 else 0.0
    return ndcg, float(gains.mean()) if top.size else 0.0


def mean_ci(values: Sequence[float]) -> tuple[float, float, float]:
    from scipy.stats import t

    array = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    if array.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(array.mean())
    if array.size < 2:
        return mean, mean, mean
    half = float(t.ppf(0.975, array.size - 1) * array.std(ddof=1) / np.sqrt(array.size))
    return mean, mean - half, mean + half


@dataclass
class UserResult:
    user: int
    profile: dict[str, float]
    movies: list[int]
    ratings: np.ndarray
    scores: dict[str, np.ndarray]  # method -> score per held-out movie
    auc: dict[str, float]
    ndcg: dict[str, float]
    precision: dict[str, float]


@dataclass
class Evaluation:
    mode: str
    data_path: str
    model: str
    users: list[UserResult]
    protocol: dict = field(default_factory=dict)
    seconds: float = 0.0
    texts_encoded: int = 0
    titles: dict[int, str] = field(default_factory=dict)

    @property
    def methods(self) -> list[str]:
        return [*METHOD_NAMES, *BASELINES]

    def per_user(self, metric: str, method: str) -> np.ndarray:
        return np.array([getattr(u, metric)[method] for u in self.users])

    def summary(self) -> dict:
        naive = self.per_user("auc", "naive")
        out = {}
        for method in self.methods:
            aucs = self.per_user("auc", method)
            mean, lo, hi = mean_ci(aucs)
            diff, dlo, dhi = mean_ci(aucs - naive)
            out[method] = {
                "auc": round(mean, 4),
                "auc_ci95": [round(lo, 4), round(hi, 4)],
                "ndcg@10": round(float(self.per_user("ndcg", method).mean()), 4),
                "precision@10": round(float(self.per_user("precision", method).mean()), 4),
                "auc_minus_naive": round(diff, 4),
                "auc_minus_naive_ci95": [round(dlo, 4), round(dhi, 4)],
            }
        return out

    def to_json(self) -> dict:
        return {"users": len(self.users), "protocol": self.protocol, "methods": self.summary()}


def protocol(mode: str, data_path: str, model: str) -> dict:
    return {
        "data": data_path,
        "features": mode,
        "model": model,
        "split": f"per user by time: first {HISTORY_SHARE:.0%} history (rounded down), rest held out",
        "user_profile": "mean over history movies with the feature of (rating - user mean) / 2, clipped to [-1, 1]",
        "movie_profile": "+1 for each genre (and kept tag)",
        "tags": "lower-cased tags applied by at least 2 distinct users" if mode == "genres+tags" else None,
        "positives": f"held-out rating >= {POSITIVE}",
        "negatives": f"held-out rating <= {NEGATIVE}",
        "users_evaluated": f"at least {MIN_EACH} positives and {MIN_EACH} negatives held out",
        "metrics": "AUC (ties count half), NDCG@10 and precision@10 over all held-out movies (relevant: >= 4)",
        "ci": "t-based 95% interval over users; paired per-user difference against naive",
        "baselines": "popularity = ratings in the history part; random = seeded uniform",
        "seed": SEED,
    }


def evaluate(
    embedder: Embedder,
    *,
    data: MovieLens | None = None,
    path: str | Path | None = None,
    mode: str = "genres",
    report: Report | None = None,
) -> Evaluation:
    """Run the protocol above with every method and both baselines."""
    started = time.perf_counter()
    encoded_before = getattr(embedder, "stats", {}).get("encoded", 0)
    say = report or (lambda stage, fraction: None)
    data = data or load(path)
    say("Splitting ratings by time", 0.0)
    s = split(data, mode)
    say(f"Building profiles for {len(s.users)} users", 0.05)
    scenario, _ = build_scenario(s, data, mode)
    recommender = Recommender(scenario, embedder)
    recommender.prepare(METHOD_NAMES, progress=lambda stage, fraction: say(stage, 0.1 + 0.5 * fraction))
    index = {pid: i for i, pid in enumerate(recommender.product_ids)}
    user_ids = [int(u.id.removeprefix("u")) for u in scenario.users]
    profiles = [u.profile for u in scenario.users]
    # All users at once per method: one batched encoder pass instead of 270 single ones.
    all_scores: dict[str, np.ndarray] = {}
    for n, method in enumerate(METHOD_NAMES):
        say(f"Scoring {len(profiles)} users with {method}", 0.6 + 0.35 * n / len(METHOD_NAMES))
        users = METHODS[method].fn(profiles, space=recommender.space, params=DEFAULT_PARAMS)
        all_scores[method] = recommender.product_vectors(method) @ users.T  # (products, users)
    held = s.held_out[s.held_out["userId"].isin(s.users)]
    popularity = s.popularity
    results: list[UserResult] = []
    by_user = dict(list(held.groupby("userId")))
    for column, user_id in enumerate(user_ids):
        rows = by_user[user_id]
        movies = [int(m) for m in rows["movieId"]]
        rows_index = np.array([index[f"m{m}"] for m in movies])
        ratings = rows["rating"].to_numpy(dtype=float)
        positive, negative, relevant = ratings >= POSITIVE, ratings <= NEGATIVE, ratings >= POSITIVE
        scores = {method: all_scores[method][rows_index, column] for method in METHOD_NAMES}
        scores["popularity"] = np.array([float(popularity.get(m, 0)) for m in movies])
        scores["random"] = np.random.default_rng([SEED, user_id]).random(len(movies))
        aucs, ndcgs, precisions = {}, {}, {}
        for method, values in scores.items():
            aucs[method] = auc(values, positive, negative)
            ndcgs[method], precisions[method] = ranking_metrics(values, relevant, order_seed=SEED + user_id)
        results.append(UserResult(user_id, dict(profiles[column]), movies, ratings, scores, aucs, ndcgs, precisions))
    say("Done", 1.0)
    encoded = getattr(embedder, "stats", {}).get("encoded", 0) - encoded_before
    flush = getattr(embedder, "flush", None)
    if flush:
        flush()
    return Evaluation(
        mode,
        str(data.path),
        embedder.name,
        results,
        protocol(mode, str(data.path), embedder.name),
        time.perf_counter() - started,
        encoded,
        {m: t for m, t in zip(data.movies["movieId"].astype(int), data.movies["title"].astype(str), strict=True)},
    )
