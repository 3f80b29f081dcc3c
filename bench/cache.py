"""What knowing the model costs: fingerprints and pack checks, each in a fresh process.

- **Fingerprints.** For every installed registry model, the time to compute its fingerprint in a new process
  (reading its small files; the weights stand in by their recorded SHA-256). For a model given as a folder (a
  copy of the bundled MiniLM, weights included), the time to hash every file the first time in a process, and
  again in the same process (memoised by size and modification time).
- **Pack checks.** Packs of n vectors (384-d) written by the cache, then read by a new cache in a new process:
  the time of the first lookup, which reads and checks every pack (dtype, shape, model, checksum, finite, unit
  length), against reading the same arrays without the checks.

Usage: ``python bench/cache.py [--vectors 1000,10000,30000]``. Writes ``bench/results/cache.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import int_list, log, write_result  # noqa: E402

FINGERPRINT = r"""
import json, sys, time
from core.embedding import backends, models
from core.embedding.embedder import SentenceTransformerEmbedder

def made():
    if len(sys.argv) > 2:
        return SentenceTransformerEmbedder(sys.argv[2], name="folder")
    return backends.load(models.spec(sys.argv[1]))

started = time.perf_counter()
first = made().fingerprint
first_s = time.perf_counter() - started
started = time.perf_counter()
assert made().fingerprint == first
print(json.dumps({"first_s": round(first_s, 3), "again_s": round(time.perf_counter() - started, 4)}))
"""

PACKS = r"""
import json, sys, time
import numpy as np
from core.embedding.cache import CachedEmbedder
from core.embedding.backends import load
from core.embedding.models import spec

inner = load(spec("minilm"))
cached = CachedEmbedder(inner, sys.argv[1])
store = cached.store
started = time.perf_counter()
packs = store.read_new()
checked = time.perf_counter() - started
unchecked = 0.0
for path in sorted(store.directory.glob("pack-*.npz")):
    started = time.perf_counter()
    with np.load(path) as pack:
        keys, vectors = pack["keys"], pack["vectors"]
    unchecked += time.perf_counter() - started
print(json.dumps({"packs": len(packs), "vectors": sum(len(k) for k, _ in packs), "read_and_check_s": round(checked, 4),
                  "read_only_s": round(unchecked, 4), "set_aside": store.set_aside}))
"""

WRITE = r"""
import sys
import numpy as np
from core.embedding.cache import CachedEmbedder
from core.embedding.backends import load
from core.embedding.models import spec

cached = CachedEmbedder(load(spec("minilm")), sys.argv[1])
rng = np.random.default_rng(0)
n = int(sys.argv[2])
for start in range(0, n, 2_000):  # packs of up to 2,000 vectors, as a long build writes them
    count = min(2_000, n - start)
    vectors = rng.normal(size=(count, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    keys = [cached.key(f"bench text {start + i}") for i in range(count)]
    cached.store.write(keys, vectors)
"""


def _run(code: str, *argv: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1][:300]}
    lines = out.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def fingerprints() -> dict:
    from core.embedding import models
    from core.embedding.embedder import bundled_model_path
    from core.embedding.fingerprint import folder_files

    out = {spec.id: _run(FINGERPRINT, spec.id) for spec in models.installed()}
    with tempfile.TemporaryDirectory() as folder:
        copy = shutil.copytree(bundled_model_path(), Path(folder) / "minilm-copy")
        megabytes = sum(p.stat().st_size for p in folder_files(copy)) / 1e6
        out["a folder model (MiniLM copied)"] = {**_run(FINGERPRINT, "minilm", str(copy)), "mb": round(megabytes, 1)}
    return out


def packs(sizes: list[int]) -> list[dict]:
    results = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as folder:
            _run(WRITE, folder, str(n))
            results.append({"vectors": n, **_run(PACKS, folder)})
        log(json.dumps(results[-1]))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=int_list(100, 200_000), default=[1_000, 10_000, 30_000])
    args = parser.parse_args()
    found = {"fingerprints": fingerprints()}
    log(json.dumps(found["fingerprints"]))
    found["packs"] = packs(args.vectors)
    write_result("cache", found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
