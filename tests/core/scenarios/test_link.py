"""A small scenario travels in one link parameter, read back as strictly as an upload; anything else is one line."""

from __future__ import annotations

import base64
import json
import zlib

import pytest

from core.scenarios.link import LINK_LIMITS, MAX_JSON_BYTES, MAX_LINK_CHARS, pack, too_large, unpack
from core.scenarios.model import ScenarioError, scenario_from_dict
from core.scenarios.presets import load_preset, preset_ids
from core.scenarios.synthetic import generate_scenario
from tests.samples import SMALL_SCENARIOS


def blob_of(data: bytes) -> str:
    return "1." + base64.urlsafe_b64encode(zlib.compress(data, 9)).decode().rstrip("=")


@pytest.mark.parametrize("preset", [p for p in preset_ids() if p != "bench-10k"])
def test_every_hand_written_preset_travels_exactly(preset):
    scenario = load_preset(preset)
    blob = pack(scenario)
    assert blob is not None and len(blob) <= MAX_LINK_CHARS
    back = unpack(blob)
    assert back == scenario and back.vocabulary == scenario.vocabulary and back.fingerprint == scenario.fingerprint


@pytest.mark.parametrize("data", SMALL_SCENARIOS, ids=lambda d: d["id"])
def test_small_edge_scenarios_travel_too(data):
    scenario = scenario_from_dict(data, source="edge")
    assert unpack(pack(scenario)) == scenario


def test_a_scenario_over_a_link_limit_does_not_pack_and_says_why():
    big = generate_scenario(n_products=LINK_LIMITS["products"] + 1, n_features=20, n_users=2, seed=1)
    assert pack(big) is None and too_large(big) == "51 products (a link holds 50)"


GOOD = load_preset("sign-trap").to_json()
HOSTILE = {
    "too-long": ("1." + "A" * (MAX_LINK_CHARS + 1), "at most 8,000"),
    "other-version": ("9." + blob_of(GOOD.encode())[2:], "unknown format '9'"),
    "no-version": ("eJwrSS0u0S0pSQQAEVQDPQ", "unknown format"),
    "not-base64": ("1.***", "not valid base64"),
    "not-compressed": ("1." + base64.urlsafe_b64encode(b"plain text, not deflate").decode(), "not compressed"),
    "cut": (blob_of(GOOD.encode())[:60], "ends too early"),
    "bomb": (blob_of(b" " * 5_000_000), f"more than {MAX_JSON_BYTES:,} bytes"),  # 5 MB in under 8,000 characters
    "not-json": (blob_of(b"{not json"), "invalid JSON"),
    "bad-score": (blob_of(GOOD.replace('"anxiety": -0.9', '"anxiety": 7', 1).encode()), "score must be in [-1, 1]"),
    "duplicate-key": (
        blob_of(GOOD.replace('"anxiety": -0.9', '"anxiety": -0.9, "anxiety": 1', 1).encode()),
        "duplicate key",
    ),
    "huge-number": (blob_of(GOOD.replace('"anxiety": -0.9', '"anxiety": 1' + "0" * 400, 1).encode()), "401-digit"),
    "too-many-products": (
        blob_of(generate_scenario(n_products=51, n_features=5, n_users=1).to_json().encode()),
        "51 products",
    ),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_payloads_are_refused_in_one_line(case):
    blob, message = HOSTILE[case]
    assert len(blob) <= MAX_LINK_CHARS or case == "too-long", "each case reaches the check it is about"
    with pytest.raises(ScenarioError) as info:
        unpack(blob)
    text = str(info.value)
    assert message in text and text.startswith("the link's scenario") and len(text) < 400


def test_markup_in_a_linked_scenario_stays_text():
    data = json.loads(GOOD)
    data["title"] = "<script>alert(1)</script>"
    scenario = unpack(blob_of(json.dumps(data).encode()))
    assert scenario.title == "<script>alert(1)</script>"


@pytest.mark.parametrize("case", HOSTILE)
def test_every_refusal_is_a_clause_a_sentence_can_quote(case):
    """Messages are quoted into others ("Ignored the scenario in the link: ... ."): none may end in a mark of its own,
    or the page shows "was the link cut?." """
    with pytest.raises(ScenarioError) as info:
        unpack(HOSTILE[case][0])
    for _, message in info.value.problems:
        assert not message.rstrip().endswith((".", "?", "!")), message


def _raw_blob(data: bytes) -> str:
    return "1." + base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize(
    "tail",
    [
        b"x",  # one stray byte
        b"\x00" * 10,  # padding
        zlib.compress(b'{"id": "smuggled"}'),  # a second stream
        zlib.compress(GOOD.encode(), 9),  # the same stream twice
        b"garbage after the stream" * 20,
    ],
    ids=["stray-byte", "padding", "second-stream", "same-twice", "garbage"],
)
def test_a_link_with_anything_after_its_one_stream_is_refused(tail):
    blob = _raw_blob(zlib.compress(GOOD.encode(), 9) + tail)
    with pytest.raises(ScenarioError, match=f"it has {len(tail):,} bytes after the compressed scenario"):
        unpack(blob)
    assert unpack(_raw_blob(zlib.compress(GOOD.encode(), 9))) == load_preset("sign-trap")
