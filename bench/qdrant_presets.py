"""Do the Qdrant columns, now on Qdrant's engine (HNSW where a shard is large enough), give every preset user the
same top 5 as the exact answers (qdrant-client's local mode, which scores every point: the formulas the tests hold
it to)?

For every preset (the hand-written ones and bench-10k), every user, each of the four Qdrant methods, without and
with the hard-no filter at -0.9: the Explorer's ranking (``Recommender.rank``, which the CLI's ``rank`` calls
too) against the exact formula in numpy, compared up to ties. Usage: ``python bench/qdrant_presets.py``. Writes
``bench/results/qdrant_presets.json``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import log, write_result  # noqa: E402
from core.embedding.cache import get_embedder  # noqa: E402
from core.retrieval import edge_shard  # noqa: E402
from core.retrieval.recommender import Recommender  # noqa: E402
from core.retrieval.stores import ask  # noqa: E402
from core.scenarios.presets import load_preset, preset_ids  # noqa: E402
from core.vectors.methods import STRATEGY_NAMES, get_method  # noqa: E402

TOP = 5
TIE = 1e-5  # scores closer than this are a tie


def same_top(got, exact, k: int = TOP) -> bool:
    """The same top k up to ties: each product the engine put in its top k scores, exactly, at least the exact
    k-th best score (less a tie)."""
    import numpy as np

    kth = np.sort(exact)[::-1][k - 1]
    chosen = np.argsort(-got, kind="stable")[:k]
    return bool(np.all(exact[chosen] >= kth - TIE))


def check(preset: str) -> dict:
    scenario = load_preset(preset)
    recommender = Recommender(scenario, get_embedder())
    recommender.prepare(STRATEGY_NAMES)
    n = len(scenario.products)
    same = {m: {"unfiltered": 0, "filtered": 0} for m in STRATEGY_NAMES}
    differing = []
    for user in scenario.users:
        profile = dict(user.profile)
        for filtered in (False, True):
            result = recommender.rank(profile, STRATEGY_NAMES, k=TOP, filter_hard_no=filtered)
            exclude = result.hard_no_features if filtered else ()
            for method in STRATEGY_NAMES:
                name, request = recommender.key(method).name, recommender.request(method, profile)
                exact = ask(recommender.memory, name, get_method(method).strategy, request, limit=n, exclude=exclude)
                if same_top(result.rankings[method].scores, exact.full(n)):
                    same[method]["filtered" if filtered else "unfiltered"] += 1
                else:
                    differing.append({"user": user.id, "method": method, "filtered": filtered})
    return {
        "products": n,
        "users": len(scenario.users),
        "indexed": edge_shard.indexed(n, recommender.space.dim),
        "same_top_5": same,
        "differing": differing,
    }


def main() -> int:
    started = time.perf_counter()
    results = {}
    for preset in preset_ids():
        results[preset] = check(preset)
        log(f"{preset}: {results[preset]['same_top_5']}")
    write_result("qdrant_presets", {"top_k": TOP, "presets": results, "seconds": round(time.perf_counter() - started)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
