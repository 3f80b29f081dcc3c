"""One sentence per diagnostic, computed from its numbers: a claim that does not hold reads as not holding.

A number that is not defined (NaN: a method that gives no vector, a measure with nothing to measure) is read as
such, never as a 0: "whitened sum gives no vector for these profiles".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from core.diagnostics.dislikes import totals
from core.diagnostics.injection import Injection
from core.diagnostics.shift import ShiftBlindness
from core.diagnostics.sign import Sweep, mean_flip
from core.diagnostics.synonyms import SYNONYM_THRESHOLD
from core.diagnostics.tanh import TanhEffect
from core.diagnostics.truncation import Truncation
from core.diagnostics.variance import Variance
from core.vectors.methods import FEEDBACK_METHOD, METHODS
from core.wording import NOT_DEFINED


def _names(methods: Sequence[str]) -> str:
    labels = [METHODS[m].label.lower() for m in methods]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _number(value: float, spec: str = ".2f") -> str:
    """A measured number for a sentence; "not defined" where it is NaN."""
    return format(value, spec) if math.isfinite(value) else "not defined"


def reading_sign(flip: Mapping[str, Mapping[str, float]]) -> str:
    all_means = mean_flip(flip)
    means = {m: c for m, c in all_means.items() if math.isfinite(c)}
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
    none = [m for m in all_means if m not in means]
    if none:
        gives = "gives" if len(none) == 1 else "give"
        parts.append(f"{_names(none)} {gives} no vector for these profiles, so cos(P, -P) is not defined")
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
    threshold: float = SYNONYM_THRESHOLD,
) -> str:
    a, b, cosine = pair
    head = (
        f"{synonym_line(groups, pair, threshold)} "
        f"That pair stacks {_number(stack['weighted'])}x under weighted "
        f"and {_number(stack['whitened'])}x after whitening (1 = no stacking); a user who loves '{a}' matches a "
        f"product tagged only '{b}' at {_number(moved['weighted'])} (weighted) and {_number(moved['whitened'])} "
        "(whitened): "
    )
    if not all(math.isfinite(v) for v in (*stack.values(), moved["weighted"], moved["whitened"])):
        return head + "the whitened space gives these features no vector, so whitening's effect is not defined here."
    return head + _synonym_verdict(stack, moved)


def synonym_line(groups: Sequence, pair: tuple[str, str, float], threshold: float = SYNONYM_THRESHOLD) -> str:
    """What the synonym charts show: near-synonym groups, or (when no pair reaches the threshold) the closest pair,
    named as what it is. The page and the reading both say it this way, so neither calls a pair below the threshold
    a near-synonym.

    >>> print(synonym_line([], ("anxiety", "mindfulness", 0.5412), 0.75))
    No pair of features reaches cosine 0.75: the charts show the closest pair, 'anxiety' / 'mindfulness'
    (cosine 0.54), which is not a near-synonym at this threshold.
    >>> synonym_line([["wine", "red wine"]], ("wine", "red wine", 0.91), 0.75)
    "1 near-synonym group at cosine >= 0.75. The closest pair is 'wine' / 'red wine' (cosine 0.91)."
    """
    a, b, cosine = pair
    if not groups:
        return (
            f"No pair of features reaches cosine {threshold:.2f}: the charts show the closest pair, '{a}' / '{b}' "
            f"(cosine {cosine:.2f}), which is not a near-synonym at this threshold."
        )
    plural = "s" if len(groups) != 1 else ""
    return (
        f"{len(groups)} near-synonym group{plural} at cosine >= {threshold:.2f}. "
        f"The closest pair is '{a}' / '{b}' (cosine {cosine:.2f})."
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
    if i.undefined:
        return f"Adding '{i.novel}' (outside the vocabulary) cannot be measured on this scenario: {i.undefined}."
    text = (
        f"Adding '{i.novel}' (outside the vocabulary) through the fitted transform changes {i.moved_by_projected} "
        f"of the top {i.k}; pasting its raw embedding into the whitened space instead changes {i.moved_by_raw}, "
        f"and the two rankings differ in {i.differing} of the top {i.k}. Nothing fails either way"
    )
    if i.moved_by_raw == 0 and i.moved_by_projected > 0:
        return text + ": the raw vector lives on another scale, so the feature is silently ignored."
    rho = NOT_DEFINED if not math.isfinite(i.rank_correlation) else f"{i.rank_correlation:.2f}"
    if i.differing > 0:
        return text + f"; the wrong ranking still correlates {rho} with the right one: it looks plausible."
    return text + f" (rank correlation {rho}): on this scenario the mistake happens to be invisible."


def reading_tanh(t: TanhEffect) -> str:
    if not (math.isfinite(t.degrees_with_tanh) and math.isfinite(t.degrees_linear)):
        why = t.undefined or "the weighted profile has no direction"
        return f"How far raising '{t.feature}' turns the weighted profile is not defined here: {why}."
    return (
        f"Raising '{t.feature}', one of {t.features} scores, from {t.from_score} to {t.to_score} turns the weighted "
        f"profile by {t.degrees_with_tanh:.2f} degrees with tanh and {t.degrees_linear:.2f} without: "
        + (
            "tanh damps extreme scores, as claimed."
            if t.degrees_with_tanh < t.degrees_linear
            else "tanh does not damp it here."
        )
    )


def readings(r) -> dict[str, str]:
    """Every reading of a :class:`~core.diagnostics.report.Report`, by diagnostic; a skipped one says what it needs."""
    measured = {
        "sign": lambda: reading_sign(r.sign_flip),
        "shift": lambda: reading_shift(r.shift),
        "dislikes": lambda: reading_dislikes(totals(r.dislikes), r.k),
        "prefix": lambda: reading_prefix(r.prefix_polarity),
        "magnitude": lambda: reading_magnitude(r.sweep),
        "truncation": lambda: reading_truncation(r.truncation),
        "synonyms": lambda: reading_synonyms(r.pair, r.stacking, r.transfer, r.groups),
        "variance": lambda: reading_variance(r.variance, len(r.prefix_polarity or {})),
        "raw_injection": lambda: reading_injection(r.injection),
        "tanh": lambda: reading_tanh(r.tanh),
    }
    return {name: r.skipped[name] if name in r.skipped else read() for name, read in measured.items()}


def reading_dislikes(totals: Mapping[str, Mapping[str, int]], k: int) -> str:
    """Which methods put products that break a hard no, or that users dislike, into their top k."""
    hard = {m: c["hard_no_in_top_k"] for m, c in totals.items()}
    soft = {m: c["disliked_in_top_k"] for m, c in totals.items()}
    floor = hard.get("exact", 0)
    worst = max(hard, key=lambda m: hard[m])
    if hard[worst] == 0 and not any(soft.values()):
        return f"No method puts a product that breaks a hard no, or that a user dislikes, into any user's top {k}."
    clean = [m for m in hard if hard[m] == 0 and soft[m] == 0]
    text = (
        f"Over all users, {_names([worst])} puts {hard[worst]} products that break a hard no and "
        f"{soft[worst]} disliked overall into the top {k}s"
    )
    if clean:
        text += f"; {_names(clean)} put{'s' if len(clean) == 1 else ''} none of either"
    if floor:
        text += (
            f". Even exact ranks {floor} product{'s' if floor != 1 else ''} that break{'s' if floor == 1 else ''} "
            f"a hard no in a top {k}: a cosine weighs preferences, it never forbids"
        )
    return text + "."


FORMULA_NOISE = 1e-4  # a score change the engine's float32 arithmetic can make on its own (measured: about 1e-6)


def reading_shift(s: ShiftBlindness) -> str:
    """Which methods a constant added to every score moves, what the feedback formula does on the engine, and
    where an all-dislikes profile lands: three sentences, every claim from the numbers."""
    users = len(next(iter(s.by_method.values())))
    unmoved, tau = s.unmoved(), s.mean_tau()
    still = [m for m, count in unmoved.items() if count == users]
    some = [m for m, count in unmoved.items() if 0 < count < users]
    moved = [m for m in unmoved if m not in still and m not in some and math.isfinite(tau[m])]
    text = f"Adding {s.shift:+g} to every score (clipped to [-1, 1]) "
    if still:
        text += f"leaves {_names(still)} unmoved for every user"
    elif some:
        text += f"leaves {_names(some)} unmoved for some users (" + ", ".join(f"{unmoved[m]}" for m in some)
        text += f" of {users}: where the shift kept every sign, the examples they read are the same)"
    else:
        text += "moves every method's ranking"
    if moved:
        low, high = min(tau[m] for m in moved), max(tau[m] for m in moved)
        text += f"; {_names(moved)} move (mean Kendall tau {low:.2f} to {high:.2f})"
    return text + ". " + _feedback_shift(s, users) + " " + _all_dislikes(s, users)


def _feedback_shift(s: ShiftBlindness, users: int) -> str:
    f, tau, same = s.formula, s.mean_tau()[FEEDBACK_METHOD], s.same_top_k()[FEEDBACK_METHOD]
    if f.max_change_pair_term > FORMULA_NOISE:
        return (
            f"Qdrant's feedback formula does not ignore the shift as its source reads: the engine changes a score by "
            f"up to {f.max_change_pair_term:.3g} (pair term alone, nothing clipped)."
        )
    return (
        f"Qdrant feedback's pair term ignores the shift, as its source reads (largest score change on the engine "
        f"{f.max_change_pair_term:.1e}, a = 0, nothing clipped); its ranking still moves a little (mean tau "
        f"{_number(tau)}, top {s.k} kept for {same} of {users}) through its target, the naive text of the new "
        "numbers, and through the clipping."
    )


def _all_dislikes(s: ShiftBlindness, users: int) -> str:
    carrying, refused = s.carrying(), s.refused()
    feedback, exact = carrying[FEEDBACK_METHOD], carrying.get("exact", 0)
    answered = {m: c for m, c in carrying.items() if refused[m] < users}
    worst = max(answered.values())
    text = (
        f"With every score made a dislike, Qdrant feedback's top {s.k}s hold {feedback} products that carry a "
        f"disliked feature, out of {s.k * (users - refused[FEEDBACK_METHOD])} (exact: {exact}; the most, {worst}: "
        f"{_names([m for m, c in answered.items() if c == worst])})"
    )
    if s.formula.pulls:
        uid, (feature, weight) = next(iter(s.formula.pulls.items()))
        text += (
            f"; only the order of the scores counts, so the least-disliked feature pulls as a like would "
            f"({uid}: {feature}, net weight {weight:+.2f})"
        )
    gone = [m for m, count in refused.items() if count]
    if gone:
        text += (
            f". Qdrant gives {_names(gone)} no direction for {max(refused[m] for m in gone)} of {users} users: "
            "the request has no like"
        )
    return text + "."
