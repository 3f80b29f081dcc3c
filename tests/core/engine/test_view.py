"""What the Explorer shows, as data: the shift sign convention, marks, divergence tables, maps and the summary."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.decomposition import PCA

from core.engine import view
from core.engine.projection import IDENTITY, Projection
from core.engine.ranking import Ranking
from core.engine.recommender import Recommender
from core.scenarios.presets import load_preset


@pytest.fixture(scope="module")
def trap(embedder):
    scenario = load_preset("sign-trap")
    recommender = Recommender(scenario, embedder)
    profile = dict(scenario.user("user-a").profile)
    return scenario, recommender, recommender.rank(profile, ["naive", "weighted", "exact"], k=5)


def test_shifts_use_the_ranking_sign_convention_positive_is_down():
    before = {"m": Ranking.from_scores("m", np.array([0.9, 0.5, 0.1])).positions}
    after = {"m": Ranking.from_scores("m", np.array([0.1, 0.5, 0.9]))}
    assert view.shifts(before, after)["m"].tolist() == [2, 0, -2]


def test_ranking_columns_mark_disliked_products_and_carry_shifts(trap):
    scenario, _, result = trap
    table, agreement = result.divergence()
    shift = {"naive": np.arange(len(scenario.products))}
    columns = view.ranking_columns(scenario.products, result, agreement, shift)
    assert [c["name"] for c in columns] == ["naive", "weighted", "exact"]
    exact_scores = result.exact.scores
    for column, ranking in zip(columns, result.rankings.values(), strict=True):
        top = ranking.top(5)
        assert [item["disliked"] for item in column["top"]] == [bool(exact_scores[i] < 0) for i in top]
    assert [item["shift"] for item in columns[0]["top"]] == result.rankings["naive"].top(5).tolist()
    assert all(item["shift"] == 0 for item in columns[1]["top"])
    json.dumps(columns, allow_nan=False)


def test_divergence_tables_are_square_with_ones_on_the_diagonal(trap):
    _, _, result = trap
    table, agreement = result.divergence()
    heat, bars = view.divergence(list(result.rankings), table, agreement)
    assert [row[i] for i, row in enumerate(heat["tau"])] == [1.0, 1.0, 1.0]
    assert [b["method"] for b in bars] == ["naive", "weighted", "exact"] and bars[-1]["overlap"] == 1.0


def test_summary_reads_as_sentences_from_the_counts():
    def counts(hard, disliked):
        return {"hard_no_in_top_k": hard, "disliked_in_top_k": disliked}

    text = view.summary({"naive": counts(2, 1), "prefix": counts(2, 0), "weighted": counts(0, 0)}, 5, 20, True)
    assert text.splitlines() == [
        "Breaks a hard no (top 5): naive text 2, signed prefix 2; none for weighted sum.",
        "Disliked overall (top 5): naive text 1; none for signed prefix and weighted sum.",
    ]
    no_hard = view.summary({"naive": counts(0, 0), "exact": counts(0, 0)}, 5, 20, False)
    assert no_hard == "Disliked overall (top 5): no method."


def test_summary_with_fewer_products_than_k_blames_no_method():
    """With 3 products and top 5 every list holds every product: no count can single out a method."""
    text = view.summary({"naive": {"hard_no_in_top_k": 1, "disliked_in_top_k": 1}}, 5, 3, True)
    assert text == "With 3 products and top 5, every method shows every product: only the order can differ."


def test_map_panels_place_the_top_k_and_the_user(trap):
    scenario, recommender, result = trap
    vectors = recommender.product_vectors("weighted")
    model = PCA(n_components=2).fit(vectors)
    projection = Projection("pca", model.transform(vectors).astype(np.float32), model)
    user = projection.place(recommender.user_vector("weighted", scenario.user("user-a").profile))[0]
    inputs = view.MapInput(projection, IDENTITY, user, np.array([user]))
    background = view.background_sample(len(scenario.products))
    panel = view.map_panel("weighted", scenario.products, result, inputs, background)
    top = result.rankings["weighted"].top(5)
    np.testing.assert_allclose(panel["top"], projection.coords[top], atol=1e-3)
    assert len(panel["bg"]) == len(scenario.products) and panel["user"] == pytest.approx(user.tolist(), abs=1e-3)
    assert "bg" not in view.map_panel("weighted", scenario.products, result, inputs, None)


def test_map_notes_say_what_was_drawn():
    axis, note = view.map_notes({"pca"}, 12, 5, aligned=True)
    assert axis == "PCA" and "fewer than 15 products" in note and "Procrustes" in note
    axis, note = view.map_notes({"umap"}, 10_000, 5, aligned=False)
    assert axis == "UMAP" and "Showing 1,500 of 10,000" in note
    assert view.background_sample(10_000).tolist() == view.background_sample(10_000).tolist()  # a fixed sample


def test_counts_read_in_the_singular_for_one():
    assert [view.counted(n, "product") for n in (0, 1, 2, 1500)] == [
        "0 products",
        "1 product",
        "2 products",
        "1,500 products",
    ]
    assert (
        view.counted(1, "scored feature") == "1 scored feature" and view.counted(3, "query", "queries") == "3 queries"
    )
    one = view.summary({"naive": {"hard_no_in_top_k": 0, "disliked_in_top_k": 0}}, 5, 1, False)
    assert one == "With 1 product and top 5, every method shows it: nothing can differ."
    assert "(1 product here)" in view.map_notes({"pca"}, 1, 5, aligned=False)[1]


def test_column_stats_are_separate_items(trap):
    """τ and overlap travel as two strings: the panel lays them out apart, never glued to the counts."""
    scenario, _, result = trap
    _, agreement = result.divergence()
    columns = view.ranking_columns(scenario.products, result, agreement, {})
    for column in columns:
        tau, overlap = column["stats"]
        assert tau.startswith("τ ") and overlap.startswith("overlap ") and overlap.endswith("%")


def test_the_headline_uses_the_marks_single_wording():
    from core.engine.marks import DISLIKED_NAME, HARD_NO_NAME

    counts = {"naive": {"hard_no_in_top_k": 1, "disliked_in_top_k": 1}}
    lines = view.summary(counts, 5, 20, True).splitlines()
    assert lines[0].lower().startswith(HARD_NO_NAME) and lines[1].lower().startswith(DISLIKED_NAME)
