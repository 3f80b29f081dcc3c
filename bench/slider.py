"""Slider-move latency in the engine on bench-10k: p50/p95 per method and for all six, against the floor; what
the four Qdrant columns add to a move; and what their queries, which hold the GIL, cost another session's move.

A *move* is what a person does with the keyboard on a slider: one score of
the user goes up or down by one step (0.05). After each move we time how long
it takes to get the rankings back: every product scored, the top 10 ordered.
The *floor* is the least any approach that embeds the profile text must pay:
one encoder call on the naive text plus one products x d matrix-vector product.

The Qdrant columns (``qdrant-avg``, ``-best``, ``-sum``, ``-feedback``) run on Qdrant Edge in this process: per
move, a ranking of the six methods and one of all ten, each with the agreement the Explorer shows, on the same
profile with its naive text already embedded (the feedback query's target is that text: the naive column
embeds it anyway); the difference is what the Qdrant columns add. Then two threads: one makes weighted-only
moves (what a second session's slider costs), timed alone and while the other asks the four Qdrant columns
without pause.

Usage: ``python bench/slider.py [--products N] [--features F] [--moves M] [--seed S]``.
Writes ``bench/results/slider.json``. See README, "Speed".
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bounded_int, log, percentiles, write_result  # noqa: E402
from core.embedding.cache import get_embedder  # noqa: E402
from core.retrieval.recommender import Recommender  # noqa: E402
from core.scenarios.presets import load_preset  # noqa: E402
from core.scenarios.synthetic import generate_scenario  # noqa: E402
from core.vectors.methods import ALL_METHOD_NAMES, METHOD_NAMES, STRATEGY_NAMES  # noqa: E402
from core.vectors.texts import naive_text  # noqa: E402

STEP = 0.05
TOP_K = 10


def bench_slider(
    *,
    n_products: int = 10_000,
    n_features: int = 200,
    moves: int = 60,
    seed: int | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> dict:
    start = time.perf_counter()
    if (n_products, n_features) == (10_000, 200):
        scenario = load_preset("bench-10k")
    else:
        scenario = generate_scenario(n_products=n_products, n_features=n_features, n_users=3, seed=10_000)
    embedder = get_embedder()
    recommender = Recommender(scenario, embedder)
    encoded_before = embedder.stats["encoded"]
    last = [""]

    def report(stage: str, fraction: float) -> None:
        if stage != last[0] or fraction >= 1.0:
            log(f"{stage}: {fraction:.0%}")
            last[0] = stage

    stages = recommender.prepare(progress=report)
    start_s = time.perf_counter() - start
    embedder.flush()
    start_encoded = embedder.stats["encoded"] - encoded_before

    # A fresh seed per run by default: the walk must produce texts no earlier run
    # left in the embedding cache, or "naive" would be timed on cache hits.
    seed = int(np.random.SeedSequence().entropy % 2**32) if seed is None else seed
    rng = np.random.default_rng(seed)
    profile = dict(scenario.users[0].profile)
    features = list(profile)

    def move() -> None:
        feature = features[int(rng.integers(len(features)))]
        step = STEP if rng.random() < 0.5 else -STEP
        if not -1.0 <= profile[feature] + step <= 1.0:
            step = -step
        profile[feature] = round(profile[feature] + step, 2)

    naive_products = recommender.product_vectors("naive")
    inner = embedder.inner
    # One untimed round so first-call costs (thread pools, allocations) are not counted.
    move()
    recommender.rank(profile, METHOD_NAMES)
    inner.encode([naive_text(profile)])

    together: list[float] = []
    floor: list[float] = []
    per_method: dict[str, list[float]] = {m: [] for m in METHOD_NAMES}
    for i in range(moves):
        move()
        t = time.perf_counter()
        for ranking in recommender.rank(profile, METHOD_NAMES).rankings.values():
            ranking.top(TOP_K)
        together.append(time.perf_counter() - t)

        move()
        for method in METHOD_NAMES:
            t = time.perf_counter()
            recommender.ranking(method, profile).top(TOP_K)
            per_method[method].append(time.perf_counter() - t)

        # The floor bypasses the cache: it is the price of embedding a changed text.
        profile_text = naive_text(profile)
        t = time.perf_counter()
        vector = inner.encode([profile_text])[0]
        naive_products @ vector
        floor.append(time.perf_counter() - t)
        if (i + 1) % 10 == 0:
            log(f"moves: {i + 1}/{moves}")

    p50: dict[str, float] = {}
    p95: dict[str, float] = {}
    for method, samples in [*per_method.items(), ("all", together)]:
        p50[method], p95[method] = percentiles(samples)
    floor_p50, floor_p95 = percentiles(floor)
    columns = qdrant_columns(recommender, profile, move, moves, log)
    return {
        "qdrant_columns": columns,
        "gil": concurrent_moves(recommender, profile, scenario.users[1].profile, moves, log),
        "products": len(scenario.products),
        "features": len(scenario.vocabulary),
        "moves": moves,
        "top_k": TOP_K,
        "seed": seed,
        "floor_ms": floor_p50,
        "floor_p95_ms": floor_p95,
        "p50_ms": p50,
        "p95_ms": p95,
        "ratio_p95_all_to_floor_p95": round(p95["all"] / floor_p95, 3),
        "start_s": round(start_s, 3),
        "start_texts_encoded": start_encoded,
        "start_stages_s": {name: round(seconds, 3) for name, seconds in stages.items()},
    }


def qdrant_columns(recommender: Recommender, profile: dict, move: Callable[[], None], moves: int, log) -> dict:
    """What the four Qdrant columns add to an Explorer move (rankings and agreement), and each one's own cost."""
    log("Qdrant columns: writing weighted's vectors into Qdrant Edge (HNSW at this size: a builder process)")
    t = time.perf_counter()
    recommender.prepare(ALL_METHOD_NAMES)
    prepared = time.perf_counter() - t
    six, ten, own = [], [], {m: [] for m in STRATEGY_NAMES}
    for i in range(moves + 1):
        move()
        recommender.user_vector("naive", profile)  # the naive text, embedded once per move (the naive column's)
        timings = []
        for methods in (METHOD_NAMES, ALL_METHOD_NAMES):
            t = time.perf_counter()
            _ = recommender.rank(profile, methods, k=5).agreement  # the Explorer measures agreement on every move
            timings.append(time.perf_counter() - t)
        for method in STRATEGY_NAMES:
            t = time.perf_counter()
            recommender.ranking(method, profile).top(5)
            own[method].append(time.perf_counter() - t)
        if i:  # the first move warms up
            six.append(timings[0])
            ten.append(timings[1])
    added = [b - a for a, b in zip(six, ten, strict=True)]
    out = {"prepare_s": round(prepared, 2), "store": recommender.qdrant("qdrant-best").kind}
    for name, samples in (("six", six), ("ten", ten), ("added", added), *own.items()):
        out[f"{name}_p50_ms"], out[f"{name}_p95_ms"] = percentiles(samples)
    return out


def concurrent_moves(recommender: Recommender, profile: dict, other: dict, moves: int, log) -> dict:
    """A second session's weighted-only moves, alone and while this thread asks the Qdrant columns non-stop."""
    import threading

    def session_moves() -> list[float]:
        mine, out = dict(other), []
        features = list(mine)
        for i in range(moves * 4):
            mine[features[i % len(features)]] = round(-mine[features[i % len(features)]], 2)
            t = time.perf_counter()
            _ = recommender.rank(mine, ["weighted"], k=5).agreement
            out.append(time.perf_counter() - t)
        return out

    alone = session_moves()
    stop, asked = threading.Event(), [0]

    def ask_qdrant() -> None:
        while not stop.is_set():
            for method in STRATEGY_NAMES:
                recommender.scores(method, profile)
                asked[0] += 1

    worker = threading.Thread(target=ask_qdrant, daemon=True)
    worker.start()
    time.sleep(0.2)
    together = session_moves()
    stop.set()
    worker.join(timeout=60)
    log(f"GIL: {asked[0]} Qdrant queries ran beside {len(together)} moves")
    out = {"moves": len(alone), "qdrant_queries_meanwhile": asked[0]}
    for name, samples in (("alone", alone), ("beside_qdrant", together)):
        out[f"{name}_p50_ms"], out[f"{name}_p95_ms"] = percentiles(samples)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=bounded_int(1, 100_000), default=10_000)
    parser.add_argument("--features", type=bounded_int(1, 1_000), default=200)
    parser.add_argument("--moves", type=bounded_int(50, 2_000), default=60, help="50 to 2,000 (p95 needs 50)")
    parser.add_argument("--seed", type=int, default=None, help="random walk seed (default: fresh each run)")
    args = parser.parse_args()
    result = bench_slider(n_products=args.products, n_features=args.features, moves=args.moves, seed=args.seed, log=log)
    write_result("slider", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
