"""What a vector database does with dislikes, on real ratings: Qdrant's recommend strategies on MovieLens.

A production recommender keeps item vectors in a vector database and asks it with examples. Here, per
evaluated user, through the real ``qdrant-client`` (embedded mode):

- **Examples**: the user's history movies rated >= 4 are positive, those rated <= 2.5 negative (the
  protocol's label thresholds), the :data:`~core.movielens.protocol.MAX_EXAMPLES` most recent of each, as a request to a
  vector database names a bounded list of recent items; movies between are left out, and so are movies
  with no feature (no direction). Examples carry no weight. (With every example instead, up to 986 likes
  for one user, the AUCs move by less than 0.015 and the evaluation takes twice as long: the embedded
  client scores each example on its own, in Python.)
- **Items**: every movie's weighted-sum vector over the evaluation's features (its genres, and kept tags):
  the vectors the ``weighted`` method ranks.
- **Candidates**: the user's held-out movies, scored by ``query_points`` with a recommend query.

Every movie lives in one *catalogue* collection, and the examples are named by id, as a production system
names liked items: Qdrant looks their vectors up there (``lookup_from``). Each user's candidates sit in a
small collection of their own. A server would rather query the catalogue itself with an id filter;
Qdrant's embedded mode scores every query against every point of a collection in Python (0.2 to 0.9 s a
query over 8,000 movies), which would turn seconds into many minutes. The scores are the same either way:
every strategy scores a point from the examples alone, never from the other points.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from core.movielens import protocol
from core.movielens.protocol import NEGATIVE, POSITIVE
from core.numeric import EPS
from core.retrieval.qdrant import MEMORY, QdrantStore, collection_name
from core.vectors.examples import ExampleIds, refuses
from core.vectors.methods import METHODS, STRATEGY_NAMES

NO_NEGATIVES = " (likes only)"  # the rule name of a strategy asked without its negative examples


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


class Catalogue:
    """Every movie's vector in one in-memory collection, for the lifetime of an evaluation (``with`` drops it)."""

    def __init__(self, items: np.ndarray, tag: str = "") -> None:
        self.items = items
        self.store = QdrantStore([{}] * len(items), [str(i) for i in range(len(items))], _name(tag), where=MEMORY)
        self.store.add(KEY, items)

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.store.drop()

    def scores(self, examples: ExampleIds, candidates: Sequence[int], methods: Sequence[str] = STRATEGY_NAMES) -> dict:
        """Each strategy's score for each candidate movie (catalogue rows, in order), from one small collection
        of the candidates. A query Qdrant refuses (no example at all, or average_vector without a positive one)
        scores every candidate 0, so that user's AUC is 0.5 for it."""
        n = len(candidates)
        store = QdrantStore([{}] * n, [str(i) for i in range(n)], _name("candidates"), where=MEMORY)
        try:
            store.add(KEY, self.items[np.asarray(candidates, dtype=np.int64)])
            return {
                m: store.recommend(KEY, examples, METHODS[m].strategy, limit=n, lookup=self.store).full(n)
                for m in methods
            }
        finally:
            store.drop()


KEY = "items"


def _name(tag: str) -> str:
    return collection_name("movielens", tag, uuid.uuid4().hex)


def refused(examples: ExampleIds, method: str) -> bool:
    """Whether Qdrant refuses this strategy method's query for these examples (see :mod:`core.vectors.examples`)."""
    return refuses(METHODS[method].strategy, examples)
