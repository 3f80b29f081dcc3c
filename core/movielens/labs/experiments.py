"""Labs: neighbouring problems, measured on the same MovieLens split as the evaluation.

Each lab takes an idea from the source notes and tests it on real ratings, with the
evaluation's protocol (:mod:`core.movielens.protocol`: per-user time split 80/20, held-out
ratings >= 4 positive and <= 2.5 negative, the same ~270 users, AUC per user):

- :func:`history_lab` -- a user vector built from the movies they watched
  (:mod:`core.history`): the plain mean, the liked ones, recency-weighted, signed.
- :func:`feedback_lab` -- updating a user vector online, one rating at a time, with
  four ways to treat a negative rating (:mod:`core.feedback`).
- :func:`centroid_lab` -- a category's embedding as the centroid of its name and the
  items assigned to it, against the name alone (:mod:`core.categories`).
- :func:`ease_lab` -- EASE, a linear item-item model with a zero diagonal, fitted in
  closed form on the history's likes (:mod:`core.ease`).
- :func:`qdrant_lab` -- what a vector database does with dislikes: Qdrant's three
  recommend strategies with and without the negative examples, and its relevance feedback
  query with the history's ratings as scores (default and fitted coefficients,
  :mod:`core.movielens.labs.coefficients`), against the signed history vector and EASE
  (:mod:`core.movielens.strategies`).

This module holds only the experiments; the ideas live in their own small modules.

Item vectors for the first two labs are each movie's weighted sum of its genre
embeddings (the ``weighted`` method with every genre at +1), so they live in the
same space as the Explorer's weighted method.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from core.embedding.embedder import Embedder
from core.errors import UnknownName
from core.jobs import Plan
from core.movielens.data import DataError, MovieLens
from core.movielens.labs.categories import clean_title, effective_embeddings
from core.movielens.labs.coefficients import fit_feedback, fit_json, inner_split
from core.movielens.labs.ease import DEFAULT_REGULARISATION, EASE
from core.movielens.labs.feedback import FEEDBACK_RULES, feedback_stream
from core.movielens.labs.history import HISTORY_RULES, history_vectors
from core.movielens.metrics import METRICS, Difference, mean_ci, paired_difference, summarise, user_metrics
from core.movielens.protocol import NO_GENRE, POSITIVE, SEED, Split, evaluation_split, user_profile
from core.movielens.strategies import FITTED, NO_NEGATIVES, Catalogue, history_examples, history_feedback
from core.numeric import normalize_rows, tanh_weights, unit
from core.vectors.examples import NaiveFeedback
from core.vectors.methods import FEEDBACK_METHOD, RECOMMEND_NAMES
from core.vectors.texts import naive_text

Report = Callable[[str, float], None]

EASE_LAMBDA = DEFAULT_REGULARISATION
EASE_MIN_LIKES = 3  # items liked at least this often in the history enter the EASE model
CENTROID_SHOTS = (0, 1, 3, 10, 30, 100)
LAB_NAMES = ("history", "feedback", "centroids", "ease", "qdrant")
CENTROID_MOVIES = 2_000  # the most-rated movies; their titles are embedded


@dataclass
class LabResult:
    """Per-user metrics for each rule (``metrics[metric][rule]``, users in the same order everywhere)."""

    rules: tuple[str, ...]
    metrics: dict[str, dict[str, list[float]]]
    users: int
    extra: dict = field(default_factory=dict)

    @property
    def per_user(self) -> dict[str, list[float]]:
        """Per-user AUC by rule."""
        return self.metrics["auc"]

    def difference(self, a: str, b: str) -> Difference:
        """Mean per-user AUC of ``a`` minus ``b``, with its 95% interval (users are paired)."""
        return paired_difference(self.per_user[a], self.per_user[b])

    def summary(self) -> dict[str, dict[str, float | list[float]]]:
        """Per rule: mean AUC with its 95% interval, mean NDCG@10 and precision@10."""
        return {rule: summarise({m: self.metrics[m][rule] for m in METRICS}) for rule in self.rules}


def score_user(metrics: dict, rule: str, user: int, scores: np.ndarray, ratings: np.ndarray) -> None:
    """Add one user's AUC, NDCG@10 and precision@10 under ``rule`` (the Evaluation's definitions)."""
    for metric, value in user_metrics(scores, ratings, user).items():
        metrics.setdefault(metric, {}).setdefault(rule, []).append(value)


# -- shared: item vectors and the evaluation loop ---------------------------------------------------


def genre_item_vectors(data: MovieLens, s: Split, embedder: Embedder) -> tuple[dict[int, int], np.ndarray]:
    """movieId -> row, and unit item vectors: the sum of the movie's genre embeddings (zero if none)."""
    genres = s.features
    index = {g: i for i, g in enumerate(genres)}
    embeddings = embedder.encode(genres)
    movie_ids = sorted(int(m) for m in data.movies["movieId"])
    rows = {m: i for i, m in enumerate(movie_ids)}
    membership = np.zeros((len(movie_ids), len(genres)), dtype=np.float32)
    for m in movie_ids:
        for g in s.movie_features.get(m, ()):
            if g in index:
                membership[rows[m], index[g]] = 1.0
    weights = membership * float(tanh_weights(1.0))
    return rows, normalize_rows(weights @ embeddings)


def _evaluate(
    s: Split, rows: dict[int, int], items: np.ndarray, user_vectors: Callable[[pd.DataFrame], dict[str, np.ndarray]]
) -> dict[str, dict[str, list[float]]]:
    """Metrics per user and rule: ``user_vectors(history rows)`` returns one vector per rule."""
    metrics: dict[str, dict[str, list[float]]] = {}
    held = dict(list(s.held_out[s.held_out["userId"].isin(s.users)].groupby("userId")))
    history = dict(list(s.history[s.history["userId"].isin(s.users)].groupby("userId")))
    for user in s.users:
        vectors = user_vectors(history[user])
        rows_held = held[user]
        candidates = items[[rows[int(m)] for m in rows_held["movieId"]]]
        ratings = rows_held["rating"].to_numpy(dtype=float)
        for rule, vector in vectors.items():
            score_user(metrics, rule, user, candidates @ vector, ratings)
    return metrics


# -- lab 1: user vectors from history ---------------------------------------------------------------


def _genre_setup(embedder: Embedder, data: MovieLens, say: Report) -> tuple[Split, dict[int, int], np.ndarray]:
    """The evaluation's split (genres) and the genre-sum item vectors, with progress."""
    say("Splitting ratings by time", 0.0)
    s = evaluation_split(data, "genres")
    say("Embedding genres", 0.2)
    rows, items = genre_item_vectors(data, s, embedder)
    say(f"Scoring {len(s.users)} users", 0.4)
    return s, rows, items


def history_lab(embedder: Embedder, data: MovieLens, *, report: Report | None = None) -> LabResult:
    say = report or (lambda stage, fraction: None)
    s, rows, items = _genre_setup(embedder, data, say)

    def vectors(history: pd.DataFrame) -> dict[str, np.ndarray]:
        return history_vectors(history["movieId"].tolist(), history["rating"].to_numpy(dtype=float), rows, items)

    metrics = _evaluate(s, rows, items, vectors)
    say("Done", 1.0)
    return LabResult(HISTORY_RULES, metrics, len(s.users))


# -- lab 2: online updates with negative feedback ---------------------------------------------------


def feedback_lab(embedder: Embedder, data: MovieLens, *, report: Report | None = None) -> LabResult:
    say = report or (lambda stage, fraction: None)
    s, rows, items = _genre_setup(embedder, data, say)
    watched = sorted({rows[int(m)] for m in s.history["movieId"]})
    centre = items[watched].mean(axis=0)
    centre_unit = unit(centre.copy())
    drift: dict[str, list[float]] = {rule: [] for rule in FEEDBACK_RULES}

    def vectors(history: pd.DataFrame) -> dict[str, np.ndarray]:
        movies, ratings = history["movieId"].tolist(), history["rating"].to_numpy(dtype=float)
        out = {}
        for rule in FEEDBACK_RULES:
            final = feedback_stream(movies, ratings, rows, items, centre, rule)[-1]
            drift[rule].append(float(final @ centre_unit))
            out[rule] = final
        return out

    metrics = _evaluate(s, rows, items, vectors)
    say("Done", 1.0)
    catalogue = {rule: round(float(np.mean(values)), 4) for rule, values in drift.items()}
    return LabResult(FEEDBACK_RULES, metrics, len(s.users), {"cos_to_catalogue_mean": catalogue})


# -- lab 3: category centroids ----------------------------------------------------------------------


def centroid_lab(
    embedder: Embedder, data: MovieLens, *, shots: Sequence[int] = CENTROID_SHOTS, report: Report | None = None
) -> dict:
    """Guess a movie's genres from its title's embedding: genre names alone, then with k labelled movies each.

    The most-rated :data:`CENTROID_MOVIES` movies are shuffled (seeded) into a labelled pool (75%)
    and a test set (25%). For each k, every genre's effective embedding absorbs up to k pool movies
    of that genre. A test movie ranks the genres by cosine; hit@1 is whether the first genre is one
    of its genres, recall@3 the share of its genres in the first three.
    """
    say = report or (lambda stage, fraction: None)
    counts = data.ratings.groupby("movieId").size().sort_values(ascending=False, kind="mergesort")
    movies = data.movies.set_index("movieId")
    chosen = [int(m) for m in counts.index[:CENTROID_MOVIES] if int(m) in movies.index]
    labels = {
        m: [g.strip() for g in str(movies.at[m, "genres"]).split("|") if g.strip() not in ("", NO_GENRE)]
        for m in chosen
    }
    chosen = [m for m in chosen if labels[m]]
    genres = sorted({g for m in chosen for g in labels[m]})
    if len(genres) < 2 or len(chosen) < 8:
        raise DataError(
            f"{data.path}: the centroids lab needs at least 8 rated movies with genres and 2 genres among them; "
            f"found {len(chosen)} movies and {len(genres)} genres"
        )
    index = {g: i for i, g in enumerate(genres)}
    say(f"Embedding {len(chosen):,} titles and {len(genres)} genre names", 0.05)
    titles = [clean_title(str(movies.at[m, "title"])) for m in chosen]
    vectors = embedder.encode(titles)
    base = embedder.encode(genres)
    order = np.random.default_rng(SEED).permutation(len(chosen))
    cut = int(0.75 * len(chosen))
    pool, test = order[:cut], order[cut:]
    truth = [{index[g] for g in labels[chosen[i]]} for i in test]
    results = []
    for n, k in enumerate(shots):
        say(f"Centroids with {k} labelled movies per genre", 0.5 + 0.5 * n / len(shots))
        assigned: dict[int, list[np.ndarray]] = {}
        for i in pool:
            for g in labels[chosen[i]]:
                bucket = assigned.setdefault(index[g], [])
                if len(bucket) < k:
                    bucket.append(vectors[i])
        categories = effective_embeddings(base, {c: np.array(v) for c, v in assigned.items()})
        results.append({"k": int(k), **_genre_guesses(vectors[test] @ categories.T, truth)})
    share = np.array([len(labels[chosen[i]]) / len(genres) for i in test])
    chance = {"hit@1": round(float(share.mean()), 4), "recall@3": round(3 / len(genres), 4)}
    say("Done", 1.0)
    return {
        "movies": len(chosen),
        "genres": genres,
        "pool": int(cut),
        "test": int(len(test)),
        "by_k": results,
        "chance": chance,
    }


def _genre_guesses(similarity: np.ndarray, truth: list[set[int]]) -> dict:
    """hit@1 and recall@3 of genres ranked by similarity, with 95% intervals over the test movies."""
    ranked = np.argsort(-similarity, axis=1)
    hit1 = [float(ranked[j, 0] in truth[j]) for j in range(len(truth))]
    recall3 = [len(set(ranked[j, :3].tolist()) & truth[j]) / len(truth[j]) for j in range(len(truth))]
    out = {}
    for name, values in (("hit@1", hit1), ("recall@3", recall3)):
        mean, lo, hi = mean_ci(values)
        out[name], out[f"{name}_ci95"] = round(mean, 4), [round(lo, 4), round(hi, 4)]
    return out


# -- lab 4: EASE ------------------------------------------------------------------------------------


@dataclass
class EaseModel:
    """EASE fitted on every user's history likes: item-item weights over the movies liked often enough."""

    weights: np.ndarray  # (items, items), zero diagonal
    kept: list[int]  # movieId of each item
    likes: np.ndarray  # (fit users, items) 0/1
    row: dict[int, int]  # userId -> row of ``likes``
    users: int  # users with a like (the fit's rows)
    regularisation: float  # the lambda it was fitted with

    @cached_property
    def column(self) -> dict[int, int]:
        """movieId -> column of ``weights``."""
        return {m: j for j, m in enumerate(self.kept)}

    def scores(self, user: int, movies: Sequence[int]) -> np.ndarray:
        """A user's score for each movie; 0 for movies outside the model or users with no liked item in it."""
        every = self.likes[self.row[user]] @ self.weights if user in self.row else np.zeros(len(self.kept))
        return np.array([every[self.column[m]] if m in self.column else 0.0 for m in movies])


def fit_ease(s: Split, data: MovieLens, regularisation: float = EASE_LAMBDA) -> EaseModel:
    """EASE on the history's likes (rating >= 4) of every user; items liked by at least EASE_MIN_LIKES users."""
    likes = s.history[s.history["rating"] >= POSITIVE]
    per_item = likes.groupby("movieId").size()
    kept = sorted(int(m) for m in per_item.index[per_item >= EASE_MIN_LIKES])
    column = {m: j for j, m in enumerate(kept)}
    users = sorted(int(u) for u in likes["userId"].unique())
    if not kept:
        raise DataError(
            f"{data.path}: the EASE lab needs movies liked (rating >= {POSITIVE}) by at least {EASE_MIN_LIKES} "
            f"users in their history; found none among {len(users)} users with a like"
        )
    row = {u: i for i, u in enumerate(users)}
    x = np.zeros((len(users), len(kept)), dtype=np.float64)
    for u, m in zip(likes["userId"], likes["movieId"], strict=True):
        if int(m) in column:
            x[row[int(u)], column[int(m)]] = 1.0
    return EaseModel(EASE(regularisation).fit(x).weights_, kept, x, row, len(users), regularisation)


def ease_lab(data: MovieLens, *, regularisation: float = EASE_LAMBDA, report: Report | None = None) -> LabResult:
    """EASE fitted on the history's likes (rating >= 4) of every user, scored on the held-out movies.

    Held-out movies outside the model (fewer than :data:`EASE_MIN_LIKES` history likes) score 0,
    as do users with no liked history item in the model; ties count half in the AUC.
    """
    say = report or (lambda stage, fraction: None)
    say("Splitting ratings by time", 0.0)
    s = evaluation_split(data, "genres")
    say("Fitting EASE on the history's likes", 0.2)
    model = fit_ease(s, data, regularisation)
    say("Scoring held-out movies", 0.8)
    metrics: dict[str, dict[str, list[float]]] = {}
    genre_index = {g: i for i, g in enumerate(s.features)}
    history = dict(list(s.history[s.history["userId"].isin(s.users)].groupby("userId")))
    for user, rows_held in s.held_out[s.held_out["userId"].isin(s.users)].groupby("userId"):
        movies = [int(m) for m in rows_held["movieId"]]
        ratings = rows_held["rating"].to_numpy(dtype=float)
        exact = _exact_genre_scores(history[user], movies, s, genre_index)
        popular = np.array([float(s.popularity.get(m, 0)) for m in movies])
        for rule, values in (
            ("EASE", model.scores(int(user), movies)),
            ("exact (genres)", exact),
            ("popularity", popular),
        ):
            score_user(metrics, rule, int(user), values, ratings)
    say("Done", 1.0)
    return LabResult(("EASE", "exact (genres)", "popularity"), metrics, len(s.users), _ease_extra(model, data))


def _ease_extra(model: EaseModel, data: MovieLens) -> dict:
    """The model's size and its ten most negative weights ("liked this, then not that")."""
    titles = dict(zip(data.movies["movieId"].astype(int), data.movies["title"].astype(str), strict=True))
    weights, kept = model.weights, model.kept
    flat = np.argsort(weights, axis=None)[:10]
    anti = [
        {
            "liked": titles.get(kept[i], str(kept[i])),
            "then not": titles.get(kept[j], str(kept[j])),
            "weight": round(float(weights[i, j]), 4),
        }
        for i, j in zip(*np.unravel_index(flat, weights.shape), strict=True)
    ]
    negative_share = float((weights < 0).sum() / max(weights.size - len(kept), 1))
    return {
        "items": len(kept),
        "fit_users": model.users,
        "lambda": model.regularisation,
        "negative_weight_share": round(negative_share, 4),
        "most_negative": anti,
    }


# -- lab 5: a vector database's recommend strategies and relevance feedback ------------------------------

QDRANT_RULES = (
    *RECOMMEND_NAMES,
    *(f"{m}{NO_NEGATIVES}" for m in RECOMMEND_NAMES),
    FEEDBACK_METHOD,
    f"{FEEDBACK_METHOD}{FITTED}",
    "signed history",
    "EASE",
)


def qdrant_lab(embedder: Embedder, data: MovieLens, *, report: Report | None = None) -> LabResult:
    """Qdrant's strategies from the history's likes (>= 4) and dislikes (<= 2.5), then from the likes alone; its
    relevance feedback query from the history's ratings (a = b = c = 1, then a, b, c fitted on the history); against
    the signed history vector (the history lab's best rule) and EASE, on the same users and item vectors."""
    say = report or (lambda stage, fraction: None)
    s, rows, items = _genre_setup(embedder, data, say)
    say("Fitting EASE", 0.45)
    ease = fit_ease(s, data)
    history = dict(list(s.history[s.history["userId"].isin(s.users)].groupby("userId")))
    target = _naive_targets(embedder, s, [history[u] for u in s.users])
    say("Fitting the feedback coefficients on the history", 0.5)
    fit = fit_feedback(history, rows, items, target)
    metrics: dict[str, dict[str, list[float]]] = {}
    held = dict(list(s.held_out[s.held_out["userId"].isin(s.users)].groupby("userId")))
    # the feedback fit embeds and scores every history: about as long as the asking that follows
    asked = Plan(report, {"before": 0.55, "asking": 0.45}).step("asking", "Asking Qdrant", "user")
    with Catalogue(items, embedder.fingerprint) as catalogue:
        for n, user in enumerate(s.users):
            if n % 10 == 0:
                asked(n, len(s.users))  # the count and the bar from the same n
            movies = [int(m) for m in held[user]["movieId"]]
            scores = _qdrant_scores(catalogue, history[user], rows, [rows[m] for m in movies], target, fit.best)
            scores["EASE"] = ease.scores(user, movies)
            for rule in QDRANT_RULES:
                score_user(metrics, rule, user, scores[rule], held[user]["rating"].to_numpy(dtype=float))
    say("Done", 1.0)
    return LabResult(QDRANT_RULES, metrics, len(s.users), {"feedback_fit": fit_json(fit)})


def _qdrant_scores(
    catalogue: Catalogue,
    past: pd.DataFrame,
    rows: dict[int, int],
    candidates: list[int],
    target: Callable[[pd.DataFrame], np.ndarray],
    fitted: NaiveFeedback,
) -> dict[str, np.ndarray]:
    """One user's candidates under every Qdrant rule of the lab, and the signed history vector."""
    items = catalogue.items
    both = catalogue.scores(history_examples(past, rows, items), candidates)
    likes = catalogue.scores(history_examples(past, rows, items, negatives=False), candidates)
    request = history_feedback(past, rows, items, target(past))
    signed = history_vectors(past["movieId"].tolist(), past["rating"].to_numpy(dtype=float), rows, items)
    return {
        **both,
        **{f"{m}{NO_NEGATIVES}": v for m, v in likes.items()},
        FEEDBACK_METHOD: catalogue.feedback(request, candidates),
        f"{FEEDBACK_METHOD}{FITTED}": catalogue.feedback(replace(request, strategy=fitted), candidates),
        "signed history": items[candidates] @ signed["signed"],
    }


def _naive_targets(
    embedder: Embedder, s: Split, histories: Sequence[pd.DataFrame]
) -> Callable[[pd.DataFrame], np.ndarray]:
    """The feedback query's target for a history: the naive text of its genre profile, embedded. Every history
    the lab asks about, and the first 80% of each (the fit's), are embedded in one batch up front."""
    texts = {}
    for history in histories:
        for part in (history, inner_split(history)[0]):
            texts[_key(part)] = naive_text(user_profile(part, s.movie_features))
    distinct = list(dict.fromkeys(t for t in texts.values() if t))
    vectors = dict(zip(distinct, normalize_rows(embedder.encode(distinct)), strict=True)) if distinct else {}
    zero = np.zeros(embedder.dim, dtype=np.float32)
    return lambda part: vectors.get(texts.get(_key(part), ""), zero)


def _key(part: pd.DataFrame) -> tuple:
    return tuple(part.index)


def _exact_genre_scores(history: pd.DataFrame, movies: Sequence[int], s: Split, index: dict[str, int]) -> np.ndarray:
    """The evaluation's exact reference on genres: cosine of the history profile and each movie's genres."""
    profile = np.zeros(len(index))
    for feature, score in user_profile(history, s.movie_features).items():
        profile[index[feature]] = score
    matrix = np.zeros((len(movies), len(index)))
    for row, movie in enumerate(movies):
        for feature in s.movie_features.get(movie, ()):
            matrix[row, index[feature]] = 1.0
    return normalize_rows(matrix) @ unit(profile)


def compute(name: str, embedder: Embedder, data: MovieLens, *, report: Report | None = None) -> LabResult | dict:
    """Run one lab by name: a :class:`LabResult`, or for ``centroids`` the dict of :func:`centroid_lab`."""
    if name not in LAB_NAMES:
        raise UnknownName("lab", name, LAB_NAMES)
    if name == "centroids":
        return centroid_lab(embedder, data, report=report)
    if name == "ease":
        return ease_lab(data, report=report)
    labs = {"history": history_lab, "feedback": feedback_lab, "qdrant": qdrant_lab}
    return labs[name](embedder, data, report=report)


def run(name: str, embedder: Embedder, data: MovieLens, *, report: Report | None = None) -> dict:
    """One lab by name, in the CLI's schema: ``{"lab", "users"?, "rules"?: {rule: {"auc", "auc_ci95", ...}}, ...}``
    (an interval over one user is not defined: NaN here, null in the CLI's JSON, never a made-up [x, x])."""
    result = compute(name, embedder, data, report=report)
    if isinstance(result, dict):
        return {"lab": name, **result}
    return {"lab": name, "users": result.users, "rules": result.summary(), **result.extra}
