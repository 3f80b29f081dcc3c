"""Where product vectors live and how a query reaches them: the interface, and the in-memory store.

Every store answers two kinds of query under one small interface (:class:`VectorStore`):

- ``search`` ranks by cosine to one vector (a user vector as the methods return it: of length 1, or shorter
  for ``exact`` when some scores lie outside the vocabulary, since they count in its length; Qdrant's cosine
  rescales such a query to length 1, so its exact scores are then larger by that factor, in the same order);
- ``recommend`` is Qdrant's recommendation API: positive and negative examples, combined by one of three
  strategies (:mod:`core.vectors.examples`; the numpy store follows the same formulas as Qdrant, so the two
  can be compared);
- ``feedback`` is Qdrant's relevance feedback query: a target and scored feedback vectors (naive strategy).

A hard "no" is a filter, never a direction: a product that carries, with a positive score, any of the
``exclude`` features is not returned at all.

:class:`NumpyStore` keeps each method's product vectors in this process and scores them with matrix
products: the default, because a slider move must cost microseconds. Its :meth:`NumpyStore.scores` gives
every product's score as one dense array, which is what a ranking of all products needs. The Qdrant
stores are in :mod:`core.retrieval.edge` (Qdrant's engine in this process) and :mod:`core.retrieval.qdrant`
(qdrant-client: a server, and the reference implementation the tests hold the engine against).

>>> from core.retrieval.carriers import Carriers
>>> store = NumpyStore(Carriers([{"nuts": 1.0}, {"tea": 0.5}, {"nuts": -1.0}]))
>>> store.add("demo", np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32))
>>> hits = store.search("demo", np.array([1.0, 0.0]), limit=3, exclude=["nuts"])
>>> sorted(hits.indices.tolist()), hits.full(3).tolist()
([1, 2], [-inf, 0.0, 0.6000000238418579])
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from core.embedding.embedder import Progress
from core.numeric import inverse_norms
from core.retrieval.carriers import Carriers
from core.vectors.examples import FEEDBACK, ExampleIds, Examples, Feedback, feedback_scores, strategy_scores
from core.vectors.space import LinearForm


@dataclass(frozen=True)
class Hits:
    """A query's answer: the products returned (in any order) and their scores. Products that were
    filtered out, or fell beyond the limit, are absent."""

    indices: np.ndarray  # (m,) int product indices
    scores: np.ndarray  # (m,) float32

    def full(self, n: int) -> np.ndarray:
        """(n,) scores in product order; -inf for every product that was not returned."""
        out = np.full(n, -np.inf, dtype=np.float32)
        out[self.indices] = self.scores
        return out

    def ahead_of(self, rest: np.ndarray) -> np.ndarray:
        """(n,) scores: these hits' own, and every other product's from ``rest`` (the same query scored over the
        whole catalogue) kept just below the lowest hit, so the hits come first, in their order (-inf stays).

        >>> Hits(np.array([2]), np.array([0.5], dtype=np.float32)).ahead_of(np.array([0.9, 0.1, 0.5, -np.inf]))
        array([0.49999997, 0.1       , 0.5       ,       -inf], dtype=float32)
        """
        out = np.asarray(rest, dtype=np.float32).copy()
        if self.indices.size:
            others = np.ones(out.size, dtype=bool)
            others[self.indices] = False
            floor = np.nextafter(np.float32(self.scores.min()), np.float32(-np.inf))
            out[others] = np.minimum(out[others], floor)
            out[self.indices] = self.scores
        return out


@dataclass(frozen=True)
class ProductVectors:
    """A method's product vectors, and for vocabulary-linear methods a cheaper way to score them."""

    vectors: np.ndarray  # (n_products, d) unit rows
    form: LinearForm | None = None  # unnormalised vectors = form.dense()
    inverse_norms: np.ndarray | None = None

    @classmethod
    def of(cls, vectors: np.ndarray | ProductVectors) -> ProductVectors:
        return vectors if isinstance(vectors, ProductVectors) else cls(np.asarray(vectors, dtype=np.float32))

    @classmethod
    def from_form(cls, form: LinearForm) -> ProductVectors:
        """Unit rows of a vocabulary-linear method's vectors, keeping the form for cheap scoring."""
        raw = form.dense()
        inverse = inverse_norms(raw)
        raw *= inverse[:, None]
        return cls(raw, form, inverse)

    def scores(self, user: np.ndarray) -> np.ndarray:
        """(n,) cosine of every product with ``user`` (of length 1; see the module's note on ``exact``)."""
        if self.form is None:
            return self.vectors @ user
        return self.form.apply(user) * self.inverse_norms

    def similarities(self, vectors: np.ndarray) -> np.ndarray:
        """(n, m) every product's dot product with each of ``vectors`` (m, d): a recommend query's examples. With a
        linear form this is a sparse product over the vocabulary (10,000 x 200 examples: a few ms, not a dense
        10,000 x 384 x 200)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if self.form is None:
            return self.vectors @ vectors.T
        return self.form.apply(vectors.T) * self.inverse_norms[:, None]


Given = Examples | ExampleIds


class VectorStore(Protocol):
    """What the recommender asks of a store. ``key`` names one method's vectors (with its parameters)."""

    kind: str

    def has(self, key: str) -> bool: ...

    def add(self, key: str, vectors: np.ndarray | ProductVectors, *, progress: Progress | None = None) -> None: ...

    def drop(self, key: str | None = None) -> None: ...

    def search(self, key: str, query: np.ndarray, *, limit: int, exclude: Sequence[str] = ()) -> Hits: ...

    def recommend(
        self,
        key: str,
        examples: Given,
        strategy: str,
        *,
        limit: int,
        exclude: Sequence[str] = (),
        among: Sequence[int] | None = None,
        lookup: VectorStore | None = None,  # examples named by id are products of this store (same kind)
    ) -> Hits: ...

    def feedback(
        self,
        key: str,
        feedback: Feedback,
        *,
        limit: int,
        exclude: Sequence[str] = (),
        among: Sequence[int] | None = None,
    ) -> Hits: ...


def ask(
    store: VectorStore,
    key: str,
    strategy: str | None,
    request: np.ndarray | Given | Feedback,
    *,
    limit: int,
    exclude: Sequence[str] = (),
) -> Hits:
    """One query to any store: a nearest search (``strategy`` None: ``request`` is the query vector), a recommend
    strategy (``request``: examples) or relevance feedback (``strategy`` FEEDBACK, ``request``: a Feedback)."""
    if strategy is None:
        return store.search(key, request, limit=limit, exclude=exclude)
    if strategy == FEEDBACK:
        return store.feedback(key, request, limit=limit, exclude=exclude)
    return store.recommend(key, request, strategy, limit=limit, exclude=exclude)


def no_direction(
    carriers: Carriers, limit: int, exclude: Sequence[str], among: Sequence[int] | np.ndarray | None = None
) -> Hits:
    """What a query with no direction returns: the first ``limit`` allowed products, each scoring 0 (Qdrant refuses
    such a query, and a cosine with a zero vector is 0 everywhere else in this project)."""
    allowed = ~carriers.mask(exclude)
    if among is not None:
        allowed &= np.isin(np.arange(carriers.n), np.asarray(among, dtype=np.int64))
    chosen = np.flatnonzero(allowed)[: max(limit, 0)]
    return Hits(chosen, np.zeros(chosen.size, dtype=np.float32))


def candidates(n: int, among: Sequence[int] | None, examples: Given, lookup: object | None) -> np.ndarray | None:
    """The products a recommend query may return: ``among`` (all when None), without the examples when they are
    named by id in this same store (a store never returns an example itself)."""
    chosen = None if among is None else np.asarray(among, dtype=np.int64)
    if not isinstance(examples, ExampleIds) or lookup is not None:
        return chosen
    return np.setdiff1d(np.arange(n) if chosen is None else chosen, examples.ids())


class NumpyStore:
    """Product vectors in this process, scored exactly with matrix products (the default store).

    Holds at most ``max_keys`` methods' vectors (least recently used go first; None: no bound). Which products
    a hard-no filter removes comes from ``carriers``, the scenario's one index of what each product carries.
    """

    kind = "numpy"

    def __init__(self, carriers: Carriers, *, max_keys: int | None = None) -> None:
        self.carriers = carriers
        self.n = carriers.n
        self.max_keys = max_keys
        self._vectors: OrderedDict[str, ProductVectors] = OrderedDict()
        self._lock = threading.Lock()  # the dict only; never held while vectors are computed

    def has(self, key: str) -> bool:
        with self._lock:
            return key in self._vectors

    def get(self, key: str) -> ProductVectors | None:
        """The vectors kept under ``key``, or None."""
        with self._lock:
            found = self._vectors.get(key)
            if found is not None:
                self._vectors.move_to_end(key)
            return found

    def add(self, key: str, vectors: np.ndarray | ProductVectors, *, progress: Progress | None = None) -> None:
        with self._lock:
            self._vectors[key] = ProductVectors.of(vectors)
            self._vectors.move_to_end(key)
            while self.max_keys is not None and len(self._vectors) > self.max_keys:
                self._vectors.popitem(last=False)
        if progress is not None:
            progress(self.n, self.n)

    def vectors(self, key: str) -> ProductVectors:
        found = self.get(key)
        if found is None:
            raise KeyError(f"no vectors stored under {key!r}")
        return found

    def drop(self, key: str | None = None) -> None:
        with self._lock:
            self._vectors.clear() if key is None else self._vectors.pop(key, None)

    def scores(self, key: str, query: np.ndarray) -> np.ndarray:
        """(n,) every product's cosine with ``query``, in product order (no filter, no limit)."""
        return self.vectors(key).scores(np.asarray(query, dtype=np.float32))

    def _answer(self, scores: np.ndarray, limit: int, exclude: Sequence[str], among: np.ndarray | None) -> Hits:
        allowed = ~self.carriers.mask(exclude)
        if among is not None:
            allowed &= np.isin(np.arange(self.n), among)
        keep = np.nonzero(allowed)[0]
        if limit < keep.size:
            keep = keep[np.argpartition(-scores[keep], limit - 1)[:limit]] if limit > 0 else keep[:0]
        return Hits(keep, np.asarray(scores[keep], dtype=np.float32))

    def search(self, key: str, query: np.ndarray, *, limit: int, exclude: Sequence[str] = ()) -> Hits:
        return self._answer(self.scores(key, query), limit, exclude, None)

    def recommend(
        self,
        key: str,
        examples: Given,
        strategy: str,
        *,
        limit: int,
        exclude: Sequence[str] = (),
        among: Sequence[int] | None = None,
        lookup: NumpyStore | None = None,
    ) -> Hits:
        """Examples given by id are products of this store, or of ``lookup`` (another store, same key)."""
        items = self.vectors(key)
        given = (
            examples.vectors((lookup or self).vectors(key).vectors) if isinstance(examples, ExampleIds) else examples
        )
        scores = strategy_scores(strategy, given, items)
        scores = np.zeros(self.n, dtype=np.float32) if scores is None else scores
        return self._answer(scores, limit, exclude, candidates(self.n, among, examples, lookup))

    def feedback(
        self,
        key: str,
        feedback: Feedback,
        *,
        limit: int,
        exclude: Sequence[str] = (),
        among: Sequence[int] | None = None,
    ) -> Hits:
        """The relevance feedback query's scores, by the formula Qdrant's engine follows (one matrix product)."""
        scores = feedback_scores(feedback, self.vectors(key))
        return self._answer(scores, limit, exclude, None if among is None else np.asarray(among, dtype=np.int64))
