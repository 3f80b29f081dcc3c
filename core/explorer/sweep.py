"""Live dragging: what the browser needs to re-rank every method at every position of a slider, without asking
the server per frame.

Two kinds of method, two kinds of data:

- **Linear methods** (prefix, weighted, whitened, exact) are linear over the vocabulary, so the user's raw vector
  is ``u = u_fixed + sum_f w_f(s_f) e_f``: a fixed part from the features that do not move, plus one basis vector
  per moving feature (prefix: one per bucket) weighted by its score (tanh(2s) for weighted and whitened, s for
  exact, 1 for the score's bucket for prefix). A product's cosine is ``(v.u_fixed + sum_f w_f v.e_f) / |u|`` with
  ``|u|^2`` from a few scalars. :class:`LinearModel` holds exactly those numbers; :func:`evaluate` is the
  arithmetic (``ui/live/js/live.js`` does the same in the browser, held against fixtures this module writes).
  With every slider as a moving feature, the model answers *any* combination of scores (the offline page).
- **Every other method** (naive and split embed text; Qdrant's strategies ask the store) is tabulated along one
  slider's *sweep*: the 41 positions from -1 to 1, from the rest of the current profile. Positions that give the
  same user (split only changes when the sign does) share one column of scores.

A :class:`Sweep` holds one feature's sweep: the linear models for that feature alone, the tables, and each
method's user point on its map at every position. Small scenarios get dense scores and the browser ranks and
measures agreement itself; above :data:`DENSE_LIMIT` products the server sends each position's top k for the
tabulated methods and each position's agreement, and the browser still scores the linear methods itself.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from core.explorer.state import SCORE_STEP, ViewState
from core.jobs import Builds, Once
from core.maps.projection import IDENTITY
from core.maps.store import MapStore
from core.numeric import EPS
from core.retrieval.marks import hard_nos
from core.retrieval.ranking import Agreement
from core.retrieval.recommender import REFERENCE, Recommender
from core.vectors.methods import FEEDBACK, get_method
from core.vectors.texts import bucket_index, prefix_sentence
from core.wording import profile_text

PROFILE_SHOWN = 10  # scores listed in a product's profile text (the panel's own rule)

POSITIONS: tuple[float, ...] = tuple(round(-1 + SCORE_STEP * i, 2) for i in range(round(2 / SCORE_STEP) + 1))
"""A slider's positions: -1, -0.95, ..., 1 (41 of them)."""
DENSE_LIMIT = 1_500
"""Up to this many products the browser gets every product's score and measures agreement itself (the map's
background holds every product up to this size too); above it, each position's top k and agreement."""
WEIGHTS = {"prefix": "bucket", "weighted": "tanh2", "whitened": "tanh2", "exact": "identity"}
"""The linear methods, and how a score weighs its feature's basis vector."""


def position_of(score: float) -> int | None:
    """The sweep position of a score, or None when it lies between positions.

    >>> position_of(-1.0), position_of(0.35), position_of(0.351)
    (0, 27, None)
    """
    index = round((score + 1) / SCORE_STEP)
    return index if 0 <= index < len(POSITIONS) and abs(POSITIONS[index] - score) < 1e-9 else None


@dataclass(frozen=True)
class LinearModel:
    """One linear method's products against a moving set of features (see the module docstring).

    ``columns[f, b]`` is every product's dot with feature ``f``'s basis vector ``b`` (one vector per feature;
    prefix: one per bucket); ``gram`` holds the dots between basis vectors, flattened to (F * B, F * B).
    """

    method: str
    weight: str  # "tanh2" | "identity" | "bucket"
    features: tuple[str, ...]
    fixed: np.ndarray  # (N,) float32: each product's dot with the fixed part of the user's raw vector
    fixed_norm2: float
    columns: np.ndarray  # (F, B, N) float32
    cross: np.ndarray  # (F, B): the fixed part's dot with each basis vector
    gram: np.ndarray  # (F * B, F * B)


def weights(rule: str, score: float) -> tuple[int, float]:
    """(the basis vector a score selects, its weight) under a method's rule."""
    if rule == "bucket":
        return int(bucket_index(np.float64(score))), 1.0
    return 0, float(math.tanh(2 * score) if rule == "tanh2" else score)


def evaluate(model: LinearModel, scores: Sequence[float]) -> np.ndarray:
    """(N,) every product's cosine with the user whose moving features score ``scores`` (in ``model.features``
    order): the arithmetic the browser does, in float64."""
    chosen = [weights(model.weight, s) for s in scores]
    buckets = model.columns.shape[1]
    flat = np.zeros(model.gram.shape[0])
    dot = model.fixed.astype(np.float64).copy()
    for f, (b, w) in enumerate(chosen):
        flat[f * buckets + b] = w
        dot += w * model.columns[f, b]
    norm2 = model.fixed_norm2 + 2 * float(flat @ model.cross.ravel()) + float(flat @ model.gram @ flat)
    norm = math.sqrt(max(norm2, 0.0))
    return dot / norm if norm > EPS else np.zeros_like(dot)


def _basis(recommender: Recommender, method: str, view: ViewState) -> tuple[np.ndarray, Callable]:
    """(B, F, k) basis vectors of the vocabulary under a linear method, and how a fixed profile's raw vector is
    built (features outside the vocabulary included, as the method itself does)."""
    space, params = recommender.space, view.params
    if method == "prefix":
        return space.prefix_embeddings(), lambda extras: _novel_prefix(space, extras)
    if method == "weighted":
        return space.feature_embeddings()[None], lambda extras: _novel_weighted(space.novel_embeddings, extras)
    if method == "whitened":
        whitener, whitened = space.whitened(params)
        embed = lambda names: whitener.transform(space.novel_embeddings(names))  # noqa: E731
        return whitened[None], lambda extras: _novel_weighted(embed, extras)
    vocabulary = len(space.vocabulary)
    return np.eye(vocabulary, dtype=np.float32)[None], lambda extras: (None, sum(s * s for s in extras.values()))


def _novel_weighted(embed: Callable, extras: Mapping[str, float]) -> tuple[np.ndarray | None, float]:
    if not extras:
        return None, 0.0
    w = np.tanh(2 * np.array(list(extras.values())))
    return w @ embed(list(extras)), 0.0


def _novel_prefix(space, extras: Mapping[str, float]) -> tuple[np.ndarray | None, float]:
    if not extras:
        return None, 0.0
    return space.novel_embeddings([prefix_sentence(f, s) for f, s in extras.items()]).sum(axis=0), 0.0


def linear_model(
    recommender: Recommender, method: str, profile: Mapping[str, float], moving: Sequence[str], view: ViewState
) -> LinearModel:
    """The numbers the browser needs to score ``method`` for any scores of the ``moving`` features, the rest of
    ``profile`` held where it is. Moving features must be in the vocabulary (every slider's is)."""
    space, rule = recommender.space, WEIGHTS[method]
    basis, novel = _basis(recommender, method, view)  # (B, F, k)
    products = recommender.product_vectors(method, view.params)
    index = [space.index[f] for f in moving]
    fixed_profile = {f: s for f, s in profile.items() if f not in set(moving)}
    scores, extras = space.score_matrix([fixed_profile])
    u_fixed = np.zeros(basis.shape[-1])
    for col in np.flatnonzero(~np.isnan(scores[0])):
        b, w = weights(rule, scores[0, col])
        u_fixed += w * basis[b, col]
    extra_vector, extra_norm2 = novel(extras[0])
    if extra_vector is not None:
        u_fixed += extra_vector
    chosen = basis[:, index].transpose(1, 0, 2).astype(np.float64)  # (F, B, k)
    flat = chosen.reshape(chosen.shape[0] * chosen.shape[1], chosen.shape[-1])  # k may be 0 (no dimension)
    columns = products @ flat.astype(np.float32).T  # (N, F * B): one float32 product, not F * B of them
    return LinearModel(
        method=method,
        weight=rule,
        features=tuple(moving),
        fixed=(products @ u_fixed.astype(np.float32)).astype(np.float32),
        fixed_norm2=float(u_fixed @ u_fixed) + extra_norm2,
        columns=np.ascontiguousarray(columns.T.reshape(chosen.shape[0], chosen.shape[1], -1)),
        cross=(chosen @ u_fixed),
        gram=flat @ flat.T,
    )


def linear_methods(methods: Sequence[str]) -> list[str]:
    """The shown methods the browser scores itself, and exact always (the disliked mark reads it)."""
    return [m for m in dict.fromkeys([*methods, REFERENCE]) if m in WEIGHTS]


# -- one slider's sweep -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A method that is not linear, along the sweep: ``state[i]`` names the column of scores at position i."""

    method: str
    state: np.ndarray  # (P,) int
    scores: np.ndarray  # (S, N) float32; empty (0, N) above DENSE_LIMIT
    tops: tuple = ()  # above DENSE_LIMIT: per position (indices, scores), None for a position not ranked yet


@dataclass(frozen=True)
class Sweep:
    """Everything one slider's drag needs, from the rest of the profile as it was when the slider was grabbed."""

    feature: str
    base: tuple[tuple[str, float], ...]  # the other features' scores (what the sweep was computed from)
    order: tuple[str, ...]  # the profile's features in its own order (the headline names hard nos in it)
    linear: dict[str, LinearModel]
    tables: dict[str, Table]
    carries: np.ndarray  # (N,) bool: the product carries the feature (breaks a hard no once it is one)
    hard_no_base: np.ndarray  # (N,) bool: breaks a hard no of another feature
    points: dict[str, np.ndarray]  # method -> (P, 2) the user on the method's (aligned) map
    agreement: tuple[Agreement | None, ...] = ()  # above DENSE_LIMIT: per position, among the shown methods
    names: dict[int, tuple[str, str]] = field(default_factory=dict)  # above DENSE_LIMIT: (name, profile) of
    # every product a top k can show
    coords: dict[str, np.ndarray] = field(default_factory=dict)  # above DENSE_LIMIT: method -> (len(names), 2)


def base_of(profile: Mapping[str, float], feature: str) -> tuple[tuple[str, float], ...]:
    """The part of a profile a sweep of ``feature`` depends on (sorted, so equal profiles give equal keys)."""
    return tuple(sorted((f, float(s)) for f, s in profile.items() if f != feature))


def sweep_profiles(profile: Mapping[str, float], feature: str) -> list[dict[str, float]]:
    """The profile at every position of ``feature`` (in the profile's own order: the naive text depends on it)."""
    return [{**profile, feature: s} for s in POSITIONS]


def _table(recommender: Recommender, method: str, profiles: list[dict], view: ViewState) -> Table:
    """Dense scores per distinct user along the sweep (the same user vector, or the same examples, share one; a
    recommend strategy reads only which features are liked and which disliked, scored feedback every score and the
    naive text of them all)."""
    spec = get_method(method)
    if spec.strategy is not None:
        keys = [
            tuple(p.items())
            if spec.strategy == FEEDBACK
            else (tuple(f for f, s in p.items() if s > 0), tuple(f for f, s in p.items() if s < 0))
            for p in profiles
        ]
        distinct = list(dict.fromkeys(keys))
        columns = [recommender.scores(method, profiles[keys.index(k)], view.params) for k in distinct]
        return Table(method, np.array([distinct.index(k) for k in keys]), np.stack(columns).astype(np.float32))
    users = recommender.user_vectors(method, profiles, view.params)
    distinct, state = np.unique(users, axis=0, return_inverse=True)
    scores = np.stack([recommender.products(method, view.params).scores(u) for u in distinct])
    return Table(method, state.ravel(), scores.astype(np.float32))


def _points(
    recommender: Recommender, store: MapStore | None, method: str, profiles: list[dict], view: ViewState, scores
) -> np.ndarray | None:
    """The method's user at every position on its (aligned) map; ``scores`` (P, N) are the positions' cosines
    (a UMAP map places a user among its most similar products, so it needs nothing else)."""
    if store is None:
        return None
    alignment = store.alignment(recommender, method, view.params) if view.aligned else IDENTITY
    users = recommender.user_vectors(method, profiles, view.params) if _pca(store, recommender, method, view) else None
    return alignment.apply(store.place_scored(recommender, method, view.params, users, scores))


def _pca(store: MapStore, recommender: Recommender, method: str, view: ViewState) -> bool:
    return store.get(recommender, method, view.params).kind == "pca"


def linear_sweep(
    *,
    recommender: Recommender,
    view: ViewState,
    profile: Mapping[str, float],
    feature: str,
    store: MapStore | None = None,
) -> Sweep:
    """The quick part of a sweep (milliseconds): the linear methods, both marks' inputs and the linear methods'
    user points. The browser plays the linear columns from this alone while the rest is computed."""
    methods = list(view.methods)
    linear = {m: linear_model(recommender, m, profile, [feature], view) for m in linear_methods(methods)}
    rest = {f: s for f, s in profile.items() if f != feature}
    carriers = recommender.carriers
    profiles = sweep_profiles(profile, feature)
    points = {}
    for m in (m for m in methods if m in WEIGHTS and store is not None):
        scores = np.stack([evaluate(linear[m], [s]) for s in POSITIONS])
        points[m] = _points(recommender, store, m, profiles, view, scores)
    return Sweep(
        feature=feature,
        base=base_of(profile, feature),
        order=tuple(profile),
        linear=linear,
        tables={},
        carries=carriers.mask([feature]),
        hard_no_base=carriers.mask(hard_nos(rest, view.threshold)),
        points=points,
    )


Publish = Callable[["Sweep"], None]
CHUNK = 4  # positions ranked between two partial answers above DENSE_LIMIT


def complete_sweep(
    quick: Sweep,
    *,
    recommender: Recommender,
    view: ViewState,
    profile: Mapping[str, float],
    store: MapStore | None,
    publish: Publish | None = None,
) -> Sweep:
    """The rest: every other method along the sweep (text embedded through the cache, strategies asked of the
    store) and their user points; above :data:`DENSE_LIMIT` each position's top k and agreement, nearest
    positions first, handed to ``publish`` as they are ready."""
    methods = list(view.methods)
    others = [m for m in methods if m not in WEIGHTS]
    profiles = sweep_profiles(profile, quick.feature)
    if len(recommender.product_ids) > DENSE_LIMIT:
        return _large(quick, recommender, view, profile, store, publish)
    tables = {m: _table(recommender, m, profiles, view) for m in others}
    points = dict(quick.points)
    for m in others if store is not None else ():
        points[m] = _points(recommender, store, m, profiles, view, tables[m].scores[tables[m].state])
    return replace(quick, tables=tables, points={m: points[m] for m in methods if m in points})


def build_sweep(
    *,
    recommender: Recommender,
    view: ViewState,
    profile: Mapping[str, float],
    feature: str,
    store: MapStore | None = None,
) -> Sweep:
    """One slider's sweep: ``feature`` at every position, the rest of ``profile`` where it is."""
    quick = linear_sweep(recommender=recommender, view=view, profile=profile, feature=feature, store=store)
    return complete_sweep(quick, recommender=recommender, view=view, profile=profile, store=store)


def _coords(recommender: Recommender, store: MapStore | None, methods, indices: list[int], view: ViewState) -> dict:
    """Each method's (aligned) map position of the products a top k can show."""
    if store is None:
        return {}
    out = {}
    for method in methods:
        alignment = store.alignment(recommender, method, view.params) if view.aligned else IDENTITY
        out[method] = alignment.apply(store.get(recommender, method, view.params).coords[indices])
    return out


def _large(
    quick: Sweep,
    recommender: Recommender,
    view: ViewState,
    profile: Mapping[str, float],
    store: MapStore | None,
    publish: Publish | None,
) -> Sweep:
    """Above DENSE_LIMIT: rank each position on the server, nearest the slider's value first; keep the tabulated
    methods' top k and user points, each position's agreement, and the name of every product a top k of any
    method can show (a few spare places for ties). Positions not ranked yet are None."""
    methods, k, n = list(view.methods), view.k, len(recommender.product_ids)
    others = [m for m in methods if m not in WEIGHTS]
    profiles = sweep_profiles(profile, quick.feature)
    start = position_of(float(profile[quick.feature])) or len(POSITIONS) // 2
    order = sorted(range(len(profiles)), key=lambda i: (abs(i - start), i))
    tops: dict[str, list] = {m: [None] * len(profiles) for m in others}
    agreements: list = [None] * len(profiles)
    places = {m: np.full((len(profiles), 2), np.nan, dtype=np.float32) for m in others}
    shown: set[int] = set()

    def snapshot() -> Sweep:
        tables = {m: Table(m, np.arange(len(profiles)), np.zeros((0, n), np.float32), tuple(tops[m])) for m in others}
        products = recommender.scenario.products
        names = {i: (products[i].name, profile_text(products[i].profile, PROFILE_SHOWN)) for i in sorted(shown)}
        points = {**quick.points, **(places if store is not None else {})}
        coords = _coords(recommender, store, methods, list(names), view)
        return replace(quick, tables=tables, agreement=tuple(agreements), names=names, points=points, coords=coords)

    for first in range(0, len(order), CHUNK):
        for i in order[first : first + CHUNK]:
            result = recommender.rank(
                profiles[i], methods, view.params, k=k, hard_no=view.threshold, filter_hard_no=view.hard_no is not None
            )
            agreements[i] = result.agreement.among(methods)
            for method, ranking in result.rankings.items():
                top = ranking.top(k + 10)
                shown.update(top.tolist())
                if method in tops:
                    tops[method][i] = (top[:k], ranking.scores[top[:k]])
                    if store is not None:
                        places[method][i] = _points(recommender, store, method, [profiles[i]], view, ranking.scores)[0]
        if publish is not None:
            publish(snapshot())
    return snapshot()


def warm_profiles(profile: Mapping[str, float], max_features: int = 2) -> list[dict[str, float]]:
    """The bases worth sweeping before anybody asks: the profile itself and, for a profile of at most
    ``max_features`` scores (the article's two-feature users), every position of every other slider, so that
    any drag a class can make on it is live at once (1,681 profiles for two features, once per server).

    >>> len(warm_profiles({"a": 0.5, "b": -0.5})), len(warm_profiles({"a": 0.1, "b": 0.2, "c": 0.3}))
    (83, 1)
    """
    out = [dict(profile)]
    if len(profile) <= max_features:
        for feature in profile:
            for other in profile:
                if other != feature:
                    out += [{**profile, other: s} for s in POSITIONS]
    return out


# -- shared by every session --------------------------------------------------------------------------------------

SWEEPS_KEPT = 256  # sweeps a process keeps (the two-feature grid of the article's users is 82 of them)
INLINE_PRODUCTS = 200  # up to this many products, every slider's sweep travels with the panel ...
INLINE_SLIDERS = 9  # ... when it has at most this many sliders: a grab then needs no request at all
QUICK_WAIT = 0.15  # seconds a request waits for the whole sweep before it answers with the linear part


def sweep_key(recommender: Recommender, view: ViewState, profile: Mapping[str, float], feature: str) -> tuple:
    """Everything a sweep depends on: two sessions with the same key share one sweep. That includes the order of
    the profile's features, not only their scores: naive text, split channel and the feedback query's target
    are texts written in that order, and two orders embed differently."""
    return (
        recommender.scenario.fingerprint,
        recommender.space.embedder.fingerprint,
        tuple(view.methods),
        view.params,
        view.k,
        view.threshold,
        view.hard_no is not None,
        view.aligned,
        feature,
        base_of(profile, feature),
        tuple(profile),
    )


class Sweeps:
    """Sweeps shared by every session: the quick part computed once per key, the rest as a background job (its
    own registry, so sweeps never push another page's finished work out of the shared one)."""

    def __init__(self, max_entries: int = SWEEPS_KEPT) -> None:
        self._quick = Once(max_entries=max_entries)
        self._builds = Builds(keep=max_entries)
        self._partial: OrderedDict[tuple, Sweep] = OrderedDict()  # the latest part of each sweep being built
        self._lock = threading.Lock()
        self._max = max_entries

    def _publish(self, key: tuple, sweep: Sweep) -> None:
        with self._lock:
            self._partial[key] = sweep
            self._partial.move_to_end(key)
            while len(self._partial) > self._max:
                self._partial.popitem(last=False)

    def get(
        self,
        *,
        recommender: Recommender,
        view: ViewState,
        profile: Mapping[str, float],
        feature: str,
        store: MapStore | None = None,
        wait: float | None = QUICK_WAIT,
    ) -> tuple[Sweep, bool]:
        """(the sweep, whether it is complete). Waits at most ``wait`` seconds for the complete one."""
        key = sweep_key(recommender, view, profile, feature)
        profile = dict(profile)
        quick = self._quick.get(
            key,
            lambda: linear_sweep(recommender=recommender, view=view, profile=profile, feature=feature, store=store),
        )

        def rest(report) -> Sweep:
            publish = lambda part: self._publish(key, part)  # noqa: E731
            done = complete_sweep(
                quick, recommender=recommender, view=view, profile=profile, store=store, publish=publish
            )
            with self._lock:
                self._partial.pop(key, None)
            return done

        build = self._builds.start(key, f"Preparing the sweep of {feature}", rest)
        if build.wait(wait) and build.error is None:
            return build.result, True
        with self._lock:
            return self._partial.get(key, quick), False
