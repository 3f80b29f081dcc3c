"""The presets: rich enough, valid, named after their ids; bench-10k generated deterministically."""

from __future__ import annotations

import pytest

from core.scenarios.io import load_scenario_file
from core.scenarios.presets import list_presets, load_preset, preset_ids


def test_hand_written_presets_are_rich_enough():
    written = list_presets(include_generated=False)
    assert len(written) >= 6
    for info in written:
        assert info.products >= 20, info.id
        assert info.users >= 3, info.id
        assert info.features >= 15, info.id
        assert len(info.description) > 120, info.id


def test_presets_cover_the_teaching_cases():
    trap = load_preset("sign-trap")
    assert dict(trap.user("user-a").profile) == {"anxiety": -0.9, "adventure": 0.8}
    assert dict(trap.user("user-b").profile) == {"anxiety": 0.9, "adventure": 0.7}
    assert {"wine", "white wine", "red wine"} <= set(load_preset("wine-synonyms").vocabulary)
    allergy = load_preset("peanut-allergy")
    assert any(u.profile.get("peanuts") == -1.0 for u in allergy.users)


def test_every_preset_file_is_valid_and_named_after_its_id(root):
    for path in sorted((root / "presets").glob("*.json")):
        scenario = load_scenario_file(path)
        assert scenario.id == path.stem


def test_bench_preset_is_generated_deterministically():
    from core.scenarios.synthetic import generate_scenario

    bench = load_preset("bench-10k")
    assert len(bench.products) == 10_000 and len(bench.vocabulary) == 200 and len(bench.users) == 3
    assert all(len(u.profile) == 200 for u in bench.users)
    assert all(5 <= len(p.profile) <= 15 for p in bench.products)
    again = generate_scenario(n_products=10_000, n_features=200, n_users=3, seed=10_000, scenario_id="bench-10k")
    assert again.fingerprint == bench.fingerprint
    assert "bench-10k" in preset_ids()


def test_unknown_preset_lists_choices():
    with pytest.raises(ValueError, match="unknown preset 'nope'; choose one of: .*sign-trap"):
        load_preset("nope")
