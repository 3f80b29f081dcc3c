"""What the Explorer shows for one profile, as plain data: rankings, divergence, maps and a summary sentence.

Pure functions from the engine's results to JSON-ready dicts; the live panel
(``ui/live``) draws them. Nothing here reads session state: the caller passes the
rank shifts since the last move and the user's trail on each map.

>>> profile_text({"wine": 0.8, "crowds": -0.5, "jazz": 0.1}, limit=2)
'wine +0.8, crowds -0.5, ... (1 more)'
>>> summary({"naive": 2, "weighted": 0, "exact": 0}, k=5)
'Naive text puts 2 disliked products in the top 5; weighted sum and exact (reference) put none.'
>>> summary({"naive": 0}, k=5)
'No method puts a product this user would dislike into its top 5.'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from core.engine.methods import METHODS
from core.engine.projection import MIN_UMAP_POINTS, Alignment, Projection
from core.engine.ranking import Ranking, rank_shift
from core.engine.recommender import RankResult
from core.engine.texts import format_score
from core.numeric import finite_or_none
from core.scenarios.model import Product

MAX_MAP_POINTS = 1_500  # background products per map panel; the top k are always drawn exactly
DIGITS = 3  # decimals of the numbers the panel shows


def profile_text(profile: Mapping[str, float], limit: int = 12) -> str:
    """The strongest scores first, as a person would write them."""
    items = sorted(profile.items(), key=lambda item: -abs(item[1]))
    text = ", ".join(f"{f} {'+' if s > 0 else ''}{format_score(s)}" for f, s in items[:limit])
    return text + (f", ... ({len(items) - limit} more)" if len(items) > limit else "")


def join_names(names: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def summary(disliked: Mapping[str, int], k: int) -> str:
    """One sentence from the counts: which methods put products the user would dislike in their top k.

    ``disliked`` holds the methods compared with exact (exact itself is left out by the caller).
    """
    if not disliked:
        return "Only the exact reference is selected."
    groups: dict[int, list[str]] = {}
    for method, count in sorted(disliked.items(), key=lambda item: -item[1]):
        groups.setdefault(count, []).append(METHODS[method].label.lower())
    if set(groups) <= {0}:
        return f"No method puts a product this user would dislike into its top {k}."
    parts = []
    for count, names in groups.items():
        verb = "puts" if len(names) == 1 else "put"
        if count == 0:
            parts.append(f"{join_names(names)} {verb} none")
        else:
            each = " each" if len(names) > 1 else ""
            noun = "product" if count == 1 else "products"
            parts.append(f"{join_names(names)}{each} {verb} {count} disliked {noun} in the top {k}")
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def shifts(before: Mapping[str, np.ndarray], after: Mapping[str, Ranking]) -> dict[str, np.ndarray]:
    """Per method, each product's rank shift since ``before`` (positions), positive = moved down."""
    return {m: rank_shift(before[m], r.positions) for m, r in after.items() if m in before}


def _round(value: float | None) -> float | None:
    return finite_or_none(value, DIGITS)


def ranking_columns(
    products: Sequence[Product],
    result: RankResult,
    agreement: Mapping[str, Mapping],
    moved: Mapping[str, np.ndarray],
) -> list[dict]:
    """One column per method: its top k with scores, rank shifts, the disliked mark and hover profiles."""
    exact_scores, k = result.exact.scores, result.k
    columns = []
    for method, ranking in result.rankings.items():
        stats, shift = agreement[method], moved.get(method)
        tau = "n/a" if stats["kendall_tau"] is None else f"{stats['kendall_tau']:+.2f}"
        top = [
            {
                "name": products[i].name,
                "score": round(float(ranking.scores[i]), 4),
                "shift": 0 if shift is None else int(shift[i]),
                "disliked": bool(exact_scores[i] < 0),
                "profile": profile_text(products[i].profile, 10),
            }
            for i in ranking.top(k)
        ]
        columns.append(
            {
                "name": method,
                "label": METHODS[method].label,
                "summary": METHODS[method].summary,
                "stats": f"τ {tau} · overlap {stats['overlap_at_k']:.0%} · disliked {stats['disliked_in_top_k']}",
                "top": top,
            }
        )
    return columns


def divergence(methods: Sequence[str], table: Mapping, agreement: Mapping) -> tuple[dict, list[dict]]:
    """Heat maps (Kendall tau and overlap@k between every pair) and each method's agreement with exact."""
    heat = {
        "methods": list(methods),
        "tau": [[_round(table[a][b]["kendall_tau"]) for b in methods] for a in methods],
        "overlap": [[_round(table[a][b]["overlap_at_k"]) for b in methods] for a in methods],
    }
    bars = [
        {
            "method": m,
            "tau": _round(agreement[m]["kendall_tau"]),
            "overlap": _round(agreement[m]["overlap_at_k"]),
            "rbo": _round(agreement[m]["rbo"]),
        }
        for m in methods
    ]
    return heat, bars


def background_sample(n_products: int, limit: int = MAX_MAP_POINTS) -> np.ndarray:
    """The products drawn behind the top k: all of them, or a fixed seeded sample of ``limit``."""
    if n_products <= limit:
        return np.arange(n_products)
    return np.sort(np.random.default_rng(0).choice(n_products, limit, replace=False))


@dataclass(frozen=True)
class MapInput:
    """One method's fitted map, its rotation onto exact's (identity when not aligned) and the user on it."""

    projection: Projection
    alignment: Alignment
    user: np.ndarray  # (2,) raw map coordinates of the user now
    trail: np.ndarray  # (t, 2) the user's recent positions, oldest first


def _points(alignment: Alignment, points: np.ndarray) -> list:
    return np.round(alignment.apply(points), DIGITS).tolist()


def map_panel(method: str, products: Sequence[Product], result: RankResult, inputs: MapInput, background) -> dict:
    """The points of one map: the top k (marked when disliked), the user and its trail, optionally the background."""
    top = result.rankings[method].top(result.k)
    coords = inputs.projection.coords
    panel = {
        "title": METHODS[method].label,
        "top": _points(inputs.alignment, coords[top]),
        "topLabels": [f"#{place + 1} {products[i].name}" for place, i in enumerate(top)],
        "disliked": [bool(d) for d in result.exact.scores[top] < 0],
        "user": _points(inputs.alignment, inputs.user)[0],
        "trail": _points(inputs.alignment, inputs.trail),
    }
    if background is not None:
        panel["bg"] = _points(inputs.alignment, coords[background])
    return panel


def map_notes(kinds: set[str], n_products: int, k: int, aligned: bool) -> tuple[str, str]:
    """The maps' axis name and the note under them, from what was actually drawn."""
    notes = []
    if "pca" in kinds:
        notes.append(
            f"With fewer than {MIN_UMAP_POINTS} products the maps use PCA, not UMAP ({n_products} products here)."
        )
    else:
        notes.append("UMAP fitted once per method on the products; the user is placed with the fitted transform.")
    if n_products > MAX_MAP_POINTS:
        notes.append(f"Showing {MAX_MAP_POINTS:,} of {n_products:,} products as background; the top {k} are exact.")
    if aligned:
        notes.append("Each map is rotated and scaled onto exact's map (Procrustes).")
    return ("UMAP" if kinds == {"umap"} else "PCA"), " ".join(notes)


def background_labels(products: Sequence[Product], indices: Sequence[int]) -> list[str]:
    """Hover labels of the background products."""
    return [f"{products[i].name}: {profile_text(products[i].profile, 6)}" for i in indices]
