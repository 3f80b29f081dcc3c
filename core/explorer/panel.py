"""What the Explorer's live panel shows for one profile, as typed data: rankings, marks, agreement, maps, words.

:func:`build_panel` is the one call the streamlit adapter (``ui/explorer.py``) makes per move: it ranks, places
the user on each map, and says what the headline reads. It reads no session state: what the panel must
remember between moves (each method's positions at the last change, the user's trail on each map) comes in
as a :class:`Memory` and goes out updated. The browser's names (camelCase, null for NaN) are made in one
place, ``ui/live/props.py``; nothing here knows them.

>>> print(summary({"naive": {"hard_no_in_top_k": 4, "disliked_in_top_k": 1},
...                "weighted": {"hard_no_in_top_k": 0, "disliked_in_top_k": 0}}, 5, 25, True))
Breaks a hard no (top 5): naive text 4; none for weighted sum.
Disliked overall (top 5): naive text 1; none for weighted sum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.explorer.state import MANY_FEATURES, SHOWN_WHEN_MANY, TRAIL_LENGTH, ViewState
from core.explorer.sweep import DENSE_LIMIT, PROFILE_SHOWN
from core.jobs import Once
from core.maps.projection import IDENTITY, MIN_UMAP_POINTS, NEIGHBOURS, Alignment
from core.maps.store import MIN_MAP_PRODUCTS, MapStore
from core.retrieval.marks import DISLIKED_BELOW, DISLIKED_NAME, HARD_NO, HARD_NO_NAME, MARKS
from core.retrieval.marks import describe as describe_marks
from core.retrieval.ranking import Agreement, Ranking, rank_shift
from core.retrieval.recommender import RankResult, Recommender
from core.scenarios import link
from core.scenarios.model import Product, Scenario
from core.vectors.methods import METHODS
from core.wording import counted, join_names, profile_text, score_text

MAX_MAP_POINTS = 1_500  # background products per map panel; the top k are always drawn exactly


# -- the words ----------------------------------------------------------------------------------------------


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
    at = score_text(threshold)
    if not features:
        return f"Hard-no filter on: this user scores no feature at {at} or below, so nothing is removed."
    names = list(features)
    what = join_names(names, "or") if len(names) <= 4 else f"any of {counted(len(names), 'feature')}"
    which = "product that carries" if removed == 1 else "products that carry"
    verb = "is" if removed == 1 else "are"
    return f"Hard-no filter on: {removed} {which} {what} (scored {at} or below) {verb} removed for every method."


def summary(
    counts: Mapping[str, Mapping[str, int]], k: int, n_products: int, has_hard_no: bool, threshold: float = HARD_NO
) -> str:
    """The headline: which methods put marked products in their top k, computed from the counts.

    >>> summary({"naive": {"hard_no_in_top_k": 1, "disliked_in_top_k": 0}}, 5, 3, True)
    'With 3 products and top 5, every method shows every product: only the order can differ.'
    >>> summary({"naive": {"hard_no_in_top_k": 1, "disliked_in_top_k": 0}}, 5, 1, True)
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
    else:  # the line stays, so the headline keeps its shape when a score crosses the threshold
        parts.append(f"{HARD_NO_NAME[0].upper()}{HARD_NO_NAME[1:]}: no score is at {score_text(threshold)} or below.")
    parts.append(_counted({m: c["disliked_in_top_k"] for m, c in counts.items()}, k, DISLIKED_NAME))
    return "\n".join(parts)


def headline(result: RankResult, methods: Sequence[str], n_products: int) -> str:
    """What the filter removed (when on), then both marks' counts per method."""
    removed = 0 if result.removed is None else int(result.removed.sum())
    counts = {m: result.counts(m) for m in methods}
    text = summary(counts, result.k, n_products - removed, bool(result.hard_no_features), result.marks.threshold)
    if result.removed is None:
        return text
    return filter_note(removed, result.hard_no_features, result.marks.threshold) + "\n" + text


def share_note(scenario: Scenario, packed: bool) -> str:
    """What a link to this session's own scenario carries (``packed``: whether it fits in a link)."""
    reason = link.too_large(scenario) or (None if packed else "too much text for a link")
    if reason is None:
        return "The link carries this scenario itself: whoever opens it sees the same scenario and view."
    return (
        f"This scenario is too large to travel in a link ({reason}): the link carries only the settings. "
        "Download it on the Scenarios page and share the file."
    )


# -- what the panel shows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slider:
    name: str
    value: float
    original: float | None  # None: a feature added to the profile here


@dataclass(frozen=True)
class Place:
    """One product in one method's top k."""

    index: int
    name: str
    score: float
    shift: int  # places moved since the last change; positive = further down
    hard_no: bool
    disliked: bool
    profile: str
    reasons: str = ""  # which of the user's hard nos the product carries, with its scores ("peanuts +0.8")


@dataclass(frozen=True)
class Column:
    """One method's column: its agreement with exact, its mark counts and its top k."""

    method: str
    label: str
    summary: str
    kendall_tau: float  # against exact; NaN where not defined
    overlap_at_k: float
    hard_no_in_top_k: int
    disliked_in_top_k: int
    top: tuple[Place, ...]


@dataclass(frozen=True)
class MapPanel:
    """One method's map: the top k (with both marks), the user and its trail, and (when sent) the background."""

    method: str
    title: str
    top: np.ndarray  # (k, 2)
    top_labels: tuple[str, ...]
    hard_no: tuple[bool, ...]
    disliked: tuple[bool, ...]
    user: np.ndarray  # (2,)
    trail: np.ndarray  # (t, 2)
    background: np.ndarray | None  # (b, 2), or None when the browser already holds it


@dataclass(frozen=True)
class Maps:
    axis: str
    title: str
    note: str
    background_key: str
    background_labels: tuple[str, ...] | None  # None when the browser already holds them
    panels: tuple[MapPanel, ...]


@dataclass(frozen=True)
class Catalogue:
    """Every product's name and profile, for the browser's own rankings while a slider moves (small scenarios;
    sent once per scenario, like the map's background)."""

    key: str
    names: tuple[str, ...] | None  # None when the browser already holds them
    profiles: tuple[str, ...] | None
    carried: tuple[dict[str, float], ...] | None  # the features each product carries, with their scores


@dataclass(frozen=True)
class Live:
    """What the browser needs, besides a sweep, to rank while a slider moves."""

    threshold: float
    disliked_below: float  # the disliked mark's line on exact's cosine
    filtered: bool
    dense: bool  # every product's score travels (small scenarios); else each position's top k
    catalogue: Catalogue | None


@dataclass(frozen=True)
class Panel:
    """Everything the live panel draws for the current profile."""

    user: str
    note: str
    sliders: tuple[Slider, ...]
    addable: tuple[str, ...]
    summary: str
    removed: tuple[str, ...]  # what the hard-no filter took out, by name (empty: no filter, or nothing)
    marks: dict[str, tuple[str, str]]  # mark -> (name, name and rule)
    share_note: str
    k: int
    columns: tuple[Column, ...]
    agreement: Agreement  # among the shown methods (the heat maps)
    versus_exact: dict[str, dict[str, float]]  # method -> kendall_tau, overlap_at_k, rbo against exact (the bars)
    maps: Maps | None
    live: Live | None = None


@dataclass(frozen=True)
class Memory:
    """What the panel remembers between moves of one session, for one context (scenario, model, user, methods,
    parameters): each method's positions at the last change of the profile, the shifts that change made, and
    the user's recent positions on each map."""

    context: tuple = ()
    profile: tuple = ()
    positions: dict[str, np.ndarray] = field(default_factory=dict)
    shifts: dict[str, np.ndarray] = field(default_factory=dict)
    trails: dict[str, tuple[np.ndarray, ...]] = field(default_factory=dict)


def remember(memory: Memory | None, context: tuple, profile: Mapping[str, float], rankings: Mapping[str, Ranking]):
    """The memory after this move: a new context forgets; a changed profile measures shifts against the last
    positions; a rerun that changed nothing (opening an expander) keeps the last shifts."""
    signature = tuple(sorted(profile.items()))
    positions = {m: r.positions for m, r in rankings.items()}
    if memory is None or memory.context != context:
        return Memory(context, signature, positions)
    if memory.profile == signature:
        return memory
    shifts = {m: rank_shift(memory.positions[m], p) for m, p in positions.items() if m in memory.positions}
    return Memory(context, signature, positions, shifts, memory.trails)


def extended_trail(trail: Sequence[np.ndarray], point: np.ndarray, length: int = TRAIL_LENGTH) -> tuple:
    """The trail with ``point`` appended (when it moved), keeping the last ``length`` positions."""
    if trail and np.allclose(trail[-1], point):
        return tuple(trail)
    return (*trail, np.asarray(point, dtype=np.float32))[-length:]


def reasons(product: Mapping[str, float], hard_no_features: Sequence[str]) -> str:
    """Which of the user's hard-no features a product carries, and how strongly: why it is marked.

    >>> reasons({"peanuts": 0.8, "salt": 0.3}, ["peanuts", "gluten"])
    'carries peanuts (+0.8)'
    """
    carried = [f"{f} (+{score_text(product[f])})" for f in hard_no_features if product.get(f, 0) > 0]
    return f"carries {join_names(carried)}" if carried else ""


def shown_features(original: Mapping[str, float], profile: Mapping[str, float]) -> list[str]:
    """The features with a slider: the whole profile, or for big profiles the strongest ones.

    Changed and added features are always shown.

    >>> shown_features({"a": 0.1, "b": -0.9}, {"a": 0.1, "b": -0.9, "c": 0.0})
    ['a', 'b', 'c']
    """
    changed = [f for f, s in profile.items() if original.get(f) != s]
    if len(original) < MANY_FEATURES:
        return list(dict.fromkeys([*original, *changed]))
    strongest = sorted(original, key=lambda f: -abs(original[f]))[:SHOWN_WHEN_MANY]
    return list(dict.fromkeys([*strongest, *changed]))


def columns(products: Sequence[Product], result: RankResult, shifts: Mapping[str, np.ndarray]) -> tuple[Column, ...]:
    """One column per method: its top k with scores, rank shifts, both marks and profiles."""
    out = []
    for method, ranking in result.rankings.items():
        shift = shifts.get(method)
        versus = result.agreement.vs(method)
        counts = result.counts(method)
        top = tuple(
            Place(
                int(i),
                products[i].name,
                float(ranking.scores[i]),
                0 if shift is None else int(shift[i]),
                bool(result.marks.hard_no[i]),
                bool(result.marks.disliked[i]),
                profile_text(products[i].profile, PROFILE_SHOWN),
                reasons(products[i].profile, result.hard_no_features),
            )
            for i in ranking.top(result.k)
        )
        spec = METHODS[method]
        out.append(
            Column(method, spec.label, spec.summary, versus["kendall_tau"], versus["overlap_at_k"], **counts, top=top)
        )
    return tuple(out)


# -- maps ---------------------------------------------------------------------------------------------------


def background_sample(n_products: int, limit: int = MAX_MAP_POINTS) -> np.ndarray:
    """The products drawn behind the top k: all of them, or a fixed seeded sample of ``limit``."""
    if n_products <= limit:
        return np.arange(n_products)
    return np.sort(np.random.default_rng(0).choice(n_products, limit, replace=False))


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
        notes.append(
            f"UMAP fitted once per method on the products; the user sits at the similarity-weighted mean of its "
            f"{NEIGHBOURS} most similar products (the same place however it is reached, live or not)."
        )
    if n_products > MAX_MAP_POINTS:
        notes.append(f"Showing {MAX_MAP_POINTS:,} of {n_products:,} products as background; the top {k} are exact.")
    if aligned:
        notes.append("Each map is rotated and scaled onto exact's map (Procrustes).")
    return ("UMAP" if kinds == {"umap"} else "PCA"), " ".join(notes)


_LABELS = Once(max_entries=8)  # the background's hover labels, by (scenario content, sample size)


def background_labels(scenario: Scenario, indices: np.ndarray) -> tuple[str, ...]:
    """Hover labels of the background products (made once per scenario content)."""
    products = scenario.products
    return _LABELS.get(
        (scenario.fingerprint, len(indices)),
        lambda: tuple(f"{products[i].name}: {profile_text(products[i].profile, 6)}" for i in indices),
    )


def background_key(recommender: Recommender, methods: Sequence[str], view: ViewState) -> str:
    """What the map background depends on: a new key means the browser must be sent it again."""
    from core.maps.projection import cache_key

    model = recommender.space.embedder.fingerprint
    return cache_key(recommender.scenario.fingerprint, model, tuple(methods), view.params, view.aligned, MAX_MAP_POINTS)


def build_maps(
    *,
    recommender: Recommender,
    result: RankResult,
    view: ViewState,
    store: MapStore,
    memory: Memory,
    send_background: bool,
) -> tuple[Maps, Memory]:
    """Each method's map with the user placed on it (its user vector comes from ``result``, never recomputed)."""
    scenario, params = recommender.scenario, view.params
    n = len(scenario.products)
    background = background_sample(n)
    panels, kinds, trails = [], set(), dict(memory.trails)
    for method, ranking in result.rankings.items():
        projection = store.get(recommender, method, params)
        kinds.add(projection.kind)
        alignment: Alignment = store.alignment(recommender, method, params) if view.aligned else IDENTITY
        point = store.place(recommender, method, params, result.user_vectors[method])[0]
        trails[method] = extended_trail(trails.get(method, ()), point)
        top = ranking.top(result.k)
        panels.append(
            MapPanel(
                method,
                METHODS[method].label,
                alignment.apply(projection.coords[top]),
                tuple(f"#{place + 1} {scenario.products[i].name}" for place, i in enumerate(top)),
                tuple(bool(result.marks.hard_no[i]) for i in top),
                tuple(bool(result.marks.disliked[i]) for i in top),
                alignment.apply(point)[0],
                alignment.apply(np.array(trails[method])),
                alignment.apply(projection.coords[background]) if send_background else None,
            )
        )
    strategies = any(METHODS[m].strategy for m in result.rankings)
    axis, note = map_notes(kinds, n, result.k, view.aligned, strategies)
    maps = Maps(
        axis,
        f"Each method's space in 2-D ({axis}): products, the user and the top {result.k}",
        note,
        background_key(recommender, list(result.rankings), view),
        background_labels(scenario, background) if send_background else None,
        tuple(panels),
    )
    return maps, Memory(memory.context, memory.profile, memory.positions, memory.shifts, trails)


# -- the one call -------------------------------------------------------------------------------------------


def build_panel(
    *,
    recommender: Recommender,
    view: ViewState,
    user_id: str,
    profile: Mapping[str, float],
    store: MapStore | None,
    memory: Memory | None,
    send_background: bool = True,
    send_catalogue: bool = True,
    packed: bool = True,
    uploaded: bool = False,
) -> tuple[Panel, Memory]:
    """Rank ``profile`` under the view's methods and describe everything the panel draws.

    ``store`` holds the fitted maps (None: no maps); ``memory`` is what this session's panel remembered after
    its last move. ``uploaded``: the scenario is this session's own (the panel says what a link carries).
    """
    scenario = recommender.scenario
    methods = list(view.methods)
    result = recommender.rank(
        profile, methods, view.params, k=view.k, hard_no=view.threshold, filter_hard_no=view.hard_no is not None
    )
    context = (scenario.fingerprint, recommender.space.embedder.fingerprint, user_id, tuple(methods), view.params)
    memory = remember(memory, context, profile, result.rankings)
    maps = None
    if store is not None and len(scenario.products) >= MIN_MAP_PRODUCTS:
        maps, memory = build_maps(
            recommender=recommender,
            result=result,
            view=view,
            store=store,
            memory=memory,
            send_background=send_background,
        )
    original = scenario.user(user_id).profile
    texts = describe_marks(result.marks.threshold)
    panel = Panel(
        user=f"{scenario.user(user_id).name}: {counted(len(original), 'scored feature')}",
        note=f"Showing the {SHOWN_WHEN_MANY} strongest of {len(original)} scores and any you changed or added."
        if len(original) >= MANY_FEATURES
        else "",
        sliders=tuple(Slider(f, profile[f], original.get(f)) for f in shown_features(original, profile)),
        addable=tuple(f for f in scenario.vocabulary if f not in profile),
        summary=headline(result, methods, len(scenario.products)),
        removed=tuple(scenario.products[i].name for i in np.flatnonzero(result.removed))
        if result.removed is not None
        else (),
        marks={key: (MARKS[key][0], texts[key]) for key in MARKS},
        share_note=share_note(scenario, packed) if uploaded else "",
        k=view.k,
        columns=columns(scenario.products, result, memory.shifts),
        agreement=result.agreement.among(methods),
        versus_exact={m: result.agreement.vs(m) for m in methods},
        maps=maps,
        live=live(scenario, view, send_catalogue),
    )
    return panel, memory


def live(scenario: Scenario, view: ViewState, send_catalogue: bool) -> Live:
    """The panel's live part: the marks' threshold, the filter, and for small scenarios every product's name."""
    dense = len(scenario.products) <= DENSE_LIMIT
    catalogue = None
    if dense:
        names = tuple(p.name for p in scenario.products) if send_catalogue else None
        profiles = tuple(profile_text(p.profile, PROFILE_SHOWN) for p in scenario.products) if send_catalogue else None
        carried = (
            tuple({f: s for f, s in p.profile.items() if s > 0} for p in scenario.products) if send_catalogue else None
        )
        catalogue = Catalogue(scenario.fingerprint, names, profiles, carried)
    return Live(view.threshold, DISLIKED_BELOW, view.hard_no is not None, dense, catalogue)
