from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from core.embedder import CachedEmbedder, ModelLoadError, SentenceTransformerEmbedder
from core.methods import naive_text

TEXTS = ["wine: 0.8 crowds: -0.7", "strongly dislikes anxiety", "white wine"]

CHILD = """
import hashlib, json, sys
from core.embedder import get_embedder
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


def test_rows_are_unit_float32(embedder):
    vectors = embedder.encode(TEXTS)
    assert vectors.shape == (3, embedder.dim) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.encode([]).shape == (0, embedder.dim)


def test_batching_does_not_change_vectors(embedder):
    model = embedder.inner
    together = model.encode(TEXTS)
    alone = np.stack([model.encode([t])[0] for t in TEXTS])
    np.testing.assert_allclose(together, alone, atol=1e-5)


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


def test_truncation_is_known(embedder):
    assert embedder.max_seq_length == 256
    short = naive_text({"wine": 0.8})
    assert embedder.truncated_at(short) is None
    long_text = naive_text({f"feature number {i}": 0.5 for i in range(120)})
    cut = embedder.truncated_at(long_text)
    assert cut is not None and 0 < cut < len(long_text)
    # Text after the cut does not change the vector: the model never sees it.
    changed = long_text[:cut] + long_text[cut:].replace("0.5", "-0.5")
    np.testing.assert_allclose(embedder.inner.encode([long_text]), embedder.inner.encode([changed]), atol=1e-6)


def test_a_missing_model_gives_a_clear_error(tmp_path):
    missing = SentenceTransformerEmbedder(str(tmp_path / "no-such-model"))
    with pytest.raises(ModelLoadError, match="cannot load embedding model .*downloads are off"):
        missing.encode(["x"])


def test_keys_ending_in_a_nul_byte_survive_the_disk(tmp_path, embedder):
    cached = CachedEmbedder(embedder.inner, tmp_path)
    text = next(t for t in (f"nul byte probe {i}" for i in range(100_000)) if cached.key(t).endswith(b"\x00"))
    cached.encode([text])
    cached.flush()
    fresh = CachedEmbedder(embedder.inner, tmp_path)
    fresh.encode([text])
    assert fresh.stats["encoded"] == 0
