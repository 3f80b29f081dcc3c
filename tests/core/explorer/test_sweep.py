"""A sweep is what the server would say: at every position, every method's top k and scores equal
Recommender.rank for the same profile (up to ties), for every preset user."""

from __future__ import annotations

import numpy as np
import pytest

from core.explorer.state import ViewState
from core.explorer.sweep import (
    CHUNK,
    DENSE_LIMIT,
    POSITIONS,
    build_sweep,
    complete_sweep,
    evaluate,
    linear_model,
    linear_sweep,
    position_of,
    sweep_key,
    sweep_profiles,
)
from core.maps.store import MapStore
from core.retrieval.recommender import Recommender
from core.scenarios.model import scenario_from_dict
from core.scenarios.presets import load_preset
from core.vectors.methods import ALL_METHOD_NAMES, METHOD_NAMES
from core.vectors.texts import naive_text
from tests.samples import SMALL_SCENARIOS

TOL = 1e-4


def same_top(expected: np.ndarray, got: np.ndarray, k: int, removed: np.ndarray | None = None) -> bool:
    """The same top k up to ties: the k best scores agree, and each side's top k scores the same on the other."""
    a, b = expected.astype(np.float64).copy(), got.astype(np.float64).copy()
    if removed is not None:
        a[removed], b[removed] = -np.inf, -np.inf
    top_a, top_b = np.argsort(-a, kind="stable")[:k], np.argsort(-b, kind="stable")[:k]
    return np.allclose(a[top_a], b[top_b], atol=TOL) and np.allclose(a[top_b], b[top_b], atol=TOL)


def check(recommender: Recommender, view: ViewState, profile: dict, feature: str) -> None:
    sweep = build_sweep(recommender=recommender, view=view, profile=profile, feature=feature)
    assert len(POSITIONS) == 41 and sweep.feature == feature
    for i, moved in enumerate(sweep_profiles(profile, feature)):
        result = recommender.rank(
            moved, list(view.methods), view.params, k=view.k, hard_no=view.threshold,
            filter_hard_no=view.hard_no is not None,
        )  # fmt: skip
        s = POSITIONS[i]
        hard_no = sweep.hard_no_base | (sweep.carries & (s <= view.threshold))
        assert np.array_equal(hard_no, result.marks.hard_no), (feature, s)
        removed = hard_no if view.hard_no is not None else None
        for method, ranking in result.rankings.items():
            if method in sweep.linear:
                got = evaluate(sweep.linear[method], [s])
            else:
                table = sweep.tables[method]
                got = table.scores[table.state[i]]
            kept = ranking.scores > -np.inf
            np.testing.assert_allclose(got[kept], ranking.scores[kept], atol=TOL, err_msg=f"{method} at {s}")
            assert same_top(ranking.scores, got, view.k, removed), (method, s)
        exact = evaluate(sweep.linear["exact"], [s])
        assert np.array_equal(exact < 0, result.marks.disliked) or np.allclose(
            exact[(exact < 0) != result.marks.disliked], 0, atol=TOL
        )  # the disliked mark reads exact's sign (up to a score of 0)


@pytest.fixture(scope="module")
def recommenders(embedder):
    return {p: Recommender(load_preset(p), embedder) for p in ("sign-trap", "peanut-allergy", "wine-synonyms")}


@pytest.mark.parametrize("preset", ["sign-trap", "peanut-allergy", "wine-synonyms"])
def test_every_position_of_every_user_s_strongest_feature_is_what_rank_says(recommenders, preset):
    recommender = recommenders[preset]
    for user in recommender.scenario.users:
        profile = dict(user.profile)
        feature = max(profile, key=lambda f: abs(profile[f]))
        check(recommender, ViewState(methods=METHOD_NAMES), profile, feature)


def test_strategies_the_filter_and_an_added_feature_follow_rank_too(recommenders):
    recommender = recommenders["peanut-allergy"]
    profile = dict(recommender.scenario.user("peanut-allergic").profile)
    view = ViewState(methods=ALL_METHOD_NAMES, hard_no=-0.9, k=3)
    check(recommender, view, profile, "peanuts")  # crosses the threshold: the filter removes more, then less
    added = next(f for f in recommender.scenario.vocabulary if f not in profile)
    check(recommender, ViewState(methods=("naive", "prefix", "exact")), {**profile, added: 0.0}, added)


def test_a_feature_at_a_bucket_edge(recommenders):
    recommender = recommenders["wine-synonyms"]
    profile = {**recommender.scenario.users[0].profile}
    edge = next(iter(profile))
    profile[edge] = 0.2  # exactly a prefix edge: "is neutral about", not "mildly enjoys"
    check(recommender, ViewState(methods=("prefix", "exact")), profile, edge)


@pytest.mark.slow
def test_a_large_catalogue_s_sweep_is_ranked_on_the_server_nearest_positions_first(embedder):
    """Above DENSE_LIMIT, each position's top k and agreement come from rank itself; the linear models still
    score every product; partial answers come nearest the slider's value first."""
    big = load_preset("bench-10k")
    recommender = Recommender(big, embedder)
    assert len(big.products) > DENSE_LIMIT
    profile = dict(big.users[0].profile)  # 200 scores
    feature = max(profile, key=lambda f: abs(profile[f]))
    view = ViewState(methods=("naive", "weighted", "exact"), hard_no=-0.9)
    quick = linear_sweep(recommender=recommender, view=view, profile=profile, feature=feature)
    parts = []
    sweep = complete_sweep(quick, recommender=recommender, view=view, profile=profile, store=None, publish=parts.append)
    start = position_of(profile[feature])
    first = [i for i, top in enumerate(parts[0].tables["naive"].tops) if top is not None]
    assert start in first and max(abs(i - start) for i in first) < CHUNK  # the nearest positions first
    for i in (0, start, 40):
        moved = sweep_profiles(profile, feature)[i]
        result = recommender.rank(moved, view.methods, k=view.k, hard_no=-0.9, filter_hard_no=True)
        top, scores = sweep.tables["naive"].tops[i]
        assert top.tolist() == result.rankings["naive"].top(view.k).tolist()
        np.testing.assert_allclose(sweep.agreement[i].tau, result.agreement.among(view.methods).tau, equal_nan=True)
        weighted = evaluate(sweep.linear["weighted"], [POSITIONS[i]])
        assert same_top(result.rankings["weighted"].scores, weighted, view.k, result.removed)
        assert all(int(p) in sweep.names for p in result.rankings["weighted"].top(view.k))


def test_a_linear_model_of_every_slider_answers_any_combination(recommenders):
    recommender = recommenders["sign-trap"]
    profile = dict(recommender.scenario.user("calm-explorer").profile)
    moving = list(profile)[:4]
    rng = np.random.default_rng(0)
    view = ViewState()
    models = {
        m: linear_model(recommender, m, profile, moving, view) for m in ("prefix", "weighted", "whitened", "exact")
    }
    for _ in range(10):
        scores = [float(x) for x in rng.choice(POSITIONS, len(moving))]
        changed = {**profile, **dict(zip(moving, scores, strict=True))}
        for method, model in models.items():
            np.testing.assert_allclose(evaluate(model, scores), recommender.scores(method, changed), atol=TOL)


def test_positions_are_the_slider_s_steps():
    assert POSITIONS[0] == -1 and POSITIONS[20] == 0 and POSITIONS[-1] == 1
    assert [position_of(s) for s in (-1, 0, 0.35, 1, 0.351, 1.05)] == [0, 20, 27, 40, None, None]


def test_the_maps_place_the_user_at_every_position(recommenders):
    recommender = recommenders["sign-trap"]
    store = MapStore()
    profile = dict(recommender.scenario.user("user-a").profile)
    view = ViewState(methods=("naive", "weighted"))
    sweep = build_sweep(recommender=recommender, view=view, profile=profile, feature="anxiety", store=store)
    for method in view.methods:
        one = recommender.user_vector(method, {**profile, "anxiety": 0.5})
        expected = store.place(recommender, method, view.params, one)[0]
        np.testing.assert_allclose(sweep.points[method][POSITIONS.index(0.5)], expected, atol=1e-3)


def test_sessions_share_one_sweep_and_a_quick_answer_comes_first(recommenders):
    """Two sessions asking for the same slider from the same profile get the same sweep object; with no time to
    wait, the answer is the quick part (linear methods only), then the whole sweep."""
    from core.explorer.sweep import Sweeps

    recommender = recommenders["peanut-allergy"]
    profile = {**recommender.scenario.user("peanut-allergic").profile, "peanuts": -0.35}
    view, shared = ViewState(), Sweeps()
    quick, complete = shared.get(recommender=recommender, view=view, profile=profile, feature="chocolate", wait=0)
    assert set(quick.linear) == {"prefix", "weighted", "whitened", "exact"}
    if not complete:
        assert quick.tables == {}
    whole, done = shared.get(recommender=recommender, view=view, profile=profile, feature="chocolate", wait=None)
    again, _ = shared.get(recommender=recommender, view=view, profile=dict(profile), feature="chocolate", wait=None)
    assert done and again is whole and set(whole.tables) == {"naive", "split"}
    other, _ = shared.get(
        recommender=recommender, view=view, profile={**profile, "peanuts": -0.4}, feature="chocolate", wait=None
    )
    assert other is not whole  # another profile, another sweep


@pytest.mark.parametrize("sample", SMALL_SCENARIOS, ids=lambda s: s["id"])
def test_tiny_and_odd_scenarios_sweep_like_rank_too(embedder, sample):
    """One product, one feature, a whitened space with no dimension: every sweep still says what rank says."""
    scenario = scenario_from_dict(sample, source="sample")
    recommender = Recommender(scenario, embedder)
    profile = dict(scenario.users[0].profile)
    for feature in profile:
        check(recommender, ViewState(methods=METHOD_NAMES, k=3), profile, feature)


def test_the_same_scores_in_another_order_are_another_sweep(recommenders):
    """Naive text is written in the profile's order, so a sweep from one order is never served for another."""
    recommender = recommenders["sign-trap"]
    profile = dict(recommender.scenario.user("user-a").profile)
    reordered = dict(reversed(list(profile.items())))
    view, feature = ViewState(), next(iter(profile))
    assert sweep_key(recommender, view, profile, feature) != sweep_key(recommender, view, reordered, feature)
    assert sweep_key(recommender, view, profile, feature) == sweep_key(recommender, view, dict(profile), feature)
    texts = {naive_text(p) for p in (profile, reordered)}
    assert len(texts) == 2  # the reason: the two orders are two texts
