"""The Explorer through AppTest: presets, a live slider, and hostile links.

The live area is one custom element (``ui/live``). AppTest cannot run its JavaScript,
so these tests read the JSON payload Python sends to it, and move sliders the way the
browser does: by writing the element's state, ``{"scores": [[feature, value], ...]}`` (pairs: a feature may be
called ``__proto__``).
The buttons drawn in JavaScript (flip, reset) are tested in the browser, in tests/e2e.
"""

from __future__ import annotations

import json
import re
import uuid

import numpy as np
import pytest

from core.explorer.state import SHOWN_WHEN_MANY
from core.scenarios.link import unpack
from core.scenarios.model import scenario_from_dict
from core.scenarios.presets import load_preset
from core.settings import ENV_PAGE_WAIT
from tests.app.helpers import explorer_panel, plain
from tests.samples import PREFIX_EDGE_CASES, PROTOTYPE_NAMES, SMALL_SCENARIOS, prototype_scenario
from ui import explorer as ex
from ui import live, resources
from ui.session import UPLOADS

EXPLORER_LABELS = ["Naive text", "Split channel", "Signed prefix", "Weighted sum", "Whitened sum", "Exact (reference)"]


def panel_data(at) -> dict:
    return explorer_panel(at)


def ranking_columns(at) -> dict[str, list[str]]:
    """{method label: [product names of its top k]}, in the order shown."""
    return {m["label"]: [item["name"] for item in m["top"]] for m in panel_data(at)["methods"]}


def sliders(at) -> dict[str, float]:
    return {f["name"]: f["value"] for f in panel_data(at)["features"]}


def move(at, scenario_id: str, user_id: str, scores) -> None:
    """What the browser does when a slider, flip or reset button is used: report all changed scores."""
    state = live.state(scores) if isinstance(scores, dict) else {"scores": scores}
    at.session_state[ex.panel_key(load_preset(scenario_id), user_id)] = state
    at.run()
    assert not at.exception, at.exception


def query(at, key: str) -> list[str] | None:
    value = at.query_params.get(key)
    return None if value is None else value if isinstance(value, list) else [value]


def overlap(a: list[str], b: list[str]) -> float:
    return len(set(a) & set(b)) / max(len(a), 1)


@pytest.fixture
def explorer(app):
    at = app.run()
    assert not at.exception, at.exception
    return at


def test_default_view_is_the_sign_trap(explorer):
    assert explorer.session_state[ex.K_PRESET] == "sign-trap"
    assert explorer.session_state[ex.K_USER] == "user-a"
    data = panel_data(explorer)
    columns = ranking_columns(explorer)
    assert list(columns) == EXPLORER_LABELS
    assert all(len(names) == 5 for names in columns.values())
    assert "naive text" in data["summary"] and "hard no" in data["summary"] and "Disliked overall" in data["summary"]
    assert sliders(explorer) == {"anxiety": -0.9, "adventure": 0.8}
    # The trap made visible: naive's top 5 holds products the user dislikes, exact's holds none.
    naive, exact = data["methods"][0], data["methods"][-1]
    assert any(item["disliked"] for item in naive["top"])
    assert not any(item["disliked"] for item in exact["top"])
    # Heat maps are square over the methods shown, with 1 on the diagonal.
    tau = data["heat"]["tau"]
    assert len(tau) == 6 and all(row[i] == pytest.approx(1.0) for i, row in enumerate(tau))
    assert [p["title"] for p in data["maps"]["panels"]] == EXPLORER_LABELS


def test_switching_presets(explorer):
    explorer.selectbox(key=ex.K_PRESET).set_value("wine-synonyms").run()
    assert not explorer.exception
    assert explorer.session_state[ex.K_USER] == "one-tag"
    explorer.selectbox(key=ex.K_USER).set_value("teetotal").run()
    assert not explorer.exception
    columns = ranking_columns(explorer)
    assert "Alcohol-free tea house" in columns["Exact (reference)"]
    # The URL follows the view.
    assert query(explorer, "preset") == ["wine-synonyms"]
    assert query(explorer, "user") == ["teetotal"]


def test_flipping_anxiety_moves_weighted_but_not_naive(explorer):
    before = ranking_columns(explorer)
    move(explorer, "sign-trap", "user-a", {"anxiety": 0.9})
    assert sliders(explorer)["anxiety"] == pytest.approx(0.9)
    after = ranking_columns(explorer)
    naive = overlap(before["Naive text"], after["Naive text"])
    weighted = overlap(before["Weighted sum"], after["Weighted sum"])
    assert naive >= 0.6, "naive barely notices that the sign of anxiety flipped"
    assert weighted <= 0.2, "weighted swaps its top 5 when the sign flips"
    assert query(explorer, "set") == ["anxiety:0.9"]
    # Rank changes since the last move are reported for products that moved.
    shifts = [item["shift"] for m in panel_data(explorer)["methods"] for item in m["top"]]
    assert any(s != 0 for s in shifts)
    # Resetting (the browser reports no changed scores) restores the profile and a clean URL.
    move(explorer, "sign-trap", "user-a", {})
    assert sliders(explorer)["anxiety"] == pytest.approx(-0.9)
    assert ranking_columns(explorer) == before
    assert query(explorer, "set") is None


def test_hostile_panel_state_is_ignored(explorer):
    """The browser's report is validated like any other input: unknown features and bad numbers are dropped."""
    before = ranking_columns(explorer)
    move(explorer, "sign-trap", "user-a", {"anxiety": float("nan"), "<img src=x>": 0.5, "adventure": 7, "calm": "1"})
    assert sliders(explorer) == {"anxiety": -0.9, "adventure": 0.8}
    assert ranking_columns(explorer) == before
    move(explorer, "sign-trap", "user-a", ["not", "pairs"])
    assert sliders(explorer) == {"anxiety": -0.9, "adventure": 0.8}
    move(explorer, "sign-trap", "user-a", {"scores": {"anxiety": 0.5}})  # an object keyed by names: not the format
    assert sliders(explorer) == {"anxiety": -0.9, "adventure": 0.8}


def test_a_shared_link_restores_the_view(app):
    app.query_params.update(
        {"preset": "wine-synonyms", "user": "teetotal", "set": ["coffee:-0.5"], "methods": "naive,exact", "k": "3"}
    )
    at = app.run()
    assert not at.exception
    assert at.session_state[ex.K_USER] == "teetotal"
    assert sliders(at)["coffee"] == pytest.approx(-0.5)
    columns = ranking_columns(at)
    assert list(columns) == ["Naive text", "Exact (reference)"]
    assert all(len(names) == 3 for names in columns.values())
    assert not at.warning


def test_a_bad_query_string_warns_and_falls_back(app):
    app.query_params.update(
        {"preset": "<script>alert(1)</script>", "k": "999", "set": ["anxiety:NaN"], "methods": "naive,evil"}
    )
    at = app.run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "Unknown preset" in warnings and "k=" in warnings and "evil" in warnings
    assert "<script>" not in warnings, "values from the URL are escaped before display"
    assert at.session_state[ex.K_PRESET] == "sign-trap"


def test_the_model_travels_in_the_link_and_changes_the_rankings(app):
    naive_default = None
    app.query_params.update({"preset": "sign-trap", "user": "user-a", "model": "MPNet"})
    at = app.run()
    assert not at.exception and not at.warning
    assert at.session_state[ex.K_MODEL] == "mpnet" and query(at, "model") == ["mpnet"]
    mpnet = panel_data(at)
    at.selectbox(key=ex.K_MODEL).set_value("minilm").run()
    assert not at.exception and query(at, "model") is None, "the default model is left out of the link"
    naive_default = panel_data(at)
    assert mpnet["methods"] != naive_default["methods"], "another model ranks differently"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("gpt-9", "installed here: minilm"),
        ("<img src=x onerror=alert(1)>", "showing the default model"),
        ("x" * 5000, "longer than 200 characters"),
        ("", "showing the default model"),
    ],
)
def test_an_unknown_model_in_the_link_warns_and_uses_the_default(app, value, message):
    app.query_params.update({"preset": "sign-trap", "model": value})
    at = app.run()
    assert not at.exception
    assert at.session_state[ex.K_MODEL] == "minilm"
    raw = " ".join(w.value for w in at.warning)
    assert message in plain(at.warning) and "<img" not in raw.replace("\\<", ""), raw


def test_many_features_show_the_strongest_and_a_search_box(app):
    from core.scenarios.synthetic import generate_scenario

    big = generate_scenario(n_products=20, n_features=40, n_users=1, seed=3, scenario_id="big-profile")
    user = big.users[0]
    app.session_state[UPLOADS] = {"big-profile": big}
    app.query_params.update({"upload": "big-profile"})
    at = app.run()
    assert not at.exception
    data = panel_data(at)
    profile = user.profile
    strongest = sorted(profile, key=lambda f: -abs(profile[f]))[:SHOWN_WHEN_MANY]
    assert [f["name"] for f in data["features"]] == strongest
    assert str(SHOWN_WHEN_MANY) in data["note"]
    assert data["addable"] == [f for f in big.vocabulary if f not in profile]
    assert "link carries this scenario itself" in data["shareNote"]
    weakest = min(profile, key=lambda f: abs(profile[f]))
    at.session_state[ex.panel_key(big, user.id)] = live.state({strongest[0]: 0.0})
    at.run()
    # A changed feature stays on screen even when it is no longer among the strongest.
    shown = sliders(at)
    assert shown[strongest[0]] == 0.0 and weakest not in shown
    assert query(at, "upload") is None and unpack(query(at, "data")[0]) == big  # small enough to travel


def test_adding_a_feature_from_the_vocabulary(explorer):
    assert "calm" in panel_data(explorer)["addable"]
    move(explorer, "sign-trap", "user-a", {"calm": 0.8})
    data = panel_data(explorer)
    calm = next(f for f in data["features"] if f["name"] == "calm")
    assert calm == {"name": "calm", "value": 0.8, "original": None}
    assert "calm" not in data["addable"]
    assert query(explorer, "set") == ["calm:0.8"]


def test_aligned_maps_rotate_each_method_onto_exact(explorer):
    before = {p["title"]: p for p in panel_data(explorer)["maps"]["panels"]}
    explorer.query_params["align"] = "1"
    explorer.run()
    assert not explorer.exception, explorer.exception
    maps = panel_data(explorer)["maps"]
    assert "Procrustes" in maps["note"]
    after = {p["title"]: p for p in maps["panels"]}
    # Exact onto itself is the identity; the other maps move.
    exact = "Exact (reference)"
    assert np.allclose(after[exact]["top"], before[exact]["top"], atol=1e-2)
    assert not np.allclose(after["Naive text"]["top"], before["Naive text"]["top"], atol=1e-2)


@pytest.mark.parametrize(("edge", "same", "other"), PREFIX_EDGE_CASES)
def test_prefix_edges_through_the_live_panel(explorer, edge, same, other):
    def prefix_column(score):
        move(explorer, "sign-trap", "user-a", {"adventure": score})
        column = next(m for m in panel_data(explorer)["methods"] if m["name"] == "prefix")
        return [(item["name"], item["score"]) for item in column["top"]]

    at_edge = prefix_column(edge)
    assert at_edge == prefix_column(same)
    assert at_edge != prefix_column(other)


def open_upload(app, scenario):
    """Open the Explorer on a scenario this session uploaded (the way the Scenarios page hands it over)."""
    app.session_state[UPLOADS] = {scenario.id: scenario}
    app.query_params["upload"] = scenario.id
    return app.run()


@pytest.mark.parametrize("data", SMALL_SCENARIOS, ids=lambda d: d["id"])
def test_small_scenarios_show_rankings_or_a_sentence_never_an_exception(app, data):
    at = open_upload(app, scenario_from_dict(data, source=data["id"]))
    assert not at.exception, at.exception
    payload = panel_data(at)
    assert len(payload["methods"]) == 6 and payload["summary"]
    json.dumps(payload, allow_nan=False)


def test_a_long_build_shows_its_progress_then_the_page(app, monkeypatch):
    """A page does not do long work in its script: it shows the shared build's progress, then re-renders."""
    monkeypatch.setenv(ENV_PAGE_WAIT, "0")
    data = json.loads(load_preset("quiet-travel").to_json())
    data["id"] = "progress-probe"
    data["products"][0]["name"] = f"A product nobody has prepared {uuid.uuid4().hex}"
    at = open_upload(app, scenario_from_dict(data, source="probe"))
    assert not at.exception
    progress = at.get("progress")
    if progress:  # the build took longer than no time at all: its progress is on the page
        assert "%" in progress[0].proto.text and (
            "left" in progress[0].proto.text or "estimating" in progress[0].proto.text
        )
        for build in resources.builds().running():
            assert build.wait(300)
        at.run()
    assert not at.exception and panel_data(at)["methods"]


def test_qdrant_strategies_and_the_hard_no_filter_through_a_link(app):
    app.query_params.update(
        {"preset": "peanut-allergy", "user": "peanut-allergic", "methods": "naive,qdrant-best,exact", "hardno": "-0.9"}
    )
    at = app.run()
    assert not at.exception, at.exception
    assert at.session_state[ex.K_FILTER] and at.session_state[ex.K_THRESHOLD] == pytest.approx(-0.9)
    data = panel_data(at)
    assert data["summary"].startswith("Hard-no filter on: 8 products that carry peanuts (scored -0.9 or below)")
    assert [m["label"] for m in data["methods"]] == ["Naive text", "Qdrant best score", "Exact (reference)"]
    assert all(not item["hardNo"] for m in data["methods"] for item in m["top"])
    assert "average_vector's query point" in data["maps"]["note"]
    # Off again: naive and best_score let peanut products back into their top 5, and the link forgets the filter.
    at.toggle(key=ex.K_FILTER).set_value(False).run()
    assert not at.exception, at.exception
    data = panel_data(at)
    counts = {m["name"]: m["counts"]["hardNo"] for m in data["methods"]}
    assert counts["naive"] == 4 and counts["qdrant-best"] > 0 and counts["exact"] == 0
    assert query(at, "hardno") is None and query(at, "methods") == ["naive,qdrant-best,exact"]


def test_features_named_like_object_prototype_keys_travel_through_the_panel(app):
    """The panel's state is a list of pairs, so "__proto__" is a name like any other on the way back."""
    scenario = scenario_from_dict(prototype_scenario(), source="probe")
    at = open_upload(app, scenario)
    assert not at.exception, at.exception
    assert list(sliders(at)) == ["plain", *PROTOTYPE_NAMES]
    flipped = {name: -value for name, value in sliders(at).items()}
    at.session_state[ex.panel_key(scenario, "u")] = live.state(flipped)
    at.run()
    assert not at.exception, at.exception
    assert sliders(at) == pytest.approx(flipped)
    linked = dict(item.rsplit(":", 1) for item in query(at, "set"))
    assert {n: float(v) for n, v in linked.items()} == pytest.approx(flipped)
    dangling = [c.value for c in at.caption if c.value.rstrip().endswith(":")]
    assert not dangling, "no dangling colon after the title when the description is empty"


def test_a_one_product_scenario_reads_in_the_singular_and_draws_no_empty_places(app):
    data = next(d for d in SMALL_SCENARIOS if d["id"] == "one-of-each")
    at = open_upload(app, scenario_from_dict(data, source=data["id"]))
    assert not at.exception, at.exception
    payload = panel_data(at)
    assert payload["user"].endswith(": 1 scored feature")
    assert payload["summary"].startswith("With 1 product and top 5")
    assert all(len(m["top"]) == 1 for m in payload["methods"]), "one product: one place per method, not five"
    text = json.dumps(payload)
    assert not re.search(r"\b1 (products|features|users|scored features)\b", text), text


def test_both_marks_use_one_wording(explorer):
    from core.retrieval.marks import MARKS

    marks = panel_data(explorer)["marks"]
    assert marks["hardNo"]["name"] == MARKS["hard_no"][0] == "breaks a hard no"
    assert marks["hardNo"]["text"].startswith("breaks a hard no: ")
    assert marks["disliked"]["name"] == "disliked overall"
    assert "violates" not in json.dumps(panel_data(explorer))
