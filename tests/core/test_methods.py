"""Every method, and the article's claims, on the real bundled model."""

from __future__ import annotations

import numpy as np
import pytest

from core.engine import Recommender
from core.methods import (
    METHOD_NAMES,
    METHODS,
    PREFIX_PHRASES,
    FeatureSpace,
    MethodParams,
    bucket_index,
    compare_profiles,
    get_method,
    naive_text,
    prefix_phrase,
    split_texts,
    tanh_weights,
)
from core.presets import load_preset

USER_A = {"anxiety": -0.9, "adventure": 0.8}
USER_B = {"anxiety": 0.9, "adventure": 0.7}
RICH = {"wine": 0.8, "live music": 0.6, "crowds": -0.7, "anxiety": -0.9, "adventure": 0.5, "calm spaces": 0.7}


class CountingEmbedder:
    """Passes through to the real embedder and counts encode calls."""

    def __init__(self, inner):
        self.inner, self.calls = inner, 0

    name = property(lambda self: self.inner.name)
    dim = property(lambda self: self.inner.dim)
    max_seq_length = property(lambda self: self.inner.max_seq_length)

    def encode(self, texts, *, progress=None):
        self.calls += 1
        return self.inner.encode(texts, progress=progress)

    def truncated_at(self, text):
        return self.inner.truncated_at(text)


@pytest.fixture(scope="module")
def space(embedder):
    vocabulary = list(dict.fromkeys([*RICH, *USER_A, "white wine", "red wine", "beer"]))
    return FeatureSpace(vocabulary, embedder)


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_every_method_returns_unit_float32_rows(space, name):
    vectors = METHODS[name].fn([USER_A, USER_B, RICH], space=space)
    assert vectors.dtype == np.float32 and vectors.ndim == 2 and vectors.shape[0] == 3
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_an_empty_profile_is_a_zero_vector(space, name):
    vectors = METHODS[name].fn([{}], space=space)
    assert not vectors.any()


@pytest.mark.parametrize("name", ["weighted", "whitened", "exact"])
def test_an_all_zero_profile_scores_zero(space, name):
    vectors = METHODS[name].fn([{"wine": 0.0, "crowds": 0.0}, RICH], space=space)
    assert not vectors[0].any()
    assert float(vectors[0] @ vectors[1]) == 0.0


def test_dimensions(space, embedder):
    d = embedder.dim
    assert d == 384
    assert METHODS["split"].fn([RICH], space=space).shape == (1, 2 * d)
    assert METHODS["exact"].fn([RICH], space=space).shape == (1, len(space.vocabulary))


# -- the article's claims ---------------------------------------------------


def test_naive_cannot_tell_user_a_from_user_b(embedder):
    cosine = compare_profiles(USER_A, USER_B, embedder)
    assert cosine["naive"] > 0.9
    assert cosine["weighted"] < 0.3


@pytest.mark.parametrize("profile", [USER_A, RICH])
def test_weighted_sign_flip_is_minus_one(space, profile):
    flipped = {f: -s for f, s in profile.items()}
    vectors = METHODS["weighted"].fn([profile, flipped], space=space)
    assert float(vectors[0] @ vectors[1]) == pytest.approx(-1.0, abs=1e-5)


def test_exact_sign_flip_is_minus_one(space):
    flipped = {f: -s for f, s in RICH.items()}
    vectors = METHODS["exact"].fn([RICH, flipped], space=space)
    assert float(vectors[0] @ vectors[1]) == pytest.approx(-1.0, abs=1e-6)


@pytest.mark.parametrize(
    ("score", "phrase"),
    [
        (1.0, "strongly enjoys"),
        (0.71, "strongly enjoys"),
        (0.7, "mildly enjoys"),
        (0.7000000000000001, "mildly enjoys"),  # float noise from a slider is not a bucket change
        (0.21, "mildly enjoys"),
        (0.2, "is neutral about"),
        (0.0, "is neutral about"),
        (-0.19, "is neutral about"),
        (-0.2, "mildly dislikes"),
        (-0.69, "mildly dislikes"),
        (-0.7, "strongly dislikes"),
        (-1.0, "strongly dislikes"),
    ],
)
def test_prefix_bucket_boundaries(score, phrase):
    assert prefix_phrase(score) == phrase
    assert PREFIX_PHRASES[int(bucket_index(score))] == phrase


def test_prefix_sentence_table_matches_direct_embedding(space, embedder):
    table = space.prefix_embeddings()
    assert table.shape == (5, len(space.vocabulary), embedder.dim)
    direct = embedder.encode(["strongly dislikes anxiety"])[0]
    np.testing.assert_allclose(table[0, space.index["anxiety"]], direct, atol=1e-6)


def test_prefix_vector_is_the_normalised_mean_of_its_sentences(space, embedder):
    sentences = ["strongly dislikes anxiety", "strongly enjoys adventure"]
    expected = embedder.encode(sentences).mean(axis=0)
    expected /= np.linalg.norm(expected)
    np.testing.assert_allclose(METHODS["prefix"].fn([USER_A], space=space)[0], expected, atol=1e-5)


def test_weighted_is_the_tanh_weighted_sum(space, embedder):
    features = embedder.encode(list(RICH))
    expected = (tanh_weights(np.array(list(RICH.values()))) @ features).astype(np.float32)
    expected /= np.linalg.norm(expected)
    np.testing.assert_allclose(METHODS["weighted"].fn([RICH], space=space)[0], expected, atol=1e-5)


def test_novel_feature_goes_through_the_fitted_transform(space, embedder):
    params = MethodParams(whiten_variance=0.95, whiten_strength=1.0)
    whitener, white_features = space.whitened(params)
    profile = {"wine": 0.8, "stargazing": -0.6}  # "stargazing" is outside the vocabulary
    assert "stargazing" not in space.index
    novel = whitener.transform(embedder.encode(["stargazing"]))[0]
    expected = tanh_weights(0.8) * white_features[space.index["wine"]] + tanh_weights(-0.6) * novel
    expected /= np.linalg.norm(expected)
    got = METHODS["whitened"].fn([profile], space=space, params=params)[0]
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_exact_counts_out_of_vocabulary_scores_in_the_length(space):
    vectors = METHODS["exact"].fn([{"wine": 0.6, "stargazing": 0.8}], space=space)
    assert float(vectors[0, space.index["wine"]]) == pytest.approx(0.6)


def test_split_keeps_an_empty_side_at_zero(space, embedder):
    assert split_texts({"wine": 0.5, "crowds": -0.3, "beer": 0.0}) == ("wine", "crowds")
    vector = METHODS["split"].fn([{"wine": 0.5, "beer": 0.2}], space=space)[0]
    d = embedder.dim
    assert not vector[d:].any() and vector[:d].any()


def test_naive_text_format():
    assert naive_text({"wine": 0.8, "crowds": -0.7, "jazz": 1.0, "tea": 0.0}) == "wine: 0.8 crowds: -0.7 jazz: 1 tea: 0"


def test_unknown_method_lists_the_valid_names():
    with pytest.raises(ValueError) as info:
        get_method("nave")
    assert str(info.value) == ("unknown method 'nave'; choose one of: naive, split, prefix, weighted, whitened, exact")


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="whiten_strength must be in"):
        MethodParams(whiten_strength=1.5)
    with pytest.raises(ValueError, match="whiten_variance must be in"):
        MethodParams(whiten_variance=0.1)


# -- caching: a slider move costs no encoder call ---------------------------


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
    agreement = result.agreement()
    assert agreement["naive"]["disliked_in_top_k"] >= 1
    assert agreement["weighted"]["disliked_in_top_k"] == 0
    assert agreement["exact"]["disliked_in_top_k"] == 0
    assert agreement["weighted"]["kendall_tau"] > agreement["naive"]["kendall_tau"]
    # The page's one-pass divergence gives the same agreement, and a symmetric table with 1 on the diagonal.
    table, same = result.divergence()
    assert same.keys() == agreement.keys()
    assert all(same[m] == pytest.approx(agreement[m]) for m in agreement)
    assert table["naive"]["weighted"] == table["weighted"]["naive"]
    assert table["split"]["split"]["kendall_tau"] == 1.0


@pytest.mark.parametrize("name", ["prefix", "weighted", "whitened", "exact"])
def test_fast_scoring_equals_dense_cosine(embedder, name):
    scenario = load_preset("wine-synonyms")
    recommender = Recommender(scenario, embedder)
    profile = {**scenario.user("granular").profile, "stargazing": 0.4}  # one feature outside the vocabulary
    user = recommender.user_vector(name, profile)
    dense = recommender.product_vectors(name) @ user
    np.testing.assert_allclose(recommender.scores(name, profile), dense, atol=1e-5)
