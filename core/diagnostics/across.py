"""Across models: the article's central claims measured with every installed model, side by side.

Per model: cos(User A, User B) per method for the article's pair (A avoids anxiety, B seeks it); the mean
cos(P, -P) per method over the sign-trap users; the prefix polarity, cos("strongly enjoys f", "strongly
dislikes f") averaged over sign-trap's features; the stacking factor of the closest pair in wine-synonyms;
and the model's *floor*: the median cosine between unrelated sentences, so that a model whose cosines all
sit high (E5) is read against its own baseline. ``reading`` turns the table into one sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from core.diagnostics.sign import mean_flip, prefix_polarity, sign_flip
from core.diagnostics.synonyms import closest_pair, stacking
from core.embedding.embedder import Embedder
from core.scenarios.model import Scenario
from core.scenarios.presets import SEED_USER_A, SEED_USER_B
from core.vectors.methods import METHOD_NAMES, compare_profiles
from core.vectors.space import FeatureSpace

LOST = 0.8  # a naive cos(A, B) above this: the model treats opposite users as nearly the same
FIXES = ("split", "prefix", "weighted", "whitened")
# Unrelated sentences (ours), for each model's floor: the median cosine over every pair of them.
FLOOR_TEXTS = (
    "The train to the coast leaves at seven.",
    "Add two spoons of sugar to the dough.",
    "The committee postponed the vote until March.",
    "My cat sleeps on the warm laptop.",
    "Granite is harder than limestone.",
    "She tuned the violin before the concert.",
    "The server restarted after the update.",
    "Tomatoes need plenty of sun and water.",
    "The museum closes early on Sundays.",
    "He repaired the bicycle chain with pliers.",
    "Interest rates rose for the third time.",
    "A heron waited motionless in the reeds.",
)


def floor(embedder: Embedder) -> float:
    """Median cosine between unrelated sentences: what "nothing in common" looks like to this model."""
    vectors = embedder.encode(list(FLOOR_TEXTS))
    sims = vectors @ vectors.T
    return float(np.median(sims[np.triu_indices(len(FLOOR_TEXTS), 1)]))


def measure(embedder: Embedder, sign_trap: Scenario, synonyms: Scenario) -> dict:
    """Every measure of the module docstring, for one model."""
    space = FeatureSpace(list(sign_trap.vocabulary), embedder)
    flips = sign_flip(space, {u.id: u.profile for u in sign_trap.users})
    synonym_space = FeatureSpace(list(synonyms.vocabulary), embedder)
    a, b, similarity = closest_pair(synonym_space)
    base = floor(embedder)
    ab = compare_profiles(SEED_USER_A, SEED_USER_B, embedder)
    return {
        "dim": int(embedder.dim),
        "floor": round(base, 4),
        "ab_cosine": {m: round(c, 4) for m, c in ab.items()},
        "ab_above_floor": round((ab["naive"] - base) / max(1e-9, 1.0 - base), 4),
        "sign_flip": {m: round(mean_flip(flips)[m], 4) for m in METHOD_NAMES},  # NaN where no vector
        "prefix_polarity": round(float(np.mean(list(prefix_polarity(space).values()))), 4),
        "stacking": {"pair": [a, b], "pair_cosine": round(similarity, 4), **_rounded(stacking(synonym_space, a, b))},
    }


def _rounded(values: Mapping[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in values.items()}


def measure_all(
    embedders: Mapping[str, Callable[[], Embedder]],
    sign_trap: Scenario,
    synonyms: Scenario,
    report: Callable[[str, float], None] | None = None,
) -> dict[str, dict]:
    """``{model id: measure(...)}``; ``embedders`` maps ids to functions that load the model."""
    out = {}
    for i, (model, load) in enumerate(embedders.items()):
        if report is not None:
            report(f"Measuring {model} ({i + 1} of {len(embedders)})", i / max(1, len(embedders)))
        out[model] = measure(load(), sign_trap, synonyms)
    return out


def reading(results: Mapping[str, Mapping]) -> str:
    """One sentence computed from every model's numbers."""
    if not results:
        return "No model is installed."
    lost = [m for m, r in results.items() if r["ab_cosine"]["naive"] > LOST]
    gain = {m: r["ab_cosine"]["naive"] - r["ab_cosine"]["prefix"] for m, r in results.items()}
    best, worst = max(gain, key=gain.get), min(gain, key=gain.get)
    n = len(results)
    if len(lost) == n:
        head = f"The sign is lost by every model tested (naive cos(A, B) above {LOST} for all {n})"
    elif lost:
        head = f"The sign is lost by {len(lost)} of {n} models ({', '.join(lost)})"
    else:
        head = f"No model tested loses the sign outright (naive cos(A, B) at most {LOST})"
    weighted = [m for m, r in results.items() if r["ab_cosine"]["weighted"] < r["ab_cosine"]["naive"]]
    tail = (
        "the weighted sum separates the pair under every model"
        if len(weighted) == n
        else f"the weighted sum separates the pair under {len(weighted)} of {n} models"
    )
    a, b = results[best]["ab_cosine"], results[worst]["ab_cosine"]
    return (
        f"{head}; the prefix fix helps most with {best} (cos {a['naive']:.2f} → {a['prefix']:.2f}) and least with "
        f"{worst} ({b['naive']:.2f} → {b['prefix']:.2f}); {tail}."
    )


def whitening_artefact(results: Mapping[str, Mapping]) -> str | None:
    """The note the chart of cos(A, B) carries when whitened's value is an artefact, else None.

    The article's pair shares a vocabulary of two features; centred, two feature vectors span one dimension, so
    whitening keeps (at most) one, and there any two profiles score +1 or -1. Said only when every model shows it.

    >>> print(whitening_artefact({"m": {"ab_cosine": {"whitened": -1.0}}, "n": {"ab_cosine": {"whitened": -0.9999}}}))
    whitened's -1.00 is an artefact: the pair's 2 features leave whitening 1 dimension, where any two profiles
    score ±1
    >>> whitening_artefact({"m": {"ab_cosine": {"whitened": -0.4}}}) is None
    True
    """
    features = len(set(SEED_USER_A) | set(SEED_USER_B))
    values = [r["ab_cosine"]["whitened"] for r in results.values()]
    if not values or features > 2 or not all(np.isfinite(v) and abs(abs(v) - 1) < 0.005 for v in values):
        return None
    shown = f"{values[0]:.2f}" if len({f"{v:.2f}" for v in values}) == 1 else "±1.00"
    return (
        f"whitened's {shown} is an artefact: the pair's {features} features leave whitening {features - 1} dimension, "
        "where any two profiles score ±1"
    )
