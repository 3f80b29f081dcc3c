from __future__ import annotations

import json

import pytest

from core.scenarios.presets import SEED_USER_A, SEED_USER_B, list_presets
from core.vectors.methods import METHODS, compare_profiles


def test_about_names_every_preset_and_charts_the_engine_s_cosines(app, embedder):
    at = app.run()
    at.switch_page("pages/about.py").run()
    assert not at.exception
    assert at.title[0].value == "Signed Affinity Explorer"
    text = " ".join(m.value for m in at.markdown)
    for info in list_presets():
        assert info.id in text
    (chart,) = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    (bars,) = chart["data"]
    expected = {METHODS[m].label: c for m, c in compare_profiles(SEED_USER_A, SEED_USER_B, embedder).items()}
    assert dict(zip(bars["y"], bars["x"], strict=True)) == pytest.approx(expected, abs=1e-4)
    assert bars["text"] == [f"{v:+.2f}" for v in bars["x"]]  # each bar reads its own number
