"""ECharts option objects for the Explorer's live charts. Plain dicts; no streamlit here.

The Explorer redraws these on every slider move, so they are built as JSON
directly (no figure-object validation) and drawn by ECharts on a canvas, which
updates in a few milliseconds. A browser benchmark (bench/browser_slider.py)
measured the same six-panel map at ~600 ms per move with Plotly and ~50 ms
with ECharts. Every chart has a title, named axes and a legend where colours
encode something.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BACKGROUND = "#adb5bd"
TOP_K = "#1971c2"
DISLIKED = "#e03131"
USER = "#fcc419"
STAR = "path://M50,0L61,35L98,35L68,57L79,91L50,70L21,91L32,57L2,35L39,35Z"  # a five-pointed star
DIVERGING = ["#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac"]
ROW_GAP = 80  # between rows of maps: room for the x-axis name and the next panel's title
TITLE = {"left": 0, "top": 0, "textStyle": {"fontSize": 15, "fontWeight": "bold"}}


def _points(coords: np.ndarray, labels: Sequence[str] | None = None) -> list[list]:
    rounded = np.round(np.asarray(coords, dtype=np.float64), 4).tolist()
    if labels is None:
        return rounded
    return [[x, y, text] for (x, y), text in zip(rounded, labels, strict=True)]


def maps_option(panels: Sequence[dict], *, titles: Sequence[str], axis: str = "UMAP", columns: int = 3) -> dict:
    """Small multiples: one map per method.

    Each panel dict holds ``coords`` (n, 2) and ``hover`` (n texts) for the
    background products, ``top`` (k, 2) with ``top_hover`` and ``disliked``
    (bool per top item), ``user`` (2,) and ``trail`` (t, 2).
    """
    row_height, top_pad, gap = 250, 70, ROW_GAP
    grids, x_axes, y_axes, series, headings = [], [], [], [], [dict(TITLE, text=_maps_title(axis))]
    width = 100 / columns
    for i, panel in enumerate(panels):
        row, col = divmod(i, columns)
        left, top = col * width + 2, top_pad + row * (row_height + gap)
        grids.append({"left": f"{left:.1f}%", "width": f"{width - 5:.1f}%", "top": top, "height": row_height})
        for axes, name in ((x_axes, f"{axis} 1"), (y_axes, f"{axis} 2")):
            axes.append(
                {
                    "gridIndex": i,
                    "type": "value",
                    "scale": True,
                    "name": name,
                    "nameLocation": "middle",
                    "nameGap": 8,
                    "nameTextStyle": {"color": "#868e96", "fontSize": 11},
                    "axisLabel": {"show": False},
                    "axisTick": {"show": False},
                    "splitLine": {"lineStyle": {"color": "#f1f3f5"}},
                }
            )
        headings.append(
            {
                "text": titles[i],
                "left": f"{left + (width - 5) / 2:.1f}%",
                "top": top - 24,
                "textAlign": "center",
                "textStyle": {"fontSize": 13, "fontWeight": "normal"},
            }
        )
        on = {"xAxisIndex": i, "yAxisIndex": i}
        disliked = np.asarray(panel["disliked"], dtype=bool)
        top_labels = np.asarray(panel["top_hover"], dtype=object)
        series += [
            {
                **on,
                "type": "scatter",
                "name": "product",
                "data": _points(panel["coords"], panel["hover"]),
                "symbolSize": 6 if len(panel["coords"]) < 500 else 3,
                "itemStyle": {"color": BACKGROUND, "opacity": 0.7},
                "tooltip": {"formatter": "{@[2]}"},
            },
            {
                **on,
                "type": "scatter",
                "name": "top k",
                "data": _points(panel["top"][~disliked], top_labels[~disliked].tolist()),
                "symbolSize": 11,
                "itemStyle": {"color": TOP_K, "borderColor": "white", "borderWidth": 1},
                "tooltip": {"formatter": "{@[2]}"},
                "z": 3,
            },
            {
                **on,
                "type": "scatter",
                "name": "top k, disliked",
                "data": _points(panel["top"][disliked], top_labels[disliked].tolist()),
                "symbol": "triangle",
                "symbolSize": 13,
                "itemStyle": {"color": DISLIKED, "borderColor": "white", "borderWidth": 1},
                "tooltip": {"formatter": "{@[2]} (disliked: exact < 0)"},
                "z": 4,
            },
            {
                **on,
                "type": "line",
                "name": "user's trail",
                "data": _points(panel["trail"]),
                "symbolSize": 4,
                "lineStyle": {"type": "dashed", "width": 1, "color": "#495057"},
                "itemStyle": {"color": "#495057"},
                "silent": True,
                "z": 5,
            },
            {
                **on,
                "type": "scatter",
                "name": "user",
                "data": _points(np.atleast_2d(panel["user"]), ["the user (placed with the map's transform)"]),
                "symbol": STAR,
                "symbolSize": 20,
                "itemStyle": {"color": USER, "borderColor": "#212529", "borderWidth": 1},
                "tooltip": {"formatter": "{@[2]}"},
                "z": 6,
            },
        ]
    return {
        "animation": False,
        "title": headings,
        "tooltip": {"trigger": "item", "confine": True},
        "legend": {
            "bottom": 0,
            "data": ["product", "top k", "top k, disliked", "user", "user's trail"],
            "itemWidth": 14,
        },
        "grid": grids,
        "xAxis": x_axes,
        "yAxis": y_axes,
        "series": series,
    }


def _maps_title(axis: str) -> str:
    return f"Each method's space in 2-D ({axis}): products, the user and the top k"


def maps_height(n_panels: int, columns: int = 3) -> int:
    rows = (n_panels + columns - 1) // columns
    return 70 + rows * (250 + ROW_GAP) + 10


def divergence_option(methods: Sequence[str], tau: np.ndarray, overlap: np.ndarray, k: int) -> dict:
    """Two heat maps side by side: Kendall tau and overlap@k for every pair of methods."""
    names = list(methods)
    grids, x_axes, y_axes, series, visual, headings = [], [], [], [], [], [dict(TITLE, text=_div_title())]
    panels = (("Kendall tau over all products", tau, -1.0), (f"Overlap of the top {k}", overlap, 0.0))
    for i, (title, values, lo) in enumerate(panels):
        left = 9 + i * 50
        grids.append({"left": f"{left}%", "width": "31%", "top": 70, "bottom": 60})
        headings.append(
            {"text": title, "left": f"{left + 15.5}%", "top": 40, "textAlign": "center", "textStyle": {"fontSize": 13}}
        )
        for axes, rotate in ((x_axes, 30), (y_axes, 0)):
            axes.append(
                {
                    "gridIndex": i,
                    "type": "category",
                    "data": names,
                    "name": "method",
                    "nameLocation": "middle",
                    "nameGap": 52 if rotate == 0 else 40,
                    "axisLabel": {"rotate": rotate, "fontSize": 11},
                    "inverse": axes is y_axes,
                }
            )
        data = [
            [x, y, None if np.isnan(values[y, x]) else round(float(values[y, x]), 2)]
            for y in range(len(names))
            for x in range(len(names))
        ]
        series.append(
            {
                "type": "heatmap",
                "name": title,
                "xAxisIndex": i,
                "yAxisIndex": i,
                "data": data,
                "label": {"show": True, "fontSize": 11},
                "tooltip": {"formatter": "{b}: {@[2]}"},
            }
        )
        visual.append(
            {
                "seriesIndex": i,
                "min": lo,
                "max": 1.0,
                "calculable": False,
                "orient": "vertical",
                "left": f"{left + 32}%",
                "top": 80,
                "itemHeight": 150,
                "itemWidth": 10,
                "precision": 1,
                "inRange": {"color": DIVERGING},
                "textStyle": {"fontSize": 10},
            }
        )
    return {
        "animation": False,
        "title": headings,
        "tooltip": {"trigger": "item"},
        "grid": grids,
        "xAxis": x_axes,
        "yAxis": y_axes,
        "visualMap": visual,
        "series": series,
    }


def _div_title() -> str:
    return "Where the methods disagree, pair by pair (1 = the same ranking)"


def agreement_option(methods: Sequence[str], agreement: dict[str, dict], k: int) -> dict:
    """Grouped bars: each method against exact (Kendall tau, overlap@k, rank-biased overlap)."""
    metrics = (("kendall_tau", "Kendall tau"), ("overlap_at_k", f"overlap@{k}"), ("rbo", "rank-biased overlap"))
    colours = ("#495057", "#1971c2", "#0c8599")
    series = []
    for (key, name), colour in zip(metrics, colours, strict=True):
        values = [agreement[m][key] for m in methods]
        series.append(
            {
                "type": "bar",
                "name": name,
                "data": [None if v is None else round(float(v), 2) for v in values],
                "itemStyle": {"color": colour},
                "label": {"show": True, "position": "top", "fontSize": 10, "formatter": "{c}"},
            }
        )
    return {
        "animation": False,
        "title": dict(TITLE, text="Each method's agreement with the exact reference"),
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "right": 0},
        "grid": {"left": 60, "right": 20, "top": 50, "bottom": 50},
        "xAxis": {"type": "category", "data": list(methods), "name": "method", "nameLocation": "middle", "nameGap": 30},
        "yAxis": {
            "type": "value",
            "min": -1,
            "max": 1,
            "name": "agreement with exact",
            "nameLocation": "middle",
            "nameGap": 40,
        },
        "series": series,
    }
