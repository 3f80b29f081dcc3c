"""Qdrant Edge, the engine in this process, held against Qdrant's reference implementation (qdrant-client's local
mode) on every preset user; a folder reopens without a write; a process killed mid-upsert never leaves a
half-store that is used as whole. Every store, process and kill here is real."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from core.errors import InputError
from core.numeric import normalize_rows
from core.retrieval import edge_shard
from core.retrieval.carriers import Carriers
from core.retrieval.edge import EdgeStore, qdrant_store, root
from core.retrieval.marks import hard_nos, violates
from core.retrieval.qdrant import MEMORY, QdrantStore, collection_name, is_server, location
from core.retrieval.recommender import Recommender
from core.retrieval.stores import NumpyStore
from core.scenarios.presets import load_preset, preset_ids
from core.vectors.examples import STRATEGIES, ExampleIds, Examples, Feedback, NaiveFeedback
from core.vectors.methods import examples, feedback_request
from tests.samples import same_top

PRODUCTS = [{"nuts": 1.0, "sweet": 0.5}, {"tea": 1.0}, {"nuts": -1.0, "salt": 1.0}, {"sweet": 1.0}] * 40
HAND_WRITTEN = [p for p in preset_ids() if p != "bench-10k"]


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return normalize_rows(np.random.default_rng(3).normal(size=(len(PRODUCTS), 16)))


def _three(vectors: np.ndarray, products=PRODUCTS, tag: str = "") -> tuple[EdgeStore, QdrantStore, NumpyStore]:
    """The same vectors in the engine (exact search), in the reference, and in numpy."""
    ids = [f"p{i}" for i in range(len(products))]
    engine = EdgeStore(products, ids, collection_name("edge", tag), exact=True)
    reference = QdrantStore(products, ids, collection_name("reference", tag), where=MEMORY)
    memory = NumpyStore(Carriers(products))
    for store in (engine, reference, memory):
        store.add("v", vectors)
    return engine, reference, memory


def _queries(store, profile: dict, space, exclude) -> dict[str, np.ndarray]:
    """Every recommend strategy and the feedback query for one profile, as full score arrays."""
    n = store.n
    out = {s: store.recommend("v", examples(profile, space), s, limit=n, exclude=exclude).full(n) for s in STRATEGIES}
    out["feedback"] = store.feedback("v", feedback_request(profile, space), limit=n, exclude=exclude).full(n)
    return out


def _cross_check(scenario, embedder, k: int = 5) -> int:
    """Edge against the reference on every user of a scenario, with and without the hard-no filter."""
    recommender = Recommender(scenario, embedder)
    profiles = [p.profile for p in scenario.products]
    engine, reference, _ = _three(recommender.product_vectors("weighted"), profiles, scenario.id)
    checked = 0
    for user in scenario.users:
        profile = dict(user.profile)
        for exclude in ([], hard_nos(profile)):
            ours, theirs = (_queries(s, profile, recommender.space, exclude) for s in (engine, reference))
            for query in ours:
                assert np.array_equal(np.isinf(ours[query]), np.isinf(theirs[query])), (user.id, query, exclude)
                assert same_top(ours[query], theirs[query], k), (scenario.id, user.id, query, exclude)
                checked += 1
    return checked


@pytest.mark.parametrize("preset", HAND_WRITTEN)
def test_the_engine_answers_as_the_reference_on_every_preset_user(embedder, preset):
    """Every strategy and the feedback query, with and without the filter: the same top 5 up to ties."""
    scenario = load_preset(preset)
    assert _cross_check(scenario, embedder) == len(scenario.users) * 2 * (len(STRATEGIES) + 1)


@pytest.mark.slow
def test_the_engine_answers_as_the_reference_on_bench_10k(embedder):
    """The generated preset too (10,000 products: the engine's shard gets an HNSW graph; the check searches
    exactly), with its 200-score users (feedback: the 16 scores farthest from the mean)."""
    scenario = load_preset("bench-10k")
    assert _cross_check(scenario, embedder, k=10) == len(scenario.users) * 2 * (len(STRATEGIES) + 1)


def test_every_query_agrees_with_the_reference_and_the_formulas(vectors):
    """Raw (non-unit) examples and feedback, filters, examples by id: engine = reference = numpy, to 1e-5."""
    engine, reference, memory = _three(vectors, tag="formulas")
    rng = np.random.default_rng(7)
    given = Examples(rng.normal(size=(3, 16)), rng.normal(size=(2, 16)))
    for strategy in STRATEGIES:
        for exclude in ([], ["nuts"], ["nuts", "tea"]):
            got = [
                s.recommend("v", given, strategy, limit=160, exclude=exclude).full(160)
                for s in (engine, reference, memory)
            ]
            assert np.allclose(got[0], got[1], atol=1e-5) and np.allclose(got[0], got[2], atol=1e-5), strategy
        by_id = ExampleIds.of([3, 4, 5], [7])
        a, b = (s.recommend("v", by_id, strategy, limit=160).full(160) for s in (engine, reference))
        assert np.allclose(a, b, atol=1e-5) and not np.isfinite(a[[3, 4, 5, 7]]).any()  # examples never returned
    for coefficients in (NaiveFeedback(), NaiveFeedback(0.7, 0.5, 2.0), NaiveFeedback(0.0, 2.0, 0.3)):
        asked = Feedback(rng.normal(size=16), rng.normal(size=(5, 16)), rng.uniform(-1, 1, 5), coefficients)
        got = [s.feedback("v", asked, limit=160, exclude=["tea"]).full(160) for s in (engine, reference, memory)]
        assert np.allclose(got[0], got[1], atol=1e-5) and np.allclose(got[0], got[2], atol=1e-5), coefficients
    among = engine.feedback("v", asked, limit=160, among=[1, 2, 40])
    assert sorted(among.indices.tolist()) == [1, 2, 40]


def test_a_shift_of_every_feedback_score_changes_no_score_on_the_engine(vectors):
    """What Qdrant's source says, measured on the engine: only score differences count (scaling does count)."""
    engine, _, _ = _three(vectors, tag="shift")
    rng = np.random.default_rng(11)
    base = Feedback(rng.normal(size=16), rng.normal(size=(6, 16)), rng.uniform(-1, 1, 6))
    before = engine.feedback("v", base, limit=160).full(160)
    for shift in (-5.0, -0.5, 3.0):
        moved = Feedback(base.target, base.vectors, base.scores + shift)
        assert np.allclose(engine.feedback("v", moved, limit=160).full(160), before, atol=1e-5)
    doubled = Feedback(base.target, base.vectors, base.scores * 2)
    assert not np.allclose(engine.feedback("v", doubled, limit=160).full(160), before, atol=1e-3)


def test_a_hard_no_is_a_filter_and_no_direction_scores_zero(vectors):
    engine, _, _ = _three(vectors, tag="filter")
    hits = engine.search("v", vectors[0], limit=160, exclude=["nuts"])
    assert len(hits.indices) == 120 and not any(violates(PRODUCTS[i], ["nuts"]) for i in hits.indices)
    assert np.all(engine.search("v", np.zeros(16), limit=160, exclude=["nuts"]).scores == 0)
    none = Examples(np.zeros((0, 16)), np.zeros((0, 16)))
    assert np.all(engine.recommend("v", none, "best_score", limit=160).scores == 0)
    nothing = Feedback(np.zeros(16), np.zeros((1, 16)), np.ones(1))  # no target, no pair: no direction
    assert np.all(engine.feedback("v", nothing, limit=5).scores == 0)


def test_a_location_picks_the_engine_or_the_client(tmp_path):
    assert isinstance(qdrant_store([{}], ["a"], "pick"), EdgeStore)
    assert is_server("http://db:6333") and not is_server(location(str(tmp_path / "q")))  # a server: QdrantStore
    assert isinstance(qdrant_store([{}], ["a"], "pick", where=str(tmp_path / "q")), EdgeStore)
    assert root(MEMORY) != root(str(tmp_path / "q")) and (tmp_path / "q").is_dir()


def _run(root_dir, code: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=root_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


WRITER = """
    import sys
    import numpy as np
    from core.retrieval.edge import EdgeStore
    n, dim, batch = {n}, {dim}, {batch}
    vectors = np.random.default_rng(5).normal(size=(n, dim)).astype(np.float32)
    store = EdgeStore([{{"f": 1.0}}] * n, [str(i) for i in range(n)], "kept", where={where!r}, batch=batch)
    store.add("v", vectors, progress=lambda done, total: print(done, total, flush=True))
    print("complete", flush=True)
"""


def test_a_folder_reopens_without_writing_again(tmp_path, root):
    """One process writes and exits; the next finds the shard complete, opens it and writes nothing."""
    where = str(tmp_path / "store")
    child = _run(root, WRITER.format(n=500, dim=8, batch=100, where=where))
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0 and out.splitlines()[-1] == "complete", err
    vectors = np.random.default_rng(5).normal(size=(500, 8)).astype(np.float32)
    store = EdgeStore([{"f": 1.0}] * 500, [str(i) for i in range(500)], "kept", where=where, batch=100)
    assert store.has("v")
    written: list[int] = []
    store.add("v", vectors, progress=lambda done, total: written.append(done))
    assert written == []  # reopened, not upserted again
    hits = store.search("v", vectors[42], limit=1)
    assert hits.indices.tolist() == [42] and abs(float(hits.scores[0]) - 1.0) < 1e-5


def _kill_after(child: subprocess.Popen, batches: int) -> list[str]:
    """Read the child's progress and kill -9 it once ``batches`` batches are in."""
    seen = []
    for line in child.stdout:
        seen.append(line.strip())
        if len(seen) >= batches:
            os.kill(child.pid, signal.SIGKILL)
            break
    child.wait(timeout=60)
    return seen


def test_a_process_killed_mid_upsert_leaves_a_store_the_next_open_writes_again(tmp_path, root):
    where = str(tmp_path / "store")
    n = 40_000
    child = _run(root, WRITER.format(n=n, dim=32, batch=1_000, where=where))
    seen = _kill_after(child, 3)
    assert child.returncode == -signal.SIGKILL and "complete" not in seen and len(seen) == 3
    folder = tmp_path / "store" / "kept" / "v"
    assert (folder / edge_shard.SHARD).is_dir()  # a half-written shard is on disk ...
    vectors = np.random.default_rng(5).normal(size=(n, 32)).astype(np.float32)
    store = EdgeStore([{"f": 1.0}] * n, [str(i) for i in range(n)], "kept", where=where, batch=10_000)
    assert not store.has("v")  # ... and is not taken for whole
    with pytest.raises(KeyError):
        store.search("v", vectors[0], limit=1)
    store.add("v", vectors)
    assert store.has("v") and edge_shard.marker(folder) == {"points": n, "dim": 32, "indexed": False}
    for i in (0, 12_345, n - 1):  # every point is there, the last batch's too
        assert store.search("v", vectors[i], limit=1).indices.tolist() == [i]


@pytest.mark.slow
def test_a_killed_app_takes_its_hnsw_builder_with_it_and_the_next_open_builds_again(tmp_path, root):
    """A shard large enough for HNSW is written by a builder process; kill -9 its parent mid-upsert and the builder
    dies too (it never finishes a shard somebody else starts again); the next open builds it whole."""
    where, n, dim = str(tmp_path / "store"), 8_000, 384
    assert edge_shard.indexed(n, dim)
    child = _run(root, WRITER.format(n=n, dim=dim, batch=500, where=where))
    _kill_after(child, 2)
    for _ in range(100):  # the kernel delivers the builder's SIGKILL at once; give it a moment to be reaped
        builders = subprocess.run(["pgrep", "-f", f"edge_shard {tmp_path}"], capture_output=True, text=True).stdout
        if not builders.strip():
            break
        time.sleep(0.1)
    assert not builders.strip()
    vectors = np.random.default_rng(5).normal(size=(n, dim)).astype(np.float32)
    store = EdgeStore([{"f": 1.0}] * n, [str(i) for i in range(n)], "kept", where=where, batch=2_000)
    assert not store.has("v")
    store.add("v", vectors)
    assert edge_shard.marker(tmp_path / "store" / "kept" / "v")["indexed"] is True
    assert store.search("v", vectors[7], limit=1).indices.tolist() == [7]


def test_a_folder_another_process_holds_is_refused_in_one_line(tmp_path, root):
    folder = str(tmp_path / "held")
    EdgeStore([{}], ["a"], "x", where=folder)  # this process holds the folder
    child = _run(
        root,
        f"""
        from core.retrieval.edge import EdgeStore
        try:
            EdgeStore([{{}}], ["a"], "x", where={folder!r})
        except Exception as e:
            print(type(e).__name__, str(e))
        """,
    )
    out, _ = child.communicate(timeout=120)
    assert out.startswith("InputError SIGNED_EXPLORER_QDRANT") and out.count("\n") == 1, out
    with pytest.raises(InputError, match="qdrant-client"):
        EdgeStore([{}], ["a"], "x", where="http://db:6333")
