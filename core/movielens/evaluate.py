"""Every method on MovieLens: the evaluation the Evaluation page and ``python -m core eval movielens`` run.

Scoring: every held-out movie gets each method's cosine to the user, each of
Qdrant's recommend strategies its score from the user's history as examples, and
Qdrant's relevance feedback query its score from the history's ratings
(:mod:`core.movielens.strategies`). Baselines: popularity (number of ratings in
everyone's history part) and random. Metrics
(:mod:`core.movielens.metrics`): AUC of positives against negatives (ties count
half); NDCG@10 and precision@10 over all of the user's held-out movies
(relevant = rating >= 4), with ties in score broken by one seeded shuffle per
user, the same for every method. Means over users with a t-based 95% interval;
for each method, the paired per-user AUC difference against naive.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from core.embedding.cache import expected_seconds
from core.embedding.embedder import Embedder
from core.jobs import Plan
from core.movielens.data import MovieLens, load
from core.movielens.metrics import (
    BEATS,
    LEVEL,
    LOSES,
    METRICS,
    VERBS,
    paired_difference,
    summarise,
    user_metrics,
    verdict,
)
from core.movielens.protocol import SEED, Split, build_scenario, describe, evaluation_split
from core.movielens.strategies import Catalogue, history_examples, history_feedback, refused
from core.retrieval.recommender import Recommender
from core.vectors.methods import FEEDBACK_METHOD, METHOD_NAMES, METHODS, RECOMMEND_NAMES, STRATEGY_NAMES, vectors
from core.vectors.texts import naive_text, split_texts
from core.wording import counted

BASELINES = ("popularity", "random")

Report = Callable[[str, float], None]


@dataclass
class UserResult:
    user: int
    profile: dict[str, float]
    movies: list[int]
    ratings: np.ndarray
    scores: dict[str, np.ndarray]  # method -> score per held-out movie
    metrics: dict[str, dict[str, float]]  # method -> {"auc", "ndcg@10", "precision@10"}

    @property
    def auc(self) -> dict[str, float]:
        return {method: values["auc"] for method, values in self.metrics.items()}

    def ranks(self, method: str) -> np.ndarray:
        """1-based rank of each held-out movie under ``method`` (ties keep the held-out order)."""
        order = np.argsort(-self.scores[method], kind="stable")
        ranks = np.empty_like(order)
        ranks[order] = np.arange(1, order.size + 1)
        return ranks


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

    refused: dict[str, int] = field(default_factory=dict)  # query method -> users Qdrant gave no direction to

    @property
    def methods(self) -> list[str]:
        return [*METHOD_NAMES, *STRATEGY_NAMES, *BASELINES]

    def per_user(self, metric: str, method: str) -> np.ndarray:
        """One value per evaluated user, in the same user order for every method."""
        return np.array([u.metrics[method][metric] for u in self.users])

    def summary(self) -> dict:
        """Per method: the metrics' means, the AUC's interval and its paired difference against naive."""
        return {
            method: summarise(
                {metric: self.per_user(metric, method) for metric in METRICS},
                baseline=("naive", self.per_user("auc", "naive")),
            )
            for method in self.methods
        }

    def to_json(self) -> dict:
        """The CLI's schema (a number that is not defined, such as an interval from one user, stays NaN here; the
        CLI writes it as null)."""
        return {
            "users": len(self.users),
            "protocol": self.protocol,
            "methods": self.summary(),
            "strategies_refused": self.refused,
        }


# Seconds of the steps that embed nothing, on the 2-core machine (bench/eta.py): with the embedding model's measured
# rate (ModelSpec.chars_per_second) they weight the progress bar by time, which is what the time left is read from.
SCORE_SECONDS = 0.3  # the product vectors, or every user, under the four methods that embed no text; the cosines
CATALOGUE_SECONDS = 2.0  # the history's movies as vectors, into the embedded Qdrant
QDRANT_SECONDS_PER_USER = 0.025  # one user's three recommend queries against the embedded Qdrant


def _texts(profiles: list[dict[str, float]], method: str) -> list[str]:
    if method == "naive":
        return [naive_text(p) for p in profiles]
    return [t for p in profiles for t in split_texts(p) if t]


def _plan(embedder: Embedder, scenario, profiles: list, so_far: float, say: Report) -> Plan:
    """The evaluation's steps weighted by their expected seconds: what is not cached yet, at the model's rate."""
    products = [dict(p.profile) for p in scenario.products]
    return Plan(
        say,
        {
            "setup": so_far,  # measured: it is done
            "products naive": expected_seconds(embedder, _texts(products, "naive")),
            "products split": expected_seconds(embedder, _texts(products, "split")),
            "products rest": SCORE_SECONDS,
            "naive": expected_seconds(embedder, _texts(profiles, "naive")),
            "split": expected_seconds(embedder, _texts(profiles, "split")),
            "score": SCORE_SECONDS,
            "catalogue": CATALOGUE_SECONDS,
            "qdrant": QDRANT_SECONDS_PER_USER * len(profiles),
        },
    )


def _prepare(recommender: Recommender, plan: Plan) -> None:
    """Every method's product vectors, each text method's embedding a step of its own (it is most of the time)."""
    n = len(recommender.product_ids)
    for method in METHOD_NAMES:
        step = f"products {method}" if method in ("naive", "split") else "products rest"
        label = f"{METHODS[method].label}: vectors for {n:,} products"
        recommender.product_vectors(method, progress=plan.step(step, label, "new text"))


def _score_users(recommender: Recommender, profiles: list[dict[str, float]], plan: Plan) -> dict[str, np.ndarray]:
    """(products, users) cosines per method: all users at once, one batched encoder pass per method."""
    out: dict[str, np.ndarray] = {}
    rest = [m for m in METHOD_NAMES if m not in ("naive", "split")]
    for method in METHOD_NAMES:
        label = f"Scoring {len(profiles)} users with {method}"
        if method in ("naive", "split"):
            plan.step(method, label)(0, 1)
        else:
            plan.step("score", label)(rest.index(method), len(rest))
        users = vectors(method, profiles, space=recommender.space)
        out[method] = recommender.product_vectors(method) @ users.T
    return out


def movie_vectors(s: Split, recommender: Recommender) -> tuple[dict[int, int], np.ndarray]:
    """movieId -> row, and the weighted-sum vector of every movie in an evaluated user's history or held-out part."""
    evaluated = s.history["userId"].isin(s.users)
    movies = sorted(
        {int(m) for m in s.history.loc[evaluated, "movieId"]} | {int(p[1:]) for p in recommender.product_ids}
    )
    profiles = [{f: 1.0 for f in s.movie_features.get(m, ())} for m in movies]
    return {m: i for i, m in enumerate(movies)}, vectors("weighted", profiles, space=recommender.space)


def _asked(
    catalogue: Catalogue, past: pd.DataFrame, rows: dict[int, int], target: np.ndarray, candidates: list[int]
) -> tuple[dict[str, np.ndarray], set[str]]:
    """One user's scores under every Qdrant query method (examples, and scored feedback around ``target``), and
    the methods Qdrant gave no direction to for this user."""
    examples = history_examples(past, rows, catalogue.items)
    feedback = history_feedback(past, rows, catalogue.items, target)
    scores = catalogue.scores(examples, candidates) | {FEEDBACK_METHOD: catalogue.feedback(feedback, candidates)}
    return scores, {m for m in STRATEGY_NAMES if refused(feedback if m == FEEDBACK_METHOD else examples, m)}


def _user_results(
    s: Split, recommender: Recommender, profiles: list, all_scores: dict, plan: Plan
) -> tuple[list[UserResult], dict[str, int]]:
    """Every evaluated user's scores and metrics: the six methods' cosines, Qdrant's queries, the baselines."""
    index = {pid: i for i, pid in enumerate(recommender.product_ids)}
    held_out = dict(list(s.held_out[s.held_out["userId"].isin(s.users)].groupby("userId")))
    history = dict(list(s.history[s.history["userId"].isin(s.users)].groupby("userId")))
    plan.step("catalogue", "Putting the history's movies into Qdrant")(0, 1)
    rows, items = movie_vectors(s, recommender)
    targets = vectors("naive", profiles, space=recommender.space)  # the feedback query's targets (cached texts)
    results, refusals = [], dict.fromkeys(STRATEGY_NAMES, 0)
    tick = plan.step("qdrant", "Asking Qdrant", "user")
    with Catalogue(items, recommender.space.embedder.fingerprint) as catalogue:
        for column, user in enumerate(recommender.scenario.users):
            if column % 10 == 0:
                tick(column, len(held_out))
            user_id = int(user.id.removeprefix("u"))
            held = held_out[user_id]
            movies = [int(m) for m in held["movieId"]]
            ratings = held["rating"].to_numpy(dtype=float)
            products = np.array([index[f"m{m}"] for m in movies])
            scores = {method: all_scores[method][products, column] for method in METHOD_NAMES}
            answers, unanswered = _asked(catalogue, history[user_id], rows, targets[column], [rows[m] for m in movies])
            scores |= answers
            for method in unanswered:
                refusals[method] += 1
            scores["popularity"] = np.array([float(s.popularity.get(m, 0)) for m in movies])
            scores["random"] = np.random.default_rng([SEED, user_id]).random(len(movies))
            metrics = {method: user_metrics(values, ratings, user_id) for method, values in scores.items()}
            results.append(UserResult(user_id, dict(profiles[column]), movies, ratings, scores, metrics))
    return results, refusals


def evaluate(
    embedder: Embedder,
    *,
    data: MovieLens | None = None,
    path: str | Path | None = None,
    mode: str = "genres",
    report: Report | None = None,
) -> Evaluation:
    """Run the protocol with every method and both baselines."""
    started = time.perf_counter()
    encoded_before = embedder.stats["encoded"]
    say = report or (lambda stage, fraction: None)
    data = data or load(path)
    say("Splitting ratings by time", 0.0)
    s = evaluation_split(data, mode)
    say(f"Building profiles for {len(s.users)} users", 0.01)
    scenario, _ = build_scenario(s, data, mode)
    recommender = Recommender(scenario, embedder)
    profiles = [dict(u.profile) for u in scenario.users]
    plan = _plan(embedder, scenario, profiles, time.perf_counter() - started, say)
    _prepare(recommender, plan)
    results, refusals = _user_results(s, recommender, profiles, _score_users(recommender, profiles, plan), plan)
    say("Done", 1.0)
    embedder.flush()
    titles = dict(zip(data.movies["movieId"].astype(int), data.movies["title"].astype(str), strict=True))
    return Evaluation(
        mode,
        str(data.path),
        embedder.name,
        results,
        describe(mode, str(data.path), embedder.name),
        time.perf_counter() - started,
        embedder.stats["encoded"] - encoded_before,
        titles,
        refusals,
    )


LABELS = {**{m: METHODS[m].label for m in METHODS}, "popularity": "Popularity", "random": "Random"}


def verdicts(evaluation: Evaluation) -> list[str]:
    """The claims the page states, each a sentence computed from the paired per-user differences."""
    summary = evaluation.summary()

    def compared(a: str, b: str) -> str:
        difference = paired_difference(evaluation.per_user("auc", a), evaluation.per_user("auc", b))
        return verdict(LABELS[a], LABELS[b].lower(), difference) + "."

    best = max(METHOD_NAMES, key=lambda m: summary[m]["auc"])
    strategy = max(RECOMMEND_NAMES, key=lambda m: summary[m]["auc"])
    return [
        compared("weighted", "naive"),
        compared("whitened", "weighted"),
        compared("prefix", "naive"),
        compared("exact", "random"),
        compared(strategy, "weighted"),
        compared(FEEDBACK_METHOD, strategy),
        f"Popularity scores AUC {summary['popularity']['auc']:.3f}; the best of the six methods here is "
        f"{LABELS[best].lower()}, at {summary[best]['auc']:.3f}.",
    ]


def across_models(evaluations: Mapping[str, Evaluation]) -> dict[str, dict[str, dict]]:
    """The same protocol under every model: ``{method: {model: {"auc", "auc_ci95", "auc_minus_naive",
    "auc_minus_naive_ci95"}}}`` (the paired difference against naive is taken within each model)."""
    keys = ("auc", "auc_ci95", "auc_minus_naive", "auc_minus_naive_ci95")
    summaries = {model: evaluation.summary() for model, evaluation in evaluations.items()}
    methods = next(iter(evaluations.values())).methods if evaluations else []
    return {m: {model: {k: summary[m][k] for k in keys} for model, summary in summaries.items()} for m in methods}


def across_reading(evaluations: Mapping[str, Evaluation]) -> str:
    """What holds for every model and what does not, counted from the paired per-user differences.

    >>> _tally({"beats": 3, "is not distinguishable from": 2, "loses to": 0}, "whitening", "the weighted sum")
    'whitening beats the weighted sum for 3 and is level with it for 2'
    """

    def verbs(a: str, b: str) -> dict[str, int]:
        out = dict.fromkeys(VERBS, 0)
        for e in evaluations.values():
            out[paired_difference(e.per_user("auc", a), e.per_user("auc", b)).verb] += 1
        return out

    n = len(evaluations)
    naive = [e.summary()["naive"]["auc_ci95"] for e in evaluations.values()]
    chance = sum(bool(lo <= 0.5 <= hi) for lo, hi in naive)  # NaN bounds (one user) compare False
    below = sum(bool(hi < 0.5) for _, hi in naive)
    best = {max(METHOD_NAMES, key=lambda m: e.summary()[m]["auc"]) for e in evaluations.values()}
    return (
        f"Over {counted(n, 'model')}: naive text is indistinguishable from chance for {chance}"
        + (f" and below it for {below}" if below else "")
        + f"; {_tally(verbs('weighted', 'naive'), 'the weighted sum', 'naive')}; "
        f"{_tally(verbs('prefix', 'naive'), 'the signed prefix', 'naive')}; "
        f"{_tally(verbs('whitened', 'weighted'), 'whitening', 'the weighted sum')}. "
        f"The best of the six: {', '.join(LABELS[m].lower() for m in sorted(best))}."
    )


def _tally(counts: Mapping[str, int], a: str, b: str) -> str:
    """'a beats b for 3, is level with it for 2 and loses to it for 1', leaving out what never happens."""
    words = {BEATS: f"beats {b}", LEVEL: "is level with it", LOSES: "loses to it"}
    parts = [f"{words[verb]} for {count}" for verb, count in counts.items() if count]
    if parts and not parts[0].startswith(BEATS):
        parts[0] = parts[0].replace(" it ", f" {b} ", 1)
    return f"{a} " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0] if parts else "-")
