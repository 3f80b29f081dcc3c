"""The whole report: documented keys, finite numbers or null, and the CLI."""

from __future__ import annotations

import json
import math

import pytest

from core.diagnostics.report import diagnose
from core.engine.recommender import Recommender
from core.scenarios.model import scenario_from_dict
from core.scenarios.presets import load_preset
from tests.samples import SMALL_SCENARIOS


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


@pytest.mark.parametrize("data", SMALL_SCENARIOS, ids=lambda d: d["id"])
def test_small_scenarios_degrade_to_sentences(embedder, data):
    scenario = scenario_from_dict(data, source=data["id"])
    report = diagnose(Recommender(scenario, embedder)).to_json()
    json.dumps(report, allow_nan=False)
    assert finite_numbers(report)
    for name, reason in report["skipped"].items():
        assert reason.startswith("Needs at least") and report["readings"][name] == reason


def test_the_peanut_report_counts_both_marks(embedder):
    report = diagnose(Recommender(load_preset("peanut-allergy"), embedder)).to_json()
    totals = report["dislikes_in_top_k"]["totals"]
    assert totals["naive"]["hard_no_in_top_k"] >= 4 and totals["exact"]["hard_no_in_top_k"] == 0
    assert report["readings"]["dislikes"].startswith("Over all users, naive text puts")
