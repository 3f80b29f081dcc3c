"""The Diagnostics tabs that compare every installed model: the article's claims, and real negation pairs.

Both are long (every model loads and embeds), so each runs once per server as a shared build, then comes
from memory; the page shows its progress meanwhile.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.diagnostics import across, negation
from core.engine import models
from core.engine.methods import METHOD_NAMES, METHODS
from core.errors import InputError
from ui import resources
from ui.plots import COLOURS, finish, show
from ui.text import md_escape


def _installed() -> tuple[str, ...]:
    return tuple(m.id for m in models.installed())


def _not_installed_note() -> None:
    missing = [m.name for m in models.registry() if not m.installed]
    if missing:
        st.caption(f"Not installed here: {', '.join(missing)} (`{models.INSTALL}` adds them).")


def tab_across() -> None:
    st.subheader("Does a bigger or differently trained model hear the sign?")
    ids = _installed()
    results = resources.computed_once(
        ("across", ids),
        f"Measuring {len(ids)} models (first time only; then kept for everyone)",
        lambda report: across.measure_all(
            {i: (lambda i=i: resources.embedder(i)) for i in ids},
            resources.preset("sign-trap"),
            resources.preset("wine-synonyms"),
            report,
        ),
    )
    st.info(md_escape(across.reading(results)), icon=":material/insights:")
    show(_ab_chart(results))
    st.dataframe(_table(results), width="stretch", hide_index=True)
    st.caption(
        "cos(A, B): the article's pair (A avoids anxiety, B seeks it); lower is better, exact is the reference. "
        'Floor: the median cosine between unrelated sentences, so "above floor" rescales naive\'s cos(A, B) to '
        "0 = unrelated, 1 = identical (E5's cosines all sit high). cos(P, −P): a profile against its sign-flip, "
        "averaged over sign-trap's users. Stacking: |φa + φb|² / (|φa|² + |φb|²) for wine-synonyms' closest pair "
        "(1 = no stacking, 2 = counted twice)."
    )
    _not_installed_note()


def _ab_chart(results: dict) -> go.Figure:
    names = [models.spec(m).name for m in results]
    figure = go.Figure()
    for method in METHOD_NAMES:
        values = [r["ab_cosine"][method] for r in results.values()]
        figure.add_bar(name=METHODS[method].label, x=names, y=values, marker_color=COLOURS[method])
    figure.add_scatter(
        name="floor (unrelated sentences)",
        x=names,
        y=[r["floor"] for r in results.values()],
        mode="markers",
        marker={"symbol": "line-ew-open", "size": 34, "color": "#212529", "line": {"width": 3}},
    )
    finish(figure, "cos(User A, User B) per method, for every installed model", "model", "cosine", height=440)
    figure.update_layout(barmode="group")
    figure.update_yaxes(range=[min(0.0, *(r["ab_cosine"]["exact"] for r in results.values())) - 0.05, 1.05])
    return figure


def _table(results: dict) -> pd.DataFrame:
    rows = []
    for model, r in results.items():
        row = {"model": models.spec(model).name, "dim": r["dim"], "floor": r["floor"]}
        row |= {f"cos(A,B) {m}": r["ab_cosine"][m] for m in METHOD_NAMES}
        row["naive above floor"] = r["ab_above_floor"]
        row |= {f"cos(P,−P) {m}": r["sign_flip"][m] for m in ("naive", "prefix", "weighted")}
        row["prefix polarity"] = r["prefix_polarity"]
        row["stacking weighted"] = r["stacking"]["weighted"]
        rows.append(row)
    return pd.DataFrame(rows).round(3)


def tab_negation() -> None:
    st.subheader("Real sentences: does a model tell a review from its negation?")
    try:
        pairs = negation.load_pairs()
    except InputError as exc:
        st.info(md_escape(str(exc)), icon=":material/info:")
        return
    ids = _installed()
    results = resources.computed_once(
        ("negation", pairs.source, len(pairs.sentences), ids),
        f"Embedding {2 * len(pairs.sentences):,} sentences with {len(ids)} models (first time only)",
        lambda report: _negation(pairs, ids, report),
    )
    summaries = {m: negation.summary_of(*cosines) for m, cosines in results.items()}
    st.info(md_escape(negation.reading(summaries)), icon=":material/insights:")
    show(_negation_chart(results))
    table = pd.DataFrame([{"model": models.spec(m).name, **s} for m, s in summaries.items()])
    st.dataframe(table, width="stretch", hide_index=True)
    st.caption(
        f"{len(pairs.sentences):,} review sentences (Amazon, IMDb, Yelp) and their negations, from the CANNOT "
        "dataset (CC BY-SA 4.0; Anschütz et al. 2023, after Kotzias et al. 2015). Random: each sentence against "
        "another sentence of the file (one seeded shuffle): each model's own floor."
    )


def _negation(pairs: negation.Pairs, ids: tuple[str, ...], report) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = {}
    for i, model in enumerate(ids):
        report(f"Embedding with {model} ({i + 1} of {len(ids)})", i / max(1, len(ids)))
        out[model] = negation.negation_cosines(pairs, resources.embedder(model))
    return out


def _negation_chart(results: dict) -> go.Figure:
    figure = go.Figure()
    for label, index, colour in (("its negation", 0, "#e03131"), ("a random other sentence", 1, "#868e96")):
        xs, ys = [], []
        for model, cosines in results.items():
            ys.extend(cosines[index].tolist())
            xs.extend([models.spec(model).name] * len(cosines[index]))
        figure.add_box(name=f"cos(sentence, {label})", x=xs, y=ys, marker_color=colour, boxpoints=False)
    title = "cos(review sentence, its negation) against cos(sentence, a random other one), per model"
    finish(figure, title, "model", "cosine", height=440)
    figure.update_layout(boxmode="group")
    figure.add_hline(y=negation.HIGH, line_dash="dot", line_color="#495057", annotation_text="0.8")
    return figure
