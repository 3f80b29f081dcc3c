"""Links the Explorer reads as they are: one clear warning where two contradicted each other, a user id in
either Unicode normal form, and nothing silently replaced."""

from __future__ import annotations

import copy
import json

import pytest

from core.scenarios.model import scenario_from_dict
from core.scenarios.presets import load_preset
from tests.app.helpers import plain
from ui import explorer as ex
from ui.session import UPLOADS


@pytest.mark.parametrize("preset", ["wine-synonyms", "peanut-allergy", "focus-music"])
def test_an_upload_only_the_sender_has_falls_back_to_the_link_s_preset_with_one_warning(app, preset):
    app.query_params.update({"upload": "x", "preset": preset})
    at = app.run()
    assert not at.exception, at.exception
    (warning,) = at.warning
    text = plain([warning])
    assert "exists only in the sender's session" in text and f"Showing the '{preset}' preset" in text
    assert "wins" not in text, "no second warning claiming the upload is shown"
    assert at.session_state[ex.K_PRESET] == preset


def test_an_upload_link_with_an_unknown_preset_says_both(app):
    app.query_params.update({"upload": "x", "preset": "no-such-preset"})
    at = app.run()
    text = plain(at.warning)
    assert "Showing the 'sign-trap' preset (its preset 'no-such-preset' is unknown)" in text
    assert at.session_state[ex.K_PRESET] == "sign-trap"


@pytest.mark.parametrize("typed", ["cafe\u0301", "caf\u00e9", " caf\u00e9 "])
def test_a_user_in_a_link_is_found_in_either_normal_form(app, typed):
    data = json.loads(load_preset("sign-trap").to_json())
    users = copy.deepcopy(data["users"])
    users[1]["id"] = "caf\u00e9"
    scenario = scenario_from_dict({**data, "id": "cafe-users", "users": users}, source="test")
    app.session_state[UPLOADS] = {scenario.id: scenario}
    app.query_params.update({"upload": scenario.id, "user": typed})
    at = app.run()
    assert not at.exception, at.exception
    assert at.session_state[ex.K_USER] == "caf\u00e9" and not at.warning
