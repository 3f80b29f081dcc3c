"""The content-hash embedding cache, in memory and on disk, in front of any :class:`Embedder`.

:class:`CachedEmbedder` keys every vector by ``sha256(model name + text)``. On
disk the cache is a folder of *packs* (``.npz`` files holding keys and
vectors). A pack is written to a temporary name and renamed into place, so
several processes can share one folder: a reader sees whole packs or none.

Configuration (environment):

- ``SIGNED_EXPLORER_CACHE``: cache folder (default ``~/.cache/signed-explorer``);
  ``off`` keeps the cache in memory only.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import threading
import uuid
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.engine.embedder import ENV_MODEL, Embedder, Progress, SentenceTransformerEmbedder

log = logging.getLogger(__name__)

ENV_CACHE = "SIGNED_EXPLORER_CACHE"
FLUSH_EVERY = 64
COMPACT_AT = 24
KEY_BYTES = 32  # sha256 digest


def _key_array(keys: list[bytes]) -> np.ndarray:
    """Digests as an (n, 32) uint8 array. Not numpy's "S32": it drops trailing NUL bytes."""
    return np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), KEY_BYTES)


class CachedEmbedder:
    """Wraps an embedder with a content-hash cache in memory and, optionally, on disk.

    ``stats`` counts cache hits and the texts actually sent to the model, so
    tests and benchmarks can prove that a warm start encodes nothing.
    """

    def __init__(self, inner: Embedder, cache_dir: str | Path | None) -> None:
        self.inner = inner
        self._memory: dict[bytes, np.ndarray] = {}
        self._pending: dict[bytes, np.ndarray] = {}
        self._seen_packs: set[str] = set()
        self._scanned = False
        self._lock = threading.RLock()
        self._dim: int | None = None
        self.stats = {"hits": 0, "encoded": 0, "packs_loaded": 0}
        self.directory: Path | None = None
        if cache_dir is not None:
            slug = "".join(c if c.isalnum() else "-" for c in inner.name)[-48:].strip("-")
            digest = hashlib.sha256(inner.name.encode()).hexdigest()[:10]
            self.directory = Path(cache_dir).expanduser() / f"{slug}-{digest}"
            atexit.register(self.flush)

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
        return hashlib.sha256(f"{self.inner.name}\x00{text}".encode()).digest()

    def encode(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        texts = list(texts)
        with self._lock:
            if self.directory is not None and not self._scanned:
                self._load_packs()
            keys = [self.key(t) for t in texts]
            missing = self._missing(keys, texts)
            if missing and self.directory is not None:
                # Another process may have written them since we last looked.
                self._load_packs()
                missing = self._missing(keys, texts)
            if missing:
                new = self.inner.encode(list(missing.values()), progress=progress)
                self.stats["encoded"] += len(missing)
                for k, vector in zip(missing, new, strict=True):
                    self._memory[k] = vector
                    self._pending[k] = vector
                if len(self._pending) >= FLUSH_EVERY:
                    self.flush()
            elif progress is not None:
                progress(len(texts), len(texts))
            self.stats["hits"] += len(texts) - len(missing)
            if not texts:
                return np.zeros((0, self.dim), dtype=np.float32)
            return np.stack([self._memory[k] for k in keys]).astype(np.float32, copy=False)

    def _missing(self, keys: list[bytes], texts: list[str]) -> dict[bytes, str]:
        return {k: t for k, t in zip(keys, texts, strict=True) if k not in self._memory}

    # -- disk -----------------------------------------------------------
    def _load_packs(self) -> None:
        assert self.directory is not None
        self._scanned = True
        try:
            names = sorted(p.name for p in self.directory.glob("pack-*.npz"))
        except OSError:
            return
        for name in names:
            if name in self._seen_packs:
                continue
            self._seen_packs.add(name)
            try:
                with np.load(self.directory / name) as pack:
                    keys, vectors = pack["keys"], pack["vectors"]
            except FileNotFoundError:
                continue  # compacted away by another process; its content lives in a newer pack
            except Exception as exc:  # a damaged pack must not take the app down
                log.warning("skipping unreadable cache pack %s: %s", name, exc)
                continue
            if keys.ndim != 2 or keys.shape[1] != KEY_BYTES or len(keys) != len(vectors):
                log.warning("skipping cache pack %s: unexpected layout", name)
                continue
            for k, vector in zip(keys, vectors, strict=True):
                self._memory.setdefault(k.tobytes(), vector)
            self.stats["packs_loaded"] += 1

    def flush(self) -> None:
        """Write pending vectors to disk as one new pack (atomic rename)."""
        with self._lock:
            if self.directory is None or not self._pending:
                return
            keys = _key_array(list(self._pending))
            vectors = np.stack(list(self._pending.values())).astype(np.float32)
            name = f"pack-{uuid.uuid4().hex}.npz"
            if self._write_pack(name, keys, vectors):
                self._seen_packs.add(name)
                self._pending.clear()
                if len(self._seen_packs) >= COMPACT_AT:
                    self._compact()

    def _write_pack(self, name: str, keys: np.ndarray, vectors: np.ndarray) -> bool:
        assert self.directory is not None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self.directory / f".tmp-{uuid.uuid4().hex}.npz"
            with open(tmp, "wb") as fh:
                np.savez(fh, keys=keys, vectors=vectors)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.directory / name)
            return True
        except OSError as exc:
            log.warning("embedding cache not written to %s: %s", self.directory, exc)
            return False

    def _compact(self) -> None:
        """Merge every pack into one, so a warm start opens few files."""
        assert self.directory is not None
        self._load_packs()
        old = sorted(self._seen_packs)
        keys = _key_array(list(self._memory))
        vectors = np.stack(list(self._memory.values())).astype(np.float32)
        name = f"pack-{uuid.uuid4().hex}.npz"
        if not self._write_pack(name, keys, vectors):
            return
        for old_name in old:
            (self.directory / old_name).unlink(missing_ok=True)
        self._seen_packs = {name}


def default_cache_dir() -> Path | None:
    value = os.environ.get(ENV_CACHE, "").strip()
    if value.lower() in ("off", "none", "0"):
        return None
    return Path(value).expanduser() if value else Path.home() / ".cache" / "signed-explorer"


@lru_cache(maxsize=4)
def _embedder_for(model: str | None, cache_dir: str | None) -> CachedEmbedder:
    return CachedEmbedder(SentenceTransformerEmbedder(model), cache_dir)


def get_embedder() -> CachedEmbedder:
    """The process-wide embedder, configured from the environment. Loads the model lazily."""
    model = os.environ.get(ENV_MODEL, "").strip() or None
    cache_dir = default_cache_dir()
    return _embedder_for(model, str(cache_dir) if cache_dir else None)
