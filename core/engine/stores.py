"""Where product vectors live and how a query reaches them: in memory (numpy) or in Qdrant.

Two stores behind one small interface (:class:`VectorStore`):

- :class:`NumpyStore` keeps each method's product vectors in this process and scores them with matrix
  products. It is the default, because a slider move must cost microseconds.
- :class:`QdrantStore` keeps them in a Qdrant collection, one per (scenario, model), with one *named
  vector* per (method, parameters) and each product's profile as its payload. Every query goes through
  the real client's ``query_points``, so its answers are what a Qdrant server returns.
  ``SIGNED_EXPLORER_QDRANT`` says where the collection lives: ``memory`` (the default: Qdrant's embedded
  mode, in this process), a folder (embedded, kept on disk) or a server's URL (the same code; sharding
  and replication are then the server's business).

Both answer two kinds of query. ``search`` ranks by cosine to one vector (a user vector as the methods
return it: of length 1, or shorter for ``exact`` when some scores lie outside the vocabulary, since they
count in its length; Qdrant's cosine rescales such a query to length 1, so its exact scores are then
larger by that factor, in the same order). ``recommend`` is Qdrant's
recommendation API: positive and negative examples, combined by one of three strategies
(:data:`STRATEGIES`; the numpy store follows the same formulas as Qdrant, so the two can be compared).
A hard "no" is a filter on the payload, never a direction: a product that carries, with a positive
score, any of the ``exclude`` features is not returned at all.

>>> store = NumpyStore([{"nuts": 1.0}, {"tea": 0.5}, {"nuts": -1.0}])
>>> store.add("demo", np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32))
>>> hits = store.search("demo", np.array([1.0, 0.0]), limit=3, exclude=["nuts"])
>>> sorted(hits.indices.tolist()), hits.full(3).tolist()
([1, 2], [-inf, 0.0, 0.6000000238418579])
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from scipy import sparse

from core.engine.embedder import Progress
from core.engine.marks import carried
from core.engine.space import LinearForm
from core.engine.texts import ProfileLike
from core.errors import InputError
from core.numeric import EPS, NumberError, inverse_norms, normalize_rows, parse_integer, unit

if TYPE_CHECKING:  # imported lazily: the numpy store (and the app's default path) never loads the client
    from qdrant_client import QdrantClient

ENV_QDRANT = "SIGNED_EXPLORER_QDRANT"
ENV_QDRANT_KEY = "SIGNED_EXPLORER_QDRANT_API_KEY"
ENV_QDRANT_SHARDS = "SIGNED_EXPLORER_QDRANT_SHARDS"  # "shards,replicas" for new collections on a server (e.g. "6,2")
MEMORY = "memory"
STRATEGIES = ("average_vector", "best_score", "sum_scores")
BATCH = 512  # points per upsert request
CARRIES = "carries"  # payload field: the features a product scores above 0 (what a hard-no filter matches)


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


@dataclass(frozen=True)
class Examples:
    """A user as a vector database sees one: unweighted positive and negative examples, given as vectors
    ((p, d) arrays), or with ``by_id`` as the indices of stored products (Qdrant looks their vectors up).

    >>> Examples.of_ids([3, 4], []).by_id, Examples(np.zeros((0, 2)), np.ones((1, 2))).by_id
    (True, False)
    """

    positive: np.ndarray
    negative: np.ndarray
    by_id: bool = False

    @classmethod
    def of_ids(cls, positive: Sequence[int], negative: Sequence[int]) -> Examples:
        as_ids = lambda side: np.asarray(side, dtype=np.int64).reshape(-1)  # noqa: E731
        return cls(as_ids(positive), as_ids(negative), by_id=True)

    @property
    def empty(self) -> bool:
        return not len(self.positive) and not len(self.negative)

    def vectors(self, items: np.ndarray) -> Examples:
        """The same examples as vectors (``items``: the stored product vectors)."""
        if not self.by_id:
            return self
        return Examples(items[self.positive], items[self.negative])

    def ids(self) -> np.ndarray:
        """The products named as examples (none when the examples are vectors)."""
        return np.concatenate([self.positive, self.negative]) if self.by_id else np.zeros(0, dtype=np.int64)


def refuses(strategy: str, examples: Examples) -> bool:
    """Whether Qdrant refuses the query: no example at all, or average_vector without a positive one.

    >>> refuses("average_vector", Examples.of_ids([], [1])), refuses("sum_scores", Examples.of_ids([], [1]))
    (True, False)
    """
    return examples.empty or (strategy == "average_vector" and not len(examples.positive))


@dataclass(frozen=True)
class ProductVectors:
    """A method's product vectors, and for vocabulary-linear methods a cheaper way to score them."""

    vectors: np.ndarray  # (n_products, d) unit rows
    form: LinearForm | None = None  # unnormalised vectors = form.dense()
    inverse_norms: np.ndarray | None = None

    @classmethod
    def from_form(cls, form: LinearForm) -> ProductVectors:
        """Unit rows of a vocabulary-linear method's vectors, keeping the form for cheap scoring."""
        raw = form.dense()
        inverse = inverse_norms(raw)
        raw *= inverse[:, None]
        return cls(raw, form, inverse)

    def scores(self, user: np.ndarray) -> np.ndarray:
        if self.form is None:
            return self.vectors @ user
        return self.form.apply(user) * self.inverse_norms


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
        examples: Examples,
        strategy: str,
        *,
        limit: int,
        exclude: Sequence[str] = (),
        among: Sequence[int] | None = None,
        lookup: VectorStore | None = None,  # examples named by id are products of this store (same kind)
    ) -> Hits: ...


def not_examples(n: int, among: Sequence[int] | None, examples: Examples) -> np.ndarray | None:
    """Candidates without the products named as examples (a store never returns an example itself)."""
    if not examples.by_id:
        return None if among is None else np.asarray(among, dtype=np.int64)
    return np.setdiff1d(np.arange(n) if among is None else np.asarray(among, dtype=np.int64), examples.ids())


# -- the formulas Qdrant documents (the numpy store computes them itself) -------------------------------


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Qdrant's scaled fast sigmoid, (x / (1 + |x|) + 1) / 2: keeps best_score's two branches apart.
    (An infinite x, a side with no example, gives NaN; best_score never picks that side.)"""
    with np.errstate(invalid="ignore"):
        return 0.5 * (x / (1.0 + np.abs(x)) + 1.0)


def average_query(examples: Examples) -> np.ndarray | None:
    """average_vector's query: avg(pos) + (avg(pos) - avg(neg)); None without a positive example."""
    if not len(examples.positive):
        return None
    mean = examples.positive.mean(axis=0)
    return mean + (mean - examples.negative.mean(axis=0)) if len(examples.negative) else mean


def check_strategy(strategy: str) -> None:
    """Refuse a recommend strategy Qdrant does not have, in one line naming the ones it has."""
    if strategy not in STRATEGIES:
        raise InputError(f"unknown recommend strategy {strategy!r}; choose one of: {', '.join(STRATEGIES)}")


def strategy_scores(strategy: str, examples: Examples, items: np.ndarray) -> np.ndarray | None:
    """Each item's score under a recommend strategy (items: unit rows); None where Qdrant refuses the query."""
    check_strategy(strategy)
    if refuses(strategy, examples):
        return None
    if strategy == "average_vector":
        return items @ unit(average_query(examples))
    sims_pos = items @ normalize_rows(examples.positive).T if len(examples.positive) else None
    sims_neg = items @ normalize_rows(examples.negative).T if len(examples.negative) else None
    if strategy == "sum_scores":
        total = np.zeros(len(items), dtype=np.float32)
        total += sims_pos.sum(axis=1) if sims_pos is not None else 0
        total -= sims_neg.sum(axis=1) if sims_neg is not None else 0
        return total
    best_pos = sims_pos.max(axis=1) if sims_pos is not None else np.full(len(items), -np.inf)
    best_neg = sims_neg.max(axis=1) if sims_neg is not None else np.full(len(items), -np.inf)
    return np.where(best_pos > best_neg, sigmoid(best_pos), -sigmoid(best_neg)).astype(np.float32)


# -- in memory --------------------------------------------------------------------------------------------


class NumpyStore:
    """Product vectors in this process, scored exactly with matrix products (the default store).

    Standalone it keeps what :meth:`add` gives it. A recommender passes ``vectors`` instead, its own cache's
    lookup (computing what was evicted), so there is one copy of each method's vectors and nothing to keep
    in step.
    """

    kind = "numpy"

    def __init__(self, products: Sequence[ProfileLike], vectors: Callable[[str], ProductVectors] | None = None) -> None:
        self.n = len(products)
        index: dict[str, int] = {}
        rows, columns = [], []
        for row, profile in enumerate(products):
            for feature in carried(profile):
                rows.append(row)
                columns.append(index.setdefault(feature, len(index)))
        self._index = index  # feature -> column of ``_carries``: which products carry which features
        ones = np.ones(len(rows), dtype=np.int8)
        self._carries = sparse.csc_matrix((ones, (rows, columns)), shape=(self.n, len(index)))
        self._own: dict[str, ProductVectors] = {}
        self._lookup = vectors

    def has(self, key: str) -> bool:
        return self._lookup is not None or key in self._own

    def add(self, key: str, vectors: np.ndarray | ProductVectors, *, progress: Progress | None = None) -> None:
        if self._lookup is None:
            self._own[key] = vectors if isinstance(vectors, ProductVectors) else ProductVectors(vectors)
        if progress is not None:
            progress(self.n, self.n)

    def vectors(self, key: str) -> ProductVectors:
        return self._own[key] if self._lookup is None else self._lookup(key)

    def drop(self, key: str | None = None) -> None:
        self._own.clear() if key is None else self._own.pop(key, None)

    def excluded(self, exclude: Sequence[str]) -> np.ndarray:
        """(n,) bool: the products a hard-no filter on ``exclude`` removes."""
        columns = sorted({self._index[f] for f in exclude if f in self._index})
        if not columns:
            return np.zeros(self.n, dtype=bool)
        return np.asarray(self._carries[:, columns].sum(axis=1)).ravel() > 0

    def _answer(
        self, scores: np.ndarray, limit: int, exclude: Sequence[str], among: Sequence[int] | None = None
    ) -> Hits:
        allowed = ~self.excluded(exclude)
        if among is not None:
            allowed &= np.isin(np.arange(self.n), np.asarray(among, dtype=np.int64))
        keep = np.nonzero(allowed)[0]
        if limit < keep.size:
            keep = keep[np.argpartition(-scores[keep], limit - 1)[:limit]] if limit > 0 else keep[:0]
        return Hits(keep, np.asarray(scores[keep], dtype=np.float32))

    def search(self, key: str, query: np.ndarray, *, limit: int, exclude: Sequence[str] = ()) -> Hits:
        return self._answer(self.vectors(key).scores(np.asarray(query, dtype=np.float32)), limit, exclude)

    def recommend(
        self,
        key: str,
        examples: Examples,
        strategy: str,
        *,
        limit: int,
        exclude: Sequence[str] = (),
        among: Sequence[int] | None = None,
        lookup: NumpyStore | None = None,
    ) -> Hits:
        """Examples given by id are products of this store, or of ``lookup`` (another store, same key)."""
        items = self.vectors(key).vectors
        scores = strategy_scores(strategy, examples.vectors((lookup or self).vectors(key).vectors), items)
        scores = np.zeros(self.n, dtype=np.float32) if scores is None else scores
        return self._answer(
            scores, limit, exclude, among if lookup is not None else not_examples(self.n, among, examples)
        )


# -- in Qdrant ---------------------------------------------------------------------------------------------


def location(raw: str | None = None) -> str:
    """Where Qdrant collections live: ``memory``, a folder, or a server URL (SIGNED_EXPLORER_QDRANT).

    >>> location(""), location("http://db:6333"), location("/tmp/q").endswith("q")
    ('memory', 'http://db:6333', True)
    >>> location("ftp://x")
    Traceback (most recent call last):
    ...
    core.errors.InputError: SIGNED_EXPLORER_QDRANT='ftp://x': use memory, a folder, or a server URL (http://host:6333)
    """
    value = (os.environ.get(ENV_QDRANT, "") if raw is None else raw).strip()
    if not value or value.lower() == MEMORY:
        return MEMORY
    if value.startswith(("http://", "https://")):
        return value
    if "://" in value:
        raise InputError(f"{ENV_QDRANT}={value!r}: use memory, a folder, or a server URL (http://host:6333)")
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise InputError(f"{ENV_QDRANT}={value!r}: that is a file; use memory, a folder, or a server URL")
    return str(path.resolve())


_CLIENTS: dict[str, QdrantClient] = {}
_CLIENTS_LOCK = threading.Lock()


@atexit.register
def _close_clients() -> None:
    """Close every client while the interpreter still works (a client closed at teardown prints an error)."""
    with _CLIENTS_LOCK:
        for opened in _CLIENTS.values():
            with contextlib.suppress(Exception):
                opened.close()
        _CLIENTS.clear()


def client(where: str = MEMORY) -> QdrantClient:
    """One client per location for the whole process (an embedded folder may be opened only once; two sessions
    asking at the same moment get the same client). Creating one is quick: no request is sent."""
    with _CLIENTS_LOCK:
        if where not in _CLIENTS:
            _CLIENTS[where] = _new_client(where)
        return _CLIENTS[where]


def _new_client(where: str) -> QdrantClient:
    from qdrant_client import QdrantClient

    if where == MEMORY:
        return QdrantClient(":memory:")
    if where.startswith(("http://", "https://")):
        return QdrantClient(url=where, api_key=os.environ.get(ENV_QDRANT_KEY) or None, timeout=60)
    try:
        return QdrantClient(path=where)
    except RuntimeError as error:  # the folder's lock is held by another process
        raise InputError(f"{ENV_QDRANT}={where!r}: {error}".splitlines()[0]) from None


def collection_name(*parts: str) -> str:
    """A collection's name from what it holds (scenario content, model): short, stable, safe everywhere."""
    return "sae-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


class QdrantStore:
    """One scenario's products in a Qdrant collection: a named vector per method key, the profile as payload.

    Vectors are upserted once per key, in batches (``progress`` gets products done and the total); a key is
    recorded as complete in the collection's metadata only when all its batches are in, so a build that was
    interrupted is simply written again. Queries never wait for a write, and a write holds the store's lock
    only to change the collection's schema or metadata (milliseconds), never for its batches: callers write
    each key once (the recommender's cache sees to it). The payload holds the product's id, the features it
    carries (what the hard-no filter reads) and its profile (for whoever browses the collection).
    """

    kind = "qdrant"

    def __init__(
        self,
        products: Sequence[ProfileLike],
        ids: Sequence[str],
        name: str,
        *,
        where: str | None = None,
        batch: int = BATCH,
    ) -> None:
        self.n, self.name, self.batch = len(products), name, batch
        self.where = location(where)
        self._client = client(self.where)
        self._payloads = [
            {"id": i, CARRIES: carried(p), "profile": dict(p)} for i, p in zip(ids, products, strict=True)
        ]
        self._complete: set[str] = set()
        self._schema = threading.Lock()  # guards creating the collection or a vector name, and the metadata

    # -- writing ----------------------------------------------------------------------------------------------

    def _metadata(self) -> dict:
        if not self._client.collection_exists(self.name):
            return {}
        return dict(self._client.get_collection(self.name).config.metadata or {})

    def has(self, key: str) -> bool:
        if key in self._complete:
            return True
        if key in self._metadata().get("complete", []):  # written by another process (a server, a folder)
            self._complete.add(key)
            return True
        return False

    def add(self, key: str, vectors: np.ndarray | ProductVectors, *, progress: Progress | None = None) -> None:
        from qdrant_client import models

        matrix = vectors.vectors if isinstance(vectors, ProductVectors) else np.asarray(vectors, dtype=np.float32)
        if self.has(key):
            return
        with self._schema:
            params = models.VectorParams(size=int(matrix.shape[1]), distance=models.Distance.COSINE)
            if not self._client.collection_exists(self.name):
                self._client.create_collection(
                    self.name, vectors_config={key: params}, metadata={"complete": []}, **self._layout()
                )
            elif key not in (self._client.get_collection(self.name).config.params.vectors or {}):
                dense = models.DenseVectorConfig(size=params.size, distance=params.distance)
                self._client.create_vector_name(self.name, key, models.DenseVectorNameConfig(dense=dense))
            if self._on_server:  # an index for the hard-no filter (idempotent; the embedded mode has no indexes)
                self._client.create_payload_index(self.name, CARRIES, models.PayloadSchemaType.KEYWORD)
            existing = self._client.count(self.name, exact=True).count
        for start in range(0, self.n, self.batch):  # outside the lock: a long upsert blocks nobody
            self._write_batch(key, matrix, start, full=start >= existing)
            if progress is not None:
                progress(min(start + self.batch, self.n), self.n)
        with self._schema:
            done = [*self._metadata().get("complete", []), key]
            self._client.update_collection(self.name, metadata={"complete": done})
            self._complete.add(key)

    @property
    def _on_server(self) -> bool:
        return self.where.startswith(("http://", "https://"))

    def _layout(self) -> dict[str, int]:
        """Shards and replicas of a new collection on a server (SIGNED_EXPLORER_QDRANT_SHARDS="shards,replicas");
        the embedded mode has neither."""
        raw = os.environ.get(ENV_QDRANT_SHARDS, "").strip()
        if not raw or not self._on_server:
            return {}
        parts = raw.split(",")
        try:
            shards, replicas = (parse_integer(p) for p in parts) if len(parts) == 2 else (0, 0)
        except NumberError:
            shards = replicas = 0
        if not (1 <= shards <= 64 and 1 <= replicas <= 64):
            raise InputError(f"{ENV_QDRANT_SHARDS}={raw[:40]!r}: expected 'shards,replicas', two whole numbers 1 to 64")
        return {"shard_number": shards, "replication_factor": replicas}

    def _write_batch(self, key: str, matrix: np.ndarray, start: int, *, full: bool) -> None:
        from qdrant_client import models

        stop = min(start + self.batch, self.n)
        if full:  # new points: vector and payload
            points = [
                models.PointStruct(id=i, vector={key: matrix[i].tolist()}, payload=self._payloads[i])
                for i in range(start, stop)
            ]
            self._client.upsert(self.name, points=points, wait=True)
        else:  # the points exist (another key wrote them): add this key's vectors
            points = [models.PointVectors(id=i, vector={key: matrix[i].tolist()}) for i in range(start, stop)]
            self._client.update_vectors(self.name, points=points, wait=True)

    def drop(self, key: str | None = None) -> None:
        """Delete one key's vectors, or the whole collection (the app drops in-memory ones with their recommender)."""
        with self._schema:
            if not self._client.collection_exists(self.name):
                pass
            elif key is None:
                self._client.delete_collection(self.name)
            elif key in (self._client.get_collection(self.name).config.params.vectors or {}):
                self._client.delete_vector_name(self.name, key)
                done = [k for k in self._metadata().get("complete", []) if k != key]
                self._client.update_collection(self.name, metadata={"complete": done})
            self._complete.discard(key) if key is not None else self._complete.clear()

    # -- reading ------------------------------------------------------------------------------------------

    def _filter(self, exclude: Sequence[str], among: Sequence[int] | None = None):
        """A hard no is a must_not on the payload; ``among`` (product indices) a must on the point ids."""
        from qdrant_client import models

        must_not = [models.FieldCondition(key=CARRIES, match=models.MatchAny(any=list(exclude)))] if exclude else []
        must = [models.HasIdCondition(has_id=[int(i) for i in among])] if among is not None else []
        return models.Filter(must=must or None, must_not=must_not or None) if must or must_not else None

    def _query(self, key: str, query, limit: int, exclude: Sequence[str], among=None, lookup=None) -> Hits:
        response = self._client.query_points(
            self.name,
            query=query,
            using=key,
            limit=max(1, limit),
            query_filter=self._filter(exclude, among),
            with_payload=False,
            lookup_from=lookup,
        )
        points = response.points[:limit]
        indices = np.fromiter((int(p.id) for p in points), dtype=np.int64, count=len(points))
        return Hits(indices, np.fromiter((p.score for p in points), dtype=np.float32, count=len(points)))

    def _all_zero(self, limit: int, exclude: Sequence[str], among: Sequence[int] | None = None) -> Hits:
        """What a query with no direction returns: every allowed product, scoring 0 (Qdrant refuses such a query;
        a cosine with a zero vector is 0 everywhere else in this project)."""
        candidates = range(self.n) if among is None else sorted({int(i) for i in among})
        allowed = [i for i in candidates if not set(self._payloads[i][CARRIES]) & set(exclude)]
        chosen = np.array(allowed[:limit], dtype=np.int64)
        return Hits(chosen, np.zeros(chosen.size, dtype=np.float32))

    def search(self, key: str, query: np.ndarray, *, limit: int, exclude: Sequence[str] = ()) -> Hits:
        if float(np.linalg.norm(query)) <= EPS:
            return self._all_zero(limit, exclude)
        return self._query(key, np.asarray(query, dtype=np.float32).tolist(), limit, exclude)

    def recommend(
        self,
        key: str,
        examples: Examples,
        strategy: str,
        *,
        limit: int,
        exclude: Sequence[str] = (),
        among: Sequence[int] | None = None,
        lookup: QdrantStore | None = None,
    ) -> Hits:
        """Qdrant's recommend query. Examples given by id are looked up by Qdrant, in this collection (and then
        never returned) or in ``lookup``'s; given as vectors, they travel in the request (the embedded client
        copies every number of them, about 2 us each)."""
        from qdrant_client import models

        check_strategy(strategy)
        if refuses(strategy, examples):  # Qdrant: "No positive examples given"
            return self._all_zero(
                limit, exclude, among if lookup is not None else not_examples(self.n, among, examples)
            )

        def given(side: np.ndarray) -> list:
            if examples.by_id:
                return [int(i) for i in side]
            return [v.tolist() for v in np.asarray(side, dtype=np.float32)]

        recommend = models.RecommendInput(
            positive=given(examples.positive), negative=given(examples.negative), strategy=strategy
        )
        where = None if lookup is None else models.LookupLocation(collection=lookup.name, vector=key)
        return self._query(key, models.RecommendQuery(recommend=recommend), limit, exclude, among, where)
