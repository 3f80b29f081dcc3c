"""The evaluation protocol on MovieLens: features, the per-user time split, profiles and labels.

- **Split.** Each user's ratings sorted by time (ties by movie id): the first 80%
  (rounded down) are history, the rest are held out.
- **Features.** The 19 genres; with ``genres+tags`` also every tag (stripped, in
  Unicode compatibility form, lower-cased) that at least 2 distinct users applied
  anywhere in the data. A tag that reads as a genre ("comedy") counts as that genre;
  a tag a scenario could not hold (over 80 characters, invisible characters) is left out.
- **User profile.** Per feature, the mean over history movies having it of
  (rating - the user's mean history rating) / 2, clipped to [-1, 1].
- **Movie profile.** +1 for each of its features.
- **Labels.** Held-out ratings >= 4 are positives, <= 2.5 negatives. Users with
  at least 2 of each are evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import UnknownName
from core.movielens.data import DataError, MovieLens
from core.scenarios.model import MAX_FEATURE_CHARS, Scenario, folded, invisible_characters

HISTORY_SHARE = 0.8
POSITIVE, NEGATIVE = 4.0, 2.5
MIN_EACH = 2
MAX_EXAMPLES = 100  # Qdrant's queries: the most recent likes, and dislikes (or rated movies), a request names
SEED = 20151
FEATURE_MODES = ("genres", "genres+tags")
NO_GENRE = "(no genres listed)"


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
        raise UnknownName("feature mode", mode, FEATURE_MODES)
    genres: dict[int, list[str]] = {}
    for movie_id, text in zip(data.movies["movieId"], data.movies["genres"].fillna(""), strict=True):
        genres[int(movie_id)] = [g.strip() for g in str(text).split("|") if g.strip() and g.strip() != NO_GENRE]
    vocabulary = sorted({g for gs in genres.values() for g in gs})
    if mode == "genres+tags":
        kept, merged = _kept_tags(data.tags, vocabulary)
        vocabulary += kept
        for movie_id, tag in zip(data.tags["movieId"], data.tags["tag"].astype(str), strict=True):
            feature = merged.get(folded(tag.strip()))
            if feature is not None and feature not in genres.setdefault(int(movie_id), []):
                genres[int(movie_id)].append(feature)
    return vocabulary, genres


def _kept_tags(tags: pd.DataFrame, genres: list[str]) -> tuple[list[str], dict[str, str]]:
    """(new tag features, {folded tag: the feature it counts as}).

    A tag is folded (Unicode compatibility form, lower case); one that folds to a genre counts as that genre.
    Tags that a scenario could not hold (over 80 characters, invisible characters) are left out, and so are
    tags fewer than 2 distinct users applied.
    """
    folded_tags = tags["tag"].astype(str).str.strip().map(folded)
    usable = folded_tags.map(lambda t: 1 <= len(t) <= MAX_FEATURE_CHARS and not invisible_characters(t))
    users_per_tag = tags.loc[usable].assign(tag=folded_tags[usable]).groupby("tag")["userId"].nunique()
    by_fold = {folded(g): g for g in genres}
    popular = list(users_per_tag[users_per_tag >= 2].index)
    return sorted(t for t in popular if t not in by_fold), {t: by_fold.get(t, t) for t in popular}


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


def evaluation_split(data: MovieLens, mode: str = "genres") -> Split:
    """:func:`split`, refusing data on which no user can be evaluated (rather than failing later with no users) and
    data with no feature at all (every profile would be empty and every method score 0.5: nothing measured)."""
    s = split(data, mode)
    if not s.features:
        kept = " and no tag is applied by 2 users" if mode == "genres+tags" else ""
        raise DataError(
            f"{data.path / 'movies.csv'}: no movie has a genre (every genres cell is {NO_GENRE!r}){kept}; there are "
            "no features to build profiles from"
        )
    if not s.users:
        raise DataError(
            f"{data.path / 'ratings.csv'}: no user has at least {MIN_EACH} ratings >= {POSITIVE:g} and {MIN_EACH} "
            f"ratings <= {NEGATIVE:g} among their last {1 - HISTORY_SHARE:.0%}; there is nothing to evaluate"
        )
    return s


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


def describe(mode: str, data_path: str, model: str) -> dict:
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
        "strategies": f"Qdrant recommend (average_vector, best_score, sum_scores): the {MAX_EXAMPLES} most recent "
        f"history movies rated >= {POSITIVE:g} as positive examples and <= {NEGATIVE:g} as negative, unweighted; "
        "items: weighted sums",
        "feedback": f"Qdrant relevance feedback (naive strategy, a = b = c = 1): the {MAX_EXAMPLES} most recent rated "
        "history movies, each scored by its rating; target: the user's naive text embedding; items: weighted sums",
        "seed": SEED,
    }
