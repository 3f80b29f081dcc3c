"""Every diagnostic on one scenario, as one report: what ``python -m core diagnose`` prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.diagnostics.dislikes import TOP_K, dislikes, totals
from core.diagnostics.injection import Injection, pick_novel, raw_injection
from core.diagnostics.readings import readings
from core.diagnostics.shift import ShiftBlindness, shift_blindness
from core.diagnostics.sign import Sweep, mean_flip, prefix_polarity, sign_flip, sweep
from core.diagnostics.synonyms import closest_pair, stacking, synonym_groups, transfer
from core.diagnostics.tanh import MIN_FEATURES, TanhEffect, tanh_effect
from core.diagnostics.truncation import Truncation, truncation
from core.diagnostics.variance import Variance, pca_variance
from core.numeric import finite_or_none
from core.retrieval.recommender import Recommender
from core.scenarios.model import Scenario, User
from core.vectors.space import DEFAULT_PARAMS, MethodParams


def _richest(scenario: Scenario) -> User:
    """The user with the most scores (the first such user on ties)."""
    return max(scenario.users, key=lambda u: len(u.profile))


def requirements(scenario: Scenario) -> dict[str, str | None]:
    """Per diagnostic: None if it can run on this scenario, else what it needs (a sentence).

    >>> from core.scenarios.model import scenario_from_dict
    >>> tiny = scenario_from_dict({"id": "t", "title": "T", "description": "", "users": [
    ...     {"id": "u", "name": "U", "profile": {"wine": 1}}], "products": [{"id": "p", "name": "P", "profile": {}}]},
    ...     source="t")
    >>> requirements(tiny)["synonyms"]
    'Needs at least 2 features; this scenario has 1.'
    """
    features, products = len(scenario.vocabulary), len(scenario.products)
    richest = len([f for f in _richest(scenario).profile if f in set(scenario.vocabulary)])

    def at_least(n: int, have: int, what: str) -> str | None:
        return None if have >= n else f"Needs at least {n} {what}; this scenario has {have}."

    return {
        "sign": None,
        "shift": None,
        "dislikes": None,
        "prefix": at_least(1, features, "feature"),
        "magnitude": at_least(1, richest, "scored feature in a user's profile"),
        "truncation": None,
        "synonyms": at_least(2, features, "features"),
        "variance": at_least(2, features, "features"),
        "raw_injection": at_least(2, features, "features") or at_least(2, products, "products"),
        "tanh": at_least(MIN_FEATURES, richest, "scored features in one user's profile"),
    }


@dataclass
class Report:
    """Every diagnostic on one scenario; a measure that cannot run here is None, with the reason in ``skipped``."""

    scenario: str
    model: str
    sign_flip: dict[str, dict[str, float]]
    dislikes: dict[str, dict[str, dict[str, int]]]
    truncation: dict[str, Truncation]
    shift: ShiftBlindness
    prefix_polarity: dict[str, float] | None = None
    sweep: Sweep | None = None
    groups: list[list[str]] = field(default_factory=list)
    pair: tuple[str, str, float] | None = None
    stacking: dict[str, float] | None = None
    transfer: dict[str, float] | None = None
    variance: Variance | None = None
    injection: Injection | None = None
    tanh: TanhEffect | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    params: MethodParams = field(default_factory=MethodParams)
    k: int = TOP_K
    product_ids: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """The CLI's ``diagnose --json`` schema: numbers finite or null; a measure that cannot run is null."""
        return {
            "scenario": self.scenario,
            "model": self.model,
            "sign_flip": {m: finite_or_none(c) for m, c in mean_flip(self.sign_flip).items()},
            "sign_flip_by_user": {m: {u: finite_or_none(c) for u, c in v.items()} for m, v in self.sign_flip.items()},
            "shift_blindness": _shift_json(self.shift, self.product_ids),
            "dislikes_in_top_k": {"k": self.k, "totals": totals(self.dislikes), "by_user": self.dislikes},
            **self._vocabulary_json(),
            "truncated": {u: t.unseen for u, t in self.truncation.items()},
            "raw_injection": None if self.injection is None else _injection_json(self.injection),
            "tanh": None if self.tanh is None else _tanh_json(self.tanh),
            "skipped": self.skipped,
            "readings": readings(self),
        }

    def _vocabulary_json(self) -> dict:
        polarity = list((self.prefix_polarity or {}).values())
        return {
            "prefix_polarity": {"mean": finite_or_none(np.mean(polarity)), "min": finite_or_none(min(polarity))}
            if polarity
            else None,
            "magnitude_distinct_vectors": None
            if self.sweep is None
            else {"feature": self.sweep.feature, **self.sweep.distinct},
            "amplification": None
            if self.pair is None
            else {
                "weighted": finite_or_none(self.stacking["weighted"]),
                "whitened": finite_or_none(self.stacking["whitened"]),
                "pair": [self.pair[0], self.pair[1]],
                "pair_cosine": finite_or_none(self.pair[2]),
            },
            "transfer": None if self.transfer is None else {m: finite_or_none(v) for m, v in self.transfer.items()},
            "n_components": None if self.variance is None else int(self.variance.n_components),
            "explained_variance": None
            if self.variance is None
            else [finite_or_none(v) for v in self.variance.cumulative],
        }


def _shift_json(s: ShiftBlindness, ids: list[str]) -> dict:
    """Every method's response to a constant added to every score, and to an all-dislikes profile."""
    f = s.formula
    tops = {
        m: {u: None if r.refused else [ids[i] for i in r.dislikes_top] for u, r in users.items()}
        for m, users in s.by_method.items()
    }
    by_user = {
        m: {u: {"kendall_tau": finite_or_none(r.kendall_tau), "unmoved": r.unmoved, "same_top_k": r.same_top_k}
            for u, r in users.items()}
        for m, users in s.by_method.items()
    }  # fmt: skip
    return {
        "shift": s.shift,
        "k": s.k,
        "unmoved": s.unmoved(),
        "same_top_k": s.same_top_k(),
        "kendall_tau": {m: finite_or_none(t) for m, t in s.mean_tau().items()},
        "all_dislikes": {"carrying": s.carrying(), "refused": s.refused(), "top_k": tops},
        "feedback_formula": {
            "shift": f.shift,
            "max_change_pair_term": finite_or_none(f.max_change_pair_term),
            "max_change_same_target": finite_or_none(f.max_change_same_target),
            "pulls": {u: {"feature": feature, "weight": finite_or_none(w)} for u, (feature, w) in f.pulls.items()},
        },
        "by_user": by_user,
    }


def _injection_json(i: Injection) -> dict:
    return {
        "novel_feature": i.novel,
        "k": i.k,
        "top_k_differing": i.differing,
        "moved_by_projected": i.moved_by_projected,
        "moved_by_raw": i.moved_by_raw,
        "rank_correlation": finite_or_none(i.rank_correlation),
    }


def _tanh_json(t: TanhEffect) -> dict:
    return {
        "features": t.features,
        "feature": t.feature,
        "degrees_with_tanh": finite_or_none(t.degrees_with_tanh),
        "degrees_linear": finite_or_none(t.degrees_linear),
    }


Progress = Callable[[str, float], None]


def diagnose(
    recommender: Recommender,
    *,
    params: MethodParams = DEFAULT_PARAMS,
    sweep_user: str | None = None,
    sweep_feature: str | None = None,
    novel: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """Run every diagnostic that this scenario allows; the page calls the parts one by one, the CLI calls this.

    ``progress(stage, fraction)`` hears each measure as it starts (the CLI prints them on stderr, as ``rank`` does).
    """
    say = progress or (lambda stage, fraction: None)
    scenario, space = recommender.scenario, recommender.space
    users = {u.id: dict(u.profile) for u in scenario.users}
    needs = requirements(scenario)
    say("Measuring sign blindness", 0.0)
    flips = sign_flip(space, users, params)
    say(f"Counting dislikes in every user's top {TOP_K}", 0.1)
    counted = dislikes(recommender, params)
    say("Shifting every score, and making every score a dislike", 0.2)
    shifts = shift_blindness(recommender, params)
    say("Counting the tokens of every naive text", 0.3)
    report = Report(
        scenario=scenario.id,
        model=space.embedder.name,
        sign_flip=flips,
        dislikes=counted,
        truncation={uid: truncation(space.embedder, p) for uid, p in users.items()},
        shift=shifts,
        skipped={name: reason for name, reason in needs.items() if reason},
        params=params,
        product_ids=recommender.product_ids,
    )
    richest = dict((scenario.user(sweep_user) if sweep_user else _richest(scenario)).profile)
    _vocabulary_measures(report, recommender, needs, richest, sweep_feature, say)
    if not needs["raw_injection"]:
        say("Comparing a projected and a raw novel feature", 0.8)
        novel = novel or pick_novel(space)
        vectors = recommender.product_vectors("whitened", params)
        report.injection = raw_injection(vectors, space, {**richest, novel: 0.9}, novel, params=params)
    if not needs["tanh"]:
        say("Measuring tanh compression", 0.9)
        report.tanh = tanh_effect(space, dict(_richest(scenario).profile))
    say("Done", 1.0)
    return report


def _vocabulary_measures(
    report: Report, recommender: Recommender, needs: dict, richest: dict, sweep_feature: str | None, say: Progress
) -> None:
    """The measures over the scenario's vocabulary: prefix polarity, the magnitude sweep, synonyms, PCA variance."""
    space, params = recommender.space, report.params
    if not needs["prefix"]:
        say("Measuring prefix polarity", 0.4)
        report.prefix_polarity = prefix_polarity(space)
    if not needs["magnitude"] and richest:
        say("Sweeping one score from -1 to 1", 0.5)
        report.sweep = sweep(space, richest, sweep_feature or max(richest, key=lambda f: abs(richest[f])), params)
    if not needs["synonyms"]:
        say("Looking for near-synonyms", 0.6)
        a, b, cosine = closest_pair(space)
        report.groups, report.pair = synonym_groups(space), (a, b, cosine)
        report.stacking, report.transfer = stacking(space, a, b, params), transfer(space, a, b, params)
    if not needs["variance"]:
        say("Fitting PCA for the variance curve", 0.7)
        report.variance = pca_variance(space, params)
