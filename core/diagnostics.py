"""Each claim of the source article, measured on a scenario and the model in use.

Every function returns numbers; :func:`readings` turns them into one sentence
per diagnostic, computed from the numbers (nothing is written in advance, so a
claim that does not hold on this model reads as not holding).

Definitions used below:

- *sign flip*: cos(v(P), v(-P)), where -P negates every score. 1 means the
  method cannot tell a profile from its opposite; -1 means it can.
- *sweep*: one feature of a profile set to each score in [-1, 1]; each
  method's vector compared with the vector at +1 (sign) and with the vector at
  -1 (magnitude: 1 - cos, how far the vector has travelled).
- *stacking factor* of two features a, b in a method's feature space φ:
  S = |φa + φb|² / (|φa|² + |φb|²). S = 1 when the two are orthogonal (tagging
  both counts each once), S = 2 when they are parallel (two tags count double).
  It is bounded in [0, 2], so always finite. For unit embeddings S = 1 + cos(a, b).
- *transfer*: the cosine between a user who loves ``a`` and a product tagged
  only ``b`` (a near-synonym), under each method. Exact is 0 by construction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.embedder import Embedder
from core.methods import (
    DEFAULT_PARAMS,
    METHOD_NAMES,
    METHODS,
    PREFIX_PHRASES,
    FeatureSpace,
    MethodParams,
    naive_text,
    normalize_rows,
    tanh_weights,
)
from core.scenario import Scenario
from core.synthetic import BASE_TAGS, feature_names
from core.whitening import Whitener

SWEEP_POINTS = 41
TANH_PROFILE_FEATURES = 200
EPS = 1e-12


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return 0.0 if na < 1e-8 or nb < 1e-8 else float(a @ b / (na * nb))


def vectors(space: FeatureSpace, method: str, profiles: Sequence[Mapping[str, float]], params: MethodParams):
    return METHODS[method].fn(list(profiles), space=space, params=params)


# 1 -- sign blindness ---------------------------------------------------------------------------


def sign_flip(
    space: FeatureSpace, users: Mapping[str, Mapping[str, float]], params: MethodParams = DEFAULT_PARAMS
) -> dict[str, dict[str, float]]:
    """{method: {user id: cos(v(P), v(-P))}}."""
    out: dict[str, dict[str, float]] = {}
    ids = list(users)
    profiles = [dict(users[i]) for i in ids]
    flipped = [{f: -s for f, s in p.items()} for p in profiles]
    for method in METHOD_NAMES:
        v = vectors(space, method, profiles + flipped, params)
        out[method] = {uid: _cos(v[i], v[i + len(ids)]) for i, uid in enumerate(ids)}
    return out


@dataclass(frozen=True)
class Sweep:
    feature: str
    scores: np.ndarray  # (SWEEP_POINTS,)
    to_positive: dict[str, np.ndarray]  # method -> cos(v(s), v(+1))
    travelled: dict[str, np.ndarray]  # method -> 1 - cos(v(s), v(-1))
    distinct: dict[str, int]  # method -> distinct vectors along the sweep


def sweep(
    space: FeatureSpace,
    profile: Mapping[str, float],
    feature: str,
    params: MethodParams = DEFAULT_PARAMS,
    points: int = SWEEP_POINTS,
) -> Sweep:
    scores = np.round(np.linspace(-1.0, 1.0, points), 4)
    profiles = [{**profile, feature: float(s)} for s in scores]
    to_positive, travelled, distinct = {}, {}, {}
    for method in METHOD_NAMES:
        v = vectors(space, method, profiles, params)
        to_positive[method] = np.array([_cos(row, v[-1]) for row in v])
        travelled[method] = np.array([1.0 - _cos(row, v[0]) for row in v])
        distinct[method] = int(len({tuple(np.round(row, 5)) for row in v}))
    return Sweep(feature, scores, to_positive, travelled, distinct)


def prefix_polarity(space: FeatureSpace) -> dict[str, float]:
    """Per feature: cos("strongly enjoys f", "strongly dislikes f"). Near 1: the phrase barely matters."""
    table = space.prefix_embeddings()
    enjoy, dislike = table[PREFIX_PHRASES.index("strongly enjoys")], table[PREFIX_PHRASES.index("strongly dislikes")]
    return {f: float(enjoy[i] @ dislike[i]) for i, f in enumerate(space.vocabulary)}


# 3 -- truncation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Truncation:
    tokens: int
    limit: int | None
    unseen: list[str]  # features whose "name: score" the model does not fully read


def truncation(embedder: Embedder, profile: Mapping[str, float]) -> Truncation:
    text = naive_text(profile)
    count_tokens = getattr(embedder, "count_tokens", None)
    tokens = int(count_tokens(text)) if count_tokens else -1
    cut = embedder.truncated_at(text)
    unseen: list[str] = []
    if cut is not None:
        position = 0
        for feature, score in profile.items():
            segment = naive_text({feature: score})
            end = position + len(segment)
            if end > cut:
                unseen.append(feature)
            position = end + 1  # the joining space
    return Truncation(tokens, embedder.max_seq_length, unseen)


# 4 -- synonyms ----------------------------------------------------------------------------------


def synonym_groups(space: FeatureSpace, threshold: float = 0.75) -> list[list[str]]:
    """Connected groups of features whose embeddings have cosine >= threshold."""
    e = space.feature_embeddings()
    sims = e @ e.T
    n = len(space.vocabulary)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if sims[i, j] >= threshold:
                parent[find(i)] = find(j)
    groups: dict[int, list[str]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(space.vocabulary[i])
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g))


def closest_pair(space: FeatureSpace) -> tuple[str, str, float]:
    e = space.feature_embeddings()
    sims = e @ e.T - 2 * np.eye(len(e))
    i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
    a, b = sorted((space.vocabulary[i], space.vocabulary[j]))
    return a, b, float(sims[i, j])


def stacking_factor(phi_a: np.ndarray, phi_b: np.ndarray) -> float:
    """|φa + φb|² / (|φa|² + |φb|²), in [0, 2]; 1 means no stacking."""
    denominator = float(phi_a @ phi_a + phi_b @ phi_b)
    if denominator < EPS:
        return 1.0
    return float(np.clip((phi_a + phi_b) @ (phi_a + phi_b) / denominator, 0.0, 2.0))


def feature_vectors(space: FeatureSpace, method: str, params: MethodParams = DEFAULT_PARAMS) -> np.ndarray:
    """Rows φ(f) of the space a weighted sum is taken in: raw embeddings or whitened ones."""
    if method == "whitened":
        return space.whitened(params)[1]
    return space.feature_embeddings()


def stacking(space: FeatureSpace, a: str, b: str, params: MethodParams = DEFAULT_PARAMS) -> dict[str, float]:
    i, j = space.index[a], space.index[b]
    out = {}
    for method in ("weighted", "whitened"):
        phi = feature_vectors(space, method, params)
        out[method] = stacking_factor(phi[i], phi[j])
    return out


def transfer(space: FeatureSpace, a: str, b: str, params: MethodParams = DEFAULT_PARAMS) -> dict[str, float]:
    """cos(user {a: +1}, product {b: +1}) under every method."""
    out = {}
    for method in METHOD_NAMES:
        v = vectors(space, method, [{a: 1.0}, {b: 1.0}], params)
        out[method] = _cos(v[0], v[1])
    return out


@dataclass(frozen=True)
class TradeOff:
    strengths: list[float]
    variances: list[float]
    stacking: np.ndarray  # (len(variances), len(strengths)) mean stacking factor over synonym pairs
    transfer: np.ndarray  # same shape: mean whitened transfer over the pairs
    components: np.ndarray  # same shape: k


def whitening_trade_off(
    space: FeatureSpace,
    pairs: Sequence[tuple[str, str]],
    strengths: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
    variances: Sequence[float] = (0.8, 0.9, 0.95, 0.99),
) -> TradeOff:
    """Stacking and transfer of near-synonym pairs across whitening strength and threshold."""
    stack = np.zeros((len(variances), len(strengths)))
    move = np.zeros_like(stack)
    components = np.zeros_like(stack, dtype=int)
    for r, variance in enumerate(variances):
        for c, strength in enumerate(strengths):
            params = MethodParams(whiten_variance=variance, whiten_strength=strength)
            whitener, phi = space.whitened(params)
            components[r, c] = whitener.n_components_
            s_values, t_values = [], []
            for a, b in pairs:
                i, j = space.index[a], space.index[b]
                s_values.append(stacking_factor(phi[i], phi[j]))
                t_values.append(_cos(phi[i], phi[j]))
            stack[r, c] = float(np.mean(s_values)) if s_values else 1.0
            move[r, c] = float(np.mean(t_values)) if t_values else 0.0
    return TradeOff(list(strengths), list(variances), stack, move, components)


def vocabulary_cosines(space: FeatureSpace, params: MethodParams = DEFAULT_PARAMS) -> tuple[np.ndarray, np.ndarray]:
    """(F, F) feature-feature cosines before and after whitening."""
    before = space.feature_embeddings()
    after = normalize_rows(space.whitened(params)[1])
    return before @ before.T, after @ after.T


# 5 -- PCA variance ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variance:
    cumulative: np.ndarray
    n_components: int
    k90: int
    k95: int
    rank: int


def pca_variance(space: FeatureSpace, params: MethodParams = DEFAULT_PARAMS) -> Variance:
    whitener: Whitener = space.whitened(params)[0]
    cumulative = whitener.cumulative_variance_
    if cumulative.size == 0:
        return Variance(cumulative, 0, 0, 0, 0)

    def k_for(threshold: float) -> int:
        return min(int(np.searchsorted(cumulative, threshold - 1e-9) + 1), whitener.rank_)

    return Variance(cumulative, whitener.n_components_, k_for(0.90), k_for(0.95), whitener.rank_)


# 6 -- raw injection -----------------------------------------------------------------------------


def raw_injection_vector(
    space: FeatureSpace, profile: Mapping[str, float], params: MethodParams = DEFAULT_PARAMS
) -> np.ndarray:
    """The *wrong* whitened user vector: novel features' raw embeddings pasted into the whitened space.

    The raw embedding has d coordinates, the whitened space k; like most such bugs,
    this keeps the first k (padding with zeros). Nothing fails, which is the point.
    """
    whitener, phi = space.whitened(params)
    k = phi.shape[1]
    vector = np.zeros(k, dtype=np.float32)
    for feature, score in profile.items():
        weight = float(tanh_weights(score))
        if feature in space.index:
            vector += weight * phi[space.index[feature]]
        else:
            raw = space.novel_embeddings([feature])[0]
            padded = np.zeros(k, dtype=np.float32)
            padded[: min(k, raw.size)] = raw[:k]
            vector += weight * padded
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 1e-8 else vector


@dataclass(frozen=True)
class Injection:
    novel: str
    k: int
    baseline_top: list[int]  # without the novel feature
    projected_top: list[int]  # novel feature through the fitted transform (correct)
    raw_top: list[int]  # novel feature's raw embedding pasted in (wrong)
    differing: int  # top-k items that differ between projected and raw
    moved_by_projected: int  # top-k items the novel feature changes when projected
    moved_by_raw: int  # ... when injected raw
    rank_correlation: float  # Spearman, projected vs raw scores over all products


def raw_injection(
    product_vectors: np.ndarray,
    space: FeatureSpace,
    profile: Mapping[str, float],
    novel: str,
    k: int = 5,
    params: MethodParams = DEFAULT_PARAMS,
) -> Injection:
    """Rank with a novel feature projected through the fitted transform, and injected raw."""
    from scipy.stats import spearmanr

    base_profile = {f: s for f, s in profile.items() if f != novel}
    baseline = product_vectors @ METHODS["whitened"].fn([base_profile], space=space, params=params)[0]
    good = product_vectors @ METHODS["whitened"].fn([profile], space=space, params=params)[0]
    bad = product_vectors @ raw_injection_vector(space, profile, params)

    def top(scores: np.ndarray) -> list[int]:
        return [int(i) for i in np.argsort(-scores, kind="stable")[:k]]

    base_top, good_top, bad_top = top(baseline), top(good), top(bad)
    rho = spearmanr(good, bad).statistic if len(good) > 1 else 1.0
    return Injection(
        novel,
        k,
        base_top,
        good_top,
        bad_top,
        k - len(set(good_top) & set(bad_top)),
        k - len(set(base_top) & set(good_top)),
        k - len(set(base_top) & set(bad_top)),
        float(np.nan_to_num(rho)),
    )


# 7 -- tanh compression --------------------------------------------------------------------------


@dataclass(frozen=True)
class TanhEffect:
    features: int
    from_score: float
    to_score: float
    degrees_with_tanh: float
    degrees_linear: float


def tanh_effect(embedder: Embedder, *, n_features: int = TANH_PROFILE_FEATURES, seed: int = 5) -> TanhEffect:
    """How far one feature going from 0.5 to 1.0 turns a 200-feature weighted profile, with tanh and without."""
    names = feature_names(n_features)
    rng = np.random.default_rng(seed)
    scores = rng.uniform(-1, 1, n_features).astype(np.float32)
    scores[0] = 0.5
    features = embedder.encode(names)
    moved = scores.copy()
    moved[0] = 1.0

    def angle(weights_before: np.ndarray, weights_after: np.ndarray) -> float:
        cos = _cos(weights_before @ features, weights_after @ features)
        return math.degrees(math.acos(max(-1.0, min(1.0, cos))))

    return TanhEffect(
        n_features,
        0.5,
        1.0,
        angle(np.tanh(2 * scores), np.tanh(2 * moved)),
        angle(scores, moved),
    )


# -- the report -----------------------------------------------------------------------------------


@dataclass
class Report:
    scenario: str
    model: str
    sign_flip: dict[str, dict[str, float]]
    prefix_polarity: dict[str, float]
    sweep: Sweep
    truncation: dict[str, Truncation]
    groups: list[list[str]]
    pair: tuple[str, str, float]
    stacking: dict[str, float]
    transfer: dict[str, float]
    variance: Variance
    injection: Injection | None
    tanh: TanhEffect
    params: MethodParams = field(default_factory=MethodParams)

    def to_json(self) -> dict:
        """The CLI's ``diagnose --json`` schema; every number finite."""
        mean_flip = {m: _finite(np.mean(list(v.values()))) for m, v in self.sign_flip.items()}
        return {
            "scenario": self.scenario,
            "model": self.model,
            "sign_flip": mean_flip,
            "sign_flip_by_user": {m: {u: _finite(c) for u, c in v.items()} for m, v in self.sign_flip.items()},
            "prefix_polarity": {
                "mean": _finite(np.mean(list(self.prefix_polarity.values()))),
                "min": _finite(min(self.prefix_polarity.values())),
            },
            "magnitude_distinct_vectors": {"feature": self.sweep.feature, **self.sweep.distinct},
            "amplification": {
                "weighted": _finite(self.stacking["weighted"]),
                "whitened": _finite(self.stacking["whitened"]),
                "pair": [self.pair[0], self.pair[1]],
                "pair_cosine": _finite(self.pair[2]),
            },
            "transfer": {m: _finite(v) for m, v in self.transfer.items()},
            "n_components": int(self.variance.n_components),
            "explained_variance": [_finite(v) for v in self.variance.cumulative],
            "truncated": {u: t.unseen for u, t in self.truncation.items()},
            "raw_injection": None
            if self.injection is None
            else {
                "novel_feature": self.injection.novel,
                "k": self.injection.k,
                "top_k_differing": self.injection.differing,
                "moved_by_projected": self.injection.moved_by_projected,
                "moved_by_raw": self.injection.moved_by_raw,
                "rank_correlation": _finite(self.injection.rank_correlation),
            },
            "tanh": {
                "features": self.tanh.features,
                "degrees_with_tanh": _finite(self.tanh.degrees_with_tanh),
                "degrees_linear": _finite(self.tanh.degrees_linear),
            },
            "readings": readings(self),
        }


def _finite(value: float) -> float:
    value = float(value)
    return round(value, 6) if math.isfinite(value) else 0.0


def pick_novel(space: FeatureSpace) -> str:
    """A feature outside the vocabulary but related to it (so that adding it should matter).

    Among the synthetic tag list, the one closest to some vocabulary feature
    without being a near-duplicate of it (cosine below 0.9).
    """
    candidates = [t for t in BASE_TAGS if t not in space.index]
    similarity = space.novel_embeddings(candidates) @ space.feature_embeddings().T
    best = similarity.max(axis=1)
    best[best >= 0.9] = -1.0
    return candidates[int(np.argmax(best))]


def diagnose(
    scenario: Scenario,
    space: FeatureSpace,
    product_vectors_whitened: np.ndarray,
    *,
    params: MethodParams = DEFAULT_PARAMS,
    sweep_user: str | None = None,
    sweep_feature: str | None = None,
    novel: str | None = None,
) -> Report:
    """Run every diagnostic; the page calls the parts one by one, the CLI calls this."""
    users = {u.id: dict(u.profile) for u in scenario.users}
    user = scenario.user(sweep_user) if sweep_user else max(scenario.users, key=lambda u: len(u.profile))
    profile = dict(user.profile)
    feature = sweep_feature or max(profile, key=lambda f: abs(profile[f]))
    a, b, cosine = closest_pair(space)
    novel = novel or pick_novel(space)
    return Report(
        scenario=scenario.id,
        model=space.embedder.name,
        sign_flip=sign_flip(space, users, params),
        prefix_polarity=prefix_polarity(space),
        sweep=sweep(space, profile, feature, params),
        truncation={uid: truncation(space.embedder, p) for uid, p in users.items()},
        groups=synonym_groups(space),
        pair=(a, b, cosine),
        stacking=stacking(space, a, b, params),
        transfer=transfer(space, a, b, params),
        variance=pca_variance(space, params),
        injection=raw_injection(product_vectors_whitened, space, {**profile, novel: 0.9}, novel, params=params),
        tanh=tanh_effect(space.embedder),
        params=params,
    )


# -- readings -------------------------------------------------------------------------------------


def _names(methods: Sequence[str]) -> str:
    labels = [METHODS[m].label.lower() for m in methods]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def reading_sign(flip: Mapping[str, Mapping[str, float]]) -> str:
    means = {m: float(np.mean(list(v.values()))) for m, v in flip.items()}
    blind = [m for m, c in means.items() if c > 0.8]
    aware = [m for m, c in means.items() if c < 0]
    parts = []
    if blind:
        parts.append(
            f"{_names(blind)} cannot tell a profile from its opposite (mean cos(P, -P) "
            + ", ".join(f"{means[m]:.2f}" for m in blind)
            + ")"
        )
    if aware:
        parts.append(f"{_names(aware)} can (" + ", ".join(f"{means[m]:.2f}" for m in aware) + ")")
    middle = [m for m in means if m not in blind and m not in aware]
    if middle:
        parts.append(f"{_names(middle)} partly (" + ", ".join(f"{means[m]:.2f}" for m in middle) + ")")
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def reading_prefix(polarity: Mapping[str, float]) -> str:
    values = np.array(list(polarity.values()))
    mean, low = float(values.mean()), float(values.min())
    verdict = (
        "so the phrase barely moves the vector: prefix is nearly sign-blind with this model"
        if mean > 0.85
        else "so the phrase separates them only partly"
        if mean > 0.5
        else "so the phrase does separate likes from dislikes"
    )
    return f"'strongly enjoys X' and 'strongly dislikes X' have mean cosine {mean:.2f} (lowest {low:.2f}), {verdict}."


def reading_magnitude(s: Sweep) -> str:
    d = s.distinct
    return (
        f"Sweeping '{s.feature}' through {len(s.scores)} scores from -1 to 1 gives split {d['split']} distinct "
        f"vectors, prefix {d['prefix']}, weighted {d['weighted']} and exact {d['exact']}: "
        + (
            "split keeps only the sign and prefix only five steps, while weighted follows every change."
            if d["split"] <= 3 and d["prefix"] <= 5 and d["weighted"] >= len(s.scores) - 1
            else "the methods keep different amounts of the score's size."
        )
    )


def reading_truncation(truncated: Mapping[str, Truncation]) -> str:
    cut = {u: t for u, t in truncated.items() if t.unseen}
    limit = next(iter(truncated.values())).limit if truncated else None
    if not cut:
        longest = max((t.tokens for t in truncated.values()), default=0)
        return f"Every user's naive text fits the model's {limit} tokens (longest: {longest})."
    lost = sum(len(t.unseen) for t in cut.values())
    return (
        f"{len(cut)} of {len(truncated)} users' naive texts are longer than the model's {limit} tokens; "
        f"the model never reads {lost} of their feature scores."
    )


def reading_synonyms(
    pair: tuple[str, str, float],
    stack: Mapping[str, float],
    moved: Mapping[str, float],
    groups: Sequence,
    threshold: float = 0.75,
) -> str:
    a, b, cosine = pair
    return (
        f"{len(groups)} near-synonym group{'s' if len(groups) != 1 else ''} at cosine >= {threshold:.2f}. "
        f"The closest pair, '{a}' / '{b}' (cosine {cosine:.2f}), stacks {stack['weighted']:.2f}x under weighted "
        f"and {stack['whitened']:.2f}x after whitening (1 = no stacking); a user who loves '{a}' matches a product "
        f"tagged only '{b}' at {moved['weighted']:.2f} (weighted) and {moved['whitened']:.2f} (whitened): "
        + _synonym_verdict(stack, moved)
    )


def _synonym_verdict(stack: Mapping[str, float], moved: Mapping[str, float]) -> str:
    drop = stack["weighted"] - stack["whitened"]
    if stack["whitened"] <= 1.2 and drop > 0.2:
        return "whitening removes most of the stacking, and most of the semantic transfer with it."
    if drop > 0.1:
        return "whitening reduces the stacking and, with it, the transfer."
    return (
        "at this threshold whitening barely separates them: their difference lies in the components it drops "
        "(the trade-off chart shows higher thresholds)."
    )


def reading_variance(v: Variance, n_features: int) -> str:
    if v.n_components == 0:
        return "The vocabulary is too small to fit PCA: whitening has no components."
    return (
        f"{v.n_components} components keep the chosen share of the variance of {n_features} feature embeddings "
        f"(90% takes {v.k90}, 95% takes {v.k95}; the centred data has rank {v.rank})."
    )


def reading_injection(i: Injection | None) -> str:
    if i is None:
        return "No novel feature to test."
    text = (
        f"Adding '{i.novel}' (outside the vocabulary) through the fitted transform changes {i.moved_by_projected} "
        f"of the top {i.k}; pasting its raw embedding into the whitened space instead changes {i.moved_by_raw}, "
        f"and the two rankings differ in {i.differing} of the top {i.k}. Nothing fails either way"
    )
    if i.moved_by_raw == 0 and i.moved_by_projected > 0:
        return text + ": the raw vector lives on another scale, so the feature is silently ignored."
    if i.differing > 0:
        return (
            text
            + f"; the wrong ranking still correlates {i.rank_correlation:.2f} with the right one: it looks plausible."
        )
    return text + f" (rank correlation {i.rank_correlation:.2f}): on this scenario the mistake happens to be invisible."


def reading_tanh(t: TanhEffect) -> str:
    return (
        f"Raising one of {t.features} scores from {t.from_score} to {t.to_score} turns the weighted profile by "
        f"{t.degrees_with_tanh:.2f} degrees with tanh and {t.degrees_linear:.2f} without: "
        + (
            "tanh damps extreme scores, as claimed."
            if t.degrees_with_tanh < t.degrees_linear
            else "tanh does not damp it here."
        )
    )


def readings(r: Report) -> dict[str, str]:
    return {
        "sign": reading_sign(r.sign_flip),
        "prefix": reading_prefix(r.prefix_polarity),
        "magnitude": reading_magnitude(r.sweep),
        "truncation": reading_truncation(r.truncation),
        "synonyms": reading_synonyms(r.pair, r.stacking, r.transfer, r.groups),
        "variance": reading_variance(r.variance, len(r.prefix_polarity)),
        "raw_injection": reading_injection(r.injection),
        "tanh": reading_tanh(r.tanh),
    }
