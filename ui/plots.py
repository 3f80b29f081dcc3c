"""Shared Plotly styling for the pages that are not redrawn on every slider move.

(The Explorer's live charts are drawn by its own element, ui/live; see ui/live/panel.js for why.)
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

COLOURS = {
    "naive": "#e03131",
    "split": "#f08c00",
    "prefix": "#ae3ec9",
    "weighted": "#1971c2",
    "whitened": "#0c8599",
    "exact": "#2b8a3e",
    "qdrant-avg": "#5c940d",
    "qdrant-best": "#d6336c",
    "qdrant-sum": "#7048e8",
    "popularity": "#868e96",
    "random": "#ced4da",
}


# Characters of a title line that fit the chart on an 800-px screen, by how many charts share the row.
TITLE_CHARS = {1: 70, 2: 34, 3: 24}


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
    a MovieLens file or a link can become a link or markup inside a chart.
    """
    for trace in figure.data:
        for attribute in TRACE_TEXT:
            if attribute in trace and trace[attribute] is not None:
                trace[attribute] = _escaped(trace[attribute])
    where.plotly_chart(figure, width="stretch")


def wrap(title: str, width: int = TITLE_CHARS[1]) -> str:
    """Break a chart title into lines Plotly can show without cutting it (Plotly never wraps titles itself).

    >>> wrap("Mean AUC over users, with 95% intervals, for every method and baseline", 30)
    'Mean AUC over users, with 95%<br>intervals, for every method<br>and baseline'
    """
    return "<br>".join(textwrap.wrap(title, width)) or title


def finish(
    figure: go.Figure,
    title: str,
    x: str,
    y: str,
    height: int = 380,
    legend: bool = True,
    *,
    columns: int = 1,
) -> go.Figure:
    """Title (wrapped to fit), axis titles, legend and a clean white layout, the same on every page.

    ``columns``: how many charts share the row (the title wraps to fit one of them on an 800-px screen; Plotly
    cuts a long title rather than wrapping it). Pass ``legend=False`` for a chart with one unnamed trace:
    Plotly would label it "trace 0". The legend sits at the bottom of the figure, below the axis labels.
    """
    text = wrap(plot_escape(title), TITLE_CHARS[min(columns, 3)])
    lines = text.count("<br>") + 1
    figure.update_layout(
        title={"text": text, "x": 0.0, "xanchor": "left", "font": {"size": 15}},
        xaxis_title=plot_escape(x),
        yaxis_title=plot_escape(y),
        height=height,
        showlegend=legend,
        legend={"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0.0},
        margin={"l": 10, "r": 10, "t": 30 + 20 * lines, "b": 10},
        plot_bgcolor="white",
        paper_bgcolor="white",
        font={"size": 13},
    )
    figure.update_xaxes(showline=True, linecolor="#dee2e6", gridcolor="#f1f3f5")
    figure.update_yaxes(showline=True, linecolor="#dee2e6", gridcolor="#f1f3f5", zerolinecolor="#adb5bd")
    return figure


def lines_by_method(
    x, series: dict, title: str, x_title: str, y_title: str, height: int = 380, markers: bool = False, columns: int = 1
):
    """One coloured line per method over a shared x axis."""
    from core.engine.methods import METHODS

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
    return finish(figure, title, x_title, y_title, height=height, columns=columns)


def auc_bars(
    names: list[str],
    summary: dict,
    colours: list[str],
    title: str,
    height: int = 400,
    x_title: str = "method",
    columns: int = 1,
) -> go.Figure:
    """Mean AUC per name with asymmetric 95% whiskers and a dotted chance line at 0.5.

    ``summary[name]`` holds ``{"auc", "auc_ci95": [lo, hi]}``; ``names`` are also the bar labels.
    """
    aucs = [summary[n]["auc"] for n in names]
    figure = go.Figure(
        go.Bar(
            x=names,
            y=aucs,
            marker_color=colours,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [summary[n]["auc_ci95"][1] - summary[n]["auc"] for n in names],
                "arrayminus": [summary[n]["auc"] - summary[n]["auc_ci95"][0] for n in names],
            },
            text=[f"{a:.3f}" for a in aucs],
            textposition="inside",
            insidetextanchor="start",
            textangle=0,
            showlegend=False,
        )
    )
    figure.add_scatter(  # the chance line as a legend entry: a label on the line would sit on a bar
        x=names, y=[0.5] * len(names), mode="lines", line={"dash": "dot", "color": "#495057"}, name="chance (AUC 0.5)"
    )
    finish(figure, title, x_title, "AUC", height, columns=columns)
    figure.update_layout(uniformtext={"minsize": 10, "mode": "hide"})  # a value that does not fit is left out
    # From 0: a truncated axis would make a 0.02 difference look like a doubling.
    figure.update_yaxes(range=[0, max(0.8, max(aucs) + 0.08)])
    return figure


def heatmap(z, x: list[str], y: list[str], zrange: tuple[float, float], *, colorscale: str, annotate: bool = False):
    """A heat map over named rows and columns, optionally with each cell's value written in it."""
    import numpy as np

    cells = {"text": np.round(z, 2), "texttemplate": "%{text}"} if annotate else {}
    return go.Figure(
        go.Heatmap(
            z=z, x=x, y=y, zmin=zrange[0], zmax=zrange[1], colorscale=colorscale, colorbar={"thickness": 10}, **cells
        )
    )


METRIC_COLUMNS = ("AUC", "NDCG@10", "precision@10")


def score_columns(*names: str, signed: tuple[str, ...] = ()) -> dict:
    """``st.dataframe`` column formats for scores: three decimals; ``signed`` columns (differences) show a sign."""
    return {n: st.column_config.NumberColumn(format="%+.3f" if n in signed else "%.3f") for n in (*names, *signed)}
