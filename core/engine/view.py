"""What the Explorer shows for one profile, as plain data: rankings, divergence, maps and a summary sentence.

Pure functions from the engine's results to JSON-ready dicts; the live panel
(``ui/live``) draws them. Nothing here reads session state: the caller passes the
rank shifts since the last move and the user's trail on each map.

>>> profile_text({"wine": 0.8, "crowds": -0.5, "jazz": 0.1}, limit=2)
'wine +0.8, crowds -0.5, ... (1 more)'
>>> counted(1, "product"), counted(1_500, "product"), counted(1, "scored feature"), counted(2, "query", "queries")
('1 product', '1,500 products', '1 scored feature', '2 queries')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from core.engine.marks import DISLIKED_NAME, HARD_NO_NAME
from core.engine.methods import METHODS
from core.engine.projection import MIN_UMAP_POINTS, Alignment, Projection
from core.engine.ranking import Ranking, rank_shift
from core.engine.recommender import RankResult
from core.engine.texts import format_score
from core.numeric import finite_or_none
from core.scenarios.model import Product

MAX_MAP_POINTS = 1_500  # background products per map panel; the top k are always drawn exactly
DIGITS = 3  # decimals of the numbers the panel shows


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count and its noun, singular for exactly one: every "N things" the app writes goes through here."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def profile_text(profile: Mapping[str, float], limit: int = 12) -> str:
    """The strongest scores first, as a person would write them."""
    items = sorted(profile.items(), key=lambda item: -abs(item[1]))
    text = ", ".join(f"{f} {'+' if s > 0 else ''}{format_score(s)}" for f, s in items[:limit])
    return text + (f", ... ({len(items) - limit} more)" if len(items) > limit else "")


def join_names(names: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _counted(counts: Mapping[str, int], k: int, what: str) -> str:
    """'<What> (top 5): a 4, b 2; none for c and d.' Largest counts first; the methods with none named last.

    >>> _counted({"naive": 4, "prefix": 2, "weighted": 0, "exact": 0}, 5, "breaks a hard no")
    'Breaks a hard no (top 5): naive text 4, signed prefix 2; none for weighted sum and exact (reference).'
    """
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    some = [f"{METHODS[m].label.lower()} {count}" for m, count in ranked if count]
    none = [METHODS[m].label.lower() for m, count in ranked if not count]
    head = f"{what[0].upper()}{what[1:]} (top {k}): "
    if not some:
        return head + "no method."
    return head + ", ".join(some) + (f"; none for {join_names(none)}." if none else ".")


def filter_note(removed: int, features: Sequence[str], threshold: float) -> str:
    """What the hard-no filter did, as the headline's first line.

    >>> filter_note(8, ["peanuts"], -0.9)
    'Hard-no filter on: 8 products that carry peanuts (scored -0.9 or below) are removed for every method.'
    >>> filter_note(1, ["gore", "horror"], -1)
    'Hard-no filter on: 1 product that carries gore or horror (scored -1 or below) is removed for every method.'
    """
    at = format_score(threshold)
    if not features:
        return f"Hard-no filter on: this user scores no feature at {at} or below, so nothing is removed."
    names = list(features)
    what = ", ".join(names[:-1]) + " or " + names[-1] if 1 < len(names) <= 4 else names[0]
    what = what if len(names) <= 4 else f"any of {counted(len(names), 'feature')}"
    which = "product that carries" if removed == 1 else "products that carry"
    verb = "is" if removed == 1 else "are"
    return f"Hard-no filter on: {removed} {which} {what} (scored {at} or below) {verb} removed for every method."


def summary(counts: Mapping[str, Mapping[str, int]], k: int, n_products: int, has_hard_no: bool) -> str:
    """The headline: which methods put marked products in their top k, computed from the counts.

    >>> counts = {"naive": {"hard_no_in_top_k": 4, "disliked_in_top_k": 1},
    ...           "weighted": {"hard_no_in_top_k": 0, "disliked_in_top_k": 0}}
    >>> print(summary(counts, 5, 25, True))
    Breaks a hard no (top 5): naive text 4; none for weighted sum.
    Disliked overall (top 5): naive text 1; none for weighted sum.
    >>> summary(counts, 5, 3, True)
    'With 3 products and top 5, every method shows every product: only the order can differ.'
    >>> summary(counts, 5, 1, True)
    'With 1 product and top 5, every method shows it: nothing can differ.'
    """
    if k >= n_products == 1:
        return f"With 1 product and top {k}, every method shows it: nothing can differ."
    if k >= n_products:
        return (
            f"With {counted(n_products, 'product')} and top {k}, every method shows every product: "
            "only the order can differ."
        )
    parts = []
    if has_hard_no:
        parts.append(_counted({m: c["hard_no_in_top_k"] for m, c in counts.items()}, k, HARD_NO_NAME))
    parts.append(_counted({m: c["disliked_in_top_k"] for m, c in counts.items()}, k, DISLIKED_NAME))
    return "\n".join(parts)


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
    """One column per method: its top k with scores, rank shifts, both marks and hover profiles."""
    k = result.k
    columns = []
    for method, ranking in result.rankings.items():
        stats, shift = agreement[method], moved.get(method)
        tau = "n/a" if stats["kendall_tau"] is None else f"{stats['kendall_tau']:+.2f}".replace("-", "\u2212")
        top = [
            {
                "name": products[i].name,
                "score": round(float(ranking.scores[i]), 4),
                "shift": 0 if shift is None else int(shift[i]),
                **result.marks.of(i),
                "profile": profile_text(products[i].profile, 10),
            }
            for i in ranking.top(k)
        ]
        columns.append(
            {
                "name": method,
                "label": METHODS[method].label,
                "summary": METHODS[method].summary,
                "stats": [f"τ {tau}", f"overlap {stats['overlap_at_k']:.0%}"],  # separate items: they wrap apart
                "counts": {"hardNo": stats["hard_no_in_top_k"], "disliked": stats["disliked_in_top_k"]},
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
    """The points of one map: the top k (with both marks), the user and its trail, optionally the background."""
    top = result.rankings[method].top(result.k)
    coords = inputs.projection.coords
    panel = {
        "title": METHODS[method].label,
        "top": _points(inputs.alignment, coords[top]),
        "topLabels": [f"#{place + 1} {products[i].name}" for place, i in enumerate(top)],
        "hardNo": [bool(result.marks.hard_no[i]) for i in top],
        "disliked": [bool(result.marks.disliked[i]) for i in top],
        "user": _points(inputs.alignment, inputs.user)[0],
        "trail": _points(inputs.alignment, inputs.trail),
    }
    if background is not None:
        panel["bg"] = _points(inputs.alignment, coords[background])
    return panel


def map_notes(kinds: set[str], n_products: int, k: int, aligned: bool, strategies: bool = False) -> tuple[str, str]:
    """The maps' axis name and the note under them, from what was actually drawn."""
    notes = []
    if strategies:
        notes.append(
            "The Qdrant strategies rank the weighted sum's product vectors, so their maps are weighted's; the user "
            "is drawn at average_vector's query point (best_score and sum_scores use each example on its own)."
        )
    if "pca" in kinds and n_products < MIN_UMAP_POINTS:
        notes.append(
            f"With fewer than {MIN_UMAP_POINTS} products the maps use PCA, not UMAP "
            f"({counted(n_products, 'product')} here)."
        )
    elif "pca" in kinds:
        notes.append("Some vectors have fewer than 2 dimensions (one feature or none): those maps use PCA.")
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
