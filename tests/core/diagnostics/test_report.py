"""The whole report: documented keys, finite numbers or null, and the CLI."""

from __future__ import annotations

import json
import math
import re

import pytest

from core.diagnostics.report import diagnose
from core.retrieval.recommender import Recommender
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
    shift = data["shift_blindness"]  # every method, next to sign blindness, with its reading
    assert set(shift["unmoved"]) == set(shift["kendall_tau"]) == set(data["dislikes_in_top_k"]["totals"])
    assert "qdrant-feedback" in shift["unmoved"] and shift["all_dislikes"]["top_k"]["qdrant-avg"]["user-a"] is None
    assert len(shift["all_dislikes"]["top_k"]["qdrant-feedback"]["user-a"]) == 5
    assert data["readings"]["shift"].startswith("Adding -0.5 to every score")


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


ONE_FEATURE = {
    "id": "one",
    "title": "One",
    "description": "",
    "users": [{"id": "u", "name": "U", "profile": {"anxiety": -0.9}}],
    "products": [{"id": "p", "name": "P", "profile": {"anxiety": 1}}, {"id": "q", "name": "Q", "profile": {}}],
}
ALL_ZERO = {
    "id": "zero",
    "title": "Zero",
    "description": "",
    "users": [{"id": "u", "name": "U", "profile": {"wine": 0, "crowds": 0, "jazz": 0}}],
    "products": [{"id": f"p{i}", "name": f"P{i}", "profile": {"wine": 0, "jazz": 0}} for i in range(3)],
}


def test_a_measure_of_something_without_a_vector_is_null_with_a_reason(embedder):
    one = diagnose(Recommender(scenario_from_dict(ONE_FEATURE, source="one"), embedder)).to_json()
    assert one["sign_flip"]["whitened"] is None and one["sign_flip_by_user"]["whitened"] == {"u": None}
    sign = one["readings"]["sign"]
    assert "whitened sum gives no vector" in sign and "partly (0.00, 0" not in sign
    zero = diagnose(Recommender(scenario_from_dict(ALL_ZERO, source="zero"), embedder)).to_json()
    assert [m for m, c in zero["sign_flip"].items() if c is None] == ["split", "weighted", "whitened", "exact"]
    assert zero["raw_injection"]["rank_correlation"] is None and zero["raw_injection"]["top_k_differing"] is None
    assert "cannot be measured" in zero["readings"]["raw_injection"]
    assert zero["tanh"]["degrees_with_tanh"] is None and "not defined" in zero["readings"]["tanh"]
    assert "partly" not in zero["readings"]["sign"]
    for report in (one, zero):
        json.dumps(report, allow_nan=False)
        assert not re.search(r"\bnan\b", json.dumps(report["readings"]))


def test_cli_diagnose_reports_each_stage_on_stderr(capsys):
    from core.cli import main

    assert main(["diagnose", "--preset", "sign-trap", "--json"]) == 0
    captured = capsys.readouterr()
    json.loads(captured.out)
    stages = [line for line in captured.err.splitlines() if line.startswith("... ")]
    assert any("vectors for" in s for s in stages) and "... Measuring sign blindness" in stages, stages
    assert stages[-1] == "... Done"
    assert main(["diagnose", "--preset", "sign-trap", "--json", "--quiet"]) == 0
    assert capsys.readouterr().err == ""
