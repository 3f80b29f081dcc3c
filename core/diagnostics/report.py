"""Every diagnostic on one scenario, as one report: what ``python -m core diagnose`` prints."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.diagnostics.injection import Injection, pick_novel, raw_injection
from core.diagnostics.readings import readings
from core.diagnostics.sign import Sweep, prefix_polarity, sign_flip, sweep
from core.diagnostics.synonyms import closest_pair, stacking, synonym_groups, transfer
from core.diagnostics.tanh import TanhEffect, tanh_effect
from core.diagnostics.truncation import Truncation, truncation
from core.diagnostics.variance import Variance, pca_variance
from core.engine.space import DEFAULT_PARAMS, FeatureSpace, MethodParams
from core.numeric import finite_or_none
from core.scenarios.model import Scenario


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
        mean_flip = {m: finite_or_none(np.mean(list(v.values()))) for m, v in self.sign_flip.items()}
        return {
            "scenario": self.scenario,
            "model": self.model,
            "sign_flip": mean_flip,
            "sign_flip_by_user": {m: {u: finite_or_none(c) for u, c in v.items()} for m, v in self.sign_flip.items()},
            "prefix_polarity": {
                "mean": finite_or_none(np.mean(list(self.prefix_polarity.values()))),
                "min": finite_or_none(min(self.prefix_polarity.values())),
            },
            "magnitude_distinct_vectors": {"feature": self.sweep.feature, **self.sweep.distinct},
            "amplification": {
                "weighted": finite_or_none(self.stacking["weighted"]),
                "whitened": finite_or_none(self.stacking["whitened"]),
                "pair": [self.pair[0], self.pair[1]],
                "pair_cosine": finite_or_none(self.pair[2]),
            },
            "transfer": {m: finite_or_none(v) for m, v in self.transfer.items()},
            "n_components": int(self.variance.n_components),
            "explained_variance": [finite_or_none(v) for v in self.variance.cumulative],
            "truncated": {u: t.unseen for u, t in self.truncation.items()},
            "raw_injection": None
            if self.injection is None
            else {
                "novel_feature": self.injection.novel,
                "k": self.injection.k,
                "top_k_differing": self.injection.differing,
                "moved_by_projected": self.injection.moved_by_projected,
                "moved_by_raw": self.injection.moved_by_raw,
                "rank_correlation": finite_or_none(self.injection.rank_correlation),
            },
            "tanh": {
                "features": self.tanh.features,
                "degrees_with_tanh": finite_or_none(self.tanh.degrees_with_tanh),
                "degrees_linear": finite_or_none(self.tanh.degrees_linear),
            },
            "readings": readings(self),
        }


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
