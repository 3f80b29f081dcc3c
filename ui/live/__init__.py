"""The Explorer's live panel: one custom Streamlit element (components v2) for everything a slider move redraws.

The JavaScript (``js/``: one ES module per concern, joined by :func:`bundle`) draws the sliders, rankings,
heat maps, bars and maps, and reports slider changes back as the component state
``{"scores": [[feature, value], ...]}``: pairs, not an object keyed by feature names, since a feature may be
called ``__proto__`` or ``constructor``.
Python stays the source of truth: it validates that state, computes, and sends
the next payload.
"""

from __future__ import annotations

import math
import re
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

NAME = "signed_explorer.live_panel"
HERE = Path(__file__).resolve().parent


MODULES = ("format", "dom", "live", "sliders", "rankings", "figures", "divergence", "maps", "drag", "panel")
"""The browser's ES modules (``ui/live/js``), each after the ones it imports; ``panel`` is the entry point."""
_IMPORT = re.compile(r'^import \{[^}]*\} from "\./[a-z]+\.js";\n', re.M)
_EXPORT = re.compile(r"^export (?!default)", re.M)


def bundle(*, offline: bool = False) -> str:
    """The modules as one script, as Streamlit's component takes it: each module's local imports and ``export``
    keywords removed, in dependency order. Top-level names must be unique across modules (a duplicate is a
    SyntaxError in the browser, and ``tests/js`` checks the bundle parses). ``offline``: the saved page's script
    (``js/offline.js`` boots the panel without a server)."""
    parts = []
    for name in (*MODULES, "offline") if offline else MODULES:
        source = (HERE / "js" / f"{name}.js").read_text(encoding="utf-8")
        if offline and name == "panel":
            source = source.replace("export default function (component)", "function mountPanel(component)")
        parts.append(f"// ---- {name}.js\n" + _EXPORT.sub("", _IMPORT.sub("", source)))
    if offline:
        parts.append("boot(mountPanel);")
    return "\n".join(parts)


@cache
def _assets() -> tuple[str, str]:
    return bundle(), (HERE / "panel.css").read_text(encoding="utf-8")


def mount(*, key: str, data: dict[str, Any]) -> None:
    """Draw the panel. Registering on every run is cheap and silent (same definition), and keeps
    AppTest, which starts each test with an empty component registry, working."""
    js, css = _assets()
    component = st.components.v2.component(NAME, js=js, css=css, isolate_styles=False)
    component(
        key=key,
        data=data,
        default={"scores": [], "sweep": None},
        on_scores_change=lambda: None,
        on_sweep_change=lambda: None,
    )


def sweep_request(raw: Any, allowed: set[str]) -> str | None:
    """The feature whose sweep the browser asks for (``{"feature": name, "nonce": n}``), if it is one of the
    shown sliders; anything else is ignored.

    >>> sweep_request({"feature": "wine", "nonce": 3}, {"wine"}), sweep_request({"feature": "x"}, {"wine"})
    ('wine', None)
    >>> sweep_request("wine", {"wine"}), sweep_request({"feature": ["wine"]}, {"wine"})
    (None, None)
    """
    feature = raw.get("feature") if isinstance(raw, dict) else None
    return feature if isinstance(feature, str) and feature in allowed else None


def state(scores: dict[str, float]) -> dict[str, list]:
    """The panel's state for these scores, as the browser reports it (:func:`clean_scores` reads it back).

    >>> state({"__proto__": 0.5})
    {'scores': [['__proto__', 0.5]]}
    """
    return {"scores": [[feature, value] for feature, value in scores.items()]}


def clean_scores(raw: Any, allowed: set[str]) -> dict[str, float]:
    """Scores reported by the browser as ``[feature, score]`` pairs, kept only if they are known features with
    finite values in [-1, 1]. Anything else (an object, a malformed pair) is dropped.

    >>> allowed = {"wine", "crowds", "jazz", "tea", "__proto__"}
    >>> pairs = [["wine", 0.5], ["evil", 1], ["crowds", float("nan")], ["jazz", 7], ["tea", True], ["__proto__", -1]]
    >>> clean_scores(pairs, allowed)
    {'wine': 0.5, '__proto__': -1.0}
    >>> clean_scores({"wine": 0.5}, allowed), clean_scores([["wine"], "wine", None], allowed)
    ({}, {})
    """
    if not isinstance(raw, list | tuple):
        return {}
    out: dict[str, float] = {}
    for pair in raw:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        feature, value = pair
        if not isinstance(feature, str) or feature not in allowed:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        number = float(value)
        if math.isfinite(number) and -1.0 <= number <= 1.0:
            out[feature] = number
    return out
