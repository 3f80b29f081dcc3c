"""The recommender for one scenario: product vectors cached, user vectors on demand.

Product vectors are computed once per (method, parameters) and kept in a vector
store (:mod:`core.retrieval.stores`): in memory by default, where a user whose score
changes costs one user vector and one matrix-vector product per method, or in
Qdrant (``store="qdrant"``). The strategy methods (the recommend strategies and relevance feedback) always
ask Qdrant: its engine in this process (Qdrant Edge), or a server. A hard-no
filter removes, for every method, the products that carry a feature the user
scores at or below the threshold. The app keeps one :class:`Recommender` per
(scenario, model).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from core.embedding.embedder import Embedder, Progress
from core.errors import InputError
from core.jobs import SingleFlight, Stage, run_stages
from core.retrieval.carriers import Carriers
from core.retrieval.edge import EdgeStore, qdrant_store
from core.retrieval.marks import HARD_NO, Marks, hard_nos
from core.retrieval.qdrant import MEMORY, QdrantStore, collection_name
from core.retrieval.ranking import Agreement, Ranking, measure_agreement
from core.retrieval.stores import NumpyStore, ProductVectors, ask
from core.scenarios.model import Scenario
from core.vectors.examples import FEEDBACK, Examples, Feedback
from core.vectors.methods import METHOD_NAMES, examples, feedback_request, get_method
from core.vectors.space import DEFAULT_PARAMS, FeatureSpace, MethodParams

STORES = ("numpy", "qdrant")
ENGINE_HEAD = 100
"""Products a Qdrant query returns for a ranking: all of them in a scenario of at most this many (every
hand-written preset); in a larger one, the engine's top 100 and then the rest by the same formula in numpy."""
REFERENCE = "exact"  # the method every other is measured against, and the one the disliked mark reads

# Called with (stage description, fraction done in [0, 1]).
StageProgress = Callable[[str, float], None]


@dataclass(frozen=True)
class VectorKey:
    """Whose product vectors a method ranks, with the parameters that change them (and nothing else).

    >>> VectorKey("weighted").name, VectorKey("whitened", MethodParams(whiten_variance=0.9)).name
    ('weighted', 'whitened-v0.9-a1-c256')
    """

    method: str
    params: MethodParams | None = None  # None: the method reads no parameter

    @property
    def name(self) -> str:
        """The vectors' name in a store: ``weighted``, ``whitened-v0.95-a1-c256``."""
        p = self.params
        return self.method if p is None else (
            f"{self.method}-v{p.whiten_variance:g}-a{p.whiten_strength:g}-c{p.whiten_max_components}"
        )  # fmt: skip


@dataclass(frozen=True)
class RankResult:
    """Every requested method's ranking for one profile, each method's user vector, and both marks.

    ``rankings`` holds the requested methods in order; ``reference`` is exact's ranking under the same filter
    (also in ``rankings`` when it was requested). ``removed`` marks what the hard-no filter took out (None:
    no filter); no ranking returns those products.
    """

    rankings: dict[str, Ranking]
    reference: Ranking
    user_vectors: dict[str, np.ndarray]  # method -> (d,) its user vector (a strategy: its query point)
    k: int
    marks: Marks
    hard_no_features: tuple[str, ...]  # the user's features at or below the marks' threshold
    removed: np.ndarray | None = None  # (n_products,) bool

    @cached_property
    def agreement(self) -> Agreement:
        """Every pair of the requested methods and exact, each pair measured once, with the marks in each top k.
        With the hard-no filter on, the products it removed are left out (no method ranks them)."""
        rankings = {**self.rankings, REFERENCE: self.reference}
        hard_no, disliked = self.marks.hard_no, self.marks.disliked
        if self.removed is not None and self.removed.any():
            kept = ~self.removed
            rankings = {m: Ranking.from_scores(m, r.scores[kept]) for m, r in rankings.items()}
            hard_no, disliked = hard_no[kept], disliked[kept]
        return measure_agreement(rankings, self.k, hard_no, disliked)

    def counts(self, method: str) -> dict[str, int]:
        """How many of ``method``'s top k break a hard no, and how many the user dislikes overall."""
        return self.agreement.counts(method)


class Recommender:
    """One scenario's products under every method: vectors computed once per (method, parameters) and kept in
    a store, user vectors computed per profile."""

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
        self.carriers = Carriers(self._profiles)  # which products carry which features: the hard-no index
        self.memory = NumpyStore(self.carriers, max_keys=max_cached)  # the one copy of every method's vectors
        self._computing = SingleFlight()  # two sessions asking for the same vectors compute them once
        # Keys written to Qdrant, once each. Not bounded: the app writes one key (weighted's, for the strategies);
        # only `store="qdrant"` with many whitening settings writes more, and each stays until release().
        self._stored: set[str] = set()
        self._qdrant: EdgeStore | QdrantStore | None = None
        self._lock = threading.Lock()  # the two attributes above; never held while writing or computing

    @cached_property
    def product_scores(self) -> np.ndarray:
        """(n_products, F) product scores over the vocabulary, NaN where absent."""
        return self.space.score_matrix(self._profiles)[0]

    @staticmethod
    def key(method: str, params: MethodParams = DEFAULT_PARAMS) -> VectorKey:
        """Whose product vectors ``method`` ranks (its own, or for a strategy the stored items'), with the
        parameters that change them."""
        items = get_method(method).item_method
        return VectorKey(items, params if get_method(items).uses_params else None)

    def products(
        self, method: str, params: MethodParams = DEFAULT_PARAMS, *, progress: Progress | None = None
    ) -> ProductVectors:
        """A method's product vectors: from the memory store, or computed once and put there."""
        key = self.key(method, params)
        found = self.memory.get(key.name)
        return found if found is not None else self._computing.run(key, lambda: self._compute(key, progress))

    def _compute(self, key: VectorKey, progress: Progress | None) -> ProductVectors:
        found = self.memory.get(key.name)  # computed by another caller a moment ago
        if found is not None:
            return found
        spec, params = get_method(key.method), key.params or DEFAULT_PARAMS
        if spec.form is None:
            vectors = ProductVectors(spec.fn(self._profiles, space=self.space, params=params, progress=progress))
        else:
            vectors = ProductVectors.from_form(spec.form(self.product_scores, self.space, params))
        self.memory.add(key.name, vectors)
        return vectors

    def product_vectors(
        self, method: str, params: MethodParams = DEFAULT_PARAMS, *, progress: Progress | None = None
    ) -> np.ndarray:
        """(n_products, d) unit rows; computed on first use, then kept."""
        return self.products(method, params, progress=progress).vectors

    def asks_qdrant(self, method: str) -> bool:
        """Whether ``method``'s queries go to Qdrant: every strategy, and the vector methods with store="qdrant"."""
        return get_method(method).strategy is not None or self.store == "qdrant"

    def qdrant(
        self, method: str, params: MethodParams = DEFAULT_PARAMS, *, progress: Progress | None = None
    ) -> EdgeStore | QdrantStore:
        """The scenario's Qdrant collection, holding ``method``'s product vectors (upserted on first use): Qdrant
        Edge in this process, or a server through qdrant-client (``SIGNED_EXPLORER_QDRANT``)."""
        with self._lock:
            if self._qdrant is None:
                name = collection_name(self.scenario.fingerprint, self.space.embedder.fingerprint)
                self._qdrant = qdrant_store(self._profiles, self.product_ids, name, where=self._qdrant_where)
            store, name = self._qdrant, self.key(method, params).name
            written = name in self._stored
        if not written:
            self._computing.run(("qdrant", name), lambda: self._write(store, method, params, progress))
        return store

    def _write(
        self, store: EdgeStore | QdrantStore, method: str, params: MethodParams, progress: Progress | None
    ) -> None:
        name = self.key(method, params).name
        if name not in self._stored:
            store.add(name, self.products(method, params), progress=progress)
            with self._lock:
                self._stored.add(name)

    def release(self) -> None:
        """Free what lives outside this object (an in-memory Qdrant collection) when the pool drops it. Whoever
        still holds this recommender can go on: the collection is written again on its next query."""
        with self._lock:
            store, self._qdrant = self._qdrant, None
            self._stored.clear()
        if store is not None and store.where == MEMORY:
            store.drop()

    def ready(self, methods: Iterable[str], params: MethodParams = DEFAULT_PARAMS) -> bool:
        """True when every method's product vectors are computed, and written to Qdrant where it is asked."""
        with self._lock:
            stored = set(self._stored)
        return all(
            self.memory.has(self.key(m, params).name)
            and (not self.asks_qdrant(m) or self.key(m, params).name in stored)
            for m in methods
        )

    def stages(self, methods: Iterable[str] = METHOD_NAMES, params: MethodParams = DEFAULT_PARAMS) -> list[Stage]:
        """What :meth:`prepare` does, step by step, each weighted by the texts or products it handles."""
        n, f = len(self._profiles), len(self.space.vocabulary)
        methods = list(methods)
        stages = [Stage(f"Embedding {f:,} features", f, self.space.feature_embeddings)]
        if "prefix" in methods:
            stages.append(Stage(f"Embedding {5 * f:,} prefix sentences", 5 * f, self.space.prefix_embeddings))
        built, stored = set(), set()  # the strategies share weighted's vectors: each key is one stage
        for method in methods:
            label, key = get_method(get_method(method).item_method).label, self.key(method, params)
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

    def user_vectors(
        self, method: str, profiles: Sequence[Mapping[str, float]], params: MethodParams = DEFAULT_PARAMS
    ) -> np.ndarray:
        """(len(profiles), d) user vectors under ``method`` (a strategy: average_vector's query point)."""
        return get_method(method).fn(list(profiles), space=self.space, params=params)

    def user_vector(self, method: str, profile: Mapping[str, float], params: MethodParams = DEFAULT_PARAMS):
        return self.user_vectors(method, [profile], params)[0]

    def scores(
        self,
        method: str,
        profile: Mapping[str, float],
        params: MethodParams = DEFAULT_PARAMS,
        *,
        user: np.ndarray | None = None,
        exclude: Sequence[str] = (),
        removed: np.ndarray | None = None,
    ) -> np.ndarray:
        """(n,) the profile's score for every product under ``method`` (a cosine for the six vector methods);
        -inf for the products the hard-no filter on ``exclude`` removes (``removed``: that mask, when the caller
        has it). ``user`` is the method's user vector, when the caller has it."""
        spec = get_method(method)
        if spec.strategy is None:
            user = self.user_vector(method, profile, params) if user is None else user
        if self.asks_qdrant(method):
            return self._asked(
                method, user if spec.strategy is None else self.request(method, profile), params, exclude
            )
        dense = self.products(method, params).scores(user)
        if exclude:
            dense = np.where(self.carriers.mask(exclude) if removed is None else removed, -np.inf, dense)
        return dense.astype(np.float32, copy=False)

    def request(self, method: str, profile: Mapping[str, float]) -> Examples | Feedback:
        """What a Qdrant query method sends for ``profile``: example lists, or the relevance feedback request."""
        if get_method(method).strategy == FEEDBACK:
            return feedback_request(profile, self.space)
        return examples(profile, self.space)

    def _asked(
        self, method: str, request: np.ndarray | Examples | Feedback, params: MethodParams, exclude: Sequence[str]
    ) -> np.ndarray:
        """(n,) scores from Qdrant: the engine's top :data:`ENGINE_HEAD` as it returns them and, in a larger
        scenario, every other product behind them by the same formula in numpy (which the tests hold equal to the
        engine's): a full ranking without asking the engine for thousands of points on every move."""
        n, spec, name = len(self._profiles), get_method(method), self.key(method, params).name
        head = ask(
            self.qdrant(method, params), name, spec.strategy, request, limit=min(n, ENGINE_HEAD), exclude=exclude
        )
        if n <= ENGINE_HEAD or head.indices.size < ENGINE_HEAD:  # the engine returned every allowed product
            return head.full(n)
        self.products(method, params)  # the numpy copy the rest is scored with (computed again if it was dropped)
        return head.ahead_of(ask(self.memory, name, spec.strategy, request, limit=n, exclude=exclude).full(n))

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
        (the marks keep describing every product: what the filter removed is still what it was). Each
        method's user vector is computed once, and the hard-no features and their mask once.
        """
        methods = list(methods)
        features = tuple(hard_nos(profile, hard_no))
        breaks = self.carriers.mask(features)  # the mark, and what the filter removes: the same rule
        exclude, removed = (features, breaks) if filter_hard_no else ((), None)
        users = {m: self.user_vector(m, profile, params) for m in dict.fromkeys([*methods, REFERENCE])}
        unfiltered = self.scores(REFERENCE, profile, params, user=users[REFERENCE])  # the disliked mark reads all
        rankings = {}
        for m in methods:
            if m == REFERENCE:
                scores = unfiltered if removed is None else np.where(removed, -np.inf, unfiltered).astype(np.float32)
            else:
                scores = self.scores(m, profile, params, user=users[m], exclude=exclude, removed=removed)
            rankings[m] = Ranking.from_scores(m, scores)
        reference = rankings.get(REFERENCE) or Ranking.from_scores(
            REFERENCE, unfiltered if removed is None else np.where(removed, -np.inf, unfiltered)
        )
        marks = Marks(breaks, Marks.disliked_by(unfiltered), hard_no)
        return RankResult(rankings, reference, users, k, marks, features, removed)


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
        key = (scenario.fingerprint, embedder.fingerprint)
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
