"""A view that leaves the server: everything the Explorer's panel needs to stay live in a single HTML file.

The file holds the panel as the server drew it, the linear methods' model over *every* slider (so prefix,
weighted, whitened and exact re-rank for any combination of scores, with no server), each slider's sweep from
the saved profile (so naive, split and the vector-database columns, and every map, follow any one slider from
the saved view), and which products carry each feature (the hard-no mark and filter). ``ui/live/offline.py``
writes it into the page with the same browser code the server uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from core.explorer.panel import Panel, build_panel
from core.explorer.state import ViewState
from core.explorer.sweep import LinearModel, Sweep, build_sweep, linear_methods, linear_model
from core.maps.store import MIN_MAP_PRODUCTS, MapStore
from core.retrieval.marks import hard_nos
from core.retrieval.recommender import Recommender

MAX_BYTES = 5_000_000
"""The largest file we write: a page that opens from a laptop's disk or any static host in a moment."""


@dataclass(frozen=True)
class Offline:
    panel: Panel
    linear: dict[str, LinearModel]  # every linear method over every slider
    sweeps: tuple[Sweep, ...]  # one per slider, from the saved profile
    carries: dict[str, np.ndarray]  # slider -> (N,) bool
    fixed_hard_no: np.ndarray  # (N,) bool: breaks a hard no of a feature without a slider


def offline_view(
    *, recommender: Recommender, view: ViewState, user_id: str, profile: Mapping[str, float], store: MapStore | None
) -> Offline:
    """Everything the file holds, for the view as it is now."""
    store = store if len(recommender.product_ids) >= MIN_MAP_PRODUCTS else None
    panel, _ = build_panel(
        recommender=recommender, view=view, user_id=user_id, profile=profile, store=store, memory=None
    )
    sliders = [s.name for s in panel.sliders]
    linear = {m: linear_model(recommender, m, profile, sliders, view) for m in linear_methods(view.methods)}
    sweeps = tuple(
        build_sweep(recommender=recommender, view=view, profile=profile, feature=f, store=store) for f in sliders
    )
    fixed = {f: s for f, s in profile.items() if f not in set(sliders)}
    carriers = recommender.carriers
    return Offline(
        panel=panel,
        linear=linear,
        sweeps=sweeps,
        carries={f: carriers.mask([f]) for f in sliders},
        fixed_hard_no=carriers.mask(hard_nos(fixed, view.threshold)),
    )
