"""One paragraph per lab, computed from its numbers: which rule wins, and whether the usual claim holds here."""

from __future__ import annotations

from core.movielens.labs.experiments import LabResult
from core.movielens.metrics import LEVEL, verdict
from core.movielens.strategies import FITTED, NO_NEGATIVES
from core.vectors.methods import FEEDBACK_METHOD, RECOMMEND_NAMES


def _sentence(text: str) -> str:
    """Capitalise the first letter only (str.capitalize would lower-case 'CI')."""
    return text[:1].upper() + text[1:]


def _best(lab: LabResult) -> str:
    summary = lab.summary()
    best = max(lab.rules, key=lambda r: summary[r]["auc"])
    return f"Best: {best} (AUC {summary[best]['auc']:.3f})."


def _compare(lab: LabResult, a: str, b: str) -> str:
    return verdict(a, b, lab.difference(a, b))


def history(lab: LabResult) -> str:
    return (
        f"{_best(lab)} {_sentence(_compare(lab, 'signed', 'liked only'))}; "
        f"{_compare(lab, 'liked only', 'all watched')}; {_compare(lab, 'recent liked', 'liked only')}."
    )


def feedback(lab: LabResult) -> str:
    drift = lab.extra["cos_to_catalogue_mean"]
    claim = lab.difference("negate", "ignore negatives")
    meaning = (
        "so on this data negating is not the harmful choice the usual warning suggests"
        if claim.low > 0
        else "so negating is no better than ignoring dislikes here"
    )
    return (
        f"{_best(lab)} {_sentence(_compare(lab, 'negate', 'ignore negatives'))}, {meaning}; "
        f"{_compare(lab, 'reject', 'negate')}. Negate does pull users furthest from the catalogue's mean "
        f"direction (cosine {drift['negate']:.2f}, against {drift['ignore negatives']:.2f} when dislikes are ignored)."
    )


def centroids(lab: dict) -> str:
    first, last = lab["by_k"][0], lab["by_k"][-1]
    separated = last["hit@1_ci95"][0] > first["hit@1_ci95"][1] or last["hit@1_ci95"][1] < first["hit@1_ci95"][0]
    trend = "higher" if last["hit@1"] > first["hit@1"] else "lower"
    worst = min(lab["by_k"], key=lambda row: row["hit@1"])
    dip = (
        f" On the way it first gets worse: {worst['hit@1']:.0%} at k = {worst['k']}, as a few titles pull each "
        "genre away from its name."
        if worst["k"] not in (first["k"], last["k"])
        else ""
    )
    return (
        f"Names alone put a right genre first for {first['hit@1']:.0%} of test movies (chance "
        f"{lab['chance']['hit@1']:.0%}); with {last['k']} movies per genre, {last['hit@1']:.0%}: "
        + (f"{trend}, and the intervals do not overlap." if separated else f"{trend}, but within the noise.")
        + dip
    )


def ease(lab: LabResult) -> str:
    return (
        f"EASE reaches AUC {lab.summary()['EASE']['auc']:.3f} without reading any text: "
        f"{_compare(lab, 'EASE', 'popularity')}; {_compare(lab, 'EASE', 'exact (genres)')}, the Evaluation "
        f"page's exact reference on these users. "
        f"{lab.extra['negative_weight_share']:.0%} of its off-diagonal weights are negative."
    )


def qdrant(lab: LabResult) -> str:
    """Which strategy wins, whether negative examples help each one, how the best compares with the rest, and
    whether scored feedback beats example lists."""
    summary = lab.summary()
    strategies = [r for r in lab.rules if r in RECOMMEND_NAMES]
    best = max(strategies, key=lambda r: summary[r]["auc"])
    level = [r for r in strategies if r != best and lab.difference(best, r).verb == LEVEL]
    lead = f"The highest AUC among the strategies is {best}'s ({summary[best]['auc']:.3f})" + (
        f", level with {' and '.join(level)} within the noise" if level else ", ahead of the others beyond the noise"
    )
    helped = [f"{_compare(lab, r, r + NO_NEGATIVES)}" for r in strategies]
    text = (
        f"{lead}. Do negative examples help? "
        + "; ".join(_sentence(h) if i == 0 else h for i, h in enumerate(helped))
        + f". Against the alternatives: {_compare(lab, best, 'signed history')}; {_compare(lab, best, 'EASE')}."
    )
    return text + (" " + _scored_feedback(lab, best) if FEEDBACK_METHOD in lab.rules else "")


def likes_only(lab: LabResult) -> str:
    """Why average_vector and sum_scores should tie with likes only, and whether their shown AUCs do (3 decimals).

    "Match" is said only when the table shows the same AUC; otherwise the sentence gives both numbers.
    """
    avg, total = (f"qdrant-{s}{NO_NEGATIVES}" for s in ("avg", "sum"))
    summary = lab.summary()
    if avg not in summary or total not in summary:
        return ""
    a, b = f"{summary[avg]['auc']:.3f}", f"{summary[total]['auc']:.3f}"
    why = (
        "With likes only, sum_scores ranks as average_vector does (the sum of cosines to unit examples is the cosine "
        "to their sum, times a constant)"
    )
    if a == b:
        return f"{why}, so those two bars match (AUC {a})."
    return f"{why}, so those two bars should match; here they differ at the third decimal (AUC {a} and {b})."


def _scored_feedback(lab: LabResult, best: str) -> str:
    """Does scored feedback beat the best example list? Said plainly, default and fitted, from the paired figures."""
    fitted, fit = f"{FEEDBACK_METHOD}{FITTED}", lab.extra.get("feedback_fit", {})
    summary = lab.summary()
    verdicts = {rule: lab.difference(rule, best) for rule in (FEEDBACK_METHOD, fitted) if rule in lab.rules}
    beats = [rule for rule, d in verdicts.items() if d.low > 0]
    scores = ", ".join(f"{rule} {summary[rule]['auc']:.3f}" for rule in verdicts)
    plain = (
        f"Scored feedback beats the best example list ({best}, AUC {summary[best]['auc']:.3f}; {scores}): "
        f"{' and '.join(beats)} above it beyond the noise"
        if beats
        else f"Scored feedback does not beat the best example list beyond the noise ({best}, AUC "
        f"{summary[best]['auc']:.3f}; {scores})"
    )
    parts = [_compare(lab, rule, best) for rule in verdicts]
    coefficients = (
        f" Fitted on the history alone, a = {fit['a']:g}, b = {fit['b']:g}, c = {fit['c']:g} (inner AUC "
        f"{fit['train_auc']:.3f}, against {fit['default_train_auc']:.3f} for a = b = c = 1)"
        if fit
        else ""
    )
    return f"{plain}: {'; '.join(parts)}.{coefficients}" + (
        f"; {_compare(lab, fitted, 'signed history')}." if fitted in lab.rules else "."
    )
