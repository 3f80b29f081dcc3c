"""What a vector database does with dislikes, on real ratings: Qdrant's queries on MovieLens histories.

A production recommender keeps item vectors in a vector database and asks it with examples or, since Qdrant 1.17,
with scored feedback. Here, per evaluated user, through Qdrant's own engine in this process (Qdrant Edge):

- **Examples** (the three recommend strategies): the user's history movies rated >= 4 are positive, those rated
  <= 2.5 negative (the protocol's label thresholds), the :data:`~core.movielens.protocol.MAX_EXAMPLES` most
  recent of each, as a request to a vector database names a bounded list of recent items; movies between are
  left out, and so are movies with no feature (no direction). Examples carry no weight.
- **Feedback** (``qdrant-feedback``: relevance feedback, naive strategy): the
  :data:`~core.movielens.protocol.MAX_EXAMPLES` most recent rated history movies with a vector, each with its
  rating as its score (only differences count: 5 against 3 pulls as hard as 3 against 1). The target is the
  user's naive text embedding ("Comedy: 0.25 Drama: -0.1 ..."), what a search box would send, as in the Explorer.
- **Items**: every movie's weighted-sum vector over the evaluation's features (its genres, and kept tags): the
  vectors the ``weighted`` method ranks.
- **Candidates**: the user's held-out movies.

Every movie lives in one *catalogue* shard. Examples are named by id, as a production system names liked items
(the engine looks their vectors up, and never returns one); every query is restricted to the user's candidates
by an id filter, as one would ask a server. Each query scores a movie from the request alone, never from the
other movies, so a candidate scores what a search of the whole catalogue would give it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from core.movielens import protocol
from core.movielens.protocol import NEGATIVE, POSITIVE
from core.numeric import EPS
from core.retrieval.edge import EdgeStore
from core.retrieval.qdrant import MEMORY, collection_name
from core.vectors.examples import DEFAULT_FEEDBACK, FEEDBACK, ExampleIds, Feedback, NaiveFeedback, refuses
from core.vectors.methods import METHODS, RECOMMEND_NAMES

NO_NEGATIVES = " (likes only)"  # the rule name of a strategy asked without its negative examples
FITTED = " (fitted)"  # the rule name of relevance feedback with coefficients fitted on the history


def history_examples(
    history: pd.DataFrame, rows: Mapping[int, int], items: np.ndarray, *, negatives: bool = True
) -> ExampleIds:
    """A user's history (oldest first) as examples, by catalogue row: the most recent ``MAX_EXAMPLES`` rated
    >= 4 are positive, <= 2.5 negative (or none); movies with no vector (no feature) are left out."""
    ratings = history["rating"].to_numpy(dtype=float)
    indices = np.array([rows[int(m)] for m in history["movieId"]], dtype=np.int64)
    usable = np.linalg.norm(items[indices], axis=1) > EPS
    cap = protocol.MAX_EXAMPLES
    positive = indices[usable & (ratings >= POSITIVE)][-cap:]
    negative = indices[usable & (ratings <= NEGATIVE)][-cap:] if negatives else indices[:0]
    return ExampleIds.of(positive, negative)


def history_feedback(
    history: pd.DataFrame,
    rows: Mapping[int, int],
    items: np.ndarray,
    target: np.ndarray,
    strategy: NaiveFeedback = DEFAULT_FEEDBACK,
) -> Feedback:
    """A user's history (oldest first) as a relevance feedback request: the most recent ``MAX_EXAMPLES`` rated
    movies with a vector, each scored by its rating, around ``target``."""
    ratings = history["rating"].to_numpy(dtype=np.float32)
    indices = np.array([rows[int(m)] for m in history["movieId"]], dtype=np.int64)
    usable = np.linalg.norm(items[indices], axis=1) > EPS
    cap = protocol.MAX_EXAMPLES
    return Feedback(target, items[indices[usable][-cap:]], ratings[usable][-cap:], strategy)


class Catalogue:
    """Every movie's vector in one shard of the engine, for the lifetime of an evaluation (``with`` drops it).
    Every query is restricted to a few candidates by their ids, so the shard gets no HNSW graph: the engine scores
    the candidates exactly."""

    def __init__(self, items: np.ndarray, tag: str = "") -> None:
        self.items = items
        ids = [str(i) for i in range(len(items))]
        self.store = EdgeStore([{}] * len(items), ids, _name(tag), where=MEMORY, index=False)
        self.store.add(KEY, items)

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.store.drop()

    def scores(
        self, examples: ExampleIds, candidates: Sequence[int], methods: Sequence[str] = RECOMMEND_NAMES
    ) -> dict[str, np.ndarray]:
        """Each recommend strategy's score for each candidate movie (catalogue rows, in order). A query Qdrant
        refuses (no example at all, or average_vector without a positive one) scores every candidate 0, so that
        user's AUC is 0.5 for it."""
        among = np.asarray(candidates, dtype=np.int64)
        return {
            m: self.store.recommend(KEY, examples, METHODS[m].strategy, limit=among.size, among=among).full(
                len(self.items)
            )[among]
            for m in methods
        }

    def feedback(self, feedback: Feedback, candidates: Sequence[int]) -> np.ndarray:
        """The relevance feedback query's score for each candidate movie (catalogue rows, in order)."""
        among = np.asarray(candidates, dtype=np.int64)
        return self.store.feedback(KEY, feedback, limit=among.size, among=among).full(len(self.items))[among]


KEY = "items"


def _name(tag: str) -> str:
    return collection_name("movielens", tag, uuid.uuid4().hex)


def refused(request: ExampleIds | Feedback, method: str) -> bool:
    """Whether Qdrant gives this query method no direction for the request: a recommend strategy it refuses (see
    :mod:`core.vectors.examples`), or feedback with neither a target nor two different scores."""
    strategy = METHODS[method].strategy
    if strategy == FEEDBACK:
        return request.empty
    return refuses(strategy, request)
