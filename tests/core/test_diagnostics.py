"""The article's claims, measured on the real model."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from core import diagnostics as dx
from core.engine import Recommender
from core.methods import FeatureSpace, naive_text
from core.presets import load_preset

USER_A = {"anxiety": -0.9, "adventure": 0.8}
USER_B = {"anxiety": 0.9, "adventure": 0.7}


@pytest.fixture(scope="module")
def wine(embedder):
    scenario = load_preset("wine-synonyms")
    return scenario, Recommender(scenario, embedder)


@pytest.fixture(scope="module")
def report(wine):
    scenario, recommender = wine
    return dx.diagnose(scenario, recommender.space, recommender.product_vectors("whitened"))


def test_sign_flip_for_the_seed_pair(embedder):
    space = FeatureSpace(["anxiety", "adventure"], embedder)
    flip = dx.sign_flip(space, {"a": USER_A, "b": USER_B})
    assert min(flip["naive"].values()) > 0.9
    for user in ("a", "b"):
        assert flip["weighted"][user] == pytest.approx(-1.0, abs=1e-5)
        assert flip["exact"][user] == pytest.approx(-1.0, abs=1e-6)


def test_sweep_shapes(wine):
    scenario, recommender = wine
    result = dx.sweep(recommender.space, scenario.user("granular").profile, "wine")
    assert result.distinct["split"] <= 3  # negative, zero (absent from both lists), positive
    assert result.distinct["prefix"] == 5  # five buckets
    assert result.distinct["weighted"] == dx.SWEEP_POINTS
    assert result.to_positive["weighted"][-1] == pytest.approx(1.0, abs=1e-5)
    assert result.travelled["exact"][0] == pytest.approx(0.0, abs=1e-6)


def test_truncation_lists_exactly_the_features_the_model_does_not_read(embedder):
    profile = {f"feature number {i}": round(0.01 * i - 0.6, 2) for i in range(120)}
    found = dx.truncation(embedder, profile)
    assert found.limit == 256 and found.tokens > 256
    cut = embedder.truncated_at(naive_text(profile))
    read = [f for f in profile if f not in found.unseen]
    assert read and found.unseen
    assert read == list(profile)[: len(read)], "the unread features are a suffix of the text"
    assert len(naive_text({f: profile[f] for f in read})) <= cut
    assert len(naive_text({f: profile[f] for f in [*read, found.unseen[0]]})) > cut
    # Flipping the scores of the features after the cut leaves the vector unchanged: the model never
    # saw them. (The first unread feature may straddle the cut, its name read but not all of its score.)
    flipped = {f: (-s if f in found.unseen[1:] else s) for f, s in profile.items()}
    v = embedder.inner.encode([naive_text(profile), naive_text(flipped)])
    assert float(v[0] @ v[1]) == pytest.approx(1.0, abs=1e-5)
    assert dx.truncation(embedder, USER_A).unseen == []


def test_stacking_factor_bounds():
    e = np.array([1.0, 0.0])
    assert dx.stacking_factor(e, e) == pytest.approx(2.0)
    assert dx.stacking_factor(e, np.array([0.0, 1.0])) == pytest.approx(1.0)
    assert dx.stacking_factor(e, -e) == pytest.approx(0.0)
    assert dx.stacking_factor(np.zeros(2), np.zeros(2)) == 1.0


def test_wine_synonyms_are_found_and_stack(report):
    a, b, cosine = report.pair
    assert {a, b} <= {"wine", "red wine", "white wine", "sparkling wine", "rosé"}
    assert cosine > 0.75
    assert any({"wine", "red wine"} <= set(group) for group in report.groups)
    assert report.stacking["weighted"] == pytest.approx(1 + cosine, abs=1e-4)
    assert report.transfer["exact"] == 0.0
    assert report.transfer["weighted"] == pytest.approx(cosine, abs=1e-4)


def test_full_whitening_with_every_component_orthogonalises_synonyms(wine):
    _, recommender = wine
    trade = dx.whitening_trade_off(recommender.space, [("wine", "red wine")], strengths=(0.0, 1.0), variances=(1.0,))
    plain, full = trade.stacking[0]
    assert plain > 1.5, "plain PCA keeps the synonyms stacked"
    assert full < 1.2, "whitening every component makes them nearly orthogonal"
    assert trade.transfer[0, 1] < trade.transfer[0, 0]


def test_variance_curve(report):
    v = report.variance
    assert np.all(np.diff(v.cumulative) >= -1e-9) and v.cumulative[-1] == pytest.approx(1.0)
    assert v.k90 <= v.k95 <= v.rank
    assert v.cumulative[v.n_components - 1] >= 0.95


def test_raw_injection_differs_from_projection(wine):
    scenario, recommender = wine
    profile = {**scenario.user("teetotal").profile, "vegan food": 0.9}
    space = recommender.space
    projected = recommender.user_vector("whitened", profile)
    raw = dx.raw_injection_vector(space, profile)
    assert projected.shape == raw.shape
    assert not np.allclose(projected, raw, atol=1e-3)


def test_tanh_damps_one_extreme_score(embedder):
    effect = dx.tanh_effect(embedder)
    assert 0 < effect.degrees_with_tanh < effect.degrees_linear


def finite_numbers(value) -> bool:
    if isinstance(value, dict):
        return all(finite_numbers(v) for v in value.values())
    if isinstance(value, list):
        return all(finite_numbers(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return True


def test_report_json_has_the_documented_keys_and_only_finite_numbers(report):
    data = report.to_json()
    for key in ("sign_flip", "amplification", "transfer", "n_components", "explained_variance", "truncated"):
        assert key in data
    assert set(data["amplification"]) >= {"weighted", "whitened", "pair"}
    assert finite_numbers(data)
    json.dumps(data, allow_nan=False)
    assert all(isinstance(text, str) and text.endswith(".") for text in data["readings"].values())


def test_cli_diagnose_json(capsys):
    from core.cli import main

    assert main(["diagnose", "--preset", "sign-trap", "--json", "--quiet"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sign_flip"]["naive"] > 0.9 and data["sign_flip"]["weighted"] == pytest.approx(-1.0, abs=1e-5)
    assert data["truncated"] == {u: [] for u in ("user-a", "user-b", "calm-explorer", "horror-couch")}
