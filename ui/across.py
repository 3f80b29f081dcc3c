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
from core.embedding import models
from core.errors import InputError
from core.vectors.methods import METHOD_NAMES, METHODS
from core.wording import counted
from ui import resources
from ui.colours import ROLE_COLOURS
from ui.plots import COLOURS, finish, reference_line, show
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
        f"Measuring {counted(len(ids), 'model')} (first time only; then kept for everyone)",
        lambda report: across.measure_all(
            {i: (lambda i=i: resources.embedder(i)) for i in ids},
            resources.preset("sign-trap"),
            resources.preset("wine-synonyms"),
            report,
        ),
    )
    st.info(md_escape(across.reading(results)), icon=":material/insights:")
    show(_ab_chart(results))
    _tables(results)
    st.caption(
        "cos(A, B): the article's pair (A avoids anxiety, B seeks it); lower is better, exact is the reference. "
        'Floor: the median cosine between unrelated sentences, so "above floor" rescales naive\'s cos(A, B) to '
        "0 = unrelated, 1 = identical (E5's cosines all sit high). cos(P, −P): a profile against its sign-flip, "
        "averaged over sign-trap's users. Stacking: |φa + φb|² / (|φa|² + |φb|²) for wine-synonyms' closest pair "
        "(1 = no stacking, 2 = counted twice)."
    )
    _not_installed_note()


def _ab_chart(results: dict) -> go.Figure:
    names = list(results)  # model ids: short enough for an 800-px screen (the tables below say which is which)
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
    note = across.whitening_artefact(results)  # drawn in full, and said on the chart (and in a PNG of it)
    subtitle = "A avoids anxiety, B seeks it: lower is better; exact is the reference" + (f". {note}." if note else "")
    finish(figure, "cos(User A, User B) per method and model", "model", "cosine", height=600, subtitle=subtitle)
    figure.update_layout(barmode="group")
    drawn = [v for r in results.values() for v in (*r["ab_cosine"].values(), r["floor"]) if np.isfinite(v)]
    figure.update_yaxes(range=[min(0.0, *drawn) - 0.05, max(1.0, *drawn) + 0.05])  # every bar whole
    return figure


def _decimals(*names: str, digits: int = 2, help: str | None = None) -> dict:
    """The same number of decimals in every row of these columns (pandas would write 1 next to 0.513)."""
    return {n: st.column_config.NumberColumn(format=f"%.{digits}f", help=help) for n in names}


MODEL_COLUMN = {"model": st.column_config.TextColumn(pinned=True)}


def _models_note(ids) -> str:
    """The tables name models by id (short enough for an 800-px screen); this says which is which."""
    return "Models: " + "; ".join(f"{m} = {models.spec(m).name}" for m in ids) + "."


def _show(title: str, rows: list[dict], config: dict) -> None:
    st.markdown(title)
    st.dataframe(pd.DataFrame(rows), width="stretch", hide_index=True, column_config=MODEL_COLUMN | config)


def _tables(results: dict) -> None:
    """Three small tables, each fitting an 800-px screen: User A against User B, the sign flip, the rest."""
    rows = [{"model": model, **{m: r["ab_cosine"][m] for m in METHOD_NAMES}} for model, r in results.items()]
    help_ = {m: METHODS[m].label for m in METHOD_NAMES}
    config = {m: st.column_config.NumberColumn(format="%.2f", help=help_[m]) for m in METHOD_NAMES}
    _show("**cos(User A, User B)** per method: lower is better, exact is the reference", rows, config)
    flips = ("naive", "prefix", "weighted")
    rows = [{"model": model, **{m: r["sign_flip"][m] for m in flips}} for model, r in results.items()]
    config = {m: st.column_config.NumberColumn(format="%.2f", help=help_[m]) for m in flips}
    _show("**cos(P, −P)**: a profile against its sign-flip, averaged over sign-trap's users", rows, config)
    rows = [
        {"model": model, "dimensions": r["dim"], "unrelated floor": r["floor"]}
        | {"naive above floor": r["ab_above_floor"], "prefix polarity": r["prefix_polarity"]}
        | {"stacking": r["stacking"]["weighted"]}
        for model, r in results.items()
    ]
    config = _decimals("unrelated floor", "naive above floor", "prefix polarity")
    config |= _decimals("stacking", help="the weighted sum's stacking factor for wine-synonyms' closest pair")
    _show("**Each model's floor, prefix polarity and stacking**", rows, config)
    st.caption(_models_note(results))


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
        f"Embedding {2 * len(pairs.sentences):,} sentences with {counted(len(ids), 'model')} (first time only)",
        lambda report: negation.every_model(pairs, {m: resources.embedder(m) for m in ids}, report),
    )
    summaries = {m: negation.summary_of(*cosines) for m, cosines in results.items()}
    st.info(md_escape(negation.reading(summaries)), icon=":material/insights:")
    show(_negation_chart(results))
    _negation_table(summaries)
    st.caption(
        f"{len(pairs.sentences):,} review sentences (Amazon, IMDb, Yelp) and their negations, from the CANNOT "
        "dataset (CC BY-SA 4.0; Anschütz et al. 2023, after Kotzias et al. 2015). Random: each sentence against "
        "another sentence of the file (one seeded shuffle): each model's own floor."
    )


NEGATION_COLUMNS = {  # summary key -> the table's header, in words; the ones a reader needs first
    "median": "median",
    "rescaled_median": "rescaled median",
    "share_above_0.8": f"above {negation.HIGH:g}",
    "random_median": "random median",
    "p10": "10th percentile",
    "p90": "90th percentile",
    "pairs": "pairs",
}
NEGATION_HELP = {
    "median": "median cos(sentence, its negation)",
    "rescaled_median": "the median on the model's own scale: 0 = a random sentence, 1 = identical",
    "share_above_0.8": f"share of pairs with a cosine above {negation.HIGH:g}",
    "random_median": "median cos(sentence, a random other sentence): the model's floor",
    "p10": "10th percentile of cos(sentence, its negation)",
    "p90": "90th percentile of cos(sentence, its negation)",
    "pairs": "sentence pairs measured",
}


def _negation_table(summaries: dict) -> None:
    """Cosines with two decimals, the share above the line as a percentage, the pair count with a separator."""
    rows = [
        {"model": model} | {NEGATION_COLUMNS[k]: summary[k] for k in NEGATION_COLUMNS}
        for model, summary in summaries.items()
    ]
    for row, summary in zip(rows, summaries.values(), strict=True):
        row[NEGATION_COLUMNS["share_above_0.8"]] = 100 * summary["share_above_0.8"]
    formats = {"share_above_0.8": "%.0f%%", "pairs": "localized"}
    config = {
        header: st.column_config.NumberColumn(format=formats.get(key, "%.2f"), help=NEGATION_HELP[key])
        for key, header in NEGATION_COLUMNS.items()
    }
    _show("**cos(sentence, its negation)** per model", rows, config)
    st.caption(_models_note(summaries))


def _negation_chart(results: dict) -> go.Figure:
    figure = go.Figure()
    for label, index, colour in (
        ("its negation", 0, ROLE_COLOURS["alarm"]),
        ("a random other sentence", 1, ROLE_COLOURS["neutral"]),
    ):
        xs, ys = [], []
        for model, cosines in results.items():
            ys.extend(cosines[index].tolist())
            xs.extend([model] * len(cosines[index]))
        figure.add_box(name=f"cos(sentence, {label})", x=xs, y=ys, marker_color=colour, boxpoints=False)
    reference_line(figure, f"cosine {negation.HIGH:g}", y=negation.HIGH)
    subtitle = "cos(review sentence, its negation) beside cos(sentence, a random other one)"
    finish(figure, "A sentence against its negation", "model", "cosine", height=460, subtitle=subtitle)
    figure.update_layout(boxmode="group")
    return figure
