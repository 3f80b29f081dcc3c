"""The content-hash embedding cache: shared across processes, flushed, compacted, robust to damage."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from core.embedding.cache import CHUNK, EXPRESS, CachedEmbedder, pack_checksum, pack_problem
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
        self.inner, self.name, self.fingerprint, self.calls = inner, inner.name, inner.fingerprint, []
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


# -- packs are checked when read ---------------------------------------------------------------------------


def _resealed(arrays: dict, fingerprint: str) -> dict:
    """The arrays with a checksum that matches them (a pack a faulty writer made, not one damaged later)."""
    return {**arrays, "checksum": np.array(pack_checksum(fingerprint, arrays["keys"], arrays["vectors"]))}


def _with_vectors(vectors_of, reseal=True):
    def change(arrays, fingerprint):
        changed = {**arrays, "vectors": vectors_of(arrays["vectors"])}
        return _resealed(changed, fingerprint) if reseal else changed

    return change


def _at_first(vectors, value):
    changed = vectors.copy()
    changed.flat[0] = value
    return changed


TAMPERED = {
    "NaN vectors": (_with_vectors(lambda v: np.full_like(v, np.nan)), "hold NaN or infinity"),
    "one infinite value": (_with_vectors(lambda v: _at_first(v, np.inf)), "NaN"),
    "zeroed vectors": (_with_vectors(np.zeros_like), "not of unit length"),
    "zeroed vectors, checksum kept": (_with_vectors(np.zeros_like, reseal=False), "checksum does not match"),
    "doubled vectors": (_with_vectors(lambda v: v * 2), "not of unit length"),
    "one value nudged, checksum kept": (
        _with_vectors(lambda v: _at_first(v, v.flat[0] + 1e-6), reseal=False),
        "checksum does not match",
    ),
    "integer dtype": (_with_vectors(lambda v: (v * 100).astype(np.int32)), "vectors are int32, expected float32"),
    "float64 dtype": (_with_vectors(lambda v: v.astype(np.float64)), "vectors are float64"),
    "another dimension": (_with_vectors(lambda v: np.tile(v, 2) / np.float32(np.sqrt(2))), "expected (3, 384)"),
    "one column short": (_with_vectors(lambda v: v[:, :-1]), "expected (3, 384)"),
    "a row missing": (_with_vectors(lambda v: v[:-1]), "expected (3, 384)"),
    "keys of 31 bytes": (lambda a, f: _resealed({**a, "keys": a["keys"][:, :31]}, f), "keys are uint8 (3, 31)"),
    "keys as text": (lambda a, f: {**a, "keys": np.array(["k"] * 3)}, "keys are <U1"),
    "no checksum (an older pack)": (lambda a, f: {k: v for k, v in a.items() if k != "checksum"}, "no checksum"),
    "no model": (lambda a, f: {k: v for k, v in a.items() if k != "model"}, "no model"),
    "another model's pack": (lambda a, f: _resealed({**a, "model": np.array("0" * 64)}, "0" * 64), "another model"),
    "a checksum that is a number": (lambda a, f: {**a, "checksum": np.array(7)}, "checksum does not match"),
}


def _tamper_and_reread(tmp_path, embedder, write_bad, caplog):
    cached = CachedEmbedder(embedder.inner, tmp_path)
    good = cached.encode(TEXTS)
    cached.flush()
    (pack,) = cached.directory.glob("pack-*.npz")
    with np.load(pack) as data:
        arrays = {key: data[key] for key in data.files}
    pack.unlink()
    write_bad(cached.directory / "pack-bad.npz", arrays, cached.fingerprint)
    fresh = CachedEmbedder(embedder.inner, tmp_path)
    with caplog.at_level("WARNING", logger="core.embedding.cache"):
        again = fresh.encode(TEXTS)
    return fresh, good, again


@pytest.mark.parametrize("case", list(TAMPERED))
def test_a_bad_pack_is_set_aside_with_one_warning_and_its_texts_embedded_again(tmp_path, embedder, caplog, case):
    change, reason = TAMPERED[case]

    def write_bad(path, arrays, fingerprint):
        with open(path, "wb") as handle:
            np.savez(handle, **change(arrays, fingerprint))

    fresh, good, again = _tamper_and_reread(tmp_path, embedder, write_bad, caplog)
    assert fresh.stats["encoded"] == len(TEXTS) and fresh.stats["packs_set_aside"] == 1
    np.testing.assert_allclose(again, good, atol=1e-6)  # never the bad vectors
    (warning,) = [r.getMessage() for r in caplog.records if "set aside" in r.getMessage()]
    assert reason in warning and "pack-bad.npz" in warning
    assert [p.name for p in fresh.directory.iterdir() if "bad" in p.name] == ["rejected-pack-bad.npz"]
    fresh.flush()
    caplog.clear()
    third = CachedEmbedder(embedder.inner, tmp_path)
    with caplog.at_level("WARNING", logger="core.embedding.cache"):
        np.testing.assert_allclose(third.encode(TEXTS), good, atol=1e-6)
    assert third.stats["encoded"] == 0 and not caplog.records, "the re-embedded vectors are found; no warning again"


@pytest.mark.parametrize(
    ("case", "content"),
    [
        ("garbage", lambda data: b"not a zip file at all"),
        ("empty", lambda data: b""),
        ("truncated", lambda data: data[: len(data) // 2]),
        ("a pickled object array", None),
    ],
)
def test_an_unreadable_pack_is_set_aside_never_fatal(tmp_path, embedder, caplog, case, content):
    def write_bad(path, arrays, fingerprint):
        if content is None:
            with open(path, "wb") as handle:
                np.savez(handle, keys=arrays["keys"], vectors=np.array([object()] * 3, dtype=object))
            return
        with open(path, "wb") as handle:
            np.savez(handle, **arrays)
        path.write_bytes(content(path.read_bytes()))

    fresh, good, again = _tamper_and_reread(tmp_path, embedder, write_bad, caplog)
    assert fresh.stats["encoded"] == len(TEXTS) and fresh.stats["packs_set_aside"] == 1
    np.testing.assert_allclose(again, good, atol=1e-6)
    assert any("unreadable" in r.getMessage() for r in caplog.records)


def test_zero_rows_are_accepted_only_from_a_model_that_gives_them():
    keys = np.zeros((2, 32), dtype=np.uint8)
    vectors = np.array([[1.0, 0.0], [0.0, 0.0]], dtype=np.float32)
    arrays = {"keys": keys, "vectors": vectors, "model": np.array("m"), "checksum": np.array("")}
    arrays["checksum"] = np.array(pack_checksum("m", keys, vectors))
    assert pack_problem(arrays, fingerprint="m", dim=2, zero_rows=True) is None
    assert "1 vector(s) are not of unit length" in pack_problem(arrays, fingerprint="m", dim=2)


def test_a_model_folder_changed_in_place_is_a_cache_miss_never_a_wrong_hit(tmp_path):
    """The bundled MiniLM copied into a folder (weights linked), cached, then its pooling switched to CLS."""
    from core.embedding.embedder import SentenceTransformerEmbedder, bundled_model_path

    folder = tmp_path / "model"
    shutil.copytree(bundled_model_path(), folder, ignore=shutil.ignore_patterns("model.safetensors"))
    (folder / "model.safetensors").symlink_to(bundled_model_path() / "model.safetensors")
    cache = tmp_path / "cache"
    mean = CachedEmbedder(SentenceTransformerEmbedder(folder, name="mine"), cache)
    before = mean.encode(TEXTS)
    mean.flush()
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.write_text(json.dumps({**config, "pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}))
    cls = CachedEmbedder(SentenceTransformerEmbedder(folder, name="mine"), cache)
    after = cls.encode(TEXTS)
    assert cls.stats["encoded"] == len(TEXTS) and cls.directory != mean.directory
    assert not np.allclose(after, before, atol=1e-3), "CLS pooling gives other vectors than mean pooling"
    uncached = SentenceTransformerEmbedder(folder, name="mine").encode(TEXTS)
    np.testing.assert_allclose(after, uncached, atol=1e-5)
