"""The scenario editor: load, upload, validate, apply, and nothing half-applied."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from core.scenarios.presets import load_preset
from core.scenarios.wide_csv import to_csv
from tests.app.helpers import explorer_panel, plain
from tests.conftest import ROOT
from ui.session import UPLOADS


def col(feature: str, scenario: str = "sign-trap") -> str:
    """The editor's column key of a feature (feature columns are keyed by position, never by name)."""
    from ui.editor import _column_key

    return _column_key(list(load_preset(scenario).vocabulary).index(feature))


def button(at, label: str):
    return next(b for b in at.button if b.label.startswith(label))


def open_editor(app):
    at = app.run()
    at.switch_page("pages/scenarios.py").run()
    assert not at.exception, at.exception
    return at


def test_apply_a_preset_and_open_it_in_the_explorer(app):
    at = open_editor(app)
    at.selectbox(key="e_choice").set_value("preset:peanut-allergy")
    button(at, "Load").click().run()
    assert not at.exception
    assert "Loaded preset peanut-allergy" in plain(at.success)
    button(at, "Apply").click().run()
    assert not at.exception
    assert "peanut-allergy" in at.session_state[UPLOADS]
    assert "is valid" in plain(at.success)
    link = at.get("page_link")[0]
    assert link.proto.page_script_hash == calc_hash("explorer"), link.proto  # st.Page hashes its url_path
    # It fits in a link, so the link carries it (a link to this session's upload would fail in another browser).
    assert link.proto.query_string.startswith("data=1."), link.proto
    assert at.selectbox(key="e_choice").value == "upload:peanut-allergy", "the Load picker says what is edited"


def test_upload_csv_then_open_in_explorer(app):
    at = open_editor(app)
    data = to_csv(load_preset("focus-music")).encode()
    at.get("file_uploader")[0].set_value(("music.csv", data, "text/csv")).run()
    assert not at.exception
    assert "Loaded upload music.csv" in plain(at.success)
    button(at, "Apply").click().run()
    assert "focus-music" in at.session_state[UPLOADS]
    at.switch_page("pages/explorer.py")
    at.query_params["upload"] = "focus-music"
    at.run()
    assert not at.exception
    assert at.session_state["x_preset"] == "upload:focus-music"


def test_a_bad_upload_lists_problems_and_applies_nothing(app):
    at = open_editor(app)
    bad = json.loads(load_preset("sign-trap").to_json())
    bad["products"][3]["profile"]["anxiety"] = 7
    bad["users"][1]["id"] = bad["users"][0]["id"]
    at.get("file_uploader")[0].set_value(("broken.json", json.dumps(bad).encode(), "application/json")).run()
    assert not at.exception
    error = plain(at.error)
    assert "products[3].profile.anxiety" in error
    assert "duplicate id" in error and "nothing was applied" in error
    assert at.session_state.get(UPLOADS, {}) == {}
    assert at.session_state["e_label"] == "preset sign-trap"


def test_invalid_edits_are_listed_by_row_and_column_and_not_applied(app):
    at = open_editor(app)
    version = at.session_state["e_version"]
    at.session_state[f"e_products_{version}"] = {
        "edited_rows": {2: {col("anxiety"): 4.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    button(at, "Apply").click().run()
    assert not at.exception
    error = plain(at.error)
    assert "products row 3, column 'anxiety'" in error
    assert at.session_state.get(UPLOADS, {}) == {}
    # The bad cell is shown again, highlighted, in its row as the grid numbers it.
    assert "Cells to fix in the products table" in " ".join(m.value for m in at.markdown)
    shown = at.dataframe[-1].value
    assert list(shown.index) == ["row 3"] and shown.loc["row 3", "anxiety"] == "4.0"


def test_unsaved_edits_warn_before_switching(app):
    at = open_editor(app)
    version = at.session_state["e_version"]
    at.text_input(key=f"e_title_{version}").set_value("My edited title").run()
    at.selectbox(key="e_choice").set_value("preset:quiet-travel")
    button(at, "Load").click().run()
    assert "not applied" in plain(at.warning)
    assert at.session_state["e_label"] == "preset sign-trap"  # nothing switched yet
    button(at, "Discard").click().run()
    assert at.session_state["e_label"] == "preset quiet-travel"


def upload(at, name: str, data: bytes):
    at.get("file_uploader")[0].set_value((name, data, "application/json")).run()
    assert not at.exception, at.exception


def still_usable(at) -> None:
    """The editor survived: its tables, Apply and both downloads are on the page, and a rerun is clean."""
    assert button(at, "Apply") is not None
    assert {b.label for b in at.get("download_button")} == {"Download JSON", "Download CSV"}
    at.run()
    assert not at.exception


def test_an_added_row_without_an_id_is_named_and_never_dropped(app):
    at = open_editor(app)
    version = at.session_state["e_version"]
    at.session_state[f"e_products_{version}"] = {
        "edited_rows": {},
        "added_rows": [{" name": "Mystery box", col("anxiety"): 0.5}, {" id": "no-name"}],
        "deleted_rows": [],
    }
    at.run()
    button(at, "Apply").click().run()
    assert not at.exception
    error = plain(at.error)
    rows = len(load_preset("sign-trap").products)
    assert f"products row {rows + 1}, column 'id'" in error and f"products row {rows + 2}, column 'name'" in error
    assert "is empty" in error and at.session_state.get(UPLOADS, {}) == {}


def test_every_upload_is_loaded_not_only_every_other_one(app):
    at = open_editor(app)
    for preset in ("focus-music", "quiet-travel", "wine-synonyms"):
        upload(at, f"{preset}.json", load_preset(preset).to_json().encode())
        assert f"Loaded upload {preset}.json into the editor" in plain(at.success)
        assert "not applied yet" in plain(at.success)
        assert at.session_state["e_label"] == f"upload {preset}.json"


def test_features_named_like_the_fixed_columns_load_edit_and_apply(app):
    at = open_editor(app)
    data = json.loads(load_preset("sign-trap").to_json())
    data["features"] += ["name", "kind", "id", "description"]
    for feature in ("name", "kind", "id", "description"):
        data["products"][0]["profile"][feature] = 0.5
    upload(at, "clash.json", json.dumps(data).encode())
    button(at, "Apply").click().run()
    assert not at.exception
    applied = at.session_state[UPLOADS]["sign-trap-edited"]  # an edited preset gets names of its own
    assert set(applied.vocabulary) >= {"name", "kind", "id", "description"}
    assert applied.title == "The sign trap (edited)" and "sign-trap" not in at.session_state[UPLOADS]
    assert at.selectbox(key="e_choice").value == "upload:sign-trap-edited", "the Load picker says what is edited"
    still_usable(at)


HOSTILE_UPLOADS = {
    "duplicate-keys": ('"anxiety": -0.9, "anxiety": 5', "duplicate key 'anxiety'"),
    "400-digits": ('"anxiety": 1' + "0" * 400, "a 401-digit number"),
    "5000-digits": ('"anxiety": 1' + "0" * 5000, "a 5,001-digit number"),
    "1e400": ('"anxiety": 1e400', "score must be finite"),
}


@pytest.mark.parametrize("case", HOSTILE_UPLOADS)
def test_hostile_numbers_and_keys_get_one_message_and_the_editor_stays(app, case):
    replacement, message = HOSTILE_UPLOADS[case]
    at = open_editor(app)
    upload(at, "hostile.json", load_preset("sign-trap").to_json().replace('"anxiety": -0.9', replacement, 1).encode())
    assert message in plain(at.error)
    assert at.session_state.get(UPLOADS, {}) == {} and at.session_state["e_label"] == "preset sign-trap"
    still_usable(at)


def test_an_untouched_editor_has_no_unapplied_edits_and_an_edit_is_noticed(app):
    at = open_editor(app)
    assert not any("edits that are not applied" in c.value for c in at.caption)
    version = at.session_state["e_version"]
    at.session_state[f"e_users_{version}"] = {
        "edited_rows": {0: {col("nature"): "0.5"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert any("edits that are not applied" in c.value for c in at.caption)


def test_an_edited_scenario_travels_in_the_link_to_a_fresh_session(app):
    """Edit, apply, open in the Explorer, copy the link, open it in a new session: the same scenario and rankings."""
    at = open_editor(app)
    version = at.session_state["e_version"]
    at.session_state[f"e_products_{version}"] = {
        "edited_rows": {0: {col("anxiety"): "-1"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.text_input(key=f"e_title_{version}").set_value("Our class example").run()
    button(at, "Apply").click().run()
    assert not at.exception
    at.switch_page("pages/explorer.py")
    at.query_params["upload"] = "sign-trap-edited"
    at.run()
    assert not at.exception
    link = {key: at.query_params[key] for key in at.query_params}
    assert "data" in link and "upload" not in link
    before = [[item["name"] for item in m["top"]] for m in explorer_panel(at)["methods"]]

    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for key, value in link.items():
        fresh.query_params[key] = value
    fresh.run()
    assert not fresh.exception and not fresh.warning
    assert fresh.session_state["x_preset"] == "upload:sign-trap-edited"
    assert fresh.session_state[UPLOADS]["sign-trap-edited"].title == "Our class example"
    assert [[item["name"] for item in m["top"]] for m in explorer_panel(fresh)["methods"]] == before


def test_a_broken_scenario_in_a_link_warns_and_shows_the_default(app):
    app.query_params["data"] = "1.bm90IGEgc2NlbmFyaW8"
    at = app.run()
    assert not at.exception
    assert "Ignored the scenario in the link" in plain(at.warning)
    assert at.session_state["x_preset"] == "sign-trap"


def test_a_feature_named_like_a_streamlit_internal_loads_edits_and_applies(app):
    at = open_editor(app)
    data = json.loads(load_preset("sign-trap").to_json())
    data["features"].append("_index")
    data["products"][0]["profile"]["_index"] = 0.5
    upload(at, "reserved.json", json.dumps(data).encode())
    button(at, "Apply").click().run()
    assert not at.exception, at.exception
    assert "_index" in at.session_state[UPLOADS]["sign-trap-edited"].vocabulary
    still_usable(at)


@pytest.mark.parametrize("typed", ["nan", " -NaN ", "NAN"])
def test_typing_nan_in_a_score_cell_is_refused_not_taken_as_empty(app, typed):
    at = open_editor(app)
    version = at.session_state["e_version"]
    at.session_state[f"e_users_{version}"] = {
        "edited_rows": {0: {col("anxiety"): typed}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    button(at, "Apply").click().run()
    assert "users row 1, column 'anxiety': score must be a number in [-1, 1]" in plain(at.error)
    assert at.session_state.get(UPLOADS, {}) == {}


def test_a_link_never_replaces_or_pushes_out_the_sessions_own_work(app):
    from core.scenarios.link import pack
    from core.scenarios.model import scenario_from_dict
    from ui.session import MAX_SESSION_SCENARIOS

    at = open_editor(app)
    button(at, "Apply").click().run()  # the session's own work: sign-trap, applied
    mine = at.session_state[UPLOADS]["sign-trap"]
    theirs = {**json.loads(load_preset("wine-synonyms").to_json()), "id": "sign-trap", "title": "Their version"}
    at.query_params["data"] = pack(scenario_from_dict(theirs, source="link"))
    at.switch_page("pages/explorer.py").run()
    kept = at.session_state[UPLOADS]
    assert kept["sign-trap"] == mine and kept["sign-trap (link)"].title == "Their version"
    for i in range(MAX_SESSION_SCENARIOS + 2):
        other = {**theirs, "id": f"link-{i}", "title": f"Link {i}"}
        at.query_params["data"] = pack(scenario_from_dict(other, source="link"))
        at.run()
    kept = at.session_state[UPLOADS]
    assert kept["sign-trap"] == mine and len(kept) == MAX_SESSION_SCENARIOS
    assert "let go of" in " ".join(w.value for w in at.warning)


def test_every_column_label_of_the_editor_is_unique(app):
    at = open_editor(app)
    data = json.loads(load_preset("sign-trap").to_json())
    data["features"] += ["id", "id (feature)", "Name"]
    for feature in ("id", "id (feature)", "Name"):
        data["products"][0]["profile"][feature] = 0.5
    upload(at, "clash.json", json.dumps(data).encode())
    assert not at.exception, at.exception
    for table in at.dataframe:
        labels = [column["label"] for column in json.loads(table.proto.columns).values() if "label" in column]
        assert len(labels) == len({label.casefold() for label in labels}), labels
        assert {"id (feature 2)", "id (feature)", "Name (feature)"} <= set(labels), labels
