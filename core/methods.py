"""The six ways to turn a signed profile into a vector, behind one signature.

Every method is a function ``fn(profiles, *, space, params, progress=None)``
that returns an ``(n, d)`` float32 array with unit rows, or zero rows for
profiles that carry no signal (a zero vector scores 0 against everything).

``space`` (a :class:`FeatureSpace`) holds what depends only on the vocabulary
and the model: feature embeddings, the 5 x F prefix sentences and fitted
whiteners. It is built once, so a slider move costs arithmetic, not encoder
calls, for prefix, weighted, whitened and exact. Naive and split embed the
profile's text, and go through the embedding cache, so they call the encoder
only when that text changes.

>>> get_method("nave")
Traceback (most recent call last):
...
ValueError: unknown method 'nave'; choose one of: naive, split, prefix, weighted, whitened, exact
>>> naive_text({"anxiety": -0.9, "adventure": 0.8})
'anxiety: -0.9 adventure: 0.8'
>>> prefix_phrase(0.7), prefix_phrase(0.71), prefix_phrase(-0.7)
('mildly enjoys', 'strongly enjoys', 'strongly dislikes')
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np
from scipy import sparse

from core.embedder import Embedder, Progress
from core.whitening import Whitener

ProfileLike = Mapping[str, float]

# Bucket phrases, lowest first. A score goes to the first bucket whose upper
# edge it does not exceed: "> 0.7" is strong, exactly 0.7 is mild.
PREFIX_PHRASES: tuple[str, ...] = (
    "strongly dislikes",
    "mildly dislikes",
    "is neutral about",
    "mildly enjoys",
    "strongly enjoys",
)
PREFIX_EDGES = np.array([-0.7, -0.2, 0.2, 0.7])
# Scores are rounded before bucketing so that 0.7000000000000001 (float noise
# from a slider) is not "strongly enjoys".
BUCKET_DECIMALS = 9


@dataclass(frozen=True)
class MethodParams:
    """Parameters that change a method's vectors. Only ``whitened`` reads these."""

    whiten_variance: float = 0.95
    whiten_strength: float = 1.0
    whiten_max_components: int = 256

    def __post_init__(self) -> None:
        if not 0.5 <= self.whiten_variance <= 1.0:
            raise ValueError(f"whiten_variance must be in [0.5, 1.0], got {self.whiten_variance!r}")
        if not 0.0 <= self.whiten_strength <= 1.0:
            raise ValueError(f"whiten_strength must be in [0, 1], got {self.whiten_strength!r}")
        if not 1 <= self.whiten_max_components <= 1024:
            raise ValueError(f"whiten_max_components must be in [1, 1024], got {self.whiten_max_components!r}")


DEFAULT_PARAMS = MethodParams()


def bucket_index(scores: np.ndarray | float) -> np.ndarray:
    """0 = strongly dislikes ... 4 = strongly enjoys."""
    return np.searchsorted(PREFIX_EDGES, np.round(scores, BUCKET_DECIMALS), side="left")


def prefix_phrase(score: float) -> str:
    return PREFIX_PHRASES[int(bucket_index(score))]


def prefix_sentence(feature: str, score: float) -> str:
    return f"{prefix_phrase(score)} {feature}"


def format_score(score: float) -> str:
    """Two decimals at most, no trailing zeros: the way a person writes a score."""
    value = round(float(score), 2)
    return "0" if value == 0 else f"{value:g}"


def naive_text(profile: ProfileLike) -> str:
    return " ".join(f"{feature}: {format_score(score)}" for feature, score in profile.items())


def split_texts(profile: ProfileLike) -> tuple[str, str]:
    """The positive and the negative feature lists; zero scores are in neither."""
    pos = ", ".join(f for f, s in profile.items() if s > 0)
    neg = ", ".join(f for f, s in profile.items() if s < 0)
    return pos, neg


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise rows; rows of (near) zero length stay exactly zero."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 1e-8)


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
            self.__dict__["_prefix"] = flat.reshape(len(PREFIX_PHRASES), len(self.vocabulary), -1)
        return self.__dict__["_prefix"]

    def whitened(self, params: MethodParams) -> tuple[Whitener, np.ndarray]:
        """The whitener fitted on the vocabulary embeddings, and the (F, k) whitened features."""
        key = (params.whiten_variance, params.whiten_strength, params.whiten_max_components)
        if key in self._whiteners:
            self._whiteners.move_to_end(key)
            return self._whiteners[key]
        features = self.feature_embeddings()
        whitener = Whitener(
            variance=params.whiten_variance,
            max_components=params.whiten_max_components,
            strength=params.whiten_strength,
        ).fit(features)
        entry = (whitener, whitener.transform(features))
        self._whiteners[key] = entry
        if len(self._whiteners) > self._max_whiteners:
            self._whiteners.popitem(last=False)
        return entry

    @cached_property
    def _empty_row(self) -> np.ndarray:
        return np.full(len(self.vocabulary), np.nan, dtype=np.float32)

    def score_matrix(self, profiles: Sequence[ProfileLike]) -> tuple[np.ndarray, list[dict[str, float]]]:
        """(n, F) scores over the vocabulary, NaN where absent; plus features outside it."""
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


class MethodFn(Protocol):
    def __call__(
        self,
        profiles: Sequence[ProfileLike],
        *,
        space: FeatureSpace,
        params: MethodParams = DEFAULT_PARAMS,
        progress: Progress | None = None,
    ) -> np.ndarray: ...


def _encode_texts(space: FeatureSpace, texts: list[str], progress: Progress | None) -> np.ndarray:
    """Embed texts; empty texts become zero rows. Each distinct text is sent once."""
    out = np.zeros((len(texts), space.dim), dtype=np.float32)
    distinct = list(dict.fromkeys(t for t in texts if t))
    if distinct:
        vectors = space.embedder.encode(distinct, progress=progress)
        lookup = dict(zip(distinct, vectors, strict=True))
        for i, text in enumerate(texts):
            if text:
                out[i] = lookup[text]
    return out


def naive(profiles, *, space, params=DEFAULT_PARAMS, progress=None) -> np.ndarray:
    """Embed ``"feature: score ..."``: the sign is two characters among hundreds."""
    return normalize_rows(_encode_texts(space, [naive_text(p) for p in profiles], progress))


def split(profiles, *, space, params=DEFAULT_PARAMS, progress=None) -> np.ndarray:
    """Concatenate the embeddings of the liked list and the disliked list (2d dims)."""
    pairs = [split_texts(p) for p in profiles]
    both = _encode_texts(space, [t for pair in pairs for t in pair], progress)
    return normalize_rows(both.reshape(len(profiles), 2 * space.dim))


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


def tanh_weights(scores: np.ndarray | float) -> np.ndarray:
    """The weight of a score in the weighted sums: tanh(2s); absent (NaN) weighs 0."""
    return np.tanh(2.0 * np.nan_to_num(scores)).astype(np.float32)


def prefix_form(scores: np.ndarray, space: FeatureSpace, params: MethodParams = DEFAULT_PARAMS) -> LinearForm:
    """One basis row per (bucket, feature) sentence; each present feature picks its bucket's row."""
    table = space.prefix_embeddings()
    n, f = scores.shape
    rows, cols = np.nonzero(~np.isnan(scores))
    columns = bucket_index(scores[rows, cols]) * f + cols
    ones = np.ones(rows.size, dtype=np.float32)
    coefficients = sparse.csr_matrix((ones, (rows, columns)), shape=(n, table.shape[0] * f))
    return LinearForm(coefficients, table.reshape(-1, table.shape[-1]))


def weighted_form(scores: np.ndarray, space: FeatureSpace, params: MethodParams = DEFAULT_PARAMS) -> LinearForm:
    return LinearForm(sparse.csr_matrix(tanh_weights(scores)), space.feature_embeddings())


def whitened_form(scores: np.ndarray, space: FeatureSpace, params: MethodParams = DEFAULT_PARAMS) -> LinearForm:
    return LinearForm(sparse.csr_matrix(tanh_weights(scores)), space.whitened(params)[1])


def exact_form(scores: np.ndarray, space: FeatureSpace, params: MethodParams = DEFAULT_PARAMS) -> LinearForm:
    return LinearForm(sparse.csr_matrix(np.nan_to_num(scores).astype(np.float32)), None)


def prefix(profiles, *, space, params=DEFAULT_PARAMS, progress=None) -> np.ndarray:
    """Mean of "<strength phrase> <feature>" sentence embeddings."""
    space.prefix_embeddings(progress)
    scores, extras = space.score_matrix(profiles)
    vectors = prefix_form(scores, space).dense()
    for row, extra in enumerate(extras):
        if extra:
            vectors[row] += space.novel_embeddings([prefix_sentence(f, s) for f, s in extra.items()]).sum(axis=0)
    # The mean and the sum point the same way; cosine only needs the direction.
    return normalize_rows(vectors)


def _add_novel(vectors: np.ndarray, extras: list[dict[str, float]], embed_novel) -> np.ndarray:
    """Add tanh-weighted embeddings of features outside the vocabulary."""
    for row, extra in enumerate(extras):
        if extra:
            weights = tanh_weights(np.array(list(extra.values()), dtype=np.float32))
            vectors[row] += weights @ embed_novel(list(extra))
    return vectors


def weighted(profiles, *, space, params=DEFAULT_PARAMS, progress=None) -> np.ndarray:
    """Sum of feature embeddings times tanh(2 * score), L2-normalised."""
    space.feature_embeddings(progress)
    scores, extras = space.score_matrix(profiles)
    vectors = weighted_form(scores, space).dense()
    return normalize_rows(_add_novel(vectors, extras, space.novel_embeddings))


def whitened(profiles, *, space, params=DEFAULT_PARAMS, progress=None) -> np.ndarray:
    """The weighted sum in a PCA-whitened feature space.

    Features outside the fitted vocabulary go through the fitted transform,
    never in raw: a raw embedding lives in a different coordinate system.
    """
    space.feature_embeddings(progress)
    whitener, _ = space.whitened(params)
    scores, extras = space.score_matrix(profiles)
    vectors = whitened_form(scores, space, params).dense()
    return normalize_rows(_add_novel(vectors, extras, lambda names: whitener.transform(space.novel_embeddings(names))))


def exact(profiles, *, space, params=DEFAULT_PARAMS, progress=None) -> np.ndarray:
    """The raw score vector over the vocabulary: the reference.

    Scores on features outside the vocabulary count towards the length (no
    product has them), so cosines stay those of the full score vectors.
    """
    scores, extras = space.score_matrix(profiles)
    vectors = exact_form(scores, space).dense()
    norms = np.sqrt((vectors**2).sum(axis=1) + np.array([sum(s * s for s in e.values()) for e in extras]))
    return np.divide(vectors, norms[:, None], out=np.zeros_like(vectors), where=norms[:, None] > 1e-8)


@dataclass(frozen=True)
class Method:
    name: str
    label: str
    summary: str
    fn: Callable[..., np.ndarray]
    encodes_profile_text: bool = False
    uses_params: bool = False
    # For vocabulary-linear methods: (scores, space, params) -> LinearForm of the unnormalised vectors.
    form: Callable[..., LinearForm] | None = None


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("naive", "Naive text", 'Embed the text "feature: score ..." as one string.', naive, True),
        Method("split", "Split channel", "Embed the liked and the disliked features apart; concatenate.", split, True),
        Method(
            "prefix", "Signed prefix", 'Mean of sentences like "strongly dislikes anxiety".', prefix, form=prefix_form
        ),
        Method(
            "weighted",
            "Weighted sum",
            "Sum of feature embeddings x tanh(2 x score), normalised.",
            weighted,
            form=weighted_form,
        ),
        Method(
            "whitened",
            "Whitened sum",
            "The weighted sum after PCA-whitening the feature embeddings.",
            whitened,
            uses_params=True,
            form=whitened_form,
        ),
        Method(
            "exact", "Exact (reference)", "Cosine of the raw score vectors over the vocabulary.", exact, form=exact_form
        ),
    )
}
METHOD_NAMES: tuple[str, ...] = tuple(METHODS)


def get_method(name: str) -> Method:
    try:
        return METHODS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown method {name!r}; choose one of: {', '.join(METHOD_NAMES)}") from None


def parse_methods(text: str) -> tuple[str, ...]:
    """Parse ``"naive,weighted"``; raise ValueError naming any unknown entry.

    >>> parse_methods("weighted, naive")
    ('weighted', 'naive')
    """
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not names:
        raise ValueError(f"no methods given; choose from: {', '.join(METHOD_NAMES)}")
    for name in names:
        get_method(name)
    return names


def compare_profiles(
    a: ProfileLike, b: ProfileLike, embedder: Embedder, params: MethodParams = DEFAULT_PARAMS
) -> dict[str, float]:
    """Cosine between two profiles under every method, over the union of their features."""
    space = FeatureSpace(list(dict.fromkeys([*a, *b])), embedder)
    cosine = {}
    for name, method in METHODS.items():
        vectors = method.fn([a, b], space=space, params=params)
        cosine[name] = float(vectors[0] @ vectors[1])
    return cosine
