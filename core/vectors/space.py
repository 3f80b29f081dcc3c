"""What every method shares for one vocabulary and model: its parameters, embeddings and linear forms.

:class:`FeatureSpace` embeds the vocabulary once (features, the 5 x F prefix
sentences) and keeps fitted whiteners; :class:`LinearForm` writes a method's
vectors as ``coefficients @ basis`` so ten thousand products score with one small
sparse product.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse

from core.embedding.embedder import Embedder, Progress
from core.errors import InputError
from core.vectors.texts import PREFIX_PHRASES, ProfileLike
from core.vectors.whitening import Whitener

VARIANCE_RANGE = (0.5, 1.0)
"""Whitening: the share of variance the kept components must reach (the sidebar, links, the CLI)."""
STRENGTH_RANGE = (0.0, 1.0)
"""Whitening strength alpha: each component is scaled by sigma**-alpha (0: plain PCA, 1: full whitening)."""
COMPONENTS_RANGE = (1, 1024)


@dataclass(frozen=True)
class MethodParams:
    """Parameters that change a method's vectors. Only ``whitened`` reads these."""

    whiten_variance: float = 0.95
    whiten_strength: float = 1.0
    whiten_max_components: int = 256

    def __post_init__(self) -> None:
        for name, (lo, hi) in (
            ("whiten_variance", VARIANCE_RANGE),
            ("whiten_strength", STRENGTH_RANGE),
            ("whiten_max_components", COMPONENTS_RANGE),
        ):
            value = getattr(self, name)
            if not lo <= value <= hi:
                raise InputError(f"{name} must be in [{lo:g}, {hi:g}], got {value!r}")


DEFAULT_PARAMS = MethodParams()


class FeatureSpace:
    """Vocabulary-level state shared by every method: embedded once, reused always."""

    def __init__(self, vocabulary: Sequence[str], embedder: Embedder, *, max_whiteners: int = 8) -> None:
        self.vocabulary: tuple[str, ...] = tuple(vocabulary)
        self.index: dict[str, int] = {f: i for i, f in enumerate(self.vocabulary)}
        self.embedder = embedder
        self._whiteners: OrderedDict[tuple, tuple[Whitener, np.ndarray]] = OrderedDict()
        self._max_whiteners = max_whiteners

    @property
    def dim(self) -> int:
        return self.embedder.dim

    def feature_embeddings(self, progress: Progress | None = None) -> np.ndarray:
        """(F, d): one embedding per vocabulary feature."""
        if "_features" not in self.__dict__:
            self.__dict__["_features"] = self.embedder.encode(self.vocabulary, progress=progress)
        return self.__dict__["_features"]

    def prefix_embeddings(self, progress: Progress | None = None) -> np.ndarray:
        """(5, F, d): "<phrase> <feature>" for every bucket and feature, embedded in one batch."""
        if "_prefix" not in self.__dict__:
            sentences = [f"{phrase} {f}" for phrase in PREFIX_PHRASES for f in self.vocabulary]
            flat = self.embedder.encode(sentences, progress=progress)
            self.__dict__["_prefix"] = flat.reshape(len(PREFIX_PHRASES), len(self.vocabulary), self.dim)
        return self.__dict__["_prefix"]

    def whitened(self, params: MethodParams) -> tuple[Whitener, np.ndarray]:
        """The whitener fitted on the vocabulary embeddings, and the (F, k) whitened features."""
        key = (params.whiten_variance, params.whiten_strength, params.whiten_max_components)
        if key in self._whiteners:
            self._whiteners.move_to_end(key)
            return self._whiteners[key]
        # An empty vocabulary fits on one zero row: no components, every whitened vector empty (cosine 0).
        features = self.feature_embeddings() if self.vocabulary else np.zeros((1, self.dim), dtype=np.float32)
        whitener = Whitener(
            variance=params.whiten_variance,
            max_components=params.whiten_max_components,
            strength=params.whiten_strength,
        ).fit(features)
        entry = (whitener, whitener.transform(features)[: len(self.vocabulary)])
        self._whiteners[key] = entry
        if len(self._whiteners) > self._max_whiteners:
            self._whiteners.popitem(last=False)
        return entry

    @cached_property
    def _empty_row(self) -> np.ndarray:
        # float64: scores are bucketed (prefix) on the decimal value entered; float32 turns 0.2 into 0.2000000030.
        return np.full(len(self.vocabulary), np.nan, dtype=np.float64)

    def score_matrix(self, profiles: Sequence[ProfileLike]) -> tuple[np.ndarray, list[dict[str, float]]]:
        """(n, F) float64 scores over the vocabulary, NaN where absent; plus features outside it."""
        matrix = np.tile(self._empty_row, (len(profiles), 1))
        extras: list[dict[str, float]] = []
        index = self.index
        for row, profile in enumerate(profiles):
            extra: dict[str, float] = {}
            for feature, score in profile.items():
                col = index.get(feature)
                if col is None:
                    extra[feature] = float(score)
                else:
                    matrix[row, col] = score
            extras.append(extra)
        return matrix, extras

    def novel_embeddings(self, features: Sequence[str]) -> np.ndarray:
        """Embeddings of features outside the vocabulary (through the embedding cache)."""
        return self.embedder.encode(list(features))


@dataclass(frozen=True)
class LinearForm:
    """Vectors written as ``coefficients @ basis``, before normalisation.

    ``coefficients`` is a sparse (n, m) matrix and ``basis`` an (m, d) array
    (None means the identity). Prefix, weighted, whitened and exact are all
    of this form over the vocabulary, which lets the recommender score 10,000
    products with one small sparse product instead of a 10,000 x d one:
    cosine = (C @ (B @ u)) / row norms.
    """

    coefficients: sparse.csr_matrix
    basis: np.ndarray | None

    def dense(self) -> np.ndarray:
        if self.basis is None:
            return self.coefficients.toarray().astype(np.float32)
        return np.asarray(self.coefficients @ self.basis, dtype=np.float32)

    def apply(self, vector: np.ndarray) -> np.ndarray:
        """``dense() @ vector``, without building ``dense()``."""
        reduced = vector if self.basis is None else self.basis @ vector
        return np.asarray(self.coefficients @ reduced, dtype=np.float32)
