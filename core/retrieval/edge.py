"""Product vectors in Qdrant's own engine, inside this process (Qdrant Edge), behind the numpy store's interface.

``SIGNED_EXPLORER_QDRANT=memory`` (the default) or a folder runs here; a server URL keeps ``qdrant-client``
(:class:`~core.retrieval.qdrant.QdrantStore`). :func:`qdrant_store` picks one for a location.

**Layout.** A collection is a folder (for ``memory``: inside this process's temporary folder, deleted at exit:
Qdrant Edge has no in-memory mode), with one Edge shard per vector key (a method with its parameters): the
keys differ in dimension, and an Edge upsert replaces a whole point, so they cannot share points as named
vectors do on a server. Each product is a point (id = its index) with the payload ``{"id", "carries"}``; a
keyword index on ``carries`` serves the hard-no filter. How a shard is written, when it counts
as complete and which ones get HNSW: :mod:`core.retrieval.edge_shard`. A folder is used by one process at a
time (a lock file says so in one line), as qdrant-client's embedded folders are.

**What the engine lacks, done as Qdrant's server does it.**

- *average_vector*: Edge's queries are nearest, best_score, sum_scores, discover, context and feedback. The
  server computes avg(pos) + (avg(pos) - avg(neg)) from the example vectors and runs a plain nearest search
  (qdrant/qdrant, lib/collection/src/recommendations.rs: ``avg_vector_for_recommendation`` and
  ``merge_positive_and_negative_avg``; lib/collection/src/operations/universal_query/collection_query.rs turns
  ``RecommendAverageVector`` into ``QueryEnum::Nearest``). So do we, with
  :func:`~core.vectors.examples.average_query`.
- *examples by id*: Edge takes vectors only. We retrieve the stored vectors (unit, as the server uses them)
  and, in the same collection, exclude the examples with a ``must_not`` on their ids, as the server does.

**Concurrency.** A query holds the GIL for its whole run (the binding never releases it), so two sessions'
queries run one after the other; the engine is safe from any thread. The lock here guards only the table of
open shards, never the engine's work.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import qdrant_edge as edge

from core.embedding.embedder import Progress
from core.errors import InputError
from core.jobs import SingleFlight
from core.numeric import EPS
from core.retrieval import edge_shard
from core.retrieval.carriers import Carriers
from core.retrieval.marks import carried
from core.retrieval.qdrant import BATCH, CARRIES, ENV_QDRANT, MEMORY, QdrantStore, is_server, location
from core.retrieval.stores import Given, Hits, ProductVectors, candidates, no_direction
from core.vectors.examples import ExampleIds, Examples, Feedback, average_query, check_strategy, refuses
from core.vectors.texts import ProfileLike

HNSW_EF = 128  # candidates an HNSW search keeps (Qdrant's default is ef_construct, 100); at least the limit
LOCK = ".signed-explorer.lock"
MEMORY_PREFIX = "signed-explorer-edge-"

_OPEN: dict[str, edge.EdgeShard] = {}  # shard folder -> the one open handle in this process
_HELD: dict[str, int] = {}  # root folder -> the file descriptor holding its lock
_ROOTS: dict[str, Path] = {}  # location -> its root folder
_TABLE = threading.Lock()  # the three tables above; never held while the engine works
_LOADING = SingleFlight()


def qdrant_store(
    products: Sequence[ProfileLike], ids: Sequence[str], name: str, *, where: str | None = None, batch: int = BATCH
) -> EdgeStore | QdrantStore:
    """The Qdrant store for a location: Qdrant Edge for ``memory`` or a folder, qdrant-client for a server URL."""
    where = location(where)
    if is_server(where):
        return QdrantStore(products, ids, name, where=where, batch=batch)
    return EdgeStore(products, ids, name, where=where, batch=batch)


def root(where: str) -> Path:
    """The folder that holds a location's collections: for ``memory`` a new temporary one of this process; a folder
    is locked for this process, or refused in one line if another holds it."""
    with _TABLE:
        if where not in _ROOTS:
            _ROOTS[where] = _memory_root() if where == MEMORY else _held(Path(where))
        return _ROOTS[where]


def _memory_root() -> Path:
    """A temporary folder named by this process (in TMPDIR: on disk, so the OS keeps only the pages in use in memory;
    on /dev/shm a 24-product shard would pin 41 MB of RAM, its first 32 MB vector chunk); folders of processes
    that died without cleaning up are removed."""
    parent = Path(tempfile.gettempdir())
    for stale in parent.glob(f"{MEMORY_PREFIX}*"):
        pid = stale.name.removeprefix(MEMORY_PREFIX).split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{MEMORY_PREFIX}{os.getpid()}-", dir=parent))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _held(folder: Path) -> Path:
    """Take the folder's lock for this process (held until it exits; the kernel frees it even after kill -9)."""
    folder.mkdir(parents=True, exist_ok=True)
    handle = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)
        raise InputError(
            f"{ENV_QDRANT}={str(folder)!r}: another process is using this folder (one process at a time)"
        ) from None
    _HELD[str(folder)] = handle
    return folder


def close_stores() -> None:
    """Close every open shard and delete this process's memory folder (the exit hook calls this)."""
    with _TABLE:
        shards = list(_OPEN.values())
        _OPEN.clear()
        memory = _ROOTS.pop(MEMORY, None)
    for shard in shards:
        _close(shard)
    if memory is not None:
        shutil.rmtree(memory, ignore_errors=True)


def _close(shard: edge.EdgeShard) -> None:
    try:
        shard.close()
    except Exception:  # noqa: BLE001 - a shard already closed says so with a bare Exception
        pass


class EdgeStore:
    """One scenario's products in Qdrant Edge: one shard per vector key, the profile as payload.

    ``exact`` asks for a full scan on every query (what the cross-check against the reference needs); otherwise a
    shard with an HNSW graph is searched with ``hnsw_ef`` = max(:data:`HNSW_EF`, limit) and one without is scanned.
    ``index`` forces HNSW on or off (None: by size, as Qdrant decides).
    """

    kind = "edge"

    def __init__(
        self,
        products: Sequence[ProfileLike],
        ids: Sequence[str],
        name: str,
        *,
        where: str | None = None,
        batch: int = BATCH,
        exact: bool = False,
        index: bool | None = None,
    ) -> None:
        self.n, self.name, self.batch = len(products), name, batch
        self.where = location(where)
        if is_server(self.where):
            raise InputError(f"{ENV_QDRANT}={self.where!r}: a server is asked through qdrant-client (QdrantStore)")
        self.folder = root(self.where) / name
        self.exact, self.index = exact, index
        self.carriers = Carriers(products)
        # the product's id and what the hard-no filter reads (the profile stays with the scenario: a shard is this
        # process's, and a million profiles would double the builder's memory)
        self._payloads = [{"id": i, CARRIES: carried(p)} for i, p in zip(ids, products, strict=True)]
        self._writing = SingleFlight()

    # -- writing ----------------------------------------------------------------------------------------------

    def has(self, key: str) -> bool:
        """Whether ``key``'s vectors are complete here (written by this process, or found complete on disk)."""
        return edge_shard.is_complete(self.folder / key, self.n)

    def add(self, key: str, vectors: np.ndarray | ProductVectors, *, progress: Progress | None = None) -> None:
        """Write ``key``'s vectors once; a complete shard on disk is reopened instead, never written again."""
        matrix = vectors.vectors if isinstance(vectors, ProductVectors) else np.asarray(vectors, dtype=np.float32)
        if edge_shard.is_complete(self.folder / key, self.n, int(matrix.shape[1])):
            self._shard(key)
            return
        self._writing.run(key, lambda: self._write(key, matrix, progress))

    def _write(self, key: str, matrix: np.ndarray, progress: Progress | None) -> None:
        folder = self.folder / key
        if edge_shard.is_complete(folder, self.n, int(matrix.shape[1])):  # written by another caller meanwhile
            return
        _forget(folder)  # an open handle on a shard about to be written again (another dimension) goes first
        edge_shard.build(
            folder, matrix, self._payloads, keyword=CARRIES, batch=self.batch, index=self.index, progress=progress
        )
        self._shard(key)

    def drop(self, key: str | None = None) -> None:
        """Delete one key's shard, or the whole collection."""
        folders = [self.folder / key] if key is not None else [p for p in self.folder.glob("*") if p.is_dir()]
        for folder in folders:
            _forget(folder)
            edge_shard.remove(folder)
            shutil.rmtree(folder, ignore_errors=True)
        if key is None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _shard(self, key: str) -> edge.EdgeShard:
        """The open shard of a complete key (opened once per process, by one caller)."""
        folder = str(self.folder / key)
        with _TABLE:
            found = _OPEN.get(folder)
        if found is not None:
            return found
        if not self.has(key):
            raise KeyError(f"no vectors stored under {key!r}")
        return _LOADING.run(folder, lambda: _open(folder))

    # -- reading ------------------------------------------------------------------------------------------

    def _params(self, limit: int) -> edge.SearchParams:
        return edge.SearchParams(exact=True) if self.exact else edge.SearchParams(hnsw_ef=max(HNSW_EF, limit))

    def _query(self, key: str, query, limit: int, exclude: Sequence[str], among=None, never=()) -> Hits:
        request = edge.QueryRequest(
            limit=max(1, limit),
            query=query,
            filter=_filter(exclude, among, never),
            params=self._params(limit),
            with_payload=False,
        )
        points = self._shard(key).query(request)[:limit]
        indices = np.fromiter((int(p.id) for p in points), dtype=np.int64, count=len(points))
        return Hits(indices, np.fromiter((p.score for p in points), dtype=np.float32, count=len(points)))

    def search(self, key: str, query: np.ndarray, *, limit: int, exclude: Sequence[str] = ()) -> Hits:
        if float(np.linalg.norm(query)) <= EPS:
            return no_direction(self.carriers, limit, exclude)
        return self._query(key, edge.Query.Nearest(_vector(query), using=edge_shard.VECTOR), limit, exclude)

    def vectors_of(self, key: str, ids: np.ndarray) -> np.ndarray:
        """(len(ids), d) the stored (unit) vectors of products named by index, in that order."""
        if not len(ids):
            return np.zeros((0, int(edge_shard.marker(self.folder / key)["dim"])), dtype=np.float32)
        records = {
            int(r.id): r.vector[edge_shard.VECTOR] for r in self._shard(key).retrieve(list(map(int, ids)), False, True)
        }
        return np.array([records[int(i)] for i in ids], dtype=np.float32).reshape(len(ids), -1)

    def recommend(
        self,
        key: str,
        examples: Given,
        strategy: str,
        *,
        limit: int,
        exclude: Sequence[str] = (),
        among: Sequence[int] | None = None,
        lookup: EdgeStore | None = None,
    ) -> Hits:
        """Qdrant's recommend query. Examples named by id are looked up here (and then never returned) or in
        ``lookup``; average_vector runs as the server runs it (see the module's note)."""
        check_strategy(strategy)
        if refuses(strategy, examples):  # Qdrant: "No positive examples given"
            return no_direction(self.carriers, limit, exclude, candidates(self.n, among, examples, lookup))
        never = examples.ids() if isinstance(examples, ExampleIds) and lookup is None else ()
        if isinstance(examples, ExampleIds):
            source = lookup or self
            examples = Examples(source.vectors_of(key, examples.positive), source.vectors_of(key, examples.negative))
        if strategy == "average_vector":
            query = edge.Query.Nearest(_vector(average_query(examples)), using=edge_shard.VECTOR)
        else:
            given = edge.RecommendQuery(
                positives=[_vector(v) for v in examples.positive], negatives=[_vector(v) for v in examples.negative]
            )
            kind = edge.Query.RecommendBestScore if strategy == "best_score" else edge.Query.RecommendSumScores
            query = kind(given, using=edge_shard.VECTOR)
        return self._query(key, query, limit, exclude, among, never)

    def feedback(
        self,
        key: str,
        feedback: Feedback,
        *,
        limit: int,
        exclude: Sequence[str] = (),
        among: Sequence[int] | None = None,
    ) -> Hits:
        """Qdrant's relevance feedback query, naive strategy, run by the engine."""
        if feedback.empty:
            return no_direction(self.carriers, limit, exclude, among)
        strategy = feedback.strategy
        request = edge.FeedbackNaiveQuery(
            target=_vector(feedback.target),
            feedback=[
                edge.FeedbackItem(_vector(v), float(s)) for v, s in zip(feedback.vectors, feedback.scores, strict=True)
            ],
            strategy=edge.NaiveFeedbackStrategy(a=float(strategy.a), b=float(strategy.b), c=float(strategy.c)),
        )
        return self._query(key, edge.Query.FeedbackNaive(request, using=edge_shard.VECTOR), limit, exclude, among)


def _vector(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float32)


def _filter(exclude: Sequence[str], among: Sequence[int] | None, never: Sequence[int]) -> edge.Filter | None:
    """A hard no is a must_not on the payload's ``carries``; ``among`` a must on the point ids; ``never`` (examples
    named by id) a must_not on them."""
    must_not = [edge.FieldCondition(key=CARRIES, match=edge.MatchAny(any=list(exclude)))] if len(exclude) else []
    if len(never):
        must_not.append(edge.HasIdCondition({int(i) for i in never}))
    must = [edge.HasIdCondition({int(i) for i in among})] if among is not None else []
    return edge.Filter(must=must or None, must_not=must_not or None) if must or must_not else None


def _open(folder: str) -> edge.EdgeShard:
    """Open a shard and put it in the table (the caller holds no lock: a WAL replay takes a moment)."""
    shard = edge_shard.open_shard(Path(folder))
    with _TABLE:
        _OPEN[folder] = shard
    return shard


def _forget(folder: Path) -> None:
    """Close this process's handle on a shard, if it has one."""
    with _TABLE:
        shard = _OPEN.pop(str(folder), None)
    if shard is not None:
        _close(shard)
