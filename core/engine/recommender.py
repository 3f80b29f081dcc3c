"""The recommender for one scenario: product vectors cached, user vectors on demand.

Product vectors are computed once per (method, parameters) and kept; a user
whose score changes costs one user vector and one matrix-vector product per
method. The app keeps one :class:`Recommender` per (scenario, model).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

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
        self._cache: OrderedDict[tuple, ProductVectors] = OrderedDict()
        self._max_cached = max_cached

    @cached_property
    def product_scores(self) -> np.ndarray:
        """(n_products, F) product scores over the vocabulary, NaN where absent."""
        return self.space.score_matrix(self._profiles)[0]

    @staticmethod
    def cache_key(method: str, params: MethodParams) -> tuple:
        """Parameters that do not affect a method are not part of its key."""
        return (method, params) if get_method(method).uses_params else (method,)

    def products(
        self, method: str, params: MethodParams = DEFAULT_PARAMS, *, progress: Progress | None = None
    ) -> ProductVectors:
        key = self.cache_key(method, params)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        spec = get_method(method)
        if spec.form is None:
            entry = ProductVectors(spec.fn(self._profiles, space=self.space, params=params, progress=progress))
        else:
            form = spec.form(self.product_scores, self.space, params)
            raw = form.dense()
            inverse = inverse_norms(raw)
            entry = ProductVectors(raw * inverse[:, None], form, inverse)
        self._cache[key] = entry
        if len(self._cache) > self._max_cached:
            self._cache.popitem(last=False)
        return entry

    def ready(self, methods: Iterable[str], params: MethodParams = DEFAULT_PARAMS) -> bool:
        """True when every method's product vectors are already computed."""
        return all(self.cache_key(m, params) in self._cache for m in methods)

    def product_vectors(
        self, method: str, params: MethodParams = DEFAULT_PARAMS, *, progress: Progress | None = None
    ) -> np.ndarray:
        """(n_products, d) unit rows; computed on first use, then cached."""
        return self.products(method, params, progress=progress).vectors

    def prepare(
        self,
        methods: Iterable[str] = METHOD_NAMES,
        params: MethodParams = DEFAULT_PARAMS,
        *,
        progress: StageProgress | None = None,
    ) -> dict[str, float]:
        """Build everything the rankings need, stage by stage; return seconds per stage."""
        timings: dict[str, float] = {}

        def stage(name: str, run: Callable[[Progress], object]) -> None:
            start = time.perf_counter()
            report = (lambda done, total: progress(name, done / max(total, 1))) if progress else (lambda d, t: None)
            report(0, 1)
            run(report)
            report(1, 1)
            timings[name] = time.perf_counter() - start

        methods = list(methods)
        stage(f"Embedding {len(self.space.vocabulary)} features", self.space.feature_embeddings)
        if "prefix" in methods:
            stage(f"Embedding {5 * len(self.space.vocabulary):,} prefix sentences", self.space.prefix_embeddings)
        for method in methods:
            stage(
                f"{get_method(method).label}: vectors for {len(self._profiles):,} products",
                lambda report, m=method: self.product_vectors(m, params, progress=report),
            )
        return timings

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
