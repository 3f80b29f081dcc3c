"""A Qdrant Edge shard is complete only once its marker is written; a large one is built by a real builder process
that reports its progress and fails in one line."""

from __future__ import annotations

import numpy as np
import pytest
import qdrant_edge as edge

from core.retrieval import edge_shard

PAYLOADS = [{"carries": ["nuts"] if i % 3 == 0 else ["tea"]} for i in range(300)]


@pytest.fixture
def vectors() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(300, 12)).astype(np.float32)


def _nearest(folder, vector: np.ndarray, exclude: list[str] = ()) -> list[int]:
    shard = edge_shard.open_shard(folder)
    try:
        flt = edge.Filter(must_not=[edge.FieldCondition(key="carries", match=edge.MatchAny(any=list(exclude)))])
        request = edge.QueryRequest(
            limit=3, query=edge.Query.Nearest(vector, using=edge_shard.VECTOR), filter=flt if exclude else None
        )
        return [int(p.id) for p in shard.query(request)]
    finally:
        shard.close()


def test_a_written_shard_is_complete_and_keyword_indexed(tmp_path, vectors):
    progress: list[int] = []
    edge_shard.write(
        tmp_path, vectors, PAYLOADS, keyword="carries", batch=128, index=False, progress=lambda d, t: progress.append(d)
    )
    assert progress == [128, 256, 300]
    assert edge_shard.marker(tmp_path) == {"points": 300, "dim": 12, "indexed": False}
    assert edge_shard.is_complete(tmp_path, 300, 12) and not edge_shard.is_complete(tmp_path, 301)
    assert not edge_shard.is_complete(tmp_path, 300, 13)  # another dimension is another shard
    shard = edge_shard.open_shard(tmp_path)
    assert "carries" in shard.info().payload_schema
    shard.close()
    assert _nearest(tmp_path, vectors[3])[0] == 3 and 3 not in _nearest(tmp_path, vectors[3], ["nuts"])


def test_a_removed_shard_is_gone_marker_first(tmp_path, vectors):
    edge_shard.write(tmp_path, vectors, PAYLOADS, keyword="carries", batch=300, index=False)
    edge_shard.remove(tmp_path)
    assert edge_shard.marker(tmp_path) is None and not (tmp_path / edge_shard.SHARD).exists()
    edge_shard.remove(tmp_path)  # nothing left to remove is fine


def test_writing_again_starts_from_scratch(tmp_path, vectors):
    edge_shard.write(tmp_path, vectors, PAYLOADS, keyword="carries", batch=300, index=False)
    edge_shard.write(tmp_path, vectors[:100], PAYLOADS[:100], keyword="carries", batch=300, index=False)
    shard = edge_shard.open_shard(tmp_path)
    assert shard.info().points_count == 100
    shard.close()


def test_a_large_shard_is_built_by_a_builder_process(tmp_path, vectors):
    """``index=True`` takes the builder's path (as every shard above Qdrant's indexing threshold does)."""
    seen: list[tuple[int, int]] = []
    edge_shard.build(
        tmp_path, vectors, PAYLOADS, keyword="carries", batch=100, index=True, progress=lambda *a: seen.append(a)
    )
    assert seen == [(100, 300), (200, 300), (300, 300)]
    assert edge_shard.marker(tmp_path)["indexed"] is True and not (tmp_path / edge_shard.INPUT).exists()
    assert _nearest(tmp_path, vectors[9])[0] == 9


def test_a_builder_that_fails_says_why_in_one_line(tmp_path):
    (tmp_path / edge_shard.INPUT).mkdir()  # no staged vectors: the builder cannot start
    with pytest.raises(RuntimeError, match="builder stopped .*FileNotFoundError") as info:
        edge_shard._run_builder(tmp_path, 1, 1, None)
    assert "\n" not in str(info.value) and edge_shard.marker(tmp_path) is None


def test_the_hnsw_settings_are_qdrants_defaults():
    hnsw = edge_shard.config(384).hnsw_config
    assert (hnsw.m, hnsw.ef_construct, hnsw.full_scan_threshold) == (16, 100, 10_000)
    assert edge_shard.indexed(10_000, 384) and not edge_shard.indexed(25, 384)
