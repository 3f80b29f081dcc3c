"""Catalogues far larger than the presets: the numpy store against Qdrant's embedded mode, 10k to 1M products.

For each catalogue size, in a fresh process (so its memory is its own):

- a seeded synthetic catalogue over 200 real tags (each product carries 5 to 15 of them, three in four with a
  positive score, as ``bench-10k``), and users who score 10 tags each;
- for each vocabulary-linear method (prefix, weighted, whitened, exact), the product vectors are built
  (numpy store) and upserted into an in-memory Qdrant collection as a named vector (Qdrant store): time and
  memory of each;
- queries for random users: p50/p95 of a top-10 search in each store, the same with the hard-no filter
  (each user's lowest score set to -1, so every query has a hard no; Qdrant: a ``must_not`` payload
  filter), and Qdrant's three recommend strategies; recall@10 of every Qdrant answer against the numpy
  store's exact top 10.

Naive and split are left out: their product vectors are embeddings of each product's text, and embedding
even 100,000 texts takes most of an hour on 2 CPU cores (1,000,000: about ten hours), which measures the
model, not the store. Usage::

    python bench/scale.py [--sizes 10000,100000,1000000] [--queries 30] [--append]

(``--append`` keeps the other sizes of an earlier run, e.g. 1,000,000 products measured with fewer users.)

Writes ``bench/results/scale.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, bounded_int, int_list, log, percentiles, write_result  # noqa: E402
from core.embedding.cache import get_embedder  # noqa: E402
from core.retrieval.carriers import Carriers  # noqa: E402
from core.retrieval.marks import hard_nos  # noqa: E402
from core.retrieval.qdrant import MEMORY, QdrantStore, collection_name  # noqa: E402
from core.retrieval.stores import NumpyStore, ProductVectors  # noqa: E402
from core.scenarios.synthetic import feature_names  # noqa: E402
from core.vectors.methods import METHODS, STRATEGY_NAMES, examples  # noqa: E402
from core.vectors.space import DEFAULT_PARAMS, FeatureSpace  # noqa: E402

METHODS_MEASURED = ("prefix", "weighted", "whitened", "exact")
FEATURES, USER_FEATURES, TOP = 200, 10, 10
SEED = 1_000_003


def catalogue(n: int, seed: int = SEED) -> tuple[np.ndarray, list[dict[str, float]]]:
    """(n, F) float64 scores with NaN where absent, and the same as profiles (seeded, vectorised)."""
    rng = np.random.default_rng(seed)
    names = feature_names(FEATURES)
    counts = rng.integers(5, 16, size=n)
    scores = np.full((n, FEATURES), np.nan)
    for k in range(5, 16):  # products carrying k features: k distinct columns each, drawn in one go
        rows = np.flatnonzero(counts == k)
        columns = np.argsort(rng.random((rows.size, FEATURES)), axis=1)[:, :k]
        values = rng.uniform(0.3, 1.0, size=(rows.size, k)) * np.where(rng.random((rows.size, k)) < 0.75, 1, -1)
        scores[rows[:, None], columns] = np.round(values, 2)
    profiles = [
        {names[j]: float(row[j]) for j in np.flatnonzero(~np.isnan(row))} for row in scores
    ]  # the payload Qdrant stores
    return scores, profiles


def users(count: int, seed: int) -> list[dict[str, float]]:
    rng = np.random.default_rng(seed)
    names = feature_names(FEATURES)
    return [
        {names[j]: round(float(rng.uniform(-1, 1)), 2) for j in rng.choice(FEATURES, USER_FEATURES, replace=False)}
        for _ in range(count)
    ]


def with_hard_no(profile: dict[str, float]) -> dict[str, float]:
    """The profile with its lowest score set to -1: a hard no the filter must enforce."""
    lowest = min(profile, key=profile.get)
    return {**profile, lowest: -1.0}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def build_numpy(space: FeatureSpace, scores: np.ndarray, method: str) -> ProductVectors:
    """What the recommender builds for a vocabulary-linear method (its numpy store's vectors)."""
    return ProductVectors.from_form(METHODS[method].form(scores, space, DEFAULT_PARAMS))


def recall(expected: np.ndarray, got: np.ndarray) -> float:
    return len(set(expected.tolist()) & set(got.tolist())) / max(len(expected), 1)


def measure_size(n: int, queries: int) -> dict:
    """Everything for one catalogue size (run in its own process)."""
    started, base = time.perf_counter(), rss_mb()
    scores, profiles = catalogue(n)
    log(f"{n:,}: catalogue generated in {time.perf_counter() - started:.1f} s")
    space = FeatureSpace(feature_names(FEATURES), get_embedder())
    space.prefix_embeddings()
    space.whitened(DEFAULT_PARAMS)
    memory = NumpyStore(Carriers(profiles))
    name = collection_name("scale", str(n))
    qdrant = QdrantStore(profiles, [f"p{i}" for i in range(n)], name, where=MEMORY, batch=2048)
    build: dict[str, dict] = {}
    for method in METHODS_MEASURED:
        before, t = rss_mb(), time.perf_counter()
        vectors = build_numpy(space, scores, method)
        memory.add(method, vectors)
        numpy_s, numpy_mb = time.perf_counter() - t, rss_mb() - before
        before, t = rss_mb(), time.perf_counter()
        qdrant.add(method, vectors.vectors, progress=_progress(n, method))
        build[method] = {
            "numpy_s": round(numpy_s, 2),
            "numpy_mb": round(numpy_mb),
            "qdrant_s": round(time.perf_counter() - t, 2),
            "qdrant_mb": round(rss_mb() - before),
        }
        log(f"{n:,} {method}: {build[method]}")
    return {
        "products": n,
        "features": FEATURES,
        "build": build,
        "users_per_measure": queries,
        "queries": _queries(space, memory, qdrant, n, queries),
        "rss_mb": round(rss_mb() - base),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _progress(n: int, method: str):
    step = max(n // 4, 1)

    def report(done: int, total: int) -> None:
        if done % step < 2048 or done == total:
            log(f"{n:,} {method}: {done:,}/{total:,} points in Qdrant")

    return report


def _queries(space, memory: NumpyStore, qdrant: QdrantStore, n: int, count: int) -> dict:
    """Latency of each kind of query in both stores, and Qdrant's recall@10 against numpy's exact top 10."""
    out: dict[str, dict] = {}
    people = users(count + 1, seed=n)
    for method in METHODS_MEASURED:
        for filtered in (False, True):
            profiles = [with_hard_no(p) for p in people] if filtered else people
            vectors = [METHODS[method].fn([p], space=space)[0] for p in profiles]
            samples: dict[str, list[float]] = {"numpy": [], "qdrant": []}
            recalls = []
            for i, (profile, vector) in enumerate(zip(profiles, vectors, strict=True)):
                exclude = hard_nos(profile) if filtered else []
                t = time.perf_counter()
                truth = memory.search(method, vector, limit=TOP, exclude=exclude)
                numpy_s = time.perf_counter() - t
                t = time.perf_counter()
                got = qdrant.search(method, vector, limit=TOP, exclude=exclude)
                qdrant_s = time.perf_counter() - t
                if i:  # the first query warms both up
                    samples["numpy"].append(numpy_s)
                    samples["qdrant"].append(qdrant_s)
                    recalls.append(recall(truth.indices, got.indices))
            out[f"{method}{' + hard-no filter' if filtered else ''}"] = _row(samples, recalls)
        log(f"{n:,} {method}: queries {out[method]}")
    for name in STRATEGY_NAMES:
        strategy = METHODS[name].strategy
        samples, recalls = {"numpy": [], "qdrant": []}, []
        for i, profile in enumerate(people[: max(3, count // 3)]):
            wanted = examples(profile, space)
            t = time.perf_counter()
            truth = memory.recommend("weighted", wanted, strategy, limit=TOP)
            numpy_s = time.perf_counter() - t
            t = time.perf_counter()
            got = qdrant.recommend("weighted", wanted, strategy, limit=TOP)
            if i:
                samples["numpy"].append(numpy_s)
                samples["qdrant"].append(time.perf_counter() - t)
                recalls.append(recall(truth.indices, got.indices))
        out[name] = _row(samples, recalls)
        log(f"{n:,} {name}: {out[name]}")
    return out


def _row(samples: dict[str, list[float]], recalls: list[float]) -> dict:
    row = {}
    for store, values in samples.items():
        row[f"{store}_p50_ms"], row[f"{store}_p95_ms"] = percentiles(values)
    row["qdrant_over_numpy_p50"] = round(row["qdrant_p50_ms"] / max(row["numpy_p50_ms"], 1e-3), 1)
    row["recall_at_10"] = round(float(np.mean(recalls)), 4)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int_list(1_000, 1_000_000), default=[10_000, 100_000, 1_000_000], help="1,000 to 1,000,000"
    )
    parser.add_argument("--queries", type=bounded_int(5, 200), default=30, help="users per measure, 5 to 200")
    parser.add_argument(
        "--append", action="store_true", help="keep the other sizes already in bench/results/scale.json (replace these)"
    )
    parser.add_argument("--one", type=bounded_int(1_000, 1_000_000), help=argparse.SUPPRESS)  # a child process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_size(args.one, args.queries)))
        return 0
    runs = _kept_runs(args.sizes) if args.append else []
    for n in args.sizes:
        log(f"--- {n:,} products (a fresh process) ---")
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        child = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--queries", str(args.queries)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            timeout=3 * 3600,
            check=True,
        )
        runs.append(json.loads(child.stdout))
    runs.sort(key=lambda run: run["products"])
    write_result("scale", {"top_k": TOP, "user_features": USER_FEATURES, "runs": runs})
    return 0


def _kept_runs(replaced: list[int]) -> list[dict]:
    """The runs of an earlier ``scale.json`` for the sizes not measured now (each run says its users per measure)."""
    path = RESULTS / "scale.json"
    if not path.exists():
        return []
    earlier = [run for run in json.loads(path.read_text()).get("runs", []) if run.get("products") not in replaced]
    unlabelled = [run.get("products") for run in earlier if "users_per_measure" not in run]
    if unlabelled:
        log(f"dropping earlier runs that do not say how many users they measured: {unlabelled}")
    return [run for run in earlier if "users_per_measure" in run]


if __name__ == "__main__":
    sys.exit(main())
