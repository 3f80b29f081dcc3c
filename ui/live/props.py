"""The one boundary to the browser: the Explorer's :class:`~core.explorer.panel.Panel` as the live panel's props.

Here, and only here, Python's names become the browser's (camelCase) and a number that is not defined (NaN)
becomes ``null``. Numbers travel unformatted: the browser formats them with ``ui/live/js/format.js``, which
follows the rules of :mod:`core.wording` (held by ``tests/js/format.test.mjs`` against fixtures Python writes).
Map coordinates are rounded to :data:`COORDINATE_DECIMALS`: positions on a canvas, never read as numbers.

>>> number(float("nan")), number(0.5), number(np.float32(0.25))
(None, 0.5, 0.25)
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np

from core.explorer.offline import Offline
from core.explorer.panel import Column, Live, MapPanel, Maps, Panel, Place
from core.explorer.sweep import POSITIONS, LinearModel, Sweep, Table
from core.retrieval.ranking import Agreement

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


def _rows(points: np.ndarray) -> list:
    """Map positions, a row of NaN (a position not placed yet) as None."""
    return [None if np.isnan(row).any() else row for row in _points(points)]


def _place(place: Place) -> dict[str, Any]:
    return {
        "name": place.name,
        "score": number(place.score),
        "shift": place.shift,
        "hardNo": place.hard_no,
        "disliked": place.disliked,
        "profile": place.profile,
        "reasons": place.reasons,
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


def f32(values: np.ndarray) -> str:
    """An array of numbers as base64 of little-endian float32: a quarter of its JSON size, decoded by the browser
    into a Float32Array (ui/live/js/live.js ``floats``)."""
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f4").tobytes()).decode("ascii")


def indices(mask: np.ndarray) -> list[int]:
    """A bool per product as the indices where it is true (few products carry a feature)."""
    return np.flatnonzero(mask).tolist()


def linear_props(model: LinearModel) -> dict[str, Any]:
    return {
        "weight": model.weight,
        "features": list(model.features),
        "fixed": f32(model.fixed),
        "fixedNorm2": float(model.fixed_norm2),
        "columns": [[f32(row) for row in feature] for feature in model.columns],
        "cross": np.asarray(model.cross, dtype=float).tolist(),
        "gram": np.asarray(model.gram, dtype=float).ravel().tolist(),
    }


def _table(table: Table) -> dict[str, Any]:
    if table.tops:
        return {"tops": [None if t is None else [t[0].tolist(), _numbers(t[1])] for t in table.tops]}
    return {"state": table.state.tolist(), "scores": [f32(column) for column in table.scores]}


def _agreement(agreement: Agreement) -> dict[str, Any]:
    return {"tau": _grid(agreement.tau), "overlap": _grid(agreement.overlap), "rbo": _grid(agreement.rbo)}


def sweep_props(sweep: Sweep, complete: bool) -> dict[str, Any]:
    """One slider's sweep, as ui/live/js/drag.js reads it."""
    return {
        "feature": sweep.feature,
        "base": [[f, s] for f, s in sweep.base],
        "positions": list(POSITIONS),
        "complete": complete,
        "linear": {m: linear_props(model) for m, model in sweep.linear.items()},
        "tables": {m: _table(table) for m, table in sweep.tables.items()},
        "carries": indices(sweep.carries),
        "hardNoBase": indices(sweep.hard_no_base),
        "points": {m: _rows(p) for m, p in sweep.points.items() if p is not None},
        "agreement": [None if a is None else _agreement(a) for a in sweep.agreement],
        "order": list(sweep.order),
        "names": {str(i): list(pair) for i, pair in sweep.names.items()},
        "coords": {m: _points(c) for m, c in sweep.coords.items()},
    }


def offline_props(offline: Offline, saved: dict[str, float]) -> dict[str, Any]:
    """The saved page's data (ui/live/offline.py): the panel, and what ui/live/js/offline.js reads."""
    return {
        "panel": to_props(offline.panel),
        "offline": {
            "n": len(offline.fixed_hard_no),
            "saved": [[f, s] for f, s in saved.items()],
            "linear": {m: linear_props(model) for m, model in offline.linear.items()},
            "sweeps": {s.feature: sweep_props(s, True) for s in offline.sweeps},
            "carries": {f: indices(mask) for f, mask in offline.carries.items()},
            "fixedHardNo": indices(offline.fixed_hard_no),
        },
    }


def _live(live: Live | None) -> dict[str, Any] | None:
    if live is None:
        return None
    catalogue = None
    if live.catalogue is not None:
        c = live.catalogue
        catalogue = {"key": c.key, "names": None if c.names is None else list(c.names)}
        catalogue["profiles"] = None if c.profiles is None else list(c.profiles)
        catalogue["carried"] = None if c.carried is None else [list(map(list, p.items())) for p in c.carried]
    return {
        "threshold": live.threshold,
        "dislikedBelow": live.disliked_below,
        "filtered": live.filtered,
        "dense": live.dense,
        "catalogue": catalogue,
    }


def to_props(panel: Panel) -> dict[str, Any]:
    """The live panel's data, as ``ui/live/js`` reads it."""
    agreement = panel.agreement
    return {
        "user": panel.user,
        "note": panel.note,
        "features": [{"name": s.name, "value": s.value, "original": s.original} for s in panel.sliders],
        "addable": list(panel.addable),
        "summary": panel.summary,
        "removed": list(panel.removed),
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
        "live": _live(panel.live),
    }
