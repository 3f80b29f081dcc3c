"""How true is "about N s left"? The time-left estimate of the Evaluation and Negation runs, against the real rest.

Each job runs as the pages run it (a build of :mod:`core.jobs`, reporting through its calibrated plan) in a fresh
process: cold (an empty embedding cache) and then warm (the same cache). Every quarter second the bench reads
the build's fraction and its estimate of the time left; when the job ends it knows the real time left at every
sample. The figure that matters: at the first sample past 20% of the bar, the estimate over the real time left
(1.00 is exact; the target is 0.70 to 1.30), and the worst such ratio over every sample from 20% to 90%.

``--rates`` measures each installed model's encoding rate instead (characters a second, on negation sentences),
the figures ``ModelSpec.chars_per_second`` holds. Writes ``bench/results/eta.json``.
Usage: ``python bench/eta.py [--pairs 500] [--rates]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import RESULTS, bounded_int, log, write_result  # noqa: E402

JOBS = ("evaluation:genres", "evaluation:genres+tags", "negation")
SAMPLE = 0.25  # seconds between readings of the build
CHECK_AT = 0.20  # the share of the bar after which the estimate is held to the target


def child(job: str, pairs: int) -> dict:
    """Run one job as a build and sample it; (elapsed, fraction, estimate) rows and the total."""
    from core.jobs import Builds

    work = _work(job, pairs)
    build = Builds().start((job,), job, work)
    rows = []
    while not build.wait(SAMPLE):
        left = build.seconds_left()
        rows.append((time.monotonic() - build.started, build.fraction, left, build.stage))
    if build.error:
        raise SystemExit(f"{job} failed: {build.error}")
    return {"total_s": time.monotonic() - build.started, "rows": rows}


def _work(job: str, pairs: int):
    from core.embedding.cache import get_embedder
    from core.embedding.models import installed

    if job == "negation":
        from core.diagnostics import negation

        loaded = negation.load_pairs()
        subset = negation.Pairs(loaded.source, loaded.sentences[:pairs], loaded.negated[:pairs])
        return lambda report: negation.every_model(subset, {m.id: get_embedder(m.id) for m in installed()}, report)
    from core.movielens.data import find_data
    from core.movielens.evaluate import evaluate

    mode = job.split(":")[1]
    return lambda report: evaluate(get_embedder("minilm"), path=str(find_data()), mode=mode, report=report)


def judge(run: dict) -> dict:
    """The estimate against the real time left, at the first sample past 20% and at every sample to 90%."""
    total = run["total_s"]
    ratios = [
        (fraction, left / (total - elapsed))
        for elapsed, fraction, left, _ in run["rows"]
        if left is not None and CHECK_AT <= fraction <= 0.9 and total - elapsed > 1.0
    ]
    past = [(elapsed, fraction, left) for elapsed, fraction, left, _ in run["rows"] if fraction >= CHECK_AT]
    first = past[0] if past else None
    at_20 = None if first is None or first[2] is None else first[2] / (total - first[0])
    return {
        "total_s": round(total, 1),
        "at_20pct": None
        if first is None
        else {
            "elapsed_s": round(first[0], 1),
            "fraction": round(first[1], 3),
            "estimate_s": None if first[2] is None else round(first[2], 1),
            "real_left_s": round(total - first[0], 1),
            "ratio": None if at_20 is None else round(at_20, 2),
        },
        "worst_ratio_20_to_90pct": None if not ratios else round(max((r for _, r in ratios), key=_off), 2),
        "within_30pct": at_20 is not None and 0.7 <= at_20 <= 1.3,
    }


def _jobs(text: str) -> tuple[str, ...]:
    jobs = tuple(text.split(","))
    if not jobs or any(job not in JOBS for job in jobs):
        raise argparse.ArgumentTypeError(f"choose from {', '.join(JOBS)}")
    return jobs


def _off(ratio: float) -> float:
    return abs(ratio - 1)


def rates() -> dict:
    from core.diagnostics.negation import load_pairs
    from core.embedding.cache import TEXT_COST, get_embedder
    from core.embedding.models import installed

    pairs = load_pairs()
    texts = [*pairs.sentences[:300], *pairs.negated[:300]]
    chars = sum(len(t) + TEXT_COST for t in texts)
    out = {}
    for spec in installed():
        embedder = get_embedder(spec.id)
        embedder.encode(["a first call loads the model"])
        start = time.perf_counter()
        embedder.inner.encode(texts)
        out[spec.id] = round(chars / (time.perf_counter() - start))
        log(f"{spec.id}: {out[spec.id]:,} characters a second (registry: {spec.chars_per_second:,.0f})")
    return out


def run(job: str, cache: str, pairs: int) -> dict:
    env = {**os.environ, "SIGNED_EXPLORER_CACHE": cache, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, __file__, "--child", job, "--pairs", str(pairs)]
    out = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=bounded_int(50, 20_000), default=500, help="negation pairs (default 500)")
    parser.add_argument("--rates", action="store_true", help="measure each model's encoding rate instead")
    parser.add_argument("--jobs", type=_jobs, default=JOBS, help=f"comma-separated, of {','.join(JOBS)} (default: all)")
    parser.add_argument("--child", choices=JOBS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.pairs)))
        return 0
    if args.rates:
        write_result("eta-rates", {"chars_per_second": rates()})
        return 0
    result = {"pairs": args.pairs, "check_at": CHECK_AT, "jobs": {}}
    kept = RESULTS / "eta.json"
    if args.jobs != JOBS and kept.exists():  # a rerun of some jobs keeps the others' figures
        result["jobs"] = json.loads(kept.read_text())["jobs"]
    for job in args.jobs:
        with tempfile.TemporaryDirectory() as cache:
            for state in ("cold", "warm"):
                log(f"{job}, {state}...")
                judged = judge(run(job, cache, args.pairs))
                result["jobs"][f"{job} ({state})"] = judged
                log(f"  {judged}")
    write_result("eta", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
