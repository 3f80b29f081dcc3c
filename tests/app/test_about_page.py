from __future__ import annotations

from core.scenarios.presets import list_presets


def test_home_renders_the_point_and_every_preset(app):
    at = app.run()
    at.switch_page("pages/about.py").run()
    assert not at.exception
    assert at.title[0].value == "Signed Affinity Explorer"
    text = " ".join(m.value for m in at.markdown)
    for info in list_presets():
        assert info.id in text
    assert len(at.get("plotly_chart")) == 1
