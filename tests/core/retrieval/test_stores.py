"""The in-memory store: it holds what it is given (bounded), scores every product densely, filters by the
carriers index, and never returns an example named by id."""

from __future__ import annotations

import numpy as np
import pytest

from core.numeric import normalize_rows, unit
from core.retrieval.carriers import Carriers
from core.retrieval.marks import violates
from core.retrieval.stores import NumpyStore, ProductVectors
from core.vectors.examples import STRATEGIES, ExampleIds, strategy_scores

PRODUCTS = [{"nuts": 1.0, "sweet": 0.5}, {"tea": 1.0}, {"nuts": -1.0, "salt": 1.0}, {"sweet": 1.0}] * 10


@pytest.fixture
def store() -> NumpyStore:
    memory = NumpyStore(Carriers(PRODUCTS), max_keys=2)
    memory.add("v", normalize_rows(np.random.default_rng(0).normal(size=(len(PRODUCTS), 8))))
    return memory


def test_the_store_holds_what_it_is_given_and_nothing_else(store):
    assert store.has("v") and not store.has("w") and store.get("w") is None
    with pytest.raises(KeyError, match="no vectors stored under 'w'"):
        store.vectors("w")


def test_the_store_keeps_at_most_max_keys_least_recently_used_first(store):
    vectors = store.vectors("v").vectors
    store.add("w", vectors)
    store.get("v")  # v is used again: w is now the oldest
    store.add("x", vectors)
    assert store.has("v") and store.has("x") and not store.has("w")


def test_dense_scores_are_what_search_returns_with_the_filter_as_minus_infinity(store):
    query = unit(np.random.default_rng(1).normal(size=8))
    dense = store.scores("v", query)
    assert dense.shape == (len(PRODUCTS),)
    np.testing.assert_allclose(dense, store.vectors("v").vectors @ query, atol=1e-6)
    for exclude in ([], ["nuts"], ["nuts", "tea"], ["absent"]):
        full = store.search("v", query, limit=len(PRODUCTS), exclude=exclude).full(len(PRODUCTS))
        removed = np.array([violates(p, exclude) for p in PRODUCTS])
        assert np.all(np.isinf(full) == removed), exclude  # a product scored -1 for nuts is not removed
        np.testing.assert_allclose(full[~removed], dense[~removed], atol=1e-6)


def test_a_limited_search_returns_the_best_scores(store):
    query = unit(np.random.default_rng(2).normal(size=8))
    hits = store.search("v", query, limit=5)
    assert sorted(hits.scores.tolist(), reverse=True) == sorted(store.scores("v", query).tolist(), reverse=True)[:5]


def test_a_linear_form_scores_as_its_dense_vectors_do():
    from scipy import sparse

    from core.vectors.space import LinearForm

    rng = np.random.default_rng(3)
    form = LinearForm(sparse.random(30, 6, density=0.4, random_state=3, format="csr"), rng.normal(size=(6, 8)))
    vectors = ProductVectors.from_form(form)
    query = unit(rng.normal(size=8))
    np.testing.assert_allclose(vectors.scores(query), vectors.vectors @ query, atol=1e-5)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_examples_named_by_id_are_never_returned_and_follow_the_formula(store, strategy):
    examples = ExampleIds.of([0, 5], [2])
    hits = store.recommend("v", examples, strategy, limit=len(PRODUCTS))
    assert not {0, 5, 2} & set(hits.indices.tolist()) and len(hits.indices) == len(PRODUCTS) - 3
    items = store.vectors("v").vectors
    expected = strategy_scores(strategy, examples.vectors(items), items)
    np.testing.assert_allclose(hits.full(len(PRODUCTS))[hits.indices], expected[hits.indices], atol=1e-6)
