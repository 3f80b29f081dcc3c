"""The one boundary to the browser: the Explorer's :class:`~core.explorer.panel.Panel` as the live panel's props.

Here, and only here, Python's names become the browser's (camelCase) and a number that is not defined (NaN)
becomes ``null``. Numbers travel unformatted: the browser formats them with ``ui/live/js/format.js``, which
follows the rules of :mod:`core.wording` (held by ``tests/js/format.test.mjs`` against fixtures Python writes).
Map coordinates are rounded to :data:`COORDINATE_DECIMALS`: positions on a canvas, never read as numbers.

>>> number(float("nan")), number(0.5), number(np.float32(0.25))
(None, 0.5, 0.25)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core.explorer.panel import Column, MapPanel, Maps, Panel, Place

COORDINATE_DECIMALS = 3


def number(value: float | None) -> float | None:
    """A finite number as a plain float, anything else as None (JSON null)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _numbers(values: Any) -> list:
    return [number(v) for v in np.asarray(values, dtype=float).ravel().tolist()]


def _grid(matrix: np.ndarray) -> list[list[float | None]]:
    return [_numbers(row) for row in np.asarray(matrix, dtype=float)]


def _points(points: np.ndarray) -> list:
    return np.round(np.asarray(points, dtype=float), COORDINATE_DECIMALS).tolist()


def _place(place: Place) -> dict[str, Any]:
    return {
        "name": place.name,
        "score": number(place.score),
        "shift": place.shift,
        "hardNo": place.hard_no,
        "disliked": place.disliked,
        "profile": place.profile,
    }


def _column(column: Column) -> dict[str, Any]:
    return {
        "name": column.method,
        "label": column.label,
        "summary": column.summary,
        "tau": number(column.kendall_tau),
        "overlap": number(column.overlap_at_k),
        "counts": {"hardNo": column.hard_no_in_top_k, "disliked": column.disliked_in_top_k},
        "top": [_place(p) for p in column.top],
    }


def _map_panel(panel: MapPanel) -> dict[str, Any]:
    out = {
        "title": panel.title,
        "top": _points(panel.top),
        "topLabels": list(panel.top_labels),
        "hardNo": list(panel.hard_no),
        "disliked": list(panel.disliked),
        "user": _points(panel.user),
        "trail": _points(panel.trail),
    }
    if panel.background is not None:
        out["bg"] = _points(panel.background)
    return out


def _maps(maps: Maps | None) -> dict[str, Any] | None:
    if maps is None:
        return None
    labels = None if maps.background_labels is None else list(maps.background_labels)
    return {
        "axis": maps.axis,
        "title": maps.title,
        "note": maps.note,
        "background": {"key": maps.background_key, "labels": labels},
        "panels": [_map_panel(p) for p in maps.panels],
    }


MARK_KEYS = {"hard_no": "hardNo", "disliked": "disliked"}


def to_props(panel: Panel) -> dict[str, Any]:
    """The live panel's data, as ``ui/live/js`` reads it."""
    agreement = panel.agreement
    return {
        "user": panel.user,
        "note": panel.note,
        "features": [{"name": s.name, "value": s.value, "original": s.original} for s in panel.sliders],
        "addable": list(panel.addable),
        "summary": panel.summary,
        "marks": {MARK_KEYS[key]: {"name": name, "text": text} for key, (name, text) in panel.marks.items()},
        "shareNote": panel.share_note,
        "k": panel.k,
        "methods": [_column(c) for c in panel.columns],
        "heat": {"methods": list(agreement.methods), "tau": _grid(agreement.tau), "overlap": _grid(agreement.overlap)},
        "agreement": [
            {
                "method": m,
                "tau": number(v["kendall_tau"]),
                "overlap": number(v["overlap_at_k"]),
                "rbo": number(v["rbo"]),
            }
            for m, v in panel.versus_exact.items()
        ],
        "maps": _maps(panel.maps),
    }
