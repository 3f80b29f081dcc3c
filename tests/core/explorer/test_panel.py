"""What the Explorer shows, as typed data: columns from the ranking, memory between moves, maps and the headline."""

from __future__ import annotations

import numpy as np
import pytest

from core.explorer import panel as view
from core.explorer.state import ViewState
from core.maps.store import MapStore
from core.retrieval.marks import DISLIKED_NAME, HARD_NO_NAME
from core.retrieval.ranking import Ranking
from core.retrieval.recommender import Recommender
from core.scenarios.presets import load_preset
from core.wording import counted

METHODS = ("naive", "weighted", "exact")


@pytest.fixture(scope="module")
def trap(embedder):
    scenario = load_preset("sign-trap")
    return scenario, Recommender(scenario, embedder), MapStore()


def build(trap, memory=None, **changes):
    scenario, recommender, store = trap
    profile = {**scenario.user("user-a").profile, **changes}
    state = ViewState(methods=METHODS)
    return view.build_panel(
        recommender=recommender, view=state, user_id="user-a", profile=profile, store=store, memory=memory
    )


def test_columns_follow_the_ranking_with_both_marks(trap):
    scenario, recommender, _ = trap
    panel, _ = build(trap)
    result = recommender.rank(dict(scenario.user("user-a").profile), METHODS, k=5)
    assert [c.method for c in panel.columns] == list(METHODS)
    for column in panel.columns:
        top = result.rankings[column.method].top(5)
        assert [p.index for p in column.top] == top.tolist()
        assert [p.disliked for p in column.top] == [bool(result.reference.scores[i] < 0) for i in top]
        assert [p.hard_no for p in column.top] == [bool(result.marks.hard_no[i]) for i in top]
        assert column.hard_no_in_top_k == sum(p.hard_no for p in column.top)
        assert column.disliked_in_top_k == sum(p.disliked for p in column.top)
        np.testing.assert_allclose([p.score for p in column.top], result.rankings[column.method].scores[top])
    exact = panel.columns[-1]
    assert exact.kendall_tau == 1.0 and exact.overlap_at_k == 1.0


def test_the_heat_maps_are_square_over_the_shown_methods_with_ones_on_the_diagonal(trap):
    panel, _ = build(trap)
    agreement = panel.agreement
    assert agreement.methods == METHODS and agreement.tau.shape == (3, 3)
    assert np.all(np.diag(agreement.tau) == 1) and np.allclose(agreement.tau, agreement.tau.T, equal_nan=True)
    assert panel.versus_exact["naive"]["kendall_tau"] == agreement.tau[0, 2]


def test_shifts_are_measured_from_the_last_change_and_kept_on_a_rerun(trap):
    first, memory = build(trap)
    assert all(p.shift == 0 for c in first.columns for p in c.top)
    moved, memory = build(trap, memory, anxiety=0.9)
    naive = next(c for c in moved.columns if c.method == "naive")
    before = memory.positions["naive"] - memory.shifts["naive"]
    assert [p.shift for p in naive.top] == [
        int(memory.positions["naive"][p.index] - before[p.index]) for p in naive.top
    ]
    assert any(p.shift for c in moved.columns for p in c.top)
    again, same = build(trap, memory, anxiety=0.9)  # nothing changed: the same shifts are shown
    assert [p.shift for p in again.columns[0].top] == [p.shift for p in moved.columns[0].top]
    assert same.profile == memory.profile


def test_the_map_places_the_user_with_the_result_s_own_vector(trap):
    scenario, recommender, store = trap
    panel, memory = build(trap)
    projection = store.get(recommender, "weighted", ViewState().params)
    vector = recommender.user_vector("weighted", scenario.user("user-a").profile)
    user = store.place(recommender, "weighted", ViewState().params, vector)[0]
    weighted = next(p for p in panel.maps.panels if p.method == "weighted")
    np.testing.assert_allclose(weighted.user, user, atol=1e-4)
    top = recommender.rank(dict(scenario.user("user-a").profile), ["weighted"], k=5).rankings["weighted"].top(5)
    np.testing.assert_allclose(weighted.top, projection.coords[top], atol=1e-4)
    assert len(weighted.background) == len(scenario.products) and len(panel.maps.background_labels) == 24
    moved, memory = build(trap, memory, anxiety=0.5)
    assert len(memory.trails["weighted"]) == 2 and len(moved.maps.panels[1].trail) == 2


def test_the_trail_keeps_the_last_positions_and_skips_a_point_that_did_not_move():
    trail: tuple = ()
    for x in range(15):
        trail = view.extended_trail(trail, np.array([x, 0.0]), length=12)
    assert len(trail) == 12 and trail[0][0] == 3
    assert view.extended_trail(trail, np.array([14.0, 0.0]), length=12) == trail


def test_remember_forgets_a_new_context():
    ranking = {"m": Ranking.from_scores("m", np.array([0.9, 0.5, 0.1]))}
    first = view.remember(None, ("a",), {"x": 1.0}, ranking)
    reversed_ = {"m": Ranking.from_scores("m", np.array([0.1, 0.5, 0.9]))}
    moved = view.remember(first, ("a",), {"x": 0.5}, reversed_)
    assert moved.shifts["m"].tolist() == [2, 0, -2]  # positive = further down
    assert view.remember(moved, ("b",), {"x": 0.5}, reversed_).shifts == {}


def test_summary_reads_as_sentences_from_the_counts():
    def counts(hard, disliked):
        return {"hard_no_in_top_k": hard, "disliked_in_top_k": disliked}

    text = view.summary({"naive": counts(2, 1), "prefix": counts(2, 0), "weighted": counts(0, 0)}, 5, 20, True)
    assert text.splitlines() == [
        "Breaks a hard no (top 5): naive text 2, signed prefix 2; none for weighted sum.",
        "Disliked overall (top 5): naive text 1; none for signed prefix and weighted sum.",
    ]
    no_hard = view.summary({"naive": counts(0, 0), "exact": counts(0, 0)}, 5, 20, False, -0.9).splitlines()
    assert no_hard == [  # the first line stays when nothing is a hard no: the headline keeps its place
        "Breaks a hard no: no score is at -0.9 or below.",
        "Disliked overall (top 5): no method.",
    ]
    lines = view.summary({"naive": counts(1, 1)}, 5, 20, True).splitlines()
    assert lines[0].lower().startswith(HARD_NO_NAME) and lines[1].lower().startswith(DISLIKED_NAME)


def test_the_headline_counts_what_the_panel_columns_show(trap):
    panel, _ = build(trap)
    for column in panel.columns:
        label = column.label.lower()
        if column.disliked_in_top_k:
            assert f"{label} {column.disliked_in_top_k}" in panel.summary
    assert panel.user.endswith(f": {counted(2, 'scored feature')}")


def test_map_notes_say_what_was_drawn():
    axis, note = view.map_notes({"pca"}, 12, 5, aligned=True)
    assert axis == "PCA" and "fewer than 15 products" in note and "Procrustes" in note
    axis, note = view.map_notes({"umap"}, 10_000, 5, aligned=False)
    assert axis == "UMAP" and "Showing 1,500 of 10,000" in note
    assert view.background_sample(10_000).tolist() == view.background_sample(10_000).tolist()  # a fixed sample
    assert "(1 product here)" in view.map_notes({"pca"}, 1, 5, aligned=False)[1]


def test_big_profiles_show_the_strongest_sliders_and_every_change():
    original = {f"f{i}": (i - 20) / 20 for i in range(40)}
    shown = view.shown_features(original, {**original, "f20": 0.5, "new": 0.1})
    strongest = sorted(original, key=lambda f: -abs(original[f]))[:12]
    assert shown == [*strongest, "f20", "new"]
