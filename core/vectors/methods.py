"""The six ways to turn a signed profile into a vector, behind one signature, and four vector-database queries.

Every method is a :class:`MethodFn`: ``fn(profiles, *, space, params, progress=None)``
returns an ``(n, d)`` float32 array with unit rows, or zero rows for profiles
that carry no signal (a zero vector scores 0 against everything).

``space`` (a :class:`~core.vectors.space.FeatureSpace`) holds what depends only on
the vocabulary and the model: feature embeddings, the 5 x F prefix sentences and
fitted whiteners. It is built once, so a slider move costs arithmetic, not
encoder calls, for prefix, weighted, whitened and exact. Naive and split embed
the profile's text, and go through the embedding cache, so they call the
encoder only when that text changes.

The three *strategy* methods (``qdrant-avg``, ``qdrant-best``, ``qdrant-sum``) are what
engineers usually call instead: a vector database's recommend API, here Qdrant's through
its own client (:class:`~core.retrieval.qdrant.QdrantStore`). Products are stored with the
weighted sum's vectors; the user is not one vector but a set of examples
(:func:`examples`): every feature scored above 0 is a positive example, every one below 0
a negative one, with no weight (Qdrant's examples carry none). Their ``fn`` gives
average_vector's query point, where the maps draw the user.

The fourth, ``qdrant-feedback``, is Qdrant's relevance feedback query (naive strategy): scored feedback instead of
example lists (:func:`feedback_request`: the target is the profile's naive text embedding, the feedback items
each scored feature's embedding with its score). Its score of a product is a dot product with one vector
(:func:`~core.vectors.examples.feedback_query`), where the maps draw its user.

>>> get_method("nave")
Traceback (most recent call last):
...
core.errors.UnknownName: unknown method 'nave'; choose one of: naive, split, prefix, weighted, whitened, exact, ...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import sparse

from core.embedding.embedder import Embedder, Progress
from core.errors import InputError, UnknownName
from core.numeric import EPS, measured_cosine, normalize_rows, tanh_weights, unit
from core.vectors.examples import (
    DEFAULT_FEEDBACK,
    FEEDBACK,
    STRATEGIES,
    Examples,
    Feedback,
    NaiveFeedback,
    average_query,
    feedback_query,
)
from core.vectors.space import DEFAULT_PARAMS, FeatureSpace, LinearForm, MethodParams
from core.vectors.texts import ProfileLike, bucket_index, naive_text, prefix_sentence, split_texts


class MethodFn(Protocol):
    """The signature every method shares: profiles in, ``(n, d)`` unit rows out."""

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


def naive(
    profiles: Sequence[ProfileLike],
    *,
    space: FeatureSpace,
    params: MethodParams = DEFAULT_PARAMS,
    progress: Progress | None = None,
) -> np.ndarray:
    """Embed ``"feature: score ..."``: the sign is two characters among hundreds."""
    return normalize_rows(_encode_texts(space, [naive_text(p) for p in profiles], progress))


def split(
    profiles: Sequence[ProfileLike],
    *,
    space: FeatureSpace,
    params: MethodParams = DEFAULT_PARAMS,
    progress: Progress | None = None,
) -> np.ndarray:
    """Concatenate the embeddings of the liked list and the disliked list (2d dims)."""
    pairs = [split_texts(p) for p in profiles]
    both = _encode_texts(space, [t for pair in pairs for t in pair], progress)
    return normalize_rows(both.reshape(len(profiles), 2 * space.dim))


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


def prefix(
    profiles: Sequence[ProfileLike],
    *,
    space: FeatureSpace,
    params: MethodParams = DEFAULT_PARAMS,
    progress: Progress | None = None,
) -> np.ndarray:
    """Mean of "<strength phrase> <feature>" sentence embeddings."""
    space.prefix_embeddings(progress)
    scores, extras = space.score_matrix(profiles)
    vectors = prefix_form(scores, space).dense()
    for row, extra in enumerate(extras):
        if extra:
            vectors[row] += space.novel_embeddings([prefix_sentence(f, s) for f, s in extra.items()]).sum(axis=0)
    # The mean and the sum point the same way; cosine only needs the direction.
    return normalize_rows(vectors)


def _add_novel(
    vectors: np.ndarray, extras: list[dict[str, float]], embed_novel: Callable[[list[str]], np.ndarray]
) -> np.ndarray:
    """Add tanh-weighted embeddings of features outside the vocabulary."""
    for row, extra in enumerate(extras):
        if extra:
            weights = tanh_weights(np.array(list(extra.values()), dtype=np.float32))
            vectors[row] += weights @ embed_novel(list(extra))
    return vectors


def weighted(
    profiles: Sequence[ProfileLike],
    *,
    space: FeatureSpace,
    params: MethodParams = DEFAULT_PARAMS,
    progress: Progress | None = None,
) -> np.ndarray:
    """Sum of feature embeddings times tanh(2 * score), L2-normalised."""
    space.feature_embeddings(progress)
    scores, extras = space.score_matrix(profiles)
    vectors = weighted_form(scores, space).dense()
    return normalize_rows(_add_novel(vectors, extras, space.novel_embeddings))


def whitened(
    profiles: Sequence[ProfileLike],
    *,
    space: FeatureSpace,
    params: MethodParams = DEFAULT_PARAMS,
    progress: Progress | None = None,
) -> np.ndarray:
    """The weighted sum in a PCA-whitened feature space.

    Features outside the fitted vocabulary go through the fitted transform,
    never in raw: a raw embedding lives in a different coordinate system.
    """
    space.feature_embeddings(progress)
    whitener, _ = space.whitened(params)
    scores, extras = space.score_matrix(profiles)
    vectors = whitened_form(scores, space, params).dense()
    return normalize_rows(_add_novel(vectors, extras, lambda names: whitener.transform(space.novel_embeddings(names))))


def exact(
    profiles: Sequence[ProfileLike],
    *,
    space: FeatureSpace,
    params: MethodParams = DEFAULT_PARAMS,
    progress: Progress | None = None,
) -> np.ndarray:
    """The raw score vector over the vocabulary: the reference.

    Scores on features outside the vocabulary count towards the length (no
    product has them), so cosines stay those of the full score vectors.
    """
    scores, extras = space.score_matrix(profiles)
    vectors = exact_form(scores, space).dense()
    norms = np.sqrt((vectors**2).sum(axis=1) + np.array([sum(s * s for s in e.values()) for e in extras]))
    return np.divide(vectors, norms[:, None], out=np.zeros_like(vectors), where=norms[:, None] > EPS)


def feature_vectors(space: FeatureSpace, features: Sequence[str]) -> np.ndarray:
    """(len(features), d) embeddings: vocabulary features from the space, others through the cache."""
    out = np.zeros((len(features), space.dim), dtype=np.float32)
    known = [(i, space.index[f]) for i, f in enumerate(features) if f in space.index]
    if known:
        rows, cols = zip(*known, strict=True)
        out[list(rows)] = space.feature_embeddings()[list(cols)]
    novel = [(i, f) for i, f in enumerate(features) if f not in space.index]
    if novel:
        out[[i for i, _ in novel]] = space.novel_embeddings([f for _, f in novel])
    return out


def examples(profile: ProfileLike, space: FeatureSpace) -> Examples:
    """A profile as a recommend query sees it: liked features (score > 0) are positive examples, disliked ones
    (score < 0) negative; a score of 0 is left out. Every example counts once, whatever its score."""
    positive = [f for f, s in profile.items() if s > 0]
    negative = [f for f, s in profile.items() if s < 0]
    return Examples(feature_vectors(space, positive), feature_vectors(space, negative))


def strategy_point(
    profiles: Sequence[ProfileLike],
    *,
    space: FeatureSpace,
    params: MethodParams = DEFAULT_PARAMS,
    progress: Progress | None = None,
) -> np.ndarray:
    """Where a strategy method's user sits in the item space: average_vector's query, avg(pos) + (avg(pos) -
    avg(neg)), as a unit vector (zero without a liked feature). best_score and sum_scores score every example
    on its own and have no single point; the maps draw them here too, and say so."""
    space.feature_embeddings(progress)
    rows = [average_query(examples(p, space)) for p in profiles]
    return np.array([np.zeros(space.dim) if r is None else unit(r) for r in rows], dtype=np.float32).reshape(
        len(profiles), space.dim
    )


MAX_FEEDBACK = 16
"""Feedback items a relevance feedback request names at most. Qdrant scores every product against both vectors of
every pair of items with different scores: m items cost up to m(m - 1) similarities per product (16: 240; the
200 scores of a bench-10k user: 39,800, seconds per query)."""


def feedback_features(profile: ProfileLike) -> list[str]:
    """The features a feedback request names, in profile order: all of them, or the :data:`MAX_FEEDBACK` whose
    scores lie farthest from the profile's mean score.

    >>> feedback_features({"a": 0.9, "b": 0.1, "c": -0.8})
    ['a', 'b', 'c']
    """
    features = list(profile)
    if len(features) <= MAX_FEEDBACK:
        return features
    mean = float(np.mean([profile[f] for f in features]))
    kept = set(sorted(features, key=lambda f: -abs(profile[f] - mean))[:MAX_FEEDBACK])
    return [f for f in features if f in kept]


def feedback_request(profile: ProfileLike, space: FeatureSpace, strategy: NaiveFeedback = DEFAULT_FEEDBACK) -> Feedback:
    """A signed profile as Qdrant's relevance feedback query sees it.

    - target: the profile's naive text embedding, what a search box would send ("anxiety: -0.9 adventure: 0.8");
    - feedback: each scored feature's embedding with its score (a 0 included: it sits between the others). With
      more than :data:`MAX_FEEDBACK` scores, the ones farthest from the profile's mean score are kept (the pairs
      with the largest differences, which weigh most; a choice a constant shift of every score leaves alone).
    """
    features = feedback_features(profile)
    target = _encode_texts(space, [naive_text(profile)], None)[0]
    scores = np.array([profile[f] for f in features], dtype=np.float32)
    return Feedback(target, feature_vectors(space, features), scores, strategy)


def feedback_point(
    profiles: Sequence[ProfileLike],
    *,
    space: FeatureSpace,
    params: MethodParams = DEFAULT_PARAMS,
    progress: Progress | None = None,
) -> np.ndarray:
    """Where the relevance feedback query's user sits: Qdrant's naive feedback score of a unit item x is a dot
    product x . q (:func:`~core.vectors.examples.feedback_query`), so its ranking is the cosine to q, exactly."""
    space.feature_embeddings(progress)
    rows = [unit(feedback_query(feedback_request(p, space))) for p in profiles]
    return np.array(rows, dtype=np.float32).reshape(len(profiles), space.dim)


FormFn = Callable[[np.ndarray, FeatureSpace, MethodParams], LinearForm]
"""For vocabulary-linear methods: (scores over the vocabulary, space, params) -> the unnormalised vectors."""


@dataclass(frozen=True)
class Method:
    """One entry of the registry: what the pages, the CLI and the links know about a method."""

    name: str
    label: str
    summary: str
    fn: MethodFn
    uses_params: bool = False
    form: FormFn | None = None
    strategy: str | None = None  # a vector database's query: a recommend strategy or FEEDBACK (asks the store)
    items: str | None = None  # the method whose product vectors the store holds for this one

    @property
    def item_method(self) -> str:
        """Whose product vectors this method ranks (its own, or for a strategy the stored items')."""
        return self.items or self.name


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("naive", "Naive text", 'Embed the text "feature: score ..." as one string.', naive),
        Method("split", "Split channel", "Embed the liked and the disliked features apart; concatenate.", split),
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
        *(
            Method(
                f"qdrant-{short}",
                f"Qdrant {strategy.replace('_', ' ')}",
                f"Qdrant recommend ({strategy}): liked features are positive examples, disliked ones negative.",
                strategy_point,
                strategy=strategy,
                items="weighted",
            )
            for short, strategy in (("avg", "average_vector"), ("best", "best_score"), ("sum", "sum_scores"))
        ),
        Method(
            "qdrant-feedback",
            "Qdrant feedback",
            "Qdrant relevance feedback (naive, a = b = c = 1): the target is the profile's naive text, each scored "
            "feature a feedback item with its score. Only score differences count.",
            feedback_point,
            strategy=FEEDBACK,
            items="weighted",
        ),
    )
}
METHOD_NAMES: tuple[str, ...] = tuple(m.name for m in METHODS.values() if m.strategy is None)
"""The six methods that turn a profile into one vector (the article's). Cosines between users exist only for these."""
STRATEGY_NAMES: tuple[str, ...] = tuple(m.name for m in METHODS.values() if m.strategy is not None)
"""The vector database's queries (three recommend strategies, relevance feedback): shown when picked, never by
default."""
RECOMMEND_NAMES: tuple[str, ...] = tuple(m.name for m in METHODS.values() if m.strategy in STRATEGIES)
"""Qdrant's recommend strategies alone: example lists without weights."""
FEEDBACK_METHOD: str = next(m.name for m in METHODS.values() if m.strategy == FEEDBACK)
"""Qdrant's relevance feedback query: scored feedback."""
ALL_METHOD_NAMES: tuple[str, ...] = tuple(METHODS)


def get_method(name: str) -> Method:
    try:
        return METHODS[name]
    except (KeyError, TypeError):
        raise UnknownName("method", name, ALL_METHOD_NAMES) from None


def parse_methods(text: str) -> tuple[str, ...]:
    """Parse ``"naive,weighted"``; raise :class:`~core.errors.UnknownName` naming any unknown entry.

    >>> parse_methods("weighted, naive")
    ('weighted', 'naive')
    """
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not names:
        raise InputError(f"no methods given; choose from: {', '.join(ALL_METHOD_NAMES)}")
    for name in names:
        get_method(name)
    return names


def vectors(
    method: str, profiles: Sequence[ProfileLike], *, space: FeatureSpace, params: MethodParams = DEFAULT_PARAMS
) -> np.ndarray:
    """Unit vectors of ``profiles`` under the named method (raises :class:`~core.errors.UnknownName`)."""
    return get_method(method).fn(list(profiles), space=space, params=params)


def compare_profiles(
    a: ProfileLike, b: ProfileLike, embedder: Embedder, params: MethodParams = DEFAULT_PARAMS
) -> dict[str, float]:
    """Cosine between two profiles under each of the six vector methods, over the union of their features.

    NaN where a method gives one of them no vector (an all-zero profile): that cosine is not defined."""
    space = FeatureSpace(list(dict.fromkeys([*a, *b])), embedder)
    cosine = {}
    for name in METHOD_NAMES:
        vectors = METHODS[name].fn([a, b], space=space, params=params)
        cosine[name] = measured_cosine(vectors[0], vectors[1])
    return cosine
