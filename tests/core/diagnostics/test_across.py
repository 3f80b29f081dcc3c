"""Across models: the article's claims per model, and the sentence read from them."""

from __future__ import annotations

import numpy as np
import pytest

from core.diagnostics.across import FLOOR_TEXTS, floor, measure, measure_all, reading
from core.scenarios.presets import load_preset
from core.vectors.methods import METHOD_NAMES


@pytest.fixture(scope="module")
def measured(embedder):
    return measure(embedder, load_preset("sign-trap"), load_preset("wine-synonyms"))


def test_one_model_measured(measured):
    assert set(measured["ab_cosine"]) == set(METHOD_NAMES) == set(measured["sign_flip"])
    assert measured["ab_cosine"]["naive"] > 0.8 > measured["ab_cosine"]["weighted"], "MiniLM loses the sign"
    assert measured["sign_flip"]["exact"] == pytest.approx(-1.0)
    assert -1 < measured["floor"] < 0.5 and 0 <= measured["prefix_polarity"] <= 1
    assert 0 <= measured["stacking"]["weighted"] <= 2 and len(measured["stacking"]["pair"]) == 2


def test_the_floor_is_the_median_of_the_unrelated_pairs_only(embedder):
    """The median over the pairs of different sentences (the diagonal's 1.0s and each pair's twin left out),
    computed here the slow way: one cosine per pair."""
    vectors = embedder.encode(list(FLOOR_TEXTS))
    n = len(FLOOR_TEXTS)
    pairs = [float(vectors[i] @ vectors[j]) for i in range(n) for j in range(i + 1, n)]
    assert len(pairs) == n * (n - 1) // 2
    assert floor(embedder) == pytest.approx(float(np.median(pairs)), abs=1e-6)
    with_diagonal = float(np.median((vectors @ vectors.T).ravel()))
    assert floor(embedder) != pytest.approx(with_diagonal, abs=1e-3)  # a median over every entry would differ


def test_measure_all_reports_progress_per_model(embedder):
    stages = []
    out = measure_all(
        {"one": lambda: embedder}, load_preset("sign-trap"), load_preset("wine-synonyms"), lambda s, f: stages.append(s)
    )
    assert list(out) == ["one"] and stages == ["Measuring one (1 of 1)"]


def row(naive: float, prefix: float, weighted: float) -> dict:
    return {"ab_cosine": {"naive": naive, "prefix": prefix, "weighted": weighted}}


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ({"a": row(0.97, 0.88, -0.04), "b": row(0.95, 0.70, -0.05)}, "lost by every model tested"),
        ({"a": row(0.97, 0.88, -0.04), "b": row(0.5, 0.4, 0.6)}, "lost by 1 of 2 models (a)"),
        ({"a": row(0.5, 0.2, 0.1)}, "No model tested loses the sign outright"),
    ],
)
def test_the_reading_follows_the_numbers(results, expected):
    text = reading(results)
    assert expected in text and "prefix fix helps most with" in text
    assert reading({}) == "No model is installed."
