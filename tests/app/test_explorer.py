"""The Explorer through AppTest: presets, a live slider, and hostile links."""

from __future__ import annotations

import re

import pytest

from ui.explorer import K_PRESET, K_USER

EXPLORER = "app_pages/explorer.py"


def ranking_columns(at) -> dict[str, list[str]]:
    """Parse the rankings table (one markdown element) into {method label: [product names]}."""
    table = next(m.value for m in at.markdown if m.value.startswith("| **"))
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()]
    header = [cell.strip("*") for cell in rows[0]]
    columns: dict[str, list[str]] = {name: [] for name in header}
    for row in rows[3:]:
        for name, cell in zip(header, row, strict=True):
            match = re.match(r"\d+\. (?::red\[:material/thumb_down: )?(.*?)\]? `", cell)
            if match:
                columns[name].append(match.group(1).replace("\\", ""))
    return columns


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
    assert explorer.session_state[K_PRESET] == "sign-trap"
    assert explorer.session_state[K_USER] == "user-a"
    columns = ranking_columns(explorer)
    assert list(columns) == [
        "Naive text",
        "Split channel",
        "Signed prefix",
        "Weighted sum",
        "Whitened sum",
        "Exact (reference)",
    ]
    assert all(len(names) == 5 for names in columns.values())
    summary = next(m.value for m in explorer.markdown if m.value.startswith("#####"))
    assert "Naive text" in summary and "disliked" in summary


def test_switching_presets(explorer):
    explorer.selectbox(key=K_PRESET).set_value("wine-synonyms").run()
    assert not explorer.exception
    assert explorer.session_state[K_USER] == "one-tag"
    explorer.selectbox(key=K_USER).set_value("teetotal").run()
    assert not explorer.exception
    columns = ranking_columns(explorer)
    assert "Alcohol-free tea house" in columns["Exact (reference)"]
    # The URL follows the view.
    assert query(explorer, "preset") == ["wine-synonyms"]
    assert query(explorer, "user") == ["teetotal"]


def test_flipping_anxiety_moves_weighted_but_not_naive(explorer):
    before = ranking_columns(explorer)
    slider = next(s for s in explorer.slider if s.label == "anxiety")
    assert slider.value == pytest.approx(-0.9)
    slider.set_value(0.9).run()
    assert not explorer.exception
    after = ranking_columns(explorer)
    naive = overlap(before["Naive text"], after["Naive text"])
    weighted = overlap(before["Weighted sum"], after["Weighted sum"])
    assert naive >= 0.6, "naive barely notices that the sign of anxiety flipped"
    assert weighted <= 0.2, "weighted swaps its top 5 when the sign flips"
    assert query(explorer, "set") == ["anxiety:0.9"]


def test_flip_and_reset_buttons(explorer):
    flip = next(b for b in explorer.button if b.help == "Flip the sign of anxiety")
    flip.click().run()
    assert next(s for s in explorer.slider if s.label == "anxiety").value == pytest.approx(0.9)
    reset = next(b for b in explorer.button if (b.help or "").startswith("Reset anxiety"))
    reset.click().run()
    assert next(s for s in explorer.slider if s.label == "anxiety").value == pytest.approx(-0.9)
    assert query(explorer, "set") is None


def test_a_shared_link_restores_the_view(app):
    app.query_params.update(
        {"preset": "wine-synonyms", "user": "teetotal", "set": ["coffee:-0.5"], "methods": "naive,exact", "k": "3"}
    )
    at = app.run()
    assert not at.exception
    assert at.session_state[K_USER] == "teetotal"
    assert next(s for s in at.slider if s.label == "coffee").value == pytest.approx(-0.5)
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
    assert at.session_state[K_PRESET] == "sign-trap"


def test_many_features_show_the_strongest_and_a_search_box(app):
    from core.synthetic import generate_scenario
    from ui import explorer as ex

    big = generate_scenario(n_products=20, n_features=40, n_users=1, seed=3, scenario_id="big-profile")
    app.session_state[ex.UPLOADS] = {"big-profile": big}
    app.query_params.update({"upload": "big-profile"})
    at = app.run()
    assert not at.exception
    feature_sliders = [s for s in at.slider if s.key and s.key.startswith("x_s|")]
    assert len(feature_sliders) == ex.SHOWN_WHEN_MANY
    profile = big.users[0].profile
    strongest = sorted(profile, key=lambda f: -abs(profile[f]))[: ex.SHOWN_WHEN_MANY]
    assert {s.label for s in feature_sliders} == set(strongest)
    search = at.multiselect(key=ex.added_key(big, big.users[0].id))
    assert not search.options  # this user already scores every feature; nothing to add
    weakest = min(profile, key=lambda f: abs(profile[f]))
    next(s for s in at.slider if s.key == ex.score_key(big, big.users[0].id, strongest[0])).set_value(0.0).run()
    # A changed feature stays on screen even when it is no longer among the strongest.
    labels = {s.label for s in at.slider if s.key and s.key.startswith("x_s|")}
    assert strongest[0] in labels and weakest not in labels
    assert query(at, "upload") == ["big-profile"]


def test_adding_a_feature_from_the_vocabulary(explorer):
    from core.presets import load_preset
    from ui import explorer as ex

    scenario = load_preset("sign-trap")
    explorer.multiselect(key=ex.added_key(scenario, "user-a")).set_value(["calm"]).run()
    assert not explorer.exception
    calm = next(s for s in explorer.slider if s.label == "calm")
    assert calm.value == 0.0
    calm.set_value(0.8).run()
    assert query(explorer, "set") == ["calm:0.8"]
