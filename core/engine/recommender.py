"""The recommender for one scenario: product vectors cached, user vectors on demand.

Product vectors are computed once per (method, parameters) and kept in a vector
store (:mod:`core.engine.stores`): in memory by default, where a user whose score
changes costs one user vector and one matrix-vector product per method, or in
Qdrant (``store="qdrant"``). The strategy methods always ask Qdrant. A hard-no
filter removes, for every method, the products that carry a feature the user
scores at or below the threshold. The app keeps one :class:`Recommender` per
(scenario, model).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from core.engine.builds import Once, Stage, run_stages
from core.engine.embedder import Embedder, Progress
from core.engine.marks import HARD_NO, Marks, hard_nos
from core.engine.methods import METHOD_NAMES, examples, get_method
from core.engine.ranking import Ranking, pairwise
from core.engine.space import DEFAULT_PARAMS, FeatureSpace, MethodParams
from core.engine.stores import MEMORY, NumpyStore, ProductVectors, QdrantStore, VectorStore, collection_name
from core.errors import InputError
from core.scenarios.model import Scenario

STORES = ("numpy", "qdrant")

# Called with (stage description, fraction done in [0, 1]).
StageProgress = Callable[[str, float], None]


@dataclass(frozen=True)
class RankResult:
    """Every requested method's ranking for one profile, plus the exact reference."""

    rankings: dict[str, Ranking]
    exact: Ranking
    k: int
    marks: Marks
    removed: np.ndarray | None = None  # (n_products,) bool: taken out by the hard-no filter (None: no filter)

    def counts(self, method: str) -> dict[str, int]:
        """How many of ``method``'s top k violate a hard no, and how many the user dislikes overall."""
        return self.marks.counts(self.rankings[method].top(self.k))

    def agreement(self) -> dict[str, dict[str, float | int | None]]:
        """Each method against exact (Kendall tau, overlap@k, RBO) and the marks in its top k."""
        return self.divergence()[1]

    def divergence(self) -> tuple[dict[str, dict[str, dict]], dict[str, dict[str, float | int | None]]]:
        """Every pair of the requested methods, and each one's agreement with exact, each pair measured once.

        Returns ``(pairwise table over the requested methods, agreement)``. With the hard-no filter on, the
        products it removed are left out of the comparison (no method ranks them).
        """
        rankings = {**self.rankings, "exact": self.exact}
        if self.removed is not None and self.removed.any():
            kept = ~self.removed
            rankings = {m: Ranking.from_scores(m, r.scores[kept]) for m, r in rankings.items()}
        table = pairwise(rankings, self.k)
        agreement = {m: {**table[m]["exact"], **self.counts(m)} for m in self.rankings}
        shown = {m: {n: table[m][n] for n in self.rankings} for m in self.rankings}
        return shown, agreement


class Recommender:
    def __init__(
        self,
        scenario: Scenario,
        embedder: Embedder,
        *,
        max_cached: int = 24,
        store: str = "numpy",
        qdrant: str | None = None,
    ) -> None:
        if store not in STORES:
            raise InputError(f"unknown store {store!r}; choose one of: {', '.join(STORES)}")
        self.scenario = scenario
        self.space = FeatureSpace(scenario.vocabulary, embedder)
        self.product_ids = [p.id for p in scenario.products]
        self.product_names = [p.name for p in scenario.products]
        self._profiles = [p.profile for p in scenario.products]
        self.store = store  # which store answers the six vector methods (the strategies always ask Qdrant)
        self._qdrant_where = qdrant  # None: SIGNED_EXPLORER_QDRANT
        self._vectors = Once(max_entries=max_cached)  # per (method, parameters): computed once, even when asked twice
        self._keys: dict[str, tuple[str, MethodParams]] = {}  # store key -> (method, parameters)
        # The memory store reads this cache (one copy of every vector; what was evicted is computed again).
        self.memory = NumpyStore(self._profiles, vectors=lambda key: self.products(*self._keys[key]))
        # Keys written to Qdrant, once each. Not bounded: the app writes one key (weighted's, for the strategies);
        # only `store="qdrant"` with many whitening settings writes more, and each stays until release().
        self._stored = Once()
        self._singles = Once()  # the score matrix and the Qdrant store, each made once

    @property
    def product_scores(self) -> np.ndarray:
        """(n_products, F) product scores over the vocabulary, NaN where absent."""
        return self._singles.get("scores", lambda: self.space.score_matrix(self._profiles)[0])

    @staticmethod
    def cache_key(method: str, params: MethodParams) -> tuple:
        """Whose product vectors a method ranks, and the parameters that change them (and nothing else)."""
        items = get_method(method).item_method
        return (items, params) if get_method(items).uses_params else (items,)

    def store_key(self, method: str, params: MethodParams) -> str:
        """The name of a method's vectors in a store: ``weighted``, ``whitened-v0.95-a1-c256``."""
        key = self.cache_key(method, params)
        name = (
            key[0]
            if len(key) == 1
            else (f"{key[0]}-v{params.whiten_variance:g}-a{params.whiten_strength:g}-c{params.whiten_max_components}")
        )
        self._keys[name] = (key[0], params)
        return name

    def products(
        self, method: str, params: MethodParams = DEFAULT_PARAMS, *, progress: Progress | None = None
    ) -> ProductVectors:
        return self._vectors.get(self.cache_key(method, params), lambda: self._compute(method, params, progress))

    def _compute(self, method: str, params: MethodParams, progress: Progress | None) -> ProductVectors:
        spec = get_method(get_method(method).item_method)
        if spec.form is None:
            return ProductVectors(spec.fn(self._profiles, space=self.space, params=params, progress=progress))
        return ProductVectors.from_form(spec.form(self.product_scores, self.space, params))

    def asks_qdrant(self, method: str) -> bool:
        """Whether ``method``'s queries go to Qdrant: every strategy, and the vector methods with store="qdrant"."""
        return get_method(method).strategy is not None or self.store == "qdrant"

    def qdrant(
        self, method: str, params: MethodParams = DEFAULT_PARAMS, *, progress: Progress | None = None
    ) -> QdrantStore:
        """The scenario's Qdrant collection, holding ``method``'s product vectors (upserted on first use)."""
        store = self._singles.get("qdrant", self._open_qdrant)
        key = self.store_key(method, params)
        self._stored.get(key, lambda: store.add(key, self.products(method, params), progress=progress))
        return store

    def _open_qdrant(self) -> QdrantStore:
        name = collection_name(self.scenario.fingerprint, self.space.embedder.name)
        return QdrantStore(self._profiles, self.product_ids, name, where=self._qdrant_where)

    def release(self) -> None:
        """Free what lives outside this object (an in-memory Qdrant collection) when the pool drops it. Whoever
        still holds this recommender can go on: the collection is written again on its next query."""
        if self._singles.has("qdrant"):
            store: QdrantStore = self._singles.get("qdrant", self._open_qdrant)
            self._stored.clear()
            if store.where == MEMORY:
                store.drop()

    def ready(self, methods: Iterable[str], params: MethodParams = DEFAULT_PARAMS) -> bool:
        """True when every method's product vectors are computed, and written to Qdrant where it is asked."""
        return all(
            self._vectors.has(self.cache_key(m, params))
            and (not self.asks_qdrant(m) or self._stored.has(self.store_key(m, params)))
            for m in methods
        )

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
        built, stored = set(), set()  # the strategies share weighted's vectors: each key is one stage
        for method in methods:
            label, key = get_method(get_method(method).item_method).label, self.store_key(method, params)
            if key not in built:
                built.add(key)
                texts = {"naive": n, "split": 2 * n}.get(method, n / 100)  # text methods embed; the rest is arithmetic
                run = lambda report, m=method: self.product_vectors(m, params, progress=report)  # noqa: E731
                stages.append(Stage(f"{label}: vectors for {n:,} products", texts, run))
            if self.asks_qdrant(method) and key not in stored:
                stored.add(key)
                run = lambda report, m=method: self.qdrant(m, params, progress=report)  # noqa: E731
                # an upsert costs about what embedding one text in twenty does
                stages.append(Stage(f"{label}: {n:,} products into Qdrant", n / 20, run))
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

    def scores(
        self,
        method: str,
        profile: Mapping[str, float],
        params: MethodParams = DEFAULT_PARAMS,
        *,
        exclude: Sequence[str] = (),
    ) -> np.ndarray:
        """The profile's score for every product under ``method`` (a cosine for the six vector methods); -inf for
        products the filter removed (those carrying, with a positive score, any ``exclude`` feature)."""
        n, spec = len(self._profiles), get_method(method)
        key = self.store_key(method, params)
        if spec.strategy is not None:
            wanted = examples(profile, self.space)
            return self.qdrant(method, params).recommend(key, wanted, spec.strategy, limit=n, exclude=exclude).full(n)
        store: VectorStore = self.qdrant(method, params) if self.store == "qdrant" else self.memory
        return store.search(key, self.user_vector(method, profile, params), limit=n, exclude=exclude).full(n)

    def ranking(
        self,
        method: str,
        profile: Mapping[str, float],
        params: MethodParams = DEFAULT_PARAMS,
        *,
        exclude: Sequence[str] = (),
    ) -> Ranking:
        return Ranking.from_scores(method, self.scores(method, profile, params, exclude=exclude))

    def rank(
        self,
        profile: Mapping[str, float],
        methods: Iterable[str] = METHOD_NAMES,
        params: MethodParams = DEFAULT_PARAMS,
        *,
        k: int = 5,
        hard_no: float = HARD_NO,
        filter_hard_no: bool = False,
    ) -> RankResult:
        """Every method's ranking of the products for ``profile``, with both marks per product.

        With ``filter_hard_no`` every method ranks only the products that break none of the user's hard nos
        (the marks keep describing every product: what the filter removed is still what it was).
        """
        features = hard_nos(profile, hard_no)
        exclude = features if filter_hard_no else []
        rankings = {m: self.ranking(m, profile, params, exclude=exclude) for m in methods}
        unfiltered = "exact" in rankings and not exclude
        reference = rankings["exact"] if unfiltered else self.ranking("exact", profile, params)
        # One mask for the mark and for what the filter removes: the same rule every store filters by
        # (carries, with a positive score, a hard-no feature), read from a table built once per scenario.
        breaks = self.memory.excluded(features)
        marks = Marks(breaks, reference.scores < 0, hard_no)
        return RankResult(rankings, rankings.get("exact", reference), k, marks, breaks if filter_hard_no else None)


MEMORY_BUDGET = 3 * 2**30  # bytes of product vectors the process keeps for all scenarios together


def estimated_bytes(scenario: Scenario, dim: int) -> int:
    """About what a recommender holds once every method is built: the text methods' vectors (naive d, split 2d),
    prefix and weighted (d each), whitened (at most d) and exact (F), as float32, plus the float64 score matrix.
    A Qdrant collection in memory (strategy methods) adds one more copy of the weighted vectors (d).

    >>> from core.scenarios.presets import load_preset
    >>> round(estimated_bytes(load_preset("bench-10k"), 384) / 2**20)
    125
    """
    features = len(scenario.vocabulary)
    return len(scenario.products) * (7 * dim * 4 + features * 4 + features * 8)


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
        made = Recommender(scenario, embedder)  # outside the lock: indexing 20,000 products takes a moment
        dropped: list[Recommender] = []
        with self._lock:
            if key not in self._pool:  # another session may have made it meanwhile: theirs is kept
                self._pool[key] = (made, estimated_bytes(scenario, embedder.dim))
            self._pool.move_to_end(key)
            while len(self._pool) > 1 and self.held() > self.budget:
                dropped.append(self._pool.popitem(last=False)[1][0])
            recommender = self._pool[key][0]
        for old in dropped:  # outside the lock too: dropping a collection may wait for a server
            old.release()
        return recommender

    def held(self) -> int:
        """Estimated bytes of every recommender in the pool."""
        return sum(size for _, size in self._pool.values())
