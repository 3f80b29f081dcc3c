"""The recommender: product vectors cached per method and parameters, moves that refit nothing,
fast scoring equal to dense cosine."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import InputError
from core.retrieval.ranking import Ranking, measure_agreement
from core.retrieval.recommender import Recommender
from core.scenarios.presets import load_preset
from core.vectors.space import MethodParams


class CountingEmbedder:
    """Passes through to the real embedder and counts encode calls."""

    def __init__(self, inner):
        self.inner, self.calls = inner, 0

    name = property(lambda self: self.inner.name)
    fingerprint = property(lambda self: self.inner.fingerprint)
    dim = property(lambda self: self.inner.dim)
    max_seq_length = property(lambda self: self.inner.max_seq_length)

    def encode(self, texts, *, progress=None):
        self.calls += 1
        return self.inner.encode(texts, progress=progress)

    def truncated_at(self, text):
        return self.inner.truncated_at(text)


def test_slider_moves_call_the_encoder_only_for_text_methods(embedder):
    counting = CountingEmbedder(embedder)
    recommender = Recommender(load_preset("sign-trap"), counting)
    recommender.prepare()
    profile = dict(load_preset("sign-trap").user("calm-explorer").profile)
    recommender.rank(profile)  # first ranking of this profile: naive and split embed its text
    for value in (0.55, 0.5, 0.45):
        profile["adventure"] = value
        before = counting.calls
        for name in ("prefix", "weighted", "whitened", "exact"):
            recommender.ranking(name, profile)
        assert counting.calls == before, "prefix, weighted, whitened and exact must not call the encoder"
        encoded = embedder.stats["encoded"]
        recommender.ranking("split", profile)  # split text did not change: served by the cache
        assert embedder.stats["encoded"] == encoded
        recommender.ranking("naive", profile)  # the naive text changed: one new text encoded at most
        assert embedder.stats["encoded"] <= encoded + 1
    encoded = embedder.stats["encoded"]
    recommender.rank(profile)  # same profile again: nothing new
    assert embedder.stats["encoded"] == encoded


def test_product_vectors_are_cached_per_method_and_parameters(embedder):
    recommender = Recommender(load_preset("sign-trap"), embedder)
    a = recommender.product_vectors("weighted")
    assert recommender.product_vectors("weighted") is a
    w1 = recommender.product_vectors("whitened", MethodParams(whiten_strength=1.0))
    w0 = recommender.product_vectors("whitened", MethodParams(whiten_strength=0.0))
    assert w1 is not w0 and not np.allclose(w1, w0)
    # Parameters that do not concern a method do not split its cache.
    assert recommender.product_vectors("weighted", MethodParams(whiten_strength=0.0)) is a


def test_trap_is_visible_on_the_sign_trap_preset(embedder):
    scenario = load_preset("sign-trap")
    recommender = Recommender(scenario, embedder)
    result = recommender.rank(scenario.user("user-a").profile, k=5)
    assert result.counts("naive")["disliked_in_top_k"] >= 1
    assert result.counts("weighted")["disliked_in_top_k"] == 0
    assert result.counts("exact")["disliked_in_top_k"] == 0
    assert result.agreement.vs("weighted")["kendall_tau"] > result.agreement.vs("naive")["kendall_tau"]
    assert result.agreement.methods == tuple(result.rankings)  # exact is among them: no extra row


def test_every_method_s_user_vector_is_returned_once_with_the_rankings(embedder):
    scenario = load_preset("sign-trap")
    recommender = Recommender(scenario, embedder)
    profile = dict(scenario.user("user-a").profile)
    result = recommender.rank(profile, ["naive", "weighted", "qdrant-avg"], k=5)
    assert list(result.user_vectors) == ["naive", "weighted", "qdrant-avg", "exact"]
    for method, vector in result.user_vectors.items():
        np.testing.assert_allclose(vector, recommender.user_vector(method, profile), atol=1e-6)
    np.testing.assert_allclose(
        result.rankings["weighted"].scores, recommender.product_vectors("weighted") @ result.user_vectors["weighted"],
        atol=1e-5,
    )  # fmt: skip
    assert result.agreement.methods == ("naive", "weighted", "qdrant-avg", "exact")


@pytest.mark.parametrize("name", ["prefix", "weighted", "whitened", "exact"])
def test_fast_scoring_equals_dense_cosine(embedder, name):
    scenario = load_preset("wine-synonyms")
    recommender = Recommender(scenario, embedder)
    profile = {**scenario.user("granular").profile, "stargazing": 0.4}  # one feature outside the vocabulary
    user = recommender.user_vector(name, profile)
    dense = recommender.product_vectors(name) @ user
    np.testing.assert_allclose(recommender.scores(name, profile), dense, atol=1e-5)


def test_the_hard_no_filter_leaves_removed_products_out_of_every_comparison(embedder):
    scenario = load_preset("peanut-allergy")
    recommender = Recommender(scenario, embedder)
    profile = dict(scenario.user("peanut-allergic").profile)
    result = recommender.rank(profile, ["naive", "exact", "qdrant-sum"], k=5, filter_hard_no=True)
    kept = ~result.removed
    for ranking in result.rankings.values():
        assert np.isinf(ranking.scores[result.removed]).all() and np.isfinite(ranking.scores[kept]).all()
        assert ranking.available == kept.sum()
    assert result.marks.hard_no[result.removed].all()  # the marks still say why they were removed
    assert result.removed.sum() == result.marks.hard_no.sum() == 8
    hard, disliked = result.marks.hard_no, result.marks.disliked
    kept_rankings = {m: Ranking.from_scores(m, r.scores[kept]) for m, r in result.rankings.items()}
    kept_only = measure_agreement(kept_rankings, 5, hard[kept], disliked[kept])
    assert result.agreement.vs("naive")["kendall_tau"] == pytest.approx(kept_only.vs("naive")["kendall_tau"])
    assert result.agreement.vs("naive", "qdrant-sum")["rbo"] == pytest.approx(
        kept_only.vs("naive", "qdrant-sum")["rbo"]
    )
    with np.errstate(invalid="ignore"):  # with the removed products (all -inf) the taus would differ
        everything = measure_agreement(dict(result.rankings), 5, hard, disliked)
    assert everything.vs("naive")["kendall_tau"] != pytest.approx(kept_only.vs("naive")["kendall_tau"])


def test_an_unknown_store_is_refused(embedder):
    with pytest.raises(InputError, match="choose one of: numpy, qdrant"):
        Recommender(load_preset("sign-trap"), embedder, store="faiss")


def test_the_pool_frees_an_evicted_recommenders_qdrant_collection(embedder):
    from core.retrieval.recommender import RecommenderPool

    pool = RecommenderPool(budget=1)
    first = pool.get(load_preset("sign-trap"), embedder)
    store = first.qdrant("qdrant-best")
    assert store.has("weighted")
    pool.get(load_preset("wine-synonyms"), embedder)  # over the budget: sign-trap's recommender goes
    assert not store.has("weighted")


def test_many_sessions_with_many_whitening_settings_never_fail(embedder):
    """Sessions share a recommender whose cache holds two settings; twelve settings in six threads keep evicting
    each other's vectors, and every answer is still the one a lone session gets."""
    import threading

    scenario = load_preset("wine-synonyms")
    shared, alone = Recommender(scenario, embedder, max_cached=2), Recommender(scenario, embedder)
    profile = dict(scenario.users[0].profile)
    settings = [MethodParams(whiten_variance=0.6 + 0.03 * i) for i in range(12)]
    expected = {p: alone.scores("whitened", profile, p) for p in settings}
    failures = []

    def session(offset: int) -> None:
        for p in settings[offset:] + settings[:offset]:
            try:
                np.testing.assert_allclose(shared.scores("whitened", profile, p), expected[p], atol=1e-6)
            except Exception as exc:  # collected: a thread's assertion would not fail the test by itself
                failures.append(repr(exc))

    threads = [threading.Thread(target=session, args=(i * 2,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures[:3]


def test_ready_counts_the_qdrant_collection_for_strategies_and_survives_release(embedder):
    scenario = load_preset("sign-trap")
    recommender = Recommender(scenario, embedder)
    recommender.prepare(["weighted"])
    assert recommender.ready(["weighted"]) and not recommender.ready(["qdrant-best"])  # vectors, no collection
    recommender.prepare(["qdrant-best"])
    assert recommender.ready(["qdrant-best", "qdrant-sum"])
    profile = dict(scenario.user("user-a").profile)
    before = recommender.scores("qdrant-best", profile)
    recommender.release()  # the pool dropped it; a session that still holds it goes on
    assert not recommender.ready(["qdrant-best"])
    np.testing.assert_allclose(recommender.scores("qdrant-best", profile), before, atol=1e-6)


def test_the_feedback_method_asks_the_engine_and_ranks_as_its_formula(embedder):
    """qdrant-feedback, the relevance feedback query, goes to Qdrant Edge (no mock: the engine itself); its ranking
    is the formula's up to ties, its user vector the one its score is a dot product with, and the hard-no filter
    holds for it as for every method."""
    from core.retrieval.marks import violates
    from core.retrieval.stores import NumpyStore
    from core.vectors.examples import feedback_query
    from core.vectors.methods import feedback_request
    from tests.samples import same_top

    scenario = load_preset("peanut-allergy")
    recommender = Recommender(scenario, embedder)
    methods = ["weighted", "qdrant-best", "qdrant-feedback", "exact"]
    assert recommender.qdrant("qdrant-feedback").kind == "edge"
    items = NumpyStore(recommender.carriers)
    items.add("w", recommender.product_vectors("weighted"))
    for user in scenario.users:
        profile = dict(user.profile)
        result = recommender.rank(profile, methods, k=5, filter_hard_no=True)
        request = feedback_request(profile, recommender.space)
        formula = items.feedback("w", request, limit=len(scenario.products), exclude=result.hard_no_features)
        assert same_top(result.rankings["qdrant-feedback"].scores, formula.full(len(scenario.products)), 5), user.id
        query = feedback_query(request)
        assert np.allclose(result.user_vectors["qdrant-feedback"], query / np.linalg.norm(query), atol=1e-6)
        for method in methods:
            top = result.rankings[method].top(5)
            assert not any(violates(scenario.products[i].profile, result.hard_no_features) for i in top), method


def test_a_large_scenario_gets_the_engines_top_and_the_rest_by_the_same_formula(embedder):
    """Beyond ENGINE_HEAD products the engine returns its top 100, and the ranking continues with the numpy store's
    scores of the same query: every product in order, without thousands of points out of the engine per move."""
    from core.retrieval.recommender import ENGINE_HEAD
    from core.retrieval.stores import ask
    from core.scenarios.synthetic import generate_scenario
    from core.vectors.methods import get_method

    scenario = generate_scenario(n_products=3 * ENGINE_HEAD, n_features=30, n_users=1, seed=3)
    recommender = Recommender(scenario, embedder)
    profile = dict(scenario.users[0].profile)
    for method in ("qdrant-avg", "qdrant-best", "qdrant-sum", "qdrant-feedback"):
        name = recommender.key(method).name
        request = recommender.request(method, profile)
        got = recommender.scores(method, profile)
        engine, strategy = recommender.qdrant(method), get_method(method).strategy
        head = ask(engine, name, strategy, request, limit=ENGINE_HEAD)
        formula = ask(recommender.memory, name, strategy, request, limit=len(scenario.products)).full(len(got))
        assert np.allclose(got[head.indices], head.scores) and np.allclose(got, formula, atol=1e-5), method
        assert np.isfinite(got).all()
