"""Every method, and the article's claims, on the real bundled model."""

from __future__ import annotations

import numpy as np
import pytest

from core.numeric import tanh_weights
from core.scenarios.presets import SEED_USER_A as USER_A
from core.scenarios.presets import SEED_USER_B as USER_B
from core.vectors.examples import FEEDBACK, feedback_query, feedback_weights
from core.vectors.methods import (
    FEEDBACK_METHOD,
    MAX_FEEDBACK,
    METHOD_NAMES,
    METHODS,
    RECOMMEND_NAMES,
    STRATEGY_NAMES,
    compare_profiles,
    examples,
    feedback_point,
    feedback_request,
    get_method,
    parse_methods,
    strategy_point,
)
from core.vectors.space import FeatureSpace, MethodParams
from core.vectors.texts import split_texts
from tests.samples import RICH


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


def test_unknown_method_lists_the_valid_names():
    with pytest.raises(ValueError) as info:
        get_method("nave")
    assert str(info.value) == (
        "unknown method 'nave'; choose one of: naive, split, prefix, weighted, whitened, exact, "
        "qdrant-avg, qdrant-best, qdrant-sum, qdrant-feedback"
    )


def test_a_profile_as_examples_is_its_liked_and_disliked_features_unweighted(space):
    wanted = examples({"wine": 0.8, "crowds": -0.7, "anxiety": -0.1, "adventure": 0.0, "a novel thing": 0.3}, space)
    features = space.feature_embeddings()
    assert np.allclose(wanted.positive[0], features[space.index["wine"]])
    assert len(wanted.positive) == 2 and len(wanted.negative) == 2  # 0 is left out; -0.1 counts as fully as -0.7
    assert np.allclose(wanted.positive[1], space.novel_embeddings(["a novel thing"])[0])


def test_the_strategy_point_is_average_vectors_query(space):
    point = strategy_point([{"wine": 0.8, "crowds": -0.7}, {"crowds": -1.0}, {}], space=space)
    wine, crowds = (space.feature_embeddings()[space.index[f]] for f in ("wine", "crowds"))
    expected = 2 * wine - crowds
    assert np.allclose(point[0], expected / np.linalg.norm(expected), atol=1e-6)
    assert not point[1].any() and not point[2].any()  # no liked feature: Qdrant refuses average_vector


def test_strategy_methods_are_registered_but_not_vector_methods():
    assert parse_methods("qdrant-best, naive") == ("qdrant-best", "naive")
    for name in ("qdrant-avg", "qdrant-best", "qdrant-sum"):
        assert name not in METHOD_NAMES and get_method(name).item_method == "weighted" and get_method(name).strategy
    assert RECOMMEND_NAMES == ("qdrant-avg", "qdrant-best", "qdrant-sum")


def test_the_feedback_method_is_a_registered_query_method():
    spec = get_method("qdrant-feedback")
    assert FEEDBACK_METHOD == "qdrant-feedback" and spec.strategy == FEEDBACK and spec.item_method == "weighted"
    assert STRATEGY_NAMES == (*RECOMMEND_NAMES, "qdrant-feedback") and "qdrant-feedback" not in METHOD_NAMES
    assert parse_methods("weighted,qdrant-feedback") == ("weighted", "qdrant-feedback")


def test_a_profile_as_feedback_is_its_naive_text_and_each_scored_feature(space):
    """The mapping the page states: the target is the naive text's embedding; every scored feature (a 0 too) is a
    feedback item, its embedding with its score."""
    profile = {"wine": 0.8, "crowds": -0.7, "adventure": 0.0, "a novel thing": 0.3}
    request = feedback_request(profile, space)
    assert np.allclose(request.target, METHODS["naive"].fn([profile], space=space)[0], atol=1e-6)
    assert request.scores.tolist() == pytest.approx([0.8, -0.7, 0.0, 0.3])
    assert np.allclose(request.vectors[0], space.feature_embeddings()[space.index["wine"]])
    assert np.allclose(request.vectors[3], space.novel_embeddings(["a novel thing"])[0])
    point = feedback_point([profile, {}], space=space)
    assert np.allclose(point[0], feedback_query(request) / np.linalg.norm(feedback_query(request)), atol=1e-6)
    assert not point[1].any()  # an empty profile: no target, no feedback, no direction


def test_a_long_profile_keeps_the_scores_farthest_from_its_mean_whatever_the_shift(embedder):
    names = [f"topic {i}" for i in range(MAX_FEEDBACK + 4)]
    space = FeatureSpace(names, embedder)
    profile = {f: round(-0.9 + 1.8 * i / (len(names) - 1), 3) for i, f in enumerate(names)}
    kept = feedback_request(profile, space).scores
    assert len(kept) == MAX_FEEDBACK and -0.9 in kept.round(3) and 0.9 in kept.round(3)
    middle = sorted(profile.values(), key=lambda s: abs(s))[:4]
    assert not set(np.round(middle, 3)) & set(kept.round(3))  # the four nearest the mean are left out
    shifted = feedback_request({f: s - 0.05 for f, s in profile.items()}, space).scores
    assert np.allclose(feedback_weights(shifted), feedback_weights(kept), atol=1e-5)  # the same items, shifted
