"""The recommender for one scenario: product vectors cached, user vectors on demand.

Product vectors are computed once per (method, parameters) and kept; a user
whose score changes costs one user vector and one matrix-vector product per
method. The app keeps one :class:`Recommender` per (scenario, model).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from core.engine.builds import Once, Stage, run_stages
from core.engine.embedder import Embedder, Progress
from core.engine.marks import HARD_NO, Marks, hard_no_mask
from core.engine.methods import METHOD_NAMES, get_method
from core.engine.ranking import Ranking, pairwise
from core.engine.space import DEFAULT_PARAMS, FeatureSpace, LinearForm, MethodParams
from core.numeric import inverse_norms
from core.scenarios.model import Scenario

# Called with (stage description, fraction done in [0, 1]).
StageProgress = Callable[[str, float], None]


@dataclass(frozen=True)
class RankResult:
    """Every requested method's ranking for one profile, plus the exact reference."""

    rankings: dict[str, Ranking]
    exact: Ranking
    k: int
    marks: Marks

    def counts(self, method: str) -> dict[str, int]:
        """How many of ``method``'s top k violate a hard no, and how many the user dislikes overall."""
        return self.marks.counts(self.rankings[method].top(self.k))

    def agreement(self) -> dict[str, dict[str, float | int | None]]:
        """Each method against exact (Kendall tau, overlap@k, RBO) and the marks in its top k."""
        return self.divergence()[1]

    def divergence(self) -> tuple[dict[str, dict[str, dict]], dict[str, dict[str, float | int | None]]]:
        """Every pair of the requested methods, and each one's agreement with exact, each pair measured once.

        Returns ``(pairwise table over the requested methods, agreement)``.
        """
        table = pairwise({**self.rankings, "exact": self.exact}, self.k)
        agreement = {m: {**table[m]["exact"], **self.counts(m)} for m in self.rankings}
        shown = {m: {n: table[m][n] for n in self.rankings} for m in self.rankings}
        return shown, agreement


@dataclass(frozen=True)
class ProductVectors:
    """A method's product vectors, and for vocabulary-linear methods a cheaper way to score them."""

    vectors: np.ndarray  # (n_products, d) unit rows
    form: LinearForm | None = None  # unnormalised vectors = form.dense()
    inverse_norms: np.ndarray | None = None

    def scores(self, user: np.ndarray) -> np.ndarray:
        if self.form is None:
            return self.vectors @ user
        return self.form.apply(user) * self.inverse_norms


class Recommender:
    def __init__(self, scenario: Scenario, embedder: Embedder, *, max_cached: int = 24) -> None:
        self.scenario = scenario
        self.space = FeatureSpace(scenario.vocabulary, embedder)
        self.product_ids = [p.id for p in scenario.products]
        self.product_names = [p.name for p in scenario.products]
        self._profiles = [p.profile for p in scenario.products]
        self._vectors = Once(max_entries=max_cached)  # per (method, parameters): computed once, even when asked twice
        self._scores = Once()

    @property
    def product_scores(self) -> np.ndarray:
        """(n_products, F) product scores over the vocabulary, NaN where absent."""
        return self._scores.get("scores", lambda: self.space.score_matrix(self._profiles)[0])

    @staticmethod
    def cache_key(method: str, params: MethodParams) -> tuple:
        """Parameters that do not affect a method are not part of its key."""
        return (method, params) if get_method(method).uses_params else (method,)

    def products(
        self, method: str, params: MethodParams = DEFAULT_PARAMS, *, progress: Progress | None = None
    ) -> ProductVectors:
        return self._vectors.get(self.cache_key(method, params), lambda: self._compute(method, params, progress))

    def _compute(self, method: str, params: MethodParams, progress: Progress | None) -> ProductVectors:
        spec = get_method(method)
        if spec.form is None:
            return ProductVectors(spec.fn(self._profiles, space=self.space, params=params, progress=progress))
        form = spec.form(self.product_scores, self.space, params)
        raw = form.dense()
        inverse = inverse_norms(raw)
        return ProductVectors(raw * inverse[:, None], form, inverse)

    def ready(self, methods: Iterable[str], params: MethodParams = DEFAULT_PARAMS) -> bool:
        """True when every method's product vectors are already computed."""
        return all(self._vectors.has(self.cache_key(m, params)) for m in methods)

    def product_vectors(
        self, method: str, params: MethodParams = DEFAULT_PARAMS, *, progress: Progress | None = None
    ) -> np.ndarray:
        """(n_products, d) unit rows; computed on first use, then cached."""
        return self.products(method, params, progress=progress).vectors

    def stages(self, methods: Iterable[str] = METHOD_NAMES, params: MethodParams = DEFAULT_PARAMS) -> list[Stage]:
        """What :meth:`prepare` does, step by step, each weighted by the texts or products it handles."""
        n, f = len(self._profiles), len(self.space.vocabulary)
        methods = list(methods)
        stages = [Stage(f"Embedding {f:,} features", f, self.space.feature_embeddings)]
        if "prefix" in methods:
            stages.append(Stage(f"Embedding {5 * f:,} prefix sentences", 5 * f, self.space.prefix_embeddings))
        for method in methods:
            texts = {"naive": n, "split": 2 * n}.get(method, n / 100)  # text methods embed; the rest is arithmetic
            stages.append(
                Stage(
                    f"{get_method(method).label}: vectors for {n:,} products",
                    texts,
                    lambda report, m=method: self.product_vectors(m, params, progress=report),
                )
            )
        return stages

    def prepare(
        self,
        methods: Iterable[str] = METHOD_NAMES,
        params: MethodParams = DEFAULT_PARAMS,
        *,
        progress: StageProgress | None = None,
    ) -> dict[str, float]:
        """Build everything the rankings need, stage by stage (``progress`` gets the overall fraction);
        return seconds per stage."""
        return run_stages(self.stages(methods, params), progress)

    def user_vector(self, method: str, profile: Mapping[str, float], params: MethodParams = DEFAULT_PARAMS):
        return get_method(method).fn([profile], space=self.space, params=params)[0]

    def scores(self, method: str, profile: Mapping[str, float], params: MethodParams = DEFAULT_PARAMS) -> np.ndarray:
        """Cosine of the profile to every product under ``method``."""
        return self.products(method, params).scores(self.user_vector(method, profile, params))

    def ranking(self, method: str, profile: Mapping[str, float], params: MethodParams = DEFAULT_PARAMS) -> Ranking:
        return Ranking.from_scores(method, self.scores(method, profile, params))

    def rank(
        self,
        profile: Mapping[str, float],
        methods: Iterable[str] = METHOD_NAMES,
        params: MethodParams = DEFAULT_PARAMS,
        *,
        k: int = 5,
        hard_no: float = HARD_NO,
    ) -> RankResult:
        """Every method's ranking of the products for ``profile``, with both marks per product."""
        rankings = {m: self.ranking(m, profile, params) for m in methods}
        reference = rankings["exact"] if "exact" in rankings else self.ranking("exact", profile, params)
        marks = Marks(hard_no_mask(self._profiles, profile, hard_no), reference.scores < 0, hard_no)
        return RankResult(rankings, reference, k, marks)


MEMORY_BUDGET = 3 * 2**30  # bytes of product vectors the process keeps for all scenarios together


def estimated_bytes(scenario: Scenario, dim: int) -> int:
    """About what a recommender holds once every method is built: the text methods' vectors (naive d, split 2d),
    prefix and weighted (d each), whitened (at most d) and exact (F), as float32, plus the float64 score matrix.

    >>> from core.scenarios.presets import load_preset
    >>> round(estimated_bytes(load_preset("bench-10k"), 384) / 2**20)
    111
    """
    features = len(scenario.vocabulary)
    return len(scenario.products) * (6 * dim * 4 + features * 4 + features * 8)


class RecommenderPool:
    """One recommender per (scenario content, model), shared by every session. Recommenders not used for the
    longest are dropped once their estimated memory passes the budget (a dropped one is rebuilt from the
    embedding cache when needed again, in seconds)."""

    def __init__(self, budget: int = MEMORY_BUDGET) -> None:
        self._pool: OrderedDict[tuple[str, str], tuple[Recommender, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.budget = budget

    def get(self, scenario: Scenario, embedder: Embedder) -> Recommender:
        key = (scenario.fingerprint, embedder.name)
        with self._lock:
            if key in self._pool:
                self._pool.move_to_end(key)
                return self._pool[key][0]
            recommender = Recommender(scenario, embedder)
            self._pool[key] = (recommender, estimated_bytes(scenario, embedder.dim))
            while len(self._pool) > 1 and self.held() > self.budget:
                self._pool.popitem(last=False)
            return recommender

    def held(self) -> int:
        """Estimated bytes of every recommender in the pool."""
        return sum(size for _, size in self._pool.values())
