"""The Labs page's parts: each lab's introduction, reading, charts and table."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.movielens.labs import readings
from core.movielens.labs.experiments import EASE_LAMBDA, EASE_MIN_LIKES, LabResult
from core.movielens.labs.feedback import FEEDBACK_RATE
from core.movielens.labs.history import RECENCY_HALF_LIFE
from core.movielens.protocol import MAX_EXAMPLES, NEGATIVE, POSITIVE
from core.movielens.strategies import FITTED, NO_NEGATIVES
from core.wording import counted
from ui.colours import ROLE_COLOURS
from ui.plots import (
    COLOURS,
    METRIC_COLUMNS,
    auc_bars,
    bar_height,
    finish,
    interval,
    reference_line,
    score_columns,
    show,
)
from ui.text import md_escape

LABS = {
    "history": "User from history",
    "feedback": "Negative feedback",
    "centroids": "Category centroids",
    "ease": "EASE",
    "qdrant": "Vector database",
}
HEADINGS = {  # each lab's question: the page shows it at once, before the lab computes
    "history": "A user vector from what they watched",
    "feedback": "Updating a user vector after a dislike",
    "centroids": "A category that learns from what is put in it",
    "ease": "EASE: relations between items, including negative ones",
    "qdrant": "What a vector database does with dislikes",
}
RULE_COLOURS = [ROLE_COLOURS[r] for r in ("neutral", "first", "second", "third")]
INTRO = (
    "Five neighbouring problems, each tested on real ratings rather than argued. Every lab uses the "
    "Evaluation page's MovieLens split (each user's first 80% of ratings by time as history, the rest held out; "
    "held-out ratings of 4 and up are likes, 2.5 and below dislikes; the same 270 users) and reports the mean "
    "AUC over users with a 95% interval, NDCG@10 and precision@10, so the figures compare directly with "
    "the six methods on the Evaluation page."
)
LICENCE = (
    "Data: MovieLens ml-latest-small, GroupLens Research, University of Minnesota, used under its licence. "
    "F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets: History and Context. ACM TiiS 5, 4. "
    "Reproduce: python -m core labs --json"
)


def verdict(text: str) -> None:
    st.info(md_escape(text), icon=":material/balance:")


def bars(lab: LabResult, title: str, x_title: str = "rule", table: bool = True, columns: int = 1) -> None:
    """AUC bars with intervals (subtitled with the users they are over), then (unless ``table=False``) every
    metric in a table."""
    names = list(lab.rules)
    subtitle = f"mean AUC over {counted(lab.users, 'user')}, 95% intervals"
    figure = auc_bars(
        names, lab.summary(), RULE_COLOURS[: len(names)], title, x_title=x_title, columns=columns, subtitle=subtitle
    )
    show(figure)
    if table:
        metrics_table(lab, x_title)


def metrics_table(lab: LabResult, x_title: str = "rule") -> None:
    """AUC with its interval, NDCG@10 and precision@10 per rule (the Evaluation page's definitions)."""
    rows = [
        {
            x_title: rule,
            "AUC": r["auc"],
            "95% interval": interval(*r["auc_ci95"]),
            "NDCG@10": r["ndcg@10"],
            "precision@10": r["precision@10"],
        }
        for rule, r in lab.summary().items()
    ]
    # the names are the point of the table: wide enough for "qdrant-best (likes only)" at 800 px
    config = score_columns(*METRIC_COLUMNS) | {x_title: st.column_config.TextColumn(width="medium", pinned=True)}
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height="content", column_config=config)


def history(lab: LabResult) -> None:
    st.markdown(
        "Many systems build the user as an average of the items they engaged with. Which average? "
        "Here each movie is the sum of its genres' embeddings, and the user is one of: **all watched** "
        "(every movie, ratings ignored), **liked only** (ratings of 4 and up), **recent liked** (liked, "
        f"halving every {RECENCY_HALF_LIFE} newer likes), or **signed** (every movie weighted by "
        "tanh(rating - the user's mean), so disliked movies push away)."
    )
    verdict(readings.history(lab))
    bars(lab, "History-based user vectors")
    st.caption(
        "A ratings-blind average moves the user towards a film they watched and hated as much as towards one "
        "they loved. Keeping the sign of each rating is what the Explorer's weighted method does for tag scores."
    )


def feedback(lab: LabResult) -> None:
    st.markdown(
        "An online recommender nudges the user vector after every rating: towards the item when the rating is "
        "good. What to do when it is bad? Each user's history is replayed in time order from a cold start at "
        "the catalogue's mean direction, with signal tanh(rating - 3) and an adaptive rate "
        f"max({FEEDBACK_RATE}, 1 / (1 + n)). Four treatments of a negative signal: **ignore negatives**; "
        "**negate** (add the item with a negative weight); **reject** (remove part of the user's component "
        "along the item, nothing else); **centred push** (move away from what is distinctive about the item, "
        "the item minus the catalogue mean)."
    )
    verdict(readings.feedback(lab))
    drift = lab.extra["cos_to_catalogue_mean"]
    left, right = st.columns(2)
    with left:
        bars(lab, "Online updates", table=False, columns=2)
    figure = go.Figure(
        go.Bar(
            y=list(drift),
            x=list(drift.values()),
            orientation="h",
            marker_color=RULE_COLOURS,
            text=[f"{v:.2f}" for v in drift.values()],
            textposition="inside",
            insidetextanchor="start",
        )
    )
    subtitle = "cosine to the catalogue's mean direction"
    finish(figure, "Drift", "mean cosine", "rule", bar_height(len(drift)), False, columns=2, subtitle=subtitle)
    figure.update_xaxes(range=[0, 1.05])
    figure.update_yaxes(autorange="reversed", type="category")  # the rules in the AUC chart's order
    show(figure, right)
    metrics_table(lab)
    st.caption(
        "A lower cosine to the catalogue mean means the user was pushed away from what most movies share, not "
        "only from the disliked ones. Item vectors here are sums of 19 genre embeddings, so every item shares "
        "much of one direction: the setting in which negating is said to cause drift."
    )


def centroids(lab: dict) -> None:
    st.markdown(
        "To file items under categories, compare an item's embedding with each category's. The category's "
        "embedding can be its name alone, or the centroid of its name and the items already assigned to it "
        "(an *effective embedding*), which should learn from every assignment. Test: guess a movie's genres "
        "from its title (year removed). The most-rated movies are split into a labelled pool (75%) and a test "
        "set; each genre absorbs up to k pool movies."
    )
    verdict(readings.centroids(lab))
    rows = pd.DataFrame(lab["by_k"])
    figure = go.Figure()
    for metric, colour in (("hit@1", ROLE_COLOURS["first"]), ("recall@3", ROLE_COLOURS["third"])):
        figure.add_scatter(
            x=rows["k"].astype(str),
            y=rows[metric],
            mode="lines+markers",
            name=metric,
            line={"color": colour},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [r[f"{metric}_ci95"][1] - r[metric] for r in lab["by_k"]],
                "arrayminus": [r[metric] - r[f"{metric}_ci95"][0] for r in lab["by_k"]],
            },
        )
        reference_line(figure, f"chance {metric}", y=lab["chance"][metric], color=colour)
    subtitle = f"{counted(lab['test'], 'test movie')}, {counted(len(lab['genres']), 'genre')}; dotted: chance"
    finish(figure, "Genres from titles", "labelled movies absorbed per genre (k)", "share", 440, subtitle=subtitle)
    figure.update_xaxes(type="category")
    show(figure)


def ease(lab: LabResult) -> None:
    st.markdown(
        "Embeddings measure association: two films can sit close in text space and still be ones a person "
        "would never like together. EASE (Steck, 2019) learns an item-item weight matrix in closed form, with "
        "a zero diagonal so an item cannot predict itself; its negative weights encode *people who like this "
        "do not like that*. Fitted here on every user's history likes "
        f"(items liked at least {EASE_MIN_LIKES} times, λ = {EASE_LAMBDA:g}), it scores each "
        "evaluated user's held-out movies."
    )
    verdict(readings.ease(lab))
    extra = lab.extra
    left, _ = st.columns([3, 2])
    with left:
        bars(lab, f"EASE on {counted(extra['items'], 'item')}", x_title="model", table=False, columns=2)
    metrics_table(lab, "model")  # the page's full width: every column in view
    st.markdown("**The ten most negative weights**: liking the first movie lowers the second's score")
    st.dataframe(
        pd.DataFrame(extra["most_negative"]),
        hide_index=True,
        width="stretch",
        column_config={"weight": st.column_config.NumberColumn(format="%.4f")},
    )
    st.caption(
        f"Fitted on {counted(extra['fit_users'], 'user')} with at least one liked history movie. Held-out movies "
        "outside the model score 0 (ties count half in the AUC). "
        + f"Mean held-out AUC is over the same {counted(lab.users, 'user')} as every other figure here."
    )


QDRANT_INTRO = (
    "Engineers who build recommenders usually store item vectors in a vector database and ask it with examples. "
    "Qdrant's recommend API takes positive and negative examples and a strategy: **average_vector** searches "
    "with avg(pos) + (avg(pos) − avg(neg)); **best_score** scores a candidate by its best positive similarity, "
    "unless its best negative is higher (then negatively); **sum_scores** adds the positive similarities and "
    "subtracts the negative ones. Here, through Qdrant's own engine in this process (Qdrant Edge): the user's history "
    f"movies rated {POSITIVE:g} and up are positive examples, {NEGATIVE:g} and below negative (the {MAX_EXAMPLES} "
    "most recent of each, as a request names a bounded list), each movie is the sum of its "
    "genres' embeddings, and each user's held-out movies are ranked. Each strategy runs twice, with and without "
    "the negative examples. **Relevance feedback** (qdrant-feedback) takes *scored* feedback instead: the "
    f"{MAX_EXAMPLES} most recent rated history movies, each with its rating as its score, around a target, the "
    "user's naive text embedding; a movie scores a·cos(target) plus c·(s_i − s_j)^b·(cos(v_i) − cos(v_j)) for "
    "every pair with s_i > s_j: only rating *differences* count. It runs with a = b = c = 1, and with a, b, c "
    "fitted on each user's history alone (the last 20% of it as labels). All of it next to the history lab's "
    "signed vector and EASE."
)


def _lighter(colour: str) -> str:
    """The same hue, half-way to white (a strategy asked without its negative examples)."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{(c + 255) // 2:02x}" for c in rgb)


def qdrant(lab: LabResult) -> None:
    st.markdown(QDRANT_INTRO)
    verdict(readings.qdrant(lab))
    colours = [
        COLOURS.get(rule) or _lighter(COLOURS[rule.removesuffix(NO_NEGATIVES).removesuffix(FITTED)])
        if rule.startswith("qdrant-")
        else {"signed history": ROLE_COLOURS["first"], "EASE": ROLE_COLOURS["third"]}[rule]
        for rule in lab.rules
    ]
    figure = auc_bars(
        list(lab.rules),
        lab.summary(),
        colours,
        "Qdrant's queries",
        x_title="rule",
        subtitle=f"mean AUC over {counted(lab.users, 'user')}, with 95% intervals",
    )
    show(figure)
    metrics_table(lab)
    st.caption(
        "Examples carry no weight in Qdrant: a 5-star film and a 4-star one count the same, which is part of the "
        "lesson. " + md_escape(readings.likes_only(lab))
    )


DRAW = {"history": history, "feedback": feedback, "centroids": centroids, "ease": ease, "qdrant": qdrant}
