"""The Qdrant store (through the real client, embedded) answers as the numpy store does; a hard no is a filter in
both; the recommend strategies follow Qdrant's documented formulas; writes are kept and resumable."""

from __future__ import annotations

import socket
import subprocess
import sys

import numpy as np
import pytest

from core.errors import InputError
from core.numeric import normalize_rows, unit
from core.retrieval.carriers import Carriers
from core.retrieval.marks import hard_nos, violates
from core.retrieval.qdrant import QdrantStore, client, collection_name, location
from core.retrieval.recommender import Recommender
from core.retrieval.stores import NumpyStore
from core.scenarios.presets import load_preset
from core.vectors.examples import STRATEGIES, ExampleIds, Examples, sigmoid
from core.vectors.methods import ALL_METHOD_NAMES
from tests.samples import same_top

PRODUCTS = [{"nuts": 1.0, "sweet": 0.5}, {"tea": 1.0}, {"nuts": -1.0, "salt": 1.0}, {"sweet": 1.0}] * 40


def _stores(vectors: np.ndarray, tmp_name: str) -> tuple[NumpyStore, QdrantStore]:
    memory = NumpyStore(Carriers(PRODUCTS))
    memory.add("v", vectors)
    qdrant = QdrantStore(PRODUCTS, [f"p{i}" for i in range(len(PRODUCTS))], collection_name(tmp_name), batch=64)
    qdrant.add("v", vectors)
    return memory, qdrant


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return normalize_rows(np.random.default_rng(3).normal(size=(len(PRODUCTS), 16)))


def test_search_agrees_between_numpy_and_qdrant_with_and_without_the_filter(vectors):
    memory, qdrant = _stores(vectors, "search")
    query = unit(np.random.default_rng(4).normal(size=16))
    for exclude in ([], ["nuts"], ["nuts", "tea"]):
        a = memory.search("v", query, limit=len(PRODUCTS), exclude=exclude).full(len(PRODUCTS))
        b = qdrant.search("v", query, limit=len(PRODUCTS), exclude=exclude).full(len(PRODUCTS))
        assert np.array_equal(np.isinf(a), np.isinf(b)) and np.allclose(a[~np.isinf(a)], b[~np.isinf(b)], atol=1e-5)
        removed = {i for i, p in enumerate(PRODUCTS) if violates(p, exclude)}
        assert set(np.flatnonzero(np.isinf(b))) == removed  # a product scored -1 for nuts is not removed
    top = qdrant.search("v", query, limit=5)
    assert len(top.indices) == 5 and same_top(memory.search("v", query, limit=5).full(160), top.full(160), 5)


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("sides", [(3, 2), (3, 0), (0, 2)], ids=["both", "likes only", "dislikes only"])
def test_qdrant_strategies_follow_the_documented_formulas(vectors, strategy, sides):
    rng = np.random.default_rng(sum(sides))
    examples = Examples(rng.normal(size=(sides[0], 16)), rng.normal(size=(sides[1], 16)))
    memory, qdrant = _stores(vectors, f"formula-{strategy}-{sides}")
    got = qdrant.recommend("v", examples, strategy, limit=len(PRODUCTS)).full(len(PRODUCTS))
    assert np.allclose(got, memory.recommend("v", examples, strategy, limit=len(PRODUCTS)).full(160), atol=1e-5)
    pos = vectors @ normalize_rows(examples.positive).T if sides[0] else None
    neg = vectors @ normalize_rows(examples.negative).T if sides[1] else None
    if strategy == "sum_scores":  # written out once more, by hand
        expected = (pos.sum(axis=1) if pos is not None else 0) - (neg.sum(axis=1) if neg is not None else 0)
        assert np.allclose(got, expected, atol=1e-5)
    elif strategy == "best_score":
        best_pos = pos.max(axis=1) if pos is not None else np.full(160, -np.inf)
        best_neg = neg.max(axis=1) if neg is not None else np.full(160, -np.inf)
        assert np.allclose(got, np.where(best_pos > best_neg, sigmoid(best_pos), -sigmoid(best_neg)), atol=1e-5)
    elif sides[0] == 0:  # average_vector without a liked example: Qdrant refuses; every product scores 0
        assert np.all(got == 0)


def test_examples_by_id_looked_up_in_another_collection(vectors):
    memory, qdrant = _stores(vectors, "lookup-catalogue")
    candidates = vectors[:20]
    small = QdrantStore([{}] * 20, [str(i) for i in range(20)], collection_name("lookup-candidates"))
    small.add("v", candidates)
    small_memory = NumpyStore(Carriers([{}] * 20))
    small_memory.add("v", candidates)
    by_id, by_vector = ExampleIds.of([30, 31, 40], [50]), Examples(vectors[[30, 31, 40]], vectors[[50]])
    for strategy in STRATEGIES:
        a = small.recommend("v", by_id, strategy, limit=20, lookup=qdrant).full(20)
        b = small.recommend("v", by_vector, strategy, limit=20).full(20)
        c = small_memory.recommend("v", by_id, strategy, limit=20, lookup=memory).full(20)
        assert np.allclose(a, b, atol=1e-5) and np.allclose(a, c, atol=1e-5), strategy
    # named by id in the same collection, an example is never returned (as a Qdrant server does)
    hits = qdrant.recommend("v", by_id, "sum_scores", limit=160)
    assert not {30, 31, 40, 50} & set(hits.indices.tolist()) and len(hits.indices) == 156


@pytest.fixture(scope="module")
def peanut_stores(embedder):
    scenario = load_preset("peanut-allergy")
    return scenario, Recommender(scenario, embedder), Recommender(scenario, embedder, store="qdrant")


def test_the_qdrant_store_ranks_every_preset_user_as_the_numpy_store_does(peanut_stores):
    scenario, memory, qdrant = peanut_stores
    for user in scenario.users:
        for filtered in (False, True):
            a = memory.rank(dict(user.profile), ALL_METHOD_NAMES, k=5, filter_hard_no=filtered)
            b = qdrant.rank(dict(user.profile), ALL_METHOD_NAMES, k=5, filter_hard_no=filtered)
            for method in ALL_METHOD_NAMES:
                assert same_top(a.rankings[method].scores, b.rankings[method].scores, 5), (user.id, method, filtered)


def test_the_hard_no_filter_keeps_peanuts_out_of_every_top_5(peanut_stores):
    scenario, memory, _ = peanut_stores
    profile = dict(scenario.user("peanut-allergic").profile)
    peanuts = hard_nos(profile)
    assert peanuts == ["peanuts"]

    def carrying(result) -> dict[str, int]:
        return {
            m: sum(violates(scenario.products[i].profile, peanuts) for i in r.top(5))
            for m, r in result.rankings.items()
        }

    before = carrying(memory.rank(profile, ALL_METHOD_NAMES, k=5))
    assert {m: before[m] for m in ("naive", "prefix", "split", "whitened", "weighted", "exact")} == {
        "naive": 4, "prefix": 2, "split": 1, "whitened": 1, "weighted": 0, "exact": 0,
    }  # fmt: skip
    after = memory.rank(profile, ALL_METHOD_NAMES, k=5, filter_hard_no=True)
    assert all(count == 0 for count in carrying(after).values())
    assert after.removed.sum() == sum(violates(p.profile, peanuts) for p in scenario.products) > 0
    assert all(after.rankings[m].top(5).size == 5 for m in ALL_METHOD_NAMES)  # the rest fill the top 5


def test_a_zero_query_or_no_examples_score_every_allowed_product_zero(vectors):
    _, qdrant = _stores(vectors, "zero")
    hits = qdrant.search("v", np.zeros(16), limit=160, exclude=["nuts"])
    assert np.all(hits.scores == 0) and len(hits.indices) == 120
    none = Examples(np.zeros((0, 16)), np.zeros((0, 16)))
    assert np.all(qdrant.recommend("v", none, "best_score", limit=160).scores == 0)


def test_vectors_are_written_once_and_an_interrupted_write_is_completed(tmp_path, vectors):
    where = str(tmp_path / "qdrant")
    store = QdrantStore(PRODUCTS, [str(i) for i in range(160)], "kept", where=where, batch=32)

    def stop_after_two(done: int, total: int) -> None:
        if done >= 64:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.add("v", vectors, progress=stop_after_two)
    assert not store.has("v")  # half written is not written
    again = QdrantStore(PRODUCTS, [str(i) for i in range(160)], "kept", where=where, batch=32)
    again.add("v", vectors)
    assert again.has("v") and QdrantStore(PRODUCTS, [str(i) for i in range(160)], "kept", where=where).has("v")
    assert client(location(where)).count("kept", exact=True).count == 160
    again.add("w", vectors[:, ::-1].copy())  # a second named vector joins the same points
    hits = again.search("w", vectors[0, ::-1], limit=1)
    assert hits.indices.tolist() == [0]
    again.drop("w")
    assert not again.has("w") and again.has("v")


def test_where_the_collections_live_is_checked_in_one_line(tmp_path):
    (tmp_path / "file").write_text("x")
    for bad in (str(tmp_path / "file"), "ftp://host", "redis://x:1"):
        with pytest.raises(InputError, match="SIGNED_EXPLORER_QDRANT") as info:
            location(bad)
        assert "\n" not in str(info.value)
    assert location("MEMORY") == "memory" and location("https://q.example:6333") == "https://q.example:6333"


def test_a_folder_another_process_holds_is_refused_in_one_line(tmp_path, root):
    folder = tmp_path / "held"
    client(location(str(folder)))  # this process holds the folder's lock
    code = (
        "from core.retrieval.qdrant import client, location\n"
        f"try:\n    client(location({str(folder)!r}))\nexcept Exception as e:\n    print(type(e).__name__, str(e))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert out.stdout.startswith("InputError SIGNED_EXPLORER_QDRANT") and out.stdout.count("\n") == 1, out


def test_a_server_collection_takes_its_shards_and_replicas_from_the_environment(monkeypatch):
    with socket.create_server(("127.0.0.1", 0)) as listening:  # a port that accepts connections: the door's probe
        url = f"http://127.0.0.1:{listening.getsockname()[1]}"
        store = QdrantStore([{}], ["a"], "layout")  # embedded: no shards
        assert store._layout() == {}
        monkeypatch.setenv("SIGNED_EXPLORER_QDRANT", url)
        monkeypatch.setenv("SIGNED_EXPLORER_QDRANT_SHARDS", "6,2")
        store.where = url  # what a server location asks for (no request is sent here)
        assert store._layout() == {"shard_number": 6, "replication_factor": 2}
        for bad in ("6", "0,1", "x,2", "6,2,1", "99,1", "²,1", "1_0,2"):
            monkeypatch.setenv("SIGNED_EXPLORER_QDRANT_SHARDS", bad)
            with pytest.raises(InputError, match="expected 'shards,replicas'"):
                store._layout()


def test_a_server_collection_gets_a_keyword_index_for_the_hard_no_filter(vectors):
    """On a server the filter's field is indexed whenever vectors are added (also to a collection that existed
    before); the embedded mode asks for no index. The requests go to the real embedded client, recorded."""
    import warnings

    from qdrant_client import models

    store = QdrantStore(PRODUCTS, [f"p{i}" for i in range(len(PRODUCTS))], collection_name("indexed"), batch=64)
    asked: list[tuple] = []

    class Recorded:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def create_payload_index(self, *args, **kwargs):
            asked.append(args)
            return self.inner.create_payload_index(*args, **kwargs)

    store._client = Recorded(store._client)
    store.add("embedded", vectors)
    assert asked == []
    store.where = "http://db:6333"  # what a server location does (the requests still go to the embedded client)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the embedded client says indexes have no effect there
        store.add("v", vectors)
        store.add("w", vectors[:, ::-1].copy())
    assert asked == [(store.name, "carries", models.PayloadSchemaType.KEYWORD)] * 2
    assert store.search("v", vectors[0], limit=1, exclude=["nuts"]).indices.tolist() != [0]
