"""The cost of the largest scenario an upload may hold, and what parsing a file costs: each in a fresh process.

**Products.** For each catalogue size, a seeded scenario at the limits of users and features (1,000 each;
every product with two features, so the file stays under the upload's byte limit) goes through what the app
does with an upload: parse and validate, check whether the editor can show it (it never builds tables past
MAX_EDITABLE_CELLS), try to pack it into a link, build every vocabulary-linear method's product vectors, write
the CSV a download would give and fit one UMAP map (the Explorer fits one per method shown). The text methods
(naive, split) are not run: their cost is their number of distinct texts at the embedding rate measured on a
sample of the scenario's own texts, reported as an estimate.

**Parsing.** Files of each shape in :data:`SHAPES` (valid ones at the limits, and hostile ones: too many
products, every score bad, millions of empty lists, millions of short lines), at the sizes given (at most the
upload limit), each parsed by ``parse_upload`` in a fresh process: the peak memory above the process's
baseline (with the file's bytes already read) as a multiple of the file's size, the time to the answer, and
the answer. The largest multiple is the README's bound.

Usage: ``python bench/limits.py [--products 5000,10000,20000] [--parse-mb 1,10] [--skip-products]``.
Writes ``bench/results/limits.json`` (``runs`` and ``parse``; with ``--skip-products`` the runs already there
are kept).
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

from bench.common import RESULTS, int_list, log, write_result  # noqa: E402
from core.scenarios.model import MAX_PRODUCTS, MAX_UPLOAD_BYTES  # noqa: E402

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


# -- parsing ------------------------------------------------------------------------------------------------

PARSE_CHILD = r"""
import gc, json, sys, time
from pathlib import Path
from core.scenarios.io import parse_upload
from core.scenarios.model import ScenarioError

def status(field):  # kB, from the kernel: VmRSS now, VmHWM the peak since the last reset
    line = next(l for l in open("/proc/self/status") if l.startswith(field + ":"))
    return int(line.split()[1]) * 1024

path = Path(sys.argv[1])
data = path.read_bytes()
gc.collect()
with open("/proc/self/clear_refs", "w") as reset:  # the peak starts again from here (Linux 4.0 and later)
    reset.write("5")
base = status("VmRSS")
started = time.perf_counter()
try:
    parse_upload(path.name, data)
    answer = "accepted"
except ScenarioError as exc:
    answer = str(exc).splitlines()[0][:160]
seconds = time.perf_counter() - started
peak = status("VmHWM") - base
print(json.dumps({"bytes": len(data), "peak_mb": round(peak / 1e6, 1), "multiple": round(peak / len(data), 2),
                  "seconds": round(seconds, 2), "answer": answer}))
"""
FEATURES = [f"feature {i}" for i in range(1000)]
USERS = [{"id": f"u{i}", "name": f"U{i}", "profile": {FEATURES[i]: -0.9}} for i in range(1000)]


def _scenario(products: list, **fields) -> bytes:
    body = {"id": "max", "title": "Max", "description": "", "features": FEATURES, "users": USERS, **fields}
    return json.dumps({**body, "products": products}, ensure_ascii=False).encode()


def _fill(target: int, make, *, cap: int | None = MAX_PRODUCTS) -> list:
    """As many items as fit ``target`` bytes (at most ``cap``)."""
    per = len(json.dumps(make(0), ensure_ascii=False).encode()) + 1
    n = max(1, (target - 140_000) // per)
    return [make(i) for i in range(n if cap is None else min(n, cap))]


def _scores(i: int, k: int, score: object = 0.5) -> dict:
    return {FEATURES[(i * 7 + j) % 1000]: score for j in range(k)}


def _csv(products: list) -> bytes:
    from core.scenarios.model import scenario_from_dict
    from core.scenarios.wide_csv import to_csv

    scenario = json.loads(_scenario(products))
    return to_csv(scenario_from_dict(scenario, source="bench")).encode()


def _valid_json(target: int) -> bytes:
    """The most a valid scenario holds: 20,000 products, each with as many scores as fit."""
    return _scenario(_fill(target, lambda i: {"id": f"p{i}", "name": f"P{i}", "profile": _scores(i, 20)}))


def _long_texts(target: int) -> bytes:
    """Descriptions of 2,000 characters with an emoji each: Python keeps such a text in 4 bytes a character."""
    return _scenario(
        _fill(target, lambda i: {"id": f"p{i}", "name": "P", "description": "d" * 1998 + "🍷", "profile": {}})
    )


def _too_many_products(target: int) -> bytes:
    return _scenario(_fill(target, lambda i: {"id": f"p{i}", "name": "P"}, cap=None))


def _bad_scores(target: int) -> bytes:
    return _scenario(_fill(target, lambda i: {"id": f"p{i}", "name": "P", "profile": _scores(i, 20, "x")}))


def _empty_lists(target: int) -> bytes:
    return b'{"products": [' + b",".join([b"[]"] * (target // 3)) + b"]}"


def _nested_objects(target: int) -> bytes:
    return b'{"products": [' + b",".join([b'{"":{"":{}}}'] * (target // 13)) + b"]}"


def _valid_csv(target: int) -> bytes:
    return _csv(_fill(target // 3, lambda i: {"id": f"p{i}", "name": f"P{i}", "profile": _scores(i, 20)}))


def _short_rows(target: int) -> bytes:
    return b"kind,id,name,description,a\n" + b"user,u,U,,1\n" * (target // 12)


def _blank_lines(target: int) -> bytes:
    return b"kind,id,name,description,a\nuser,u,U,,1\n" + b"\n" * (target - 50)


def _bad_cells(target: int) -> bytes:
    header = b"kind,id,name,description," + ",".join(FEATURES[:200]).encode() + b"\n"
    return header + b"".join(
        f"product,p{i},P,,".encode() + b",".join([b"x"] * 200) + b"\n" for i in range(target // 420)
    )


SHAPES = {
    "valid JSON, 20,000 products": ("json", _valid_json),
    "valid JSON, long texts with an emoji": ("json", _long_texts),
    "too many products": ("json", _too_many_products),
    "every score bad": ("json", _bad_scores),
    "millions of empty lists": ("json", _empty_lists),
    "millions of nested objects": ("json", _nested_objects),
    "valid wide CSV": ("csv", _valid_csv),
    "CSV of millions of short rows": ("csv", _short_rows),
    "CSV of blank lines": ("csv", _blank_lines),
    "CSV with every cell bad": ("csv", _bad_cells),
}


def measure_parse(shape: str, megabytes: int) -> dict:
    """One file of ``shape`` of about ``megabytes`` MB (at most the upload limit), parsed in a fresh process."""
    kind, make = SHAPES[shape]
    data = make(min(megabytes * 1_000_000, MAX_UPLOAD_BYTES) - 1_000)[:MAX_UPLOAD_BYTES]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"shape.{kind}"
        path.write_bytes(data)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        out = subprocess.run(
            [sys.executable, "-c", PARSE_CHILD, str(path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    if out.returncode != 0:
        return {"shape": shape, "error": out.stderr.strip().splitlines()[-1][:300]}
    return {"shape": shape, **json.loads(out.stdout.strip().splitlines()[-1])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--products", type=int_list(1, MAX_PRODUCTS), default=[5_000, 10_000, 20_000], help="comma-separated sizes"
    )
    parser.add_argument(
        "--parse-mb", type=int_list(1, MAX_UPLOAD_BYTES // 1_000_000), default=[1, 10], help="file sizes in MB"
    )
    parser.add_argument("--skip-products", action="store_true", help="measure parsing only; keep the runs on file")
    args = parser.parse_args()
    results = {"runs": []}
    if args.skip_products and (RESULTS / "limits.json").exists():
        results["runs"] = json.loads((RESULTS / "limits.json").read_text()).get("runs", [])
    for n in [] if args.skip_products else args.products:
        log(f"{n:,} products...")
        results["runs"].append(measure(n))
        log(json.dumps(results["runs"][-1]))
    results["parse"] = []
    for megabytes in args.parse_mb:
        for shape in SHAPES:
            results["parse"].append(measure_parse(shape, megabytes))
            log(json.dumps(results["parse"][-1], ensure_ascii=False))
    measured = [r["multiple"] for r in results["parse"] if "multiple" in r and r["bytes"] >= 5_000_000]
    results["parse_max_multiple"] = max(measured, default=None)
    write_result("limits", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
