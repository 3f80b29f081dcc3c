"""The Diagnostics page: every claim measured, any scenario (small ones degrade to sentences), shareable."""

from __future__ import annotations

import json

import pytest

from core.scenarios.link import pack
from core.scenarios.model import scenario_from_dict
from core.scenarios.presets import load_preset
from core.settings import ENV_PAIRS
from tests.app.helpers import plain
from tests.samples import SMALL_SCENARIOS
from ui.session import UPLOADS

TABS = ["Sign", "Shift", "Dislikes", "Magnitude", "Truncation", "Synonyms", "PCA variance", "Raw injection", "Tanh"]
TABS += ["Across models", "Negation"]


def open_diagnostics(app, **query):
    at = app.run()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("pages/diagnostics.py").run()
    assert not at.exception, at.exception
    return at


def test_diagnostics_page_shows_the_numbers_the_engine_measures(app, embedder):
    """Every reading on the page is the engine's own sentence for the same scenario and model (numbers
    included), and the sign chart plots the engine's cos(P, -P) for each method."""
    from core.diagnostics.report import diagnose
    from core.retrieval.recommender import Recommender
    from core.vectors.methods import METHOD_NAMES
    from ui.diagnostics import LABELS

    at = open_diagnostics(app)
    assert [t.label for t in at.tabs] == TABS
    report = diagnose(Recommender(load_preset("sign-trap"), embedder), sweep_user="user-a")  # the page: first user
    shown = plain(at.info)
    expected = report.to_json()["readings"]
    missing = {name: text for name, text in expected.items() if text.replace("\\", "") not in shown}
    assert not missing, missing
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    sign = next(
        c for c in charts if "cos(P, −P) for every user" in json.dumps(c["layout"]["title"], ensure_ascii=False)
    )
    names = {u.name: u.id for u in load_preset("sign-trap").users}
    assert {trace["name"] for trace in sign["data"]} == set(names)
    for trace in sign["data"]:  # one bar per method and user: the engine's cos(P, -P)
        expected = {LABELS[m]: report.sign_flip[m][names[trace["name"]]] for m in METHOD_NAMES}
        assert dict(zip(trace["x"], trace["y"], strict=True)) == pytest.approx(expected, abs=1e-4)


def test_the_shift_tab_lists_every_methods_all_dislikes_top_5(app):
    """Next to sign blindness: one row per method (Qdrant's feedback included), the all-dislikes top 5 for the
    chosen user; average_vector, which has no like to start from, says so instead of listing products."""
    from core.vectors.methods import ALL_METHOD_NAMES
    from ui.diagnostics import LABELS

    at = open_diagnostics(app)
    table = next(d.value for d in at.dataframe if "top 5" in d.value.columns)
    assert table["method"].tolist() == [LABELS[m] for m in ALL_METHOD_NAMES]
    rows = dict(zip(table["method"], table["top 5"], strict=True))
    assert rows[LABELS["qdrant-avg"]].startswith("no answer") and rows[LABELS["qdrant-feedback"]].count("; ") == 4
    at.selectbox(key="d_shift_user").set_value("user-b").run()
    assert not at.exception


def test_diagnostics_on_another_scenario_and_a_novel_feature(app):
    at = open_diagnostics(app)
    at.selectbox(key="d_scenario").set_value("wine-synonyms").run()
    assert not at.exception
    assert "near-synonym group" in plain(at.info)
    assert at.query_params["scenario"] == "wine-synonyms"
    novel = f"d_novel|{load_preset('wine-synonyms').fingerprint}"
    at.text_input(key=novel).set_value("merlot").run()
    assert not at.exception
    assert "'merlot'" in plain(at.info)
    at.text_input(key=novel).set_value("wine").run()  # already in the vocabulary
    assert "in the vocabulary already" in plain(at.warning)


def test_the_tanh_tab_measures_the_chosen_scenario(app):
    at = open_diagnostics(app)
    first = [i for i in plain(at.info).split("Raising")[1:]]
    at.selectbox(key="d_scenario").set_value("wine-synonyms").run()
    second = [i for i in plain(at.info).split("Raising")[1:]]
    assert first and second and first != second


def test_a_link_opens_the_scenario_it_names(app):
    at = open_diagnostics(app, scenario="peanut-allergy")
    assert at.session_state["d_scenario"] == "peanut-allergy"


def test_a_link_with_an_unknown_scenario_warns_and_shows_the_default(app):
    at = open_diagnostics(app, scenario="<script>alert(1)</script>")
    assert at.session_state["d_scenario"] == "sign-trap"
    assert "Unknown scenario '<script>alert(1)</script>' in the link" in plain(at.warning)


@pytest.mark.parametrize("data", SMALL_SCENARIOS, ids=lambda d: d["id"])
def test_small_scenarios_degrade_to_sentences(app, data):
    scenario = scenario_from_dict(data, source=data["id"])
    at = app.run()
    at.session_state[UPLOADS] = {scenario.id: scenario}
    at.session_state["d_scenario"] = f"upload:{scenario.id}"
    at.switch_page("pages/diagnostics.py").run()
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == TABS


def test_a_linked_scenario_opens_in_diagnostics_and_its_link_carries_it(app):
    data = {**SMALL_SCENARIOS[1], "id": "linked-probe", "title": "Linked probe"}
    blob = pack(scenario_from_dict(data, source="probe"))
    at = open_diagnostics(app, data=blob)
    assert at.session_state["d_scenario"] == "upload:linked-probe"
    assert at.session_state[UPLOADS]["linked-probe"].title == "Linked probe"
    assert at.query_params["data"] == blob and "scenario" not in at.query_params


def test_across_models_compares_every_installed_model_when_opened(app):
    from core.embedding.models import installed

    at = open_diagnostics(app)
    assert "The sign is lost" not in plain(at.info), "the tab computes nothing until it is opened"
    at.session_state["tab"] = "Across models"
    at.run()
    assert not at.exception, at.exception
    assert "prefix fix helps most with" in plain(at.info)
    tables = [d.value for d in at.dataframe]
    ab = next(t for t in tables if "split" in t.columns)
    assert list(ab.columns) == ["model", "naive", "split", "prefix", "weighted", "whitened", "exact"]
    assert len(ab) == len(installed()) and ab["naive"].between(-1, 1).all()
    headers = [c for t in tables for c in t.columns]
    assert not [h for h in headers if "_" in h], headers  # words, not snake_case


def test_the_negation_tab_measures_real_sentences(app, monkeypatch, negation_subset):
    monkeypatch.setenv(ENV_PAIRS, negation_subset)
    at = open_diagnostics(app)
    at.session_state["tab"] = "Negation"
    at.run()
    assert not at.exception, at.exception
    assert "hears the negation least" in plain(at.info)
    assert "CANNOT" in " ".join(c.value for c in at.caption)
    table = next(d.value for d in at.dataframe if "rescaled median" in d.value.columns)
    assert not [h for h in table.columns if "_" in h], "plain-words headers, not share_above_0.8"
    assert table["above 0.8"].between(0, 100).all(), "a share, shown as a percentage"


def test_the_model_picker_and_its_link(app):
    at = open_diagnostics(app, model="paraphrase-l3")
    assert at.session_state["d_model"] == "paraphrase-l3"
    assert "paraphrase-MiniLM-L3-v2" in plain(at.caption)


def test_an_unknown_model_in_the_link_warns(app):
    at = open_diagnostics(app, model="bogus")
    assert at.session_state["d_model"] == "minilm" and "Unknown model 'bogus'" in plain(at.warning)


def test_names_from_a_link_never_become_markup_in_a_chart(app):
    data = json.loads(load_preset("sign-trap").to_json())
    evil = "<a href='https://evil.example/x'>click</a>"
    data["users"][0]["name"] = f"<b>{evil}</b>"
    data["users"][0]["profile"][evil] = 0.5
    data["features"].append(evil)
    at = open_diagnostics(app, data=pack(scenario_from_dict(data, source="probe")))
    specs = [chart.proto.spec for chart in at.get("plotly_chart")]
    assert specs and not [s for s in specs if "<a href" in s or "<b>" in s]
    assert any("&lt;a href" in s for s in specs), "the names are shown, escaped"


def test_a_url_in_a_link_value_is_not_turned_into_a_link(app):
    at = open_diagnostics(app, scenario="https://evil.example/phish")
    warning = plain(at.warning)
    assert "evil.example/phish" in warning and "https://evil" not in warning, "a zero-width space breaks the URL"
