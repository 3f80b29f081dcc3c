"""Product vectors in Qdrant, through its own client: the same interface as :class:`~core.retrieval.stores.NumpyStore`.

:class:`QdrantStore` keeps one scenario's products in a Qdrant collection, one per (scenario, model), with one
*named vector* per (method, parameters) and each product's profile as its payload. Every query goes through
the real client's ``query_points``, so its answers are what a Qdrant server returns.
``SIGNED_EXPLORER_QDRANT`` says where the collection lives: ``memory`` (the default: Qdrant's embedded
mode, in this process), a folder (embedded, kept on disk) or a server's URL (the same code; sharding and
replication are then the server's business).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from core.embedding.embedder import Progress
from core.errors import InputError
from core.numeric import EPS
from core.retrieval.carriers import Carriers
from core.retrieval.marks import carried
from core.retrieval.stores import Given, Hits, ProductVectors, candidates, no_direction
from core.settings import ENV_QDRANT, MEMORY, current, read
from core.vectors.examples import ExampleIds, Feedback, check_strategy, refuses
from core.vectors.texts import ProfileLike

if TYPE_CHECKING:  # imported lazily: the numpy store (and the app's default path) never loads the client
    from qdrant_client import QdrantClient

BATCH = 512  # points per upsert request
CARRIES = "carries"  # payload field: the features a product scores above 0 (what a hard-no filter matches)


def location(raw: str | None = None) -> str:
    """Where Qdrant collections live: ``memory``, a folder, or a server URL (SIGNED_EXPLORER_QDRANT, checked by
    :mod:`core.settings`; ``raw`` is read by the same rule).

    >>> location(""), location("http://db:6333"), location("/tmp/q").endswith("q")
    ('memory', 'http://db:6333', True)
    >>> location("ftp://x")
    Traceback (most recent call last):
    ...
    core.settings.SettingsError: SIGNED_EXPLORER_QDRANT='ftp://x': use memory, a folder, or a server URL such as http://localhost:6333
    """
    return current().qdrant if raw is None else read(ENV_QDRANT, raw) or MEMORY


def is_server(where: str) -> bool:
    """Whether a location (as :func:`location` returns it) is a Qdrant server, asked through qdrant-client."""
    return where.startswith(("http://", "https://"))


_CLIENTS: dict[str, QdrantClient] = {}
_CLIENTS_LOCK = threading.Lock()


def close_clients() -> None:
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
        return QdrantClient(url=where, api_key=current().qdrant_api_key, timeout=60)
    try:
        return QdrantClient(path=where)
    except (RuntimeError, OSError) as error:  # the folder's lock is held by another process, or it is read-only
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
        self.carriers = Carriers(products)
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
        return is_server(self.where)

    def _layout(self) -> dict[str, int]:
        """Shards and replicas of a new collection on a server (SIGNED_EXPLORER_QDRANT_SHARDS="shards,replicas",
        checked by :mod:`core.settings`); the embedded mode has neither."""
        layout = current().qdrant_shards
        if layout is None or not self._on_server:
            return {}
        return {"shard_number": layout[0], "replication_factor": layout[1]}

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

    def search(self, key: str, query: np.ndarray, *, limit: int, exclude: Sequence[str] = ()) -> Hits:
        if float(np.linalg.norm(query)) <= EPS:
            return no_direction(self.carriers, limit, exclude)
        return self._query(key, np.asarray(query, dtype=np.float32).tolist(), limit, exclude)

    def recommend(
        self,
        key: str,
        examples: Given,
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
            return no_direction(self.carriers, limit, exclude, candidates(self.n, among, examples, lookup))

        def given(side: np.ndarray) -> list:
            if isinstance(examples, ExampleIds):
                return [int(i) for i in side]
            return [v.tolist() for v in np.asarray(side, dtype=np.float32)]

        recommend = models.RecommendInput(
            positive=given(examples.positive), negative=given(examples.negative), strategy=strategy
        )
        where = None if lookup is None else models.LookupLocation(collection=lookup.name, vector=key)
        return self._query(key, models.RecommendQuery(recommend=recommend), limit, exclude, among, where)

    def feedback(
        self,
        key: str,
        feedback: Feedback,
        *,
        limit: int,
        exclude: Sequence[str] = (),
        among: Sequence[int] | None = None,
    ) -> Hits:
        """Qdrant's relevance feedback query (``RelevanceFeedbackQuery``, naive strategy): what a server answers,
        and in the embedded mode the reference implementation the engine is held against."""
        from qdrant_client import models

        if feedback.empty:
            return no_direction(self.carriers, limit, exclude, among)
        a, b, c = feedback.strategy.a, feedback.strategy.b, feedback.strategy.c
        items = [
            models.FeedbackItem(example=np.asarray(v, dtype=np.float32).tolist(), score=float(s))
            for v, s in zip(feedback.vectors, feedback.scores, strict=True)
        ]
        query = models.RelevanceFeedbackQuery(
            relevance_feedback=models.RelevanceFeedbackInput(
                target=np.asarray(feedback.target, dtype=np.float32).tolist(),
                feedback=items,
                strategy=models.NaiveFeedbackStrategy(naive=models.NaiveFeedbackStrategyParams(a=a, b=b, c=c)),
            )
        )
        return self._query(key, query, limit, exclude, among)
