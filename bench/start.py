"""Cold and warm start of the bench-10k preset, each in a fresh process.

Cold: an empty embedding cache, so every product text is embedded.
Warm: the same cache, now full; nothing should be embedded.
Writes ``bench/results/start.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import log, write_result  # noqa: E402

CHILD = """
import json, time
t0 = time.perf_counter()
from core.embedding.cache import get_embedder
from core.retrieval.recommender import Recommender
from core.scenarios.presets import load_preset
scenario = load_preset("bench-10k")
t1 = time.perf_counter()
embedder = get_embedder()
stages = Recommender(scenario, embedder).prepare()
embedder.flush()
print(json.dumps({"total_s": time.perf_counter() - t0, "load_scenario_s": t1 - t0,
                  "stages_s": stages, "texts_encoded": embedder.stats["encoded"]}))
"""


def run(cache: str) -> dict:
    env = {**os.environ, "SIGNED_EXPLORER_CACHE": cache, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in result.items()}


def main() -> int:
    with tempfile.TemporaryDirectory() as cache:
        log("cold start (empty cache)...")
        cold = run(cache)
        log("warm start...")
        warm = run(cache)
    warm["stages_s"] = {k: round(v, 3) for k, v in warm["stages_s"].items()}
    cold["stages_s"] = {k: round(v, 3) for k, v in cold["stages_s"].items()}
    result = {"preset": "bench-10k", "cold": cold, "warm": warm}
    write_result("start", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
