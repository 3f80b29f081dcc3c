"""Every installed embedding model, side by side: MovieLens cold and warm, real negation pairs, the seed pair.

For each model, in fresh processes: ``eval movielens --features genres`` with an empty embedding cache
(cold: every text embedded) and again with that cache (warm); ``negation`` on all the pairs; ``compare``
on the article's pair. Writes ``bench/results/models.json``. Usage: ``python bench/models.py [--model ID ...]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import log, write_result  # noqa: E402
from bench.movielens import run  # noqa: E402
from core.embedding import models  # noqa: E402

SEED_A, SEED_B = '{"anxiety": -0.9, "adventure": 0.8}', '{"anxiety": 0.9, "adventure": 0.7}'


def cli(*argv: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "core", *argv, "--json"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def measure(model: str) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        log(f"{model}: MovieLens cold...")
        cold = run(cache, "genres", model)
        log(f"{model}: MovieLens warm...")
        warm = run(cache, "genres", model)
    log(f"{model}: negation pairs and the seed pair...")
    negation = cli("negation", "--model", model, "--quiet")["models"][model]
    seed = cli("compare", "--a", SEED_A, "--b", SEED_B, "--model", model)["cosine"]
    methods = warm["result"]["methods"]
    return {
        "name": models.spec(model).name,
        "cold_s": cold["seconds"],
        "warm_s": warm["seconds"],
        "auc": {
            m: {
                "auc": r["auc"],
                "ci95": r["auc_ci95"],
                "minus_naive": r["auc_minus_naive"],
                "minus_naive_ci95": r["auc_minus_naive_ci95"],
            }
            for m, r in methods.items()
        },
        "negation": negation,
        "seed_pair": seed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", choices=[m.id for m in models.installed()])
    args = parser.parse_args()
    chosen = args.model or [m.id for m in models.installed()]
    report = {model: measure(model) for model in chosen}
    total_warm = round(sum(r["warm_s"] for r in report.values()), 1)
    log(f"warm MovieLens evaluation of all {len(report)} models: {total_warm} s")
    write_result("models", {"models": report, "warm_all_s": total_warm})
    return 0


if __name__ == "__main__":
    sys.exit(main())
