"""The content-hash embedding cache: shared across processes, flushed, compacted, robust to damage."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

from core.engine.cache import CachedEmbedder
from tests.samples import TEXTS

CHILD = """
import hashlib, json, sys
from core.engine.cache import get_embedder
e = get_embedder()
v = e.encode(json.loads(sys.argv[1]))
e.flush()
print(json.dumps({"encoded": e.stats["encoded"], "digest": hashlib.sha256(v.tobytes()).hexdigest()}))
"""


def run_child(cache_dir, texts, root):
    env = {**os.environ, "SIGNED_EXPLORER_CACHE": str(cache_dir), "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(texts)], env=env, cwd=root, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_cache_is_shared_across_processes_and_the_second_run_encodes_nothing(tmp_path, root):
    texts = [f"a profile nobody has embedded before {i}" for i in range(5)]
    first = run_child(tmp_path, texts, root)
    second = run_child(tmp_path, texts, root)
    assert first["encoded"] == 5
    assert second["encoded"] == 0
    assert first["digest"] == second["digest"], "vectors read from disk are bit-identical"
    assert not list(tmp_path.rglob(".tmp-*")), "no temporary files are left behind"


def test_memory_cache_hits_and_flush(tmp_path, embedder):
    cached = CachedEmbedder(embedder.inner, tmp_path)
    cached.encode(TEXTS)
    cached.encode(TEXTS)
    assert cached.stats["encoded"] == 3 and cached.stats["hits"] == 3
    cached.flush()
    fresh = CachedEmbedder(embedder.inner, tmp_path)
    np.testing.assert_array_equal(fresh.encode(TEXTS), cached.encode(TEXTS))
    assert fresh.stats["encoded"] == 0


def test_a_damaged_pack_is_skipped(tmp_path, embedder):
    cached = CachedEmbedder(embedder.inner, tmp_path)
    cached.encode(TEXTS[:1])
    cached.flush()
    (cached.directory / "pack-broken.npz").write_bytes(b"not a zip file")
    fresh = CachedEmbedder(embedder.inner, tmp_path)
    fresh.encode(TEXTS[:1])
    assert fresh.stats["encoded"] == 0


def test_packs_are_compacted(tmp_path, embedder):
    cached = CachedEmbedder(embedder.inner, tmp_path)
    for i in range(30):
        cached.encode([f"compaction text {i}"])
        cached.flush()
    assert len(list(cached.directory.glob("pack-*.npz"))) < 10
    fresh = CachedEmbedder(embedder.inner, tmp_path)
    fresh.encode([f"compaction text {i}" for i in range(30)])
    assert fresh.stats["encoded"] == 0


def test_keys_ending_in_a_nul_byte_survive_the_disk(tmp_path, embedder):
    cached = CachedEmbedder(embedder.inner, tmp_path)
    text = next(t for t in (f"nul byte probe {i}" for i in range(100_000)) if cached.key(t).endswith(b"\x00"))
    cached.encode([text])
    cached.flush()
    fresh = CachedEmbedder(embedder.inner, tmp_path)
    fresh.encode([text])
    assert fresh.stats["encoded"] == 0
