"""Shared Plotly styling for the pages that are not redrawn on every slider move.

(The Explorer's live charts are drawn by its own element, ui/live; see ui/live/panel.js for why.)
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core.wording import NOT_DEFINED
from ui.colours import BASELINE_COLOURS, METHOD_COLOURS

COLOURS = {**METHOD_COLOURS, **BASELINE_COLOURS}  # colour-blind safe: ui/colours.py


# Characters of a title line (15 px, bold) and of a subtitle line (12 px) that fit the chart on a 390-px phone
# (where every chart has the full width, about 358 px) and on an 800-px screen, by how many charts share the row.
# A chart's title is short and says what it shows; the subtitle says how to read it. Plotly never wraps a title
# itself (it would cut it), so they are wrapped here; the top margin is computed from the number of lines, so
# the title never reaches the plot.
TITLE_CHARS = {1: 40, 2: 34, 3: 24}
SUBTITLE_CHARS = {1: 52, 2: 42, 3: 28}
TITLE_LINE, SUBTITLE_LINE = 20, 16  # pixels per line (Plotly sets lines 1.3 em apart)
TITLE_PAD = 34  # pixels above the title: the chart's toolbar (Plotly's mode bar, 28 px) sits there, never on it
FONT = 14  # tick labels, axis titles and legends: readable on a projector
EXPORT_SCALE = 2  # a downloaded PNG has twice the pixels of the layout: sharp on a slide
EXPORT_WIDTH = {1: 1200, 2: 800, 3: 600}  # the layout's width in a PNG, by charts per row: never a phone's width
SUBTITLE_GAP = 15  # pixels Plotly leaves between a title and its subtitle
CLEARANCE = 18  # pixels between the last title line and the plot: the top tick label reaches 8 above the plot
REFERENCE = "#495057"  # reference lines (chance, thresholds)


# Trace attributes that may hold text from a file, an upload or a URL (names, categories, hover text).
TRACE_TEXT = ("name", "x", "y", "text", "hovertext", "customdata", "labels")


def plot_escape(text: str) -> str:
    """Text as Plotly shows it literally: Plotly renders <a href>, <b>, <br> and entities in every string.

    >>> plot_escape("<a href='x'>Wine & cheese</a>")
    "&lt;a href='x'&gt;Wine &amp; cheese&lt;/a&gt;"
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return plot_escape(value)
    if isinstance(value, np.ndarray):
        return np.vectorize(_escaped, otypes=[object])(value) if value.dtype.kind in "OUS" and value.size else value
    if isinstance(value, list | tuple):
        return type(value)(_escaped(v) for v in value)
    return value


def show(figure: go.Figure, where: Any = st) -> None:
    """Draw a figure with every text that came from data escaped (titles are escaped by :func:`finish`).

    The one way the pages draw a Plotly chart (tests/test_structure.py checks it), so no name from a scenario,
    a MovieLens file or a link can become a link or markup inside a chart. Its toolbar's camera downloads it
    as a PNG for a slide (:func:`export_config`).
    """
    for trace in figure.data:
        for attribute in TRACE_TEXT:
            if attribute in trace and trace[attribute] is not None:
                trace[attribute] = _escaped(trace[attribute])
    where.plotly_chart(figure, width="stretch", config=export_config(figure))


def export_config(figure: go.Figure) -> dict:
    """Plotly's config: the camera button renders the figure again at a slide's width (not the screen's, which
    may be a phone's), at :data:`EXPORT_SCALE` times its pixels, named after its title; tools a reader of these
    charts never needs are left out of the toolbar.

    >>> figure = finish(go.Figure(), "Mean AUC over users, with 95% intervals", "x", "y", height=400, columns=2)
    >>> figure.layout.title.text
    'Mean AUC over users, with 95%<br>intervals'
    >>> export_config(figure)["toImageButtonOptions"]
    {'format': 'png', 'scale': 2, 'width': 800, 'height': 400, 'filename': 'mean-auc-over-users-with-95-intervals'}
    """
    layout = figure.layout
    title = re.sub(r"<[^>]*>|&[a-z]+;", " ", layout.title.text or "chart")
    columns = (layout.meta or {}).get("columns", 1) if isinstance(layout.meta, dict) else 1
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
        "toImageButtonOptions": {
            "format": "png",
            "scale": EXPORT_SCALE,
            "width": EXPORT_WIDTH[min(columns, 3)],
            "height": layout.height or 450,
            "filename": "-".join(re.findall(r"[a-z0-9]+", title.lower()))[:80] or "chart",
        },
    }


def wrap(title: str, width: int = TITLE_CHARS[1]) -> str:
    """Break a chart title into lines Plotly can show without cutting it (Plotly never wraps titles itself).

    >>> wrap("Mean AUC over users, with 95% intervals, for every method and baseline", 30)
    'Mean AUC over users, with 95%<br>intervals, for every method<br>and baseline'
    """
    return "<br>".join(textwrap.wrap(title, width)) or title


def title_layout(title: str, subtitle: str | None = None, columns: int = 1) -> tuple[dict, int]:
    """Plotly's title (and subtitle) pinned to the top of the figure, and the top margin that holds them.

    >>> layout, top = title_layout("Stacking factor", "of 'a long feature name' + 'another long feature name'", 2)
    >>> layout["text"], layout["subtitle"]["text"], top
    ('Stacking factor', "of 'a long feature name' + 'another long<br>feature name'", 119)
    """
    width = min(columns, 3)
    text = wrap(plot_escape(title), TITLE_CHARS[width])
    top = TITLE_PAD + TITLE_LINE * (text.count("<br>") + 1) + CLEARANCE
    layout = {
        "text": text,
        "x": 0.0,
        "xanchor": "left",
        "xref": "container",
        "y": 1.0,
        "yanchor": "top",
        "yref": "container",
        "pad": {"t": TITLE_PAD, "l": 8},
        "font": {"size": 15},
    }
    if subtitle:
        sub = wrap(plot_escape(subtitle), SUBTITLE_CHARS[width])
        layout["subtitle"] = {"text": sub, "font": {"size": 12, "color": "#6c757d"}}
        top += SUBTITLE_GAP + SUBTITLE_LINE * (sub.count("<br>") + 1)
    return layout, top


def finish(
    figure: go.Figure,
    title: str,
    x: str,
    y: str,
    height: int = 380,
    legend: bool = True,
    *,
    columns: int = 1,
    subtitle: str | None = None,
) -> go.Figure:
    """Title and subtitle, axis titles, legend and a clean white layout, the same on every page.

    ``title`` names what the chart shows in a few words; ``subtitle`` says how to read it (see
    :data:`TITLE_CHARS`). ``columns``: how many charts share the row. Pass ``legend=False`` for a chart with one
    unnamed trace: Plotly would label it "trace 0". The legend sits at the bottom of the figure, below the axis
    labels; reference lines are named there (:func:`reference_line`), never by a label on the plot.
    """
    layout, top = title_layout(title, subtitle, columns)
    figure.update_layout(
        title=layout,
        xaxis_title=plot_escape(x),
        yaxis_title=plot_escape(y),
        height=height,
        showlegend=legend,
        legend={"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0.0},
        margin={"l": 10, "r": 10, "t": top, "b": 10},
        plot_bgcolor="white",
        paper_bgcolor="white",
        font={"size": FONT},
        meta={"columns": columns},  # for the PNG's width (export_config)
    )
    # Sizes set on the axes and the legend themselves: Streamlit's chart theme would shrink them to 12 px.
    fonts = {"tickfont": {"size": FONT}, "title_font": {"size": FONT}}
    figure.update_xaxes(showline=True, linecolor="#dee2e6", gridcolor="#f1f3f5", **fonts)
    figure.update_yaxes(showline=True, linecolor="#dee2e6", gridcolor="#f1f3f5", zerolinecolor="#adb5bd", **fonts)
    figure.update_layout(legend_font_size=FONT)
    return figure


def reference_line(figure: go.Figure, label: str, *, x: float | None = None, y: float | None = None, **line) -> None:
    """A vertical (``x``) or horizontal (``y``) line across the plot, named in the legend.

    A label written on the plot sits on whatever is drawn there (a box, a bar, the curve itself); the legend
    never does. ``line`` overrides the dotted grey style (``color``, ``dash``, ``width``).
    """
    style = {"dash": "dot", "color": REFERENCE, "width": 1.5} | line
    if x is not None:
        figure.add_vline(x=x, line=style)
    else:
        figure.add_hline(y=y, line=style)
    figure.add_scatter(x=[None], y=[None], mode="lines", line=style, name=label, hoverinfo="skip")


def lines_by_method(
    x,
    series: dict,
    title: str,
    x_title: str,
    y_title: str,
    height: int = 380,
    markers: bool = False,
    columns: int = 1,
    subtitle: str | None = None,
):
    """One coloured line per method over a shared x axis."""
    from core.vectors.methods import METHODS

    figure = go.Figure()
    for method, y in series.items():
        figure.add_scatter(
            x=x,
            y=y,
            mode="lines+markers" if markers else "lines",
            marker={"size": 4},
            name=METHODS[method].label,
            line={"color": COLOURS[method], "width": 2},
        )
    return finish(figure, title, x_title, y_title, height=height, columns=columns, subtitle=subtitle)


def bar_height(bars: int) -> int:
    """The height of a horizontal bar chart with a title, a subtitle and a legend: 28 px a bar, at least 320."""
    return max(320, 28 * bars + 170)


def auc_bars(
    names: list[str],
    summary: dict,
    colours: list[str],
    title: str,
    x_title: str = "method",
    columns: int = 1,
    subtitle: str | None = "with 95% intervals; bars start at 0",
) -> go.Figure:
    """Mean AUC per name as horizontal bars with asymmetric 95% whiskers, and a dotted chance line at 0.5.

    Horizontal, so that every name (up to the eleven methods and baselines, or a lab's rules) has a line of its
    own however narrow the chart: names under vertical bars run into each other. ``summary[name]`` holds
    ``{"auc", "auc_ci95": [lo, hi]}``; ``x_title`` names what the bars are (method, rule, model).
    """
    aucs = [summary[n]["auc"] for n in names]
    highs = [summary[n]["auc_ci95"][1] for n in names]
    figure = go.Figure(
        go.Bar(
            y=names,
            x=aucs,
            orientation="h",
            marker_color=colours,
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [hi - a for hi, a in zip(highs, aucs, strict=True)],
                "arrayminus": [a - summary[n]["auc_ci95"][0] for n, a in zip(names, aucs, strict=True)],
            },
            text=[f"{a:.3f}" for a in aucs],
            textposition="inside",
            insidetextanchor="start",
            textangle=0,
            showlegend=False,
        )
    )
    reference_line(figure, "chance (AUC 0.5)", x=0.5)
    finish(figure, title, "AUC", x_title, bar_height(len(names)), columns=columns, subtitle=subtitle)
    figure.update_layout(uniformtext={"minsize": 10, "mode": "hide"})  # a value that does not fit is left out
    figure.update_yaxes(autorange="reversed", type="category")  # the first name on top, as listed
    # From 0: a truncated axis would make a 0.02 difference look like a doubling.
    figure.update_xaxes(range=[0, max(0.8, max(highs) + 0.03)])
    return figure


def heatmap(z, x: list[str], y: list[str], zrange: tuple[float, float], *, colorscale: str, annotate: bool = False):
    """A heat map over named rows and columns, optionally with each cell's value written in it (at the chart's
    tick size, so a value is as readable as its row's name)."""
    cells = {"texttemplate": "%{z:.2f}", "textfont": {"size": FONT - 2}} if annotate else {}  # 1.30, not 1.3
    colorbar = {"thickness": 10, "tickfont": {"size": FONT}}
    return go.Figure(
        go.Heatmap(z=z, x=x, y=y, zmin=zrange[0], zmax=zrange[1], colorscale=colorscale, colorbar=colorbar, **cells)
    )


MAX_LABELLED_ROWS = 40  # a square matrix labels every row up to this many; beyond, Plotly picks which


def square_heatmap(matrix, names: list[str], zrange: tuple[float, float], *, colorscale: str) -> tuple[go.Figure, int]:
    """A symmetric matrix over the same names on both axes (feature cosines), and the height that gives every row
    a readable line. Every row is labelled; the columns, in the same order, are not (a column 10 px wide cannot
    hold a 14-px name on a phone, and labelling every other one misleads)."""
    figure = heatmap(matrix, names, names, zrange, colorscale=colorscale)
    labelled = len(names) <= MAX_LABELLED_ROWS
    figure.update_xaxes(showticklabels=False)
    figure.update_yaxes(autorange="reversed", dtick=1 if labelled else None)
    return figure, max(360, 20 * min(len(names), MAX_LABELLED_ROWS) + 200)


METRIC_COLUMNS = ("AUC", "NDCG@10", "precision@10")


def interval(low: float, high: float, *, signed: bool = False, digits: int = 3) -> str:
    """A 95% interval as a table cell; :data:`~core.wording.NOT_DEFINED` when it is not defined (fewer than 2 users).

    >>> interval(0.5991, 0.646), interval(-0.0052, 0.012, signed=True), interval(float("nan"), float("nan"))
    ('0.599 to 0.646', '-0.005 to +0.012', 'n/a')
    """
    if not (np.isfinite(low) and np.isfinite(high)):
        return NOT_DEFINED
    spec = f"{'+' if signed else ''}.{digits}f"
    return f"{low:{spec}} to {high:{spec}}"


def score_columns(*names: str, signed: tuple[str, ...] = ()) -> dict:
    """``st.dataframe`` column formats for scores: three decimals; ``signed`` columns (differences) show a sign."""
    return {n: st.column_config.NumberColumn(format="%+.3f" if n in signed else "%.3f") for n in (*names, *signed)}
