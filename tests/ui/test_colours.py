"""The method colours stay apart for every reader: CIEDE2000 >= 10 between every pair under normal vision and
three simulated dichromacies, 3:1 on white, one colour for every method; and the colour science is right."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from core.vectors.methods import METHODS
from ui.colours import (
    MARK_COLOURS,
    METHOD_COLOURS,
    MIN_CONTRAST,
    MIN_DELTA_E,
    ROLE_COLOURS,
    ROLE_GROUPS,
    VISIONS,
    ciede2000,
    closest_pairs,
    contrast,
    rgb,
    simulate,
)


def test_every_method_of_the_registry_has_a_colour():
    assert set(METHODS) <= set(METHOD_COLOURS), set(METHODS) - set(METHOD_COLOURS)


@pytest.mark.parametrize("vision", VISIONS)
def test_every_pair_of_method_colours_stays_apart(vision):
    smallest, a, b = closest_pairs(METHOD_COLOURS)[vision]
    assert smallest >= MIN_DELTA_E, (vision, a, b, smallest)


def test_every_method_colour_stands_out_on_white():
    low = {
        m: round(contrast(c, "#ffffff"), 2) for m, c in METHOD_COLOURS.items() if contrast(c, "#ffffff") < MIN_CONTRAST
    }
    assert not low, low


@pytest.mark.parametrize(
    ("one", "two", "expected"),
    [  # Sharma, Wu and Dalal (2005), Table 1: pairs 1, 7, 17 and 25
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ],
)
def test_ciede2000_matches_the_published_test_data(one, two, expected):
    assert float(ciede2000(np.array(one), np.array(two))) == pytest.approx(expected, abs=1e-4)


def test_a_dichromat_sees_red_and_green_closer_than_anyone_else():
    red, green = rgb("#ff0000"), rgb("#00ff00")
    assert np.allclose(simulate(red, "normal"), red)
    normal = float(ciede2000(*(np.array([__import__("ui.colours").colours.lab(c) for c in (red, green)]))))
    for vision in ("protanopia", "deuteranopia"):
        seen = [simulate(c, vision) for c in (red, green)]
        from ui.colours import lab

        assert float(ciede2000(lab(seen[0]), lab(seen[1]))) < normal / 2


@pytest.mark.parametrize("group", ROLE_GROUPS, ids="-".join)
def test_roles_drawn_together_stay_apart_for_every_vision(group):
    closest = closest_pairs({role: ROLE_COLOURS[role] for role in group})
    assert all(found[0] >= MIN_DELTA_E for found in closest.values()), closest


def test_every_role_colour_stands_out_on_white():
    assert all(contrast(c, "#ffffff") >= MIN_CONTRAST for c in ROLE_COLOURS.values())


def test_the_maps_marks_in_the_browser_are_the_palettes():
    """dom.js draws the map; its colours are ui/colours.MARK_COLOURS, value for value (hardNo there, hard_no here)."""
    source = (Path(__file__).parents[2] / "ui" / "live" / "js" / "dom.js").read_text()
    block = source[source.index("export const COLOURS") :]
    found = re.findall(r'(\w+): "(#[0-9a-f]{6})"', block[: block.index("};")])
    in_js = {re.sub("([A-Z])", lambda m: "_" + m.group(1).lower(), key): value for key, value in found}
    assert {k: in_js.get(k) for k in MARK_COLOURS} == MARK_COLOURS
