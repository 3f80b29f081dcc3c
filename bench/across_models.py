"""The MovieLens evaluation of every installed model, one after another in one process.

That is how the Evaluation page's *Across models* tab evaluates them (there inside a background build).

Two passes, each in a fresh process with the same embedding cache (the app's, or ``SIGNED_EXPLORER_CACHE``):
the first fills whatever the cache lacks; the second is the warm figure a server reaches once each model has
been evaluated before. Per model it records the seconds, and the paired per-user AUC difference of whitening
against the weighted sum (the claim the README reads model by model); then the page's reading.

Usage: ``python bench/across_models.py [--features genres|genres+tags]``. Writes
``bench/results/across_models.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import log, write_result  # noqa: E402
from core.movielens.protocol import FEATURE_MODES  # noqa: E402

CHILD = r"""
import json, sys, time
from core.embedding import models
from core.embedding.cache import get_embedder
from core.movielens.data import load
from core.movielens.evaluate import across_reading, evaluate
from core.movielens.metrics import paired_difference

data = load(None)
evaluations, seconds, whitened, encoded = {}, {}, {}, {}
started = time.perf_counter()
for spec in models.installed():
    t = time.perf_counter()
    evaluations[spec.id] = evaluate(get_embedder(spec.id), data=data, mode=sys.argv[1])
    seconds[spec.id] = round(time.perf_counter() - t, 1)
    e = evaluations[spec.id]
    encoded[spec.id] = e.texts_encoded
    d = paired_difference(e.per_user("auc", "whitened"), e.per_user("auc", "weighted"))
    whitened[spec.id] = {"mean": round(d.mean, 4), "ci95": [round(d.low, 4), round(d.high, 4)], "verb": d.verb}
print(json.dumps({"all_s": round(time.perf_counter() - started, 1), "per_model_s": seconds, "texts_encoded": encoded,
                  "whitened_minus_weighted": whitened, "reading": across_reading(evaluations)}))
"""


def one_pass(features: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, features], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3_600
    )
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["no message"])[-1]
        raise SystemExit(f"across_models: the evaluation failed (exit {out.returncode}): {last[:300]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", choices=FEATURE_MODES, default="genres")
    args = parser.parse_args()
    log("first pass (fills the embedding cache where it lacks anything)...")
    first = one_pass(args.features)
    embedded = sum(first["texts_encoded"].values())
    log(f"first pass: {first['all_s']} s, {embedded:,} texts embedded; second pass (warm)...")
    warm = one_pass(args.features)
    log(f"warm: {warm['all_s']} s for {len(warm['per_model_s'])} models")
    write_result("across_models", {"features": args.features, "first_pass_s": first["all_s"], "warm": warm})
    return 0


if __name__ == "__main__":
    sys.exit(main())
