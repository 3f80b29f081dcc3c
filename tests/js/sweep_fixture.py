"""Sweeps, and what the server says at every position, written for the browser's test
(tests/js/sweep.check.mjs): the browser's live frames must equal Recommender.rank, position by position."""

from __future__ import annotations

import json
from pathlib import Path

from core.explorer.panel import build_panel
from core.explorer.state import ViewState
from core.explorer.sweep import build_sweep, sweep_profiles
from core.maps.store import MapStore
from core.retrieval.recommender import Recommender
from core.scenarios.presets import load_preset
from ui.live.props import sweep_props, to_props

CASES = (  # (preset, user, feature, view, profile changes): the filter crossing, an edge, an added feature
    ("sign-trap", "user-a", "anxiety", ViewState(), {}),
    ("peanut-allergy", "peanut-allergic", "peanuts", ViewState(hard_no=-0.9, k=3), {}),
    ("wine-synonyms", "teetotal", "coffee", ViewState(methods=("naive", "split", "prefix", "exact")), {"coffee": 0.2}),
    (
        "peanut-allergy",
        "peanut-allergic",
        "gluten",
        ViewState(methods=("prefix", "weighted")),  # exact not shown: the marks still read it
        {"gluten": 0.0},
    ),
)


def case(embedder, preset: str, user: str, feature: str, view: ViewState, changes: dict) -> dict:
    recommender = Recommender(load_preset(preset), embedder)
    profile = {**recommender.scenario.user(user).profile, **changes}
    panel, _ = build_panel(
        recommender=recommender, view=view, user_id=user, profile=profile, store=MapStore(), memory=None
    )
    sweep = build_sweep(recommender=recommender, view=view, profile=profile, feature=feature)
    expected = []
    for moved in sweep_profiles(profile, feature):
        step, _ = build_panel(recommender=recommender, view=view, user_id=user, profile=moved, store=None, memory=None)
        props = to_props(step)
        expected.append(
            {
                "summary": props["summary"],
                "methods": [
                    {"name": m["name"], "top": [[t["name"], t["score"], t["hardNo"], t["disliked"]] for t in m["top"]],
                     "tau": m["tau"], "overlap": m["overlap"]}
                    for m in props["methods"]
                ],
                "heat": props["heat"],
            }
        )  # fmt: skip
    data = to_props(panel)
    data["maps"] = None  # the maps are checked in the browser (tests/e2e)
    return {"name": f"{preset}/{user}/{feature}", "data": data, "sweep": sweep_props(sweep, True), "expected": expected}


def write(embedder, path: Path) -> Path:
    path.write_text(json.dumps([case(embedder, *c) for c in CASES], allow_nan=False), encoding="utf-8")
    return path
