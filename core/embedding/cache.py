"""The content-hash embedding cache, in memory and on disk, in front of any :class:`Embedder`.

Many sessions share one process, so the cache is built for concurrency:

- **Lookups never wait for the model.** One lock guards the in-memory maps and is
  held for microseconds; no model call and no file read happens under it.
- **Missing texts are encoded once.** A text being encoded is *claimed*; a second
  caller that needs it waits for that text only, not for the rest of the first
  caller's batch.
- **Small jobs never queue.** A job of at most :data:`EXPRESS` texts (a slider
  move's profile texts) calls the model at once, beside whatever runs. Larger jobs
  take turns through a :class:`PriorityGate`, one chunk of :data:`CHUNK` texts at a
  time, the smallest waiting job first. (Before the express lane, a slider move
  waited for the current chunk of someone's 10,000-product build: about a second.)
- **Work is kept.** During a long job, encoded vectors reach the disk after the first chunk that ends
  :data:`FLUSH_SECONDS` after the last write (one *pack* per flush: every 2 to 3 s), so an interrupted
  build resumes where it stopped.

On disk the cache is one folder of packs per model *as loaded* (``<name>-<fingerprint>``; see
:mod:`core.embedding.fingerprint`): ``.npz`` files holding keys, vectors, the model's fingerprint and a
checksum, keyed by ``sha256(fingerprint + text)``. A model changed in place gets a new folder: a miss, never
a wrong hit. A pack is written to a temporary name and renamed into place, so several processes can share
one folder: a reader sees whole packs or none. Every pack is checked when it is read (:func:`pack_problem`:
layout, dtype, shape, model, checksum, finite values, unit length); a bad one is set aside (renamed
``rejected-...``) with one warning, and its texts are embedded again. It is never used, and never fatal.

Configuration: ``SIGNED_EXPLORER_CACHE`` (:mod:`core.settings`): the cache folder (default
``~/.cache/signed-explorer``); ``off`` keeps the cache in memory only.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import itertools
import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np

from core import settings
from core.embedding import backends, models
from core.embedding.embedder import Embedder, Progress

log = logging.getLogger(__name__)

CHUNK = 64  # texts per model call of a large job: about a second of work at most, so nobody waits longer
EXPRESS = 8  # a job this small calls the model without waiting for a turn
FLUSH_SECONDS = 2.0  # a long build writes to disk after the first chunk that ends this long after the last write
COMPACT_AT = 24  # packs in the folder before they are merged into one
KEY_BYTES = 32  # sha256 digest
NORM_TOLERANCE = 1e-3  # a cached vector's length may differ from 1 by this much (float32 rounding is ~1e-7)
PACK = "pack-*.npz"
SET_ASIDE = "rejected-"  # a bad pack is renamed with this prefix: kept for a person to look at, never read
CHARS_PER_TOKEN = 4  # about, in English: where a model that reads N tokens stops reading
TEXT_COST = 20  # a text's fixed cost in an estimate of encoding time, in characters (see ModelSpec.chars_per_second)


def _key_array(keys: list[bytes]) -> np.ndarray:
    """Digests as an (n, 32) uint8 array. Not numpy's "S32": it drops trailing NUL bytes."""
    return np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), KEY_BYTES)


class PriorityGate:
    """One holder at a time; waiters are served smallest job first, then in arrival order.

    >>> gate = PriorityGate()
    >>> with gate.turn(3):
    ...     gate.busy
    True
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._waiting: list[tuple[int, int]] = []
        self._numbers = itertools.count()
        self.busy = False

    @contextmanager
    def turn(self, size: int) -> Iterator[None]:
        with self._cond:
            ticket = (size, next(self._numbers))
            heapq.heappush(self._waiting, ticket)
            while self.busy or self._waiting[0] != ticket:
                self._cond.wait()
            heapq.heappop(self._waiting)
            self.busy = True
        try:
            yield
        finally:
            with self._cond:
                self.busy = False
                self._cond.notify_all()


class _Claim:
    """A text some caller is encoding; others wait on ``done`` (``failed`` if that caller gave up)."""

    __slots__ = ("done", "failed")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.failed = False


def pack_checksum(fingerprint: str, keys: np.ndarray, vectors: np.ndarray) -> str:
    """What a pack's ``checksum`` holds: SHA-256 of the model's fingerprint, the keys and the vectors' bytes."""
    digest = hashlib.sha256(fingerprint.encode())
    for array in (keys, vectors):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def _text(array: np.ndarray | None) -> str | None:
    """The text of a 0-d text array (a pack's ``model`` and ``checksum``), or None for anything else."""
    if array is None or array.shape != () or array.dtype.kind != "U":
        return None
    return str(array.item())


def pack_problem(arrays: dict[str, np.ndarray], *, fingerprint: str, dim: int, zero_rows: bool = False) -> str | None:
    """Why a pack's arrays must not be used (None: they may). Checked in order: layout and dtype, shape, the
    model that wrote it, the checksum, finite values, unit length (an all-zero row only where the model can
    give one)."""
    keys, vectors = arrays.get("keys"), arrays.get("vectors")
    missing = [name for name in ("keys", "vectors", "model", "checksum") if name not in arrays]
    if missing:
        return f"no {', '.join(missing)} array (not a pack of this cache, or written before packs were checked)"
    if keys.dtype != np.uint8 or keys.ndim != 2 or keys.shape[1] != KEY_BYTES:
        return f"keys are {keys.dtype} {keys.shape}, expected uint8 (n, {KEY_BYTES})"
    if vectors.dtype != np.float32:
        return f"vectors are {vectors.dtype}, expected float32"
    if vectors.shape != (len(keys), dim):
        return f"vectors have shape {vectors.shape}, expected ({len(keys)}, {dim})"
    if _text(arrays["model"]) != fingerprint:
        return "written for another model (its fingerprint differs)"
    if _text(arrays["checksum"]) != pack_checksum(fingerprint, keys, vectors):
        return "its checksum does not match its content (changed or damaged after it was written)"
    finite = np.isfinite(vectors).all(axis=1)
    if not finite.all():
        return f"{int((~finite).sum()):,} vector(s) hold NaN or infinity"
    norms = np.linalg.norm(vectors, axis=1)
    bad = np.abs(norms - 1.0) > NORM_TOLERANCE
    if zero_rows:
        bad &= norms != 0.0
    if bad.any():
        return f"{int(bad.sum()):,} vector(s) are not of unit length (the first has length {norms[bad][0]:.4g})"
    return None


class PackStore:
    """One model's folder of packs: read the ones not seen yet (each checked), write new ones atomically, merge
    them when many."""

    def __init__(self, directory: Path, *, fingerprint: str, dim: int, zero_rows: bool = False) -> None:
        self.directory = directory
        self.fingerprint, self.dim, self.zero_rows = fingerprint, dim, zero_rows
        self._seen: set[str] = set()
        self._lock = threading.Lock()  # one reader or writer of this process's view of the folder at a time
        self.loaded = 0
        self.set_aside = 0

    def read_new(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(keys, vectors) of every good pack written since the last call (by any process)."""
        with self._lock:
            try:
                names = sorted(p.name for p in self.directory.glob(PACK))
            except OSError:
                return []
            packs = []
            for name in names:
                if name in self._seen:
                    continue
                self._seen.add(name)
                pack = self._read(name)
                if pack is not None:
                    packs.append(pack)
                    self.loaded += 1
            return packs

    def _read(self, name: str) -> tuple[np.ndarray, np.ndarray] | None:
        try:
            with np.load(self.directory / name, allow_pickle=False) as pack:
                arrays = {key: pack[key] for key in pack.files}
        except FileNotFoundError:
            return None  # compacted away by another process; its content lives in a newer pack
        except Exception as exc:  # a damaged pack must not take the app down
            self._set_aside(name, f"unreadable ({type(exc).__name__}: {str(exc)[:80]})")
            return None
        problem = pack_problem(arrays, fingerprint=self.fingerprint, dim=self.dim, zero_rows=self.zero_rows)
        if problem is not None:
            self._set_aside(name, problem)
            return None
        return arrays["keys"], arrays["vectors"]

    def _set_aside(self, name: str, why: str) -> None:
        """Rename a bad pack out of the way (never read again by anyone), with one warning."""
        self.set_aside += 1
        with contextlib.suppress(OSError):  # another process may have set it aside, or compacted it, first
            os.replace(self.directory / name, self.directory / f"{SET_ASIDE}{name}")
        log.warning("embedding cache: set aside %s: %s; its texts will be embedded again", self.directory / name, why)

    def write(self, keys: list[bytes], vectors: np.ndarray) -> bool:
        """One new pack; False (and a log line) if the folder cannot be written."""
        name = f"pack-{uuid.uuid4().hex}.npz"
        key_array, vectors = _key_array(keys), np.ascontiguousarray(vectors, dtype=np.float32)
        checksum = pack_checksum(self.fingerprint, key_array, vectors)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self.directory / f".tmp-{uuid.uuid4().hex}.npz"
            with open(tmp, "wb") as fh:
                np.savez(
                    fh, keys=key_array, vectors=vectors, model=np.array(self.fingerprint), checksum=np.array(checksum)
                )
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.directory / name)
        except OSError as exc:
            log.warning("embedding cache not written to %s: %s", self.directory, exc)
            return False
        with self._lock:
            self._seen.add(name)
        return True

    def crowded(self) -> bool:
        """Whether enough packs have piled up to merge them."""
        with self._lock:
            return len(self._seen) >= COMPACT_AT

    def compact(self, keys: list[bytes], vectors: np.ndarray) -> None:
        """Replace every pack this process has seen with one holding ``keys`` (a superset of their content)."""
        with self._lock:
            old = set(self._seen)
        if not self.write(keys, vectors):
            return
        for name in old:
            (self.directory / name).unlink(missing_ok=True)
        with self._lock:
            self._seen -= old


class CachedEmbedder:
    """Wraps an embedder with a content-hash cache in memory and, optionally, on disk.

    ``stats`` counts cache hits and the texts actually sent to the model, so
    tests and benchmarks can prove that a warm start encodes nothing.
    """

    def __init__(self, inner: Embedder, cache_dir: str | Path | None, *, flush_seconds: float = FLUSH_SECONDS):
        self.inner = inner
        self._memory: dict[bytes, np.ndarray] = {}
        self._pending: dict[bytes, np.ndarray] = {}
        self._claims: dict[bytes, _Claim] = {}
        self._lock = threading.Lock()  # the maps above only: never held during a model call or a file read
        self._gate = PriorityGate()  # model calls, one chunk at a time
        self._flush_seconds = flush_seconds
        self._last_flush = time.monotonic()
        self._dim: int | None = None
        self.stats = {"hits": 0, "encoded": 0, "packs_loaded": 0, "packs_set_aside": 0}
        self._root = None if cache_dir is None else Path(cache_dir).expanduser()
        self._store: PackStore | None = None
        self._store_made = threading.Lock()
        self.chars_per_second = models.ModelSpec.chars_per_second  # the registry's measured rate, when known
        self._started = threading.Event()

    @property
    def store(self) -> PackStore | None:
        """The model's folder of packs, named by its fingerprint (found on first use: it may read the model's
        files); None when the cache is in memory only."""
        if self._root is None:
            return None
        with self._store_made:
            if self._store is None:
                fingerprint = self.fingerprint
                slug = "".join(c if c.isalnum() else "-" for c in self.inner.name)[-48:].strip("-")
                self._store = PackStore(
                    self._root / f"{slug}-{fingerprint[:16]}",
                    fingerprint=fingerprint,
                    dim=self.dim,
                    zero_rows=bool(getattr(self.inner, "zero_rows", False)),
                )
            return self._store

    @property
    def directory(self) -> Path | None:
        return None if self.store is None else self.store.directory

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    # -- protocol -------------------------------------------------------
    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = self.inner.dim
        return self._dim

    @property
    def max_seq_length(self) -> int | None:
        return self.inner.max_seq_length

    def truncated_at(self, text: str) -> int | None:
        return self.inner.truncated_at(text)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def key(self, text: str) -> bytes:
        return hashlib.sha256(f"{self.fingerprint}\x00{text}".encode()).digest()

    def expected_seconds(self, texts: Sequence[str]) -> float:
        """How long encoding ``texts`` should take: the ones not cached yet, at the model's measured rate."""
        if self.store is not None:
            self._load_disk()
        with self._lock:
            missing = [t for t in set(texts) if self.key(t) not in self._memory]
        read = CHARS_PER_TOKEN * (self.max_seq_length or 512)  # the model reads no further
        return sum(min(len(t), read) + TEXT_COST for t in missing) / self.chars_per_second

    # -- lookups and claims ----------------------------------------------
    def _load_disk(self) -> None:
        """Merge packs written since the last look (by this or another process) into memory."""
        store = self.store
        if store is None:
            return
        for keys, vectors in store.read_new():  # file reads outside the map lock
            with self._lock:
                for k, vector in zip(keys, vectors, strict=True):
                    self._memory.setdefault(k.tobytes(), vector)
        with self._lock:
            self.stats["packs_loaded"], self.stats["packs_set_aside"] = store.loaded, store.set_aside

    def _split(self, wanted: dict[bytes, str]) -> tuple[dict[bytes, str], dict[bytes, _Claim]]:
        """Under the lock: claim the missing texts nobody is encoding; return (mine, claimed by others)."""
        mine: dict[bytes, str] = {}
        theirs: dict[bytes, _Claim] = {}
        with self._lock:
            for k, text in wanted.items():
                if k in self._memory:
                    continue
                claim = self._claims.get(k)
                if claim is None:
                    self._claims[k] = _Claim()
                    mine[k] = text
                else:
                    theirs[k] = claim
        return mine, theirs

    def encode(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if not self._started.is_set():
            self._load_disk()
            self._started.set()
        keys = [self.key(t) for t in texts]
        wanted = dict(zip(keys, texts, strict=True))
        mine, theirs = self._split(wanted)
        if mine and self.store is not None:
            self._load_disk()  # another process may have written them since we last looked
            mine = self._settle(mine)
        missing = len(mine) + len(theirs)
        try:
            self._encode_mine(mine, progress, missing)
        except BaseException:
            self._give_up(mine)
            raise
        self._wait(theirs, wanted, progress, missing, done=len(mine))
        with self._lock:
            self.stats["hits"] += len(texts) - missing
            return np.stack([self._memory[k] for k in keys]).astype(np.float32, copy=False)

    def _settle(self, mine: dict[bytes, str]) -> dict[bytes, str]:
        """Release the claims that the disk has just answered."""
        with self._lock:
            found = [k for k in mine if k in self._memory]
            for k in found:
                self._claims.pop(k).done.set()
        return {k: t for k, t in mine.items() if k not in found}

    def _encode_mine(self, mine: dict[bytes, str], progress: Progress | None, missing: int) -> None:
        items = list(mine.items())
        if progress is not None:
            progress(0, max(missing, 1))
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            with self._turn(len(items) - start):  # the remaining size: smaller jobs go first
                vectors = self.inner.encode([t for _, t in chunk])
            with self._lock:
                for (k, _), vector in zip(chunk, vectors, strict=True):
                    self._memory[k] = vector
                    self._pending[k] = vector
                    self._claims.pop(k).done.set()
                self.stats["encoded"] += len(chunk)
            self._maybe_flush()
            if progress is not None:
                progress(start + len(chunk), max(missing, 1))

    def _turn(self, remaining: int):
        return nullcontext() if remaining <= EXPRESS else self._gate.turn(remaining)

    def _give_up(self, mine: dict[bytes, str]) -> None:
        """This caller stopped (an error, or its session left): waiters encode the rest themselves."""
        with self._lock:
            for k in mine:
                claim = self._claims.get(k)
                if claim is not None and k not in self._memory:
                    del self._claims[k]
                    claim.failed = True
                    claim.done.set()

    def _wait(self, theirs, wanted, progress: Progress | None, missing: int, *, done: int) -> None:
        """Wait for texts other callers are encoding; take over any they gave up."""
        for k, claim in theirs.items():
            claim.done.wait()
            if claim.failed:
                self.encode([wanted[k]])
            done += 1
            if progress is not None:
                progress(done, max(missing, 1))

    # -- disk -----------------------------------------------------------
    def _maybe_flush(self) -> None:
        if time.monotonic() - self._last_flush >= self._flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Write pending vectors to disk as one new pack (atomic rename); the file is written outside the lock.
        With nothing pending it does nothing (at exit, a model never used is not fingerprinted for it)."""
        if self._root is None:
            return
        with self._lock:
            pending, self._pending = self._pending, {}
            self._last_flush = time.monotonic()
        if not pending:
            return
        store = self.store
        if not store.write(list(pending), np.stack(list(pending.values()))):
            with self._lock:
                self._pending.update(pending)  # keep them for the next try
            return
        if store.crowded():
            with self._lock:
                keys, vectors = list(self._memory), list(self._memory.values())
            store.compact(keys, np.stack(vectors))

    def claimed(self) -> int:
        """Texts being encoded right now (by any caller): a measure of work in flight."""
        with self._lock:
            return len(self._claims)


def default_cache_dir() -> Path | None:
    """The cache folder of :mod:`core.settings` (None: memory only)."""
    return settings.current().embedding_cache()


MAX_EMBEDDERS = 16  # models one process keeps loaded; the least recently used is flushed and let go
_EMBEDDERS: OrderedDict[tuple, CachedEmbedder] = OrderedDict()
_EMBEDDERS_LOCK = threading.Lock()


def _embedder_for(model_id: str, names: str, cache_dir: str | None) -> CachedEmbedder:
    key = (model_id, names, cache_dir)
    with _EMBEDDERS_LOCK:
        found = _EMBEDDERS.get(key)
        if found is not None:
            _EMBEDDERS.move_to_end(key)
            return found
    made = CachedEmbedder(backends.load(models.spec(model_id)), cache_dir)  # loads lazily: quick
    made.chars_per_second = models.spec(model_id).chars_per_second
    with _EMBEDDERS_LOCK:
        kept = _EMBEDDERS.setdefault(key, made)
        evicted = [_EMBEDDERS.popitem(last=False)[1] for _ in range(max(0, len(_EMBEDDERS) - MAX_EMBEDDERS))]
    for old in evicted:  # outside the lock: a flush writes a file
        old.flush()
    return kept


def flush_all() -> None:
    """Write every loaded embedder's pending vectors to disk (the entry points call this at exit)."""
    with _EMBEDDERS_LOCK:
        embedders = list(_EMBEDDERS.values())
    for embedder in embedders:
        embedder.flush()


def get_embedder(model: str | None = None) -> CachedEmbedder:
    """The process-wide cached embedder of a model (an id of :mod:`core.embedding.models`; None: the default).

    Loads the model lazily. Unknown ids raise :class:`core.errors.UnknownName` listing the choices; a model
    whose packages are missing raises :class:`core.embedding.models.NotInstalled` naming `make models`.
    """
    chosen = models.require_installed(models.spec(model))
    cache_dir = default_cache_dir()
    return _embedder_for(chosen.id, ",".join(models.added_names()), str(cache_dir) if cache_dir else None)


def expected_seconds(embedder: Embedder, texts: Sequence[str]) -> float:
    """How long ``embedder`` should take to encode ``texts`` (a cached embedder knows what it holds; another
    is assumed to encode them all, at the default rate)."""
    if isinstance(embedder, CachedEmbedder):
        return embedder.expected_seconds(texts)
    return sum(len(t) + TEXT_COST for t in set(texts)) / models.ModelSpec.chars_per_second
