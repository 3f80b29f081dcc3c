"""Shared by the diagnostics tests: the wine-synonyms preset and its report, built once."""

from __future__ import annotations

import pytest

from core.diagnostics.report import diagnose
from core.retrieval.recommender import Recommender
from core.scenarios.presets import load_preset


@pytest.fixture(scope="module")
def wine(embedder):
    scenario = load_preset("wine-synonyms")
    return scenario, Recommender(scenario, embedder)


@pytest.fixture(scope="module")
def report(wine):
    scenario, recommender = wine
    return diagnose(recommender)
