"""The cost of the largest scenario an upload may hold: time and peak memory, step by step, in a fresh process.

For each catalogue size, a seeded scenario at the limits of users and features (1,000 each; every
product with two features, so the file stays under the upload's byte limit) goes
through what the app does with an upload: parse and validate, check whether the editor
can show it (it never builds tables past MAX_EDITABLE_CELLS), try to pack it into a link,
build every vocabulary-linear method's product vectors, write the CSV a download
would give and fit one UMAP map (the Explorer fits one per method shown). The text methods (naive,
split) are not run: their cost is their number of distinct texts at the embedding rate measured on a
sample of the scenario's own texts, reported as an estimate.

Usage: ``python bench/limits.py [--products 5000,10000,20000]`` (each 1 to MAX_PRODUCTS).
Writes ``bench/results/limits.json``.
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

from bench.common import int_list, log, write_result  # noqa: E402
from core.scenarios.model import MAX_PRODUCTS  # noqa: E402

CHILD = r"""
import json, resource, sys, time
import numpy as np

def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

n = int(sys.argv[1])
rng = np.random.default_rng(n)
features = [f"feature {i}" for i in range(1000)]
products = [
    {"id": f"p{i}", "name": f"P{i}", "profile": {features[j]: 0.5 for j in rng.choice(1000, 2, replace=False)}}
    for i in range(n)
]
users = [{"id": f"u{i}", "name": f"U{i}", "profile": {features[i]: -0.9}} for i in range(1000)]
data = json.dumps({"id": "max", "title": "Max", "description": "", "features": features, "users": users,
                   "products": products}).encode()
out = {"products": n, "bytes": len(data)}
del products, users
base = rss_mb()
steps = {}

def step(name, fn):
    t = time.perf_counter()
    value = fn()
    steps[name] = {"seconds": round(time.perf_counter() - t, 2), "peak_rss_mb": round(rss_mb(), 0)}
    return value

from core.scenarios.io import parse_upload
from core.scenarios.link import pack
from core.scenarios.tables import cells
from core.scenarios.wide_csv import to_csv
from core.embedding.cache import get_embedder
from core.retrieval.recommender import Recommender

scenario = step("parse and validate", lambda: parse_upload("max.json", data, max_bytes=len(data) + 1))
out["editor_cells"] = cells(scenario)
step("pack into a link", lambda: pack(scenario))
embedder = get_embedder()
step("embed the vocabulary", lambda: embedder.encode(list(scenario.vocabulary)))
recommender = Recommender(scenario, embedder)
for method in ("prefix", "weighted", "whitened", "exact"):
    step(f"{method} vectors", lambda m=method: recommender.product_vectors(m))
step("CSV for a download", lambda: len(to_csv(scenario)))
# the text methods' work: their distinct texts (naive, and split's non-empty sides), timed on a sample of the
# scenario's own naive texts (before UMAP, whose idle threads would compete)
from core.vectors.texts import naive_text, split_texts
texts = set()
for p in scenario.products:
    texts.add(naive_text(dict(p.profile)))
    texts.update(side for side in split_texts(dict(p.profile)) if side)
sample = [naive_text(dict(p.profile)) for p in scenario.products[:256]]
t = time.perf_counter(); embedder.inner.encode(sample); rate = len(sample) / (time.perf_counter() - t)
from core.maps.projection import fit_projection
step("UMAP map (weighted)", lambda: fit_projection(recommender.product_vectors("weighted")))
out["texts_to_embed"] = len(texts)
out["text_methods_estimate_s"] = round(len(texts) / rate)
out["embed_rate_per_s"] = round(rate)
out["baseline_rss_mb"] = round(base)
out["steps"] = steps
out["peak_rss_mb"] = round(rss_mb())
print(json.dumps(out))
"""


def measure(n: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(n)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3_600
    )
    if out.returncode != 0:
        return {"products": n, "error": out.stderr.strip().splitlines()[-1][:300]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--products", type=int_list(1, MAX_PRODUCTS), default=[5_000, 10_000, 20_000], help="comma-separated sizes"
    )
    args = parser.parse_args()
    results = []
    for n in args.products:
        log(f"{n:,} products...")
        results.append(measure(n))
        log(json.dumps(results[-1]))
    write_result("limits", {"runs": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
