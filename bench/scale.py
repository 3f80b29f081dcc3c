"""Catalogues far larger than the presets: numpy, Qdrant's engine (Qdrant Edge, HNSW) and qdrant-client's local
mode, 10k to 1M products.

For each catalogue size, in a fresh process (so its memory is its own):

- a seeded synthetic catalogue over 200 real tags (each product carries 5 to 15 of them, three in four with a
  positive score, as ``bench-10k``), and users who score 10 tags each;
- the weighted sum's product vectors (the vectors the Qdrant methods rank), built in numpy, then written to
  Qdrant Edge in a folder on disk (a builder process upserts them in batches of 2,048 and builds the HNSW graph,
  m = 16 and ef_construct = 100, Qdrant's defaults; a keyword index on ``carries``), then to qdrant-client's
  local mode: build time and memory of each;
- for random users, p50/p95 of every top-10 query, each without and with the hard-no filter (the user's lowest
  score set to -1; a ``must_not`` payload condition in Qdrant, a mask in numpy): a nearest search with the user's
  weighted vector, the three recommend strategies, and the relevance feedback query (a = b = c = 1, target: the
  user's weighted vector, since naive text would embed a text per user and measure the model); recall@10 of
  every Qdrant answer against numpy's exact top 10;
- Edge's searches again at several ``hnsw_ef``: the price of recall.

The machine is shared: each run records the load average at its start and end.

Usage::

    python bench/scale.py [--sizes 10000,100000,1000000] [--queries 30] [--local-queries 30] [--append]

(``--local-queries`` caps the users per measure for qdrant-client's local mode, whose filtered queries take tens of
seconds at 1M; ``--append`` keeps the other sizes of an earlier run.) Writes ``bench/results/scale.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, bounded_int, int_list, log, percentiles, write_result  # noqa: E402
from core.embedding.cache import get_embedder  # noqa: E402
from core.retrieval import edge as edge_module  # noqa: E402
from core.retrieval import edge_shard  # noqa: E402
from core.retrieval.carriers import Carriers  # noqa: E402
from core.retrieval.edge import EdgeStore  # noqa: E402
from core.retrieval.marks import hard_nos  # noqa: E402
from core.retrieval.qdrant import MEMORY, QdrantStore, collection_name  # noqa: E402
from core.retrieval.stores import NumpyStore, ProductVectors, ask  # noqa: E402
from core.scenarios.synthetic import feature_names  # noqa: E402
from core.vectors.examples import Feedback  # noqa: E402
from core.vectors.methods import (  # noqa: E402
    FEEDBACK_METHOD,
    METHODS,
    RECOMMEND_NAMES,
    STRATEGY_NAMES,
    examples,
    feature_vectors,
)
from core.vectors.space import DEFAULT_PARAMS, FeatureSpace  # noqa: E402

FEATURES, USER_FEATURES, TOP, BATCH = 200, 10, 10, 2_048
SEED = 1_000_003
EF_SWEEP = (32, 64, 128, 256, 512, 1024, 2048)
LOCAL_BUDGET_S = 60.0  # per kind of query in qdrant-client's local mode: stop timing once this much is spent
KINDS = ("search", *STRATEGY_NAMES)  # a nearest search, the three recommend strategies, relevance feedback


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
    profiles = [{names[j]: float(row[j]) for j in np.flatnonzero(~np.isnan(row))} for row in scores]
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


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def recall(expected: np.ndarray, got: np.ndarray) -> float:
    return len(set(expected.tolist()) & set(got.tolist())) / max(len(expected), 1)


def requests(space: FeatureSpace, people: list[dict[str, float]]) -> list[dict]:
    """Per user and filter: what each kind of query sends, and the hard-no features it excludes."""
    out = []
    for person in people:
        for filtered in (False, True):
            profile = with_hard_no(person) if filtered else person
            vector = METHODS["weighted"].fn([profile], space=space)[0]
            feedback = Feedback(vector, feature_vectors(space, list(profile)), np.array(list(profile.values())))
            asks = {
                "search": vector,
                **{m: examples(profile, space) for m in RECOMMEND_NAMES},
                FEEDBACK_METHOD: feedback,
            }
            out.append({"filtered": filtered, "exclude": hard_nos(profile) if filtered else [], "asks": asks})
    return out


def strategy(kind: str) -> str | None:
    return None if kind == "search" else METHODS[kind].strategy


def timed(store, asks: list[dict], kind: str, filtered: bool, limit_users: int | None = None) -> tuple[list, list]:
    """Seconds and answers of one kind of query over the users. In numpy and Edge the first one warms up and is not
    counted; qdrant-client's local mode (``limit_users`` given) is timed from the first user, at most that many,
    and stops once :data:`LOCAL_BUDGET_S` is spent (one of its queries takes minutes at 1M products)."""
    local = limit_users is not None
    chosen = (
        [a for a in asks if a["filtered"] == filtered][1:] if local else [a for a in asks if a["filtered"] == filtered]
    )
    seconds, answers, started = [], [], time.perf_counter()
    for i, asked in enumerate(chosen[:limit_users] if local else chosen):
        t = time.perf_counter()
        hits = ask(store, "weighted", strategy(kind), asked["asks"][kind], limit=TOP, exclude=asked["exclude"])
        if i or local:
            seconds.append(time.perf_counter() - t)
            answers.append(hits.indices)
        if local and time.perf_counter() - started > LOCAL_BUDGET_S:
            break
    return seconds, answers


def row(seconds: list[float], answers: list | None = None, truth: list | None = None) -> dict:
    p50, p95 = percentiles(seconds)
    out = {"p50_ms": p50, "p95_ms": p95, "queries": len(seconds)}
    if answers is not None:
        out["recall_at_10"] = round(float(np.mean([recall(t, a) for t, a in zip(truth, answers, strict=False)])), 4)
    return out


def measure_store(store, asks: list[dict], truth: dict | None, limit_users: int | None = None) -> dict:
    """Every kind of query, without and with the filter; recall against ``truth`` (numpy's answers)."""
    out = {}
    for kind in KINDS:
        for filtered in (False, True):
            name = kind + (" + hard-no filter" if filtered else "")
            seconds, answers = timed(store, asks, kind, filtered, limit_users)
            out[name] = row(seconds, answers, truth[name]) if truth is not None else row(seconds)
            if truth is None:
                out[name]["answers"] = answers
    return out


def build_edge(n: int, profiles: list, vectors: np.ndarray, folder: Path) -> tuple[EdgeStore, dict]:
    """Qdrant Edge in a folder on disk: staging, the builder's upserts and HNSW, then opening the shard."""
    ids = [f"p{i}" for i in range(n)]
    store = EdgeStore(profiles, ids, collection_name("scale", str(n)), where=str(folder), batch=BATCH)
    marks: dict[str, float] = {}
    start, before = time.perf_counter(), rss_mb()

    def progress(done: int, total: int) -> None:
        if done == total:
            marks["upserted"] = time.perf_counter() - start
        if done % (BATCH * 50) < BATCH or done == total:
            log(f"{n:,} edge: {done:,}/{total:,} points upserted")

    store.add("weighted", vectors, progress=progress)
    built = time.perf_counter() - start
    shard = store.folder / "weighted"
    return store, {
        "build_s": round(built, 2),
        "upsert_s": round(marks.get("upserted", built), 2),
        "hnsw_s": round(built - marks.get("upserted", built), 2),
        "indexed": bool(edge_shard.marker(shard)["indexed"]),
        "rss_added_mb": round(rss_mb() - before),
        "builder_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "files_mb": round(folder_mb(shard)),
    }


def ef_sweep(store: EdgeStore, asks: list[dict], truth: dict) -> dict:
    """Edge's nearest search at several hnsw_ef: latency against recall, without and with the filter."""
    out = {}
    for ef in EF_SWEEP:
        edge_module.HNSW_EF = ef  # the store reads it for every query
        for filtered in (False, True):
            seconds, answers = timed(store, asks, "search", filtered)
            name = "search" + (" + hard-no filter" if filtered else "")
            out[f"{name}, ef={ef}"] = row(seconds, answers, truth[name])
    edge_module.HNSW_EF = DEFAULT_EF
    return out


DEFAULT_EF = edge_module.HNSW_EF


def build_local(n: int, profiles: list, vectors: np.ndarray) -> tuple[QdrantStore, dict]:
    store = QdrantStore(profiles, [f"p{i}" for i in range(n)], collection_name("scale-local", str(n)), where=MEMORY)
    start, before = time.perf_counter(), rss_mb()
    store.add("weighted", vectors, progress=lambda done, total: done == total and log(f"{n:,} local: upserted"))
    return store, {"build_s": round(time.perf_counter() - start, 2), "rss_added_mb": round(rss_mb() - before)}


def measure_size(n: int, queries: int, local_queries: int) -> dict:
    """Everything for one catalogue size (run in its own process)."""
    started, base = time.perf_counter(), rss_mb()
    scores, profiles = catalogue(n)
    log(f"{n:,}: catalogue generated in {time.perf_counter() - started:.1f} s")
    space = FeatureSpace(feature_names(FEATURES), get_embedder())
    t, before = time.perf_counter(), rss_mb()
    vectors = ProductVectors.from_form(METHODS["weighted"].form(scores, space, DEFAULT_PARAMS))
    memory = NumpyStore(Carriers(profiles))
    memory.add("weighted", vectors)
    del scores
    result = {"products": n, "features": FEATURES, "users_per_measure": queries, "hnsw": _hnsw_settings()}
    result["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    result["build"] = {
        "numpy": {"build_s": round(time.perf_counter() - t, 2), "rss_added_mb": round(rss_mb() - before)}
    }
    asks = requests(space, users(queries + 1, seed=n))
    exact = measure_store(memory, asks, None)
    truth = {name: measured.pop("answers") for name, measured in exact.items()}
    result["queries"] = {"numpy": exact}
    log(f"{n:,} numpy: {exact['search']}")
    folder = Path(tempfile.mkdtemp(prefix="scale-edge-", dir=os.environ.get("SCALE_EDGE_DIR")))
    try:
        engine, result["build"]["edge"] = build_edge(n, profiles, vectors.vectors, folder)
        log(f"{n:,} edge: {result['build']['edge']}")
        result["queries"]["edge"] = measure_store(engine, asks, truth)
        result["ef_sweep"] = ef_sweep(engine, asks, truth)
        log(f"{n:,} edge: {result['queries']['edge']}")
        engine.drop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    local, result["build"]["local"] = build_local(n, profiles, vectors.vectors)
    result["local_users_per_measure"] = min(queries, local_queries)
    result["queries"]["local"] = measure_store(local, asks, truth, limit_users=min(queries, local_queries))
    local.drop()
    log(f"{n:,} local: {result['queries']['local']}")
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["rss_mb"] = round(rss_mb() - base)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def _hnsw_settings() -> dict:
    return {
        "m": edge_shard.HNSW_M,
        "ef_construct": edge_shard.HNSW_EF_CONSTRUCT,
        "hnsw_ef": DEFAULT_EF,
        "full_scan_threshold_kb": edge_shard.FULL_SCAN_THRESHOLD_KB,
        "indexing_threshold_kb": edge_shard.INDEXING_THRESHOLD_KB,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int_list(1_000, 1_000_000), default=[10_000, 100_000, 1_000_000], help="1,000 to 1,000,000"
    )
    parser.add_argument("--queries", type=bounded_int(5, 200), default=30, help="users per measure, 5 to 200")
    parser.add_argument("--local-queries", type=bounded_int(3, 200), default=30, help="at most this many for local")
    parser.add_argument(
        "--append", action="store_true", help="keep the other sizes already in bench/results/scale.json (replace these)"
    )
    parser.add_argument("--one", type=bounded_int(1_000, 1_000_000), help=argparse.SUPPRESS)  # a child process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_size(args.one, args.queries, args.local_queries)))
        return 0
    runs = _kept_runs(args.sizes) if args.append else []
    for n in args.sizes:
        log(f"--- {n:,} products (a fresh process) ---")
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        command = [sys.executable, __file__, "--one", str(n), "--queries", str(args.queries)]
        command += ["--local-queries", str(args.local_queries)]
        child = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, timeout=4 * 3600, check=True)
        runs.append(json.loads(child.stdout))
    runs.sort(key=lambda run: run["products"])
    write_result("scale", {"top_k": TOP, "user_features": USER_FEATURES, "batch": BATCH, "runs": runs})
    return 0


def _kept_runs(replaced: list[int]) -> list[dict]:
    """The runs of an earlier ``scale.json`` for the sizes not measured now (only runs of this version: with the
    Edge store)."""
    path = RESULTS / "scale.json"
    if not path.exists():
        return []
    earlier = [run for run in json.loads(path.read_text()).get("runs", []) if run.get("products") not in replaced]
    return [run for run in earlier if "edge" in run.get("queries", {})]


if __name__ == "__main__":
    sys.exit(main())
