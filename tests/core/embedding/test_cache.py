"""The content-hash embedding cache: shared across processes, flushed, compacted, robust to damage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from core.embedding.cache import CHUNK, EXPRESS, CachedEmbedder
from tests.samples import TEXTS

CHILD = """
import hashlib, json, sys
from core.embedding.cache import get_embedder
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


@pytest.mark.slow
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


class SlowEmbedder:
    """The real model behind a gate the test opens: only for the lock and scheduling tests below."""

    def __init__(self, inner):
        self.inner, self.name, self.calls = inner, inner.name, []
        self.entered, self.release = threading.Event(), threading.Event()

    @property
    def dim(self):
        return self.inner.dim

    def encode(self, texts, *, progress=None):
        self.calls.append(list(texts))
        self.entered.set()
        assert self.release.wait(60), "the test never released the model"
        return self.inner.encode(texts)


def in_thread(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def test_a_cached_lookup_returns_while_another_caller_is_inside_the_model(embedder):
    slow = SlowEmbedder(embedder.inner)
    cached = CachedEmbedder(slow, None)
    slow.release.set()
    cached.encode(["already cached"])
    slow.release.clear()
    slow.entered.clear()
    busy = in_thread(cached.encode, ["a text nobody has encoded"])
    assert slow.entered.wait(30)
    lookup = in_thread(cached.encode, ["already cached"])
    lookup.join(30)
    assert not lookup.is_alive(), "the cached lookup waited for the other caller's model call"
    assert busy.is_alive(), "the other caller is still inside the model"
    slow.release.set()
    busy.join(30)


def test_shared_texts_are_encoded_once_small_jobs_never_queue_and_medium_jobs_go_first(embedder):
    slow = SlowEmbedder(embedder.inner)
    cached = CachedEmbedder(slow, None)
    big = [f"big build text {i}" for i in range(3 * CHUNK)]
    medium = [f"medium request {i}" for i in range(EXPRESS + 1)]
    first = in_thread(cached.encode, big)
    assert slow.entered.wait(30)  # the big build is inside the model with its first chunk
    small = in_thread(cached.encode, [big[-1], "a small request"])
    deadline = time.monotonic() + 30
    while len(slow.calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert slow.calls[1] == ["a small request"], "the small job entered the model beside the big one"
    second = in_thread(cached.encode, medium)
    time.sleep(0.2)  # let the medium job queue for its turn (ordering, not timing, is asserted)
    slow.release.set()
    for thread in (first, small, second):
        thread.join(60)
    sent = [text for call in slow.calls for text in call]
    assert sorted(sent) == sorted([*big, "a small request", *medium]), "every text reached the model exactly once"
    assert slow.calls[2] == medium, "the medium job ran before the big job's second chunk"


def test_the_real_model_serves_a_small_job_while_a_large_one_runs_in_another_thread(embedder):
    cached = CachedEmbedder(embedder.inner, None)
    large = [f"a long build, text {i}: anxiety -0.{i % 10}, adventure 0.{i % 7}" for i in range(8 * CHUNK)]
    results: dict[str, np.ndarray] = {}
    build = in_thread(lambda: results.setdefault("large", cached.encode(large)))
    while cached.claimed() == 0 and build.is_alive():
        time.sleep(0.01)
    small = cached.encode(["anxiety: -0.9, adventure: 0.8", "calm: 0.4"])  # tokenising in two threads at once
    assert build.is_alive(), "the small job finished while the large build was still running"
    build.join(300)
    expected = embedder.inner.encode(["anxiety: -0.9, adventure: 0.8", "calm: 0.4"])
    assert np.allclose(small, expected, atol=1e-5)
    assert np.allclose(results["large"][:3], embedder.inner.encode(large[:3]), atol=1e-5)


RESUMABLE = "resumable build text number {i}, about {j} things"
KILLED_CHILD = """
import json, sys
from core.embedding.cache import get_embedder
e = get_embedder()
e._flush_seconds = 0.0  # a pack after every chunk, so the test can stop the process between two
texts = [sys.argv[1].format(i=i, j=i % 17) for i in range(int(sys.argv[2]))]
e.encode(texts)
e.flush()
print(json.dumps({"encoded": e.stats["encoded"]}))
"""


@pytest.mark.slow
def test_a_killed_build_resumes_where_it_stopped(tmp_path, root):
    n = 40 * CHUNK
    texts = [RESUMABLE.format(i=i, j=i % 17) for i in range(n)]
    env = {**os.environ, "SIGNED_EXPLORER_CACHE": str(tmp_path), "PYTHONPATH": str(root)}
    argv = [sys.executable, "-c", KILLED_CHILD, RESUMABLE, str(n)]
    child = subprocess.Popen(argv, env=env, cwd=root)
    try:
        deadline = time.monotonic() + 600
        while len(list(tmp_path.rglob("pack-*.npz"))) < 3:  # stop it once three chunks are on disk
            assert child.poll() is None, "the build finished before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        child.kill()
        child.wait()
    on_disk = set()
    for pack in tmp_path.rglob("pack-*.npz"):
        with np.load(pack) as data:
            on_disk |= {bytes(k) for k in data["keys"]}
    assert 0 < len(on_disk) < len(texts)
    out = subprocess.run(argv, env=env, cwd=root, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    encoded = json.loads(out.stdout.strip().splitlines()[-1])["encoded"]
    assert encoded == len(texts) - len(on_disk), "the second build embeds only what is missing"
