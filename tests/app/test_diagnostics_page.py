"""The Diagnostics page: every claim measured, any scenario (small ones degrade to sentences), shareable."""

from __future__ import annotations

import pytest

from core.scenarios.model import scenario_from_dict
from core.scenarios.presets import load_preset
from tests.app.helpers import plain
from tests.samples import SMALL_SCENARIOS
from ui.session import UPLOADS

TABS = ["Sign", "Dislikes", "Magnitude", "Truncation", "Synonyms", "PCA variance", "Raw injection", "Tanh"]


def open_diagnostics(app, **query):
    at = app.run()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("pages/diagnostics.py").run()
    assert not at.exception, at.exception
    return at


def test_diagnostics_page_measures_every_claim(app):
    at = open_diagnostics(app)
    assert [t.label for t in at.tabs] == TABS
    assert len(at.info) >= 9
    joined = plain(at.info)
    assert "cannot tell a profile from its opposite" in joined
    assert "strongly enjoys X" in joined and "products that break a hard no" in joined
    assert len(at.get("plotly_chart")) >= 11


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
