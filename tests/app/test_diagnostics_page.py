from __future__ import annotations

from tests.app.helpers import plain


def test_diagnostics_page_measures_every_claim(app):
    at = app.run()
    at.switch_page("pages/diagnostics.py").run()
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == [
        "Sign",
        "Magnitude",
        "Truncation",
        "Synonyms",
        "PCA variance",
        "Raw injection",
        "Tanh",
    ]
    assert len(at.info) >= 8
    joined = plain(at.info)
    assert "cannot tell a profile from its opposite" in joined
    assert "strongly enjoys X" in joined
    assert len(at.get("plotly_chart")) >= 10


def test_diagnostics_on_another_scenario_and_a_novel_feature(app):
    at = app.run()
    at.switch_page("pages/diagnostics.py").run()
    at.selectbox(key="d_scenario").set_value("wine-synonyms").run()
    assert not at.exception
    assert "near-synonym group" in plain(at.info)
    at.text_input(key="d_novel").set_value("merlot").run()
    assert not at.exception
    assert "'merlot'" in plain(at.info)
    at.text_input(key="d_novel").set_value("wine").run()  # already in the vocabulary
    assert "in the vocabulary already" in plain(at.warning)
