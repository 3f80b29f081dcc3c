"""Real negation pairs: does a model tell a review sentence from its negation?

The pairs come from people, not from us: review sentences (Amazon, IMDb, Yelp) with their main clause
negated ("The mic is great." / "The mic isn't great."), from the CANNOT dataset (CC BY-SA 4.0). For each
pair we take cos(sentence, its negation) and, as the floor, cos(sentence, another sentence of the file)
under one seeded derangement (pairs whose two sentences are the same text are left out of the floor). A model
that heard the negation would put the pairs well below 1; a model whose cosines all sit high (E5) is read
against its own floor.

Any two-column file works: UTF-8, tab- or comma-separated, with the headers ``sentence`` and ``negated``.

>>> data = b"sentence\\tnegated\\nIt works.\\tIt doesn't work.\\nI like it.\\tI don't like it.\\n"
>>> pairs = parse_pairs(data, "x.tsv")
>>> pairs.sentences, pairs.negated
(('It works.', 'I like it.'), ("It doesn't work.", "I don't like it."))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import settings
from core.embedding.cache import expected_seconds
from core.embedding.embedder import Embedder
from core.errors import InputError, quoted
from core.jobs import Plan, Report
from core.numeric import finite_or_none
from core.scenarios.io import read_bytes
from core.textfiles import TextFileError, blank, decode_text, duplicates, header, listed, read_records

FILE = "sentiment_negated.tsv"
ROOT = Path(__file__).resolve().parent.parent.parent
MAX_BYTES = 20 * 1024 * 1024
MAX_PAIRS = 20_000
MAX_CHARS = 2_000
HIGH = 0.8  # "the model barely moves": the share of pairs above this cosine
MIN_SCALE = 0.05  # 1 - floor below this leaves no scale to rescale on: the rescaled median is not defined
SEED = 7


class PairsError(InputError):
    """A pairs file that cannot be used; the message names the file, the line or column, and the rule."""


@dataclass(frozen=True)
class Pairs:
    source: str
    sentences: tuple[str, ...]
    negated: tuple[str, ...]


def candidates(explicit: str | Path | None = None) -> list[Path]:
    """Where the pairs are looked for, in order: --pairs, NEGATION_PAIRS, ./data, ../shared/data. A file that is
    given (``--pairs``, or NEGATION_PAIRS, checked by :mod:`core.settings`) is the only one tried."""
    if explicit is not None and not str(explicit).strip():
        raise PairsError("--pairs is empty; give a TSV or CSV file with the columns sentence and negated")
    if explicit:
        return [settings.expand_argument(str(explicit), "--pairs")]
    configured = settings.current().negation_pairs
    if configured is not None:
        return [configured]
    found = [Path.cwd() / "data" / "negation-pairs" / FILE, ROOT / "data" / "negation-pairs" / FILE]
    return list(dict.fromkeys([*found, ROOT.parent / "shared" / "data" / "negation-pairs" / FILE]))


def find_pairs(explicit: str | Path | None = None) -> Path:
    looked = candidates(explicit)
    given = explicit or settings.current().negation_pairs
    for path in looked:
        if given or path.is_file():
            return path
    raise PairsError(
        "negation pairs not found; looked in: " + ", ".join(str(p) for p in looked) + ". Give a file with "
        f"--pairs (columns sentence and negated) or set {settings.ENV_PAIRS}."
    )


def parse_pairs(data: bytes, source: str) -> Pairs:
    """Pairs from a file's bytes; any problem is one PairsError naming the file and the line or column."""
    try:
        text = decode_text(data)
        records = read_records(text, tabs="\t" in text.lstrip("\r\n").split("\n", 1)[0])
        line, cells = header(records)
    except TextFileError as exc:
        raise PairsError(f"{source}: {exc}") from None
    rows = [(number, row) for number, row in records if number > line]
    header_names = [h.strip().lower() for h in cells]  # read in any case, so compared in any case
    twice = [name for name in duplicates(header_names) if name in ("sentence", "negated")]
    if twice:
        raise PairsError(f"{source}: line 1: the header names {listed(twice)} more than once; name each column once")
    if "sentence" not in header_names or "negated" not in header_names:
        got = ", ".join(quoted(cell[:40]) for cell in cells[:4])
        raise PairsError(f"{source}: line 1: expected the headers sentence and negated, got {got}")
    a, b = header_names.index("sentence"), header_names.index("negated")
    sentences, negated = [], []
    for line, row in rows:
        if blank(row):
            continue
        if len(row) <= max(a, b) or not row[a].strip() or not row[b].strip():
            raise PairsError(f"{source}: line {line}: both 'sentence' and 'negated' must be non-empty")
        if max(len(row[a]), len(row[b])) > MAX_CHARS:
            raise PairsError(f"{source}: line {line}: a sentence is longer than {MAX_CHARS:,} characters")
        sentences.append(row[a].strip())
        negated.append(row[b].strip())
        if len(sentences) > MAX_PAIRS:
            raise PairsError(f"{source}: more than {MAX_PAIRS:,} pairs; use a smaller file")
    if len(sentences) < 2:
        raise PairsError(f"{source}: needs at least 2 pairs (the random floor pairs different sentences)")
    return Pairs(source, tuple(sentences), tuple(negated))


def load_pairs(explicit: str | Path | None = None) -> Pairs:
    path = find_pairs(explicit)
    try:
        data = read_bytes(path, max_bytes=MAX_BYTES)
    except InputError as exc:
        raise PairsError(str(exc)) from None
    return parse_pairs(data, str(path))


def derangement(n: int, seed: int = SEED) -> np.ndarray:
    """A seeded permutation with no fixed point (n >= 2): each sentence meets another one.

    A random order, each element sent to the next one: a single cycle through all n.
    """
    cycle = np.random.default_rng(seed).permutation(n)
    order = np.empty(n, dtype=np.int64)
    order[cycle] = np.roll(cycle, -1)
    return order


def negation_cosines(
    pairs: Pairs, embedder: Embedder, progress: Callable[[int, int], None] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(cos(sentence, its negation) per pair, cos(sentence, another sentence) per pair whose two texts differ).

    A file that repeats a sentence would otherwise put cos = 1 into the floor; one that holds a single distinct
    sentence has no floor at all (an empty second array). ``progress(done, of)`` counts the sentences encoded
    (a cached one is not)."""
    texts = [*pairs.sentences, *pairs.negated]
    vectors = embedder.encode(texts) if progress is None else embedder.encode(texts, progress=progress)
    n = len(pairs.sentences)
    s, neg = vectors[:n], vectors[n:]
    other = derangement(n)
    different = np.array([pairs.sentences[i] != pairs.sentences[j] for i, j in enumerate(other)], dtype=bool)
    return np.einsum("ij,ij->i", s, neg), np.einsum("ij,ij->i", s[different], s[other[different]])


MODEL_LOAD_SECONDS = 3.0  # a model's load and first call, in an estimate of the time left (bench/eta.py)


def every_model(
    pairs: Pairs, embedders: Mapping[str, Embedder], report: Report | None = None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """:func:`negation_cosines` under each model, one after another, with progress calibrated on each model's
    measured speed and on what its cache already holds (a slow model's share of the bar is its share of the time).
    """
    texts = [*pairs.sentences, *pairs.negated]
    plan = Plan(report, {m: MODEL_LOAD_SECONDS + expected_seconds(e, texts) for m, e in embedders.items()})
    out = {}
    for i, (model, embedder) in enumerate(embedders.items()):
        progress = plan.step(model, f"Embedding sentences with {model} (model {i + 1} of {len(embedders)})", "sentence")
        progress(0, 1)
        out[model] = negation_cosines(pairs, embedder, progress)
    return out


def summary(pairs: Pairs, embedder: Embedder) -> dict:
    """``{"pairs", "median", "p10", "p90", "share_above_0.8", "random_median"}`` for one model."""
    return summary_of(*negation_cosines(pairs, embedder))


def summary_of(same: np.ndarray, other: np.ndarray) -> dict:
    """The summary of :func:`summary` from the two arrays of :func:`negation_cosines`, plus
    ``rescaled_median``: the median on the model's own scale, 0 = a random sentence, 1 = identical. Both the floor
    and the rescaled median are None (not defined) when the file has no two different sentences; the rescaled
    median also when 1 - floor is below :data:`MIN_SCALE` (dividing by it would blow any difference up)."""
    median = float(np.median(same))
    floor = float(np.median(other)) if other.size else float("nan")
    scale = 1.0 - floor
    return {
        "pairs": int(same.size),
        "median": round(median, 4),
        "p10": round(float(np.percentile(same, 10)), 4),
        "p90": round(float(np.percentile(same, 90)), 4),
        "share_above_0.8": round(float(np.mean(same > HIGH)), 4),
        "random_median": finite_or_none(floor, 4),
        "rescaled_median": finite_or_none((median - floor) / scale, 4) if scale >= MIN_SCALE else None,
    }


def _no_scale(results: dict[str, dict]) -> str:
    """Why no model's rescaled median is defined, as a clause."""
    floors = [r["random_median"] for r in results.values() if r["random_median"] is not None]
    if not floors:
        return "the file has no two different sentences, so there is no random floor to measure against"
    return (
        f"the random floor is {max(floors):.2f}, within {MIN_SCALE} of 1: the file's sentences are too alike to "
        "give a scale"
    )


def reading(results: dict[str, dict]) -> str:
    """One sentence from the numbers of every model measured."""
    if not results:
        return "No model was measured."
    lost = [m for m, r in results.items() if r["median"] > HIGH]
    rescaled = {m: r["rescaled_median"] for m, r in results.items() if r.get("rescaled_median") is not None}
    head = (
        f"A sentence and its negation stay above a median cosine of {HIGH} for {len(lost)} of {len(results)} models"
        if lost
        else f"Every model keeps a sentence and its negation below a median cosine of {HIGH}"
    )
    if not rescaled:
        return f"{head}. On each model's own scale the median is not defined: {_no_scale(results)}."
    deafest, best = max(rescaled, key=rescaled.get), min(rescaled, key=rescaled.get)
    missing = [m for m in results if m not in rescaled]
    tail = f" Not defined for {', '.join(missing)}: {_no_scale({m: results[m] for m in missing})}." if missing else ""
    return (
        f"{head}. On each model's own scale (0 = a random sentence, 1 = the same), {deafest} hears the negation "
        f"least ({rescaled[deafest]:.2f}) and {best} best ({rescaled[best]:.2f}).{tail}"
    )
