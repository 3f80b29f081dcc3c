"""One Qdrant Edge shard on disk: how it is written, when it counts as complete, and the process that builds a
large one.

Qdrant Edge (``qdrant-edge-py``, pinned) is Qdrant's own Rust engine inside this process. It keeps a shard in a
folder (it has no in-memory mode), and every call holds the GIL for its whole run: an upsert batch, a query, and
``optimize()``, which builds the HNSW graph (10 s for 20,000 x 128 on our 2 cores: every session of the app
frozen that long). So:

- a shard too small for Qdrant to index (at most ``INDEXING_THRESHOLD_KB`` of vectors: 6,666 products at 384
  dimensions, and every hand-written preset) is written in this process, in a fraction of a second, and searched
  exactly;
- a larger one is written by a builder process (``python -m core.retrieval.edge_shard FOLDER PARENT_PID``), at
  low priority, which also builds its HNSW graph while the app's sessions go on. It dies with its parent.

A shard counts as complete only when ``complete.json`` sits beside it, written atomically after its last batch
was flushed and the shard closed. A shard without one (a process killed mid-upsert, mid-build or mid-index) is
never opened as whole: the next :func:`build` deletes it and writes it again (a redo; upserts are cheap next to a
half-store used as whole).

This module imports only numpy and qdrant_edge (never the rest of ``core``), so the builder starts quickly.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import qdrant_edge as edge

VECTOR = "items"  # the one named vector of a shard
SHARD, MARKER, INPUT, LOG = "shard", "complete.json", "input", "build.log"
HNSW_M = 16  # Qdrant's defaults (lib/segment/src/types.rs, `impl Default for HnswConfig`): edges per node,
HNSW_EF_CONSTRUCT = 100  # candidates while building,
FULL_SCAN_THRESHOLD_KB = 10_000  # and below this many KB of (filtered) vectors a search scans instead of walking
INDEXING_THRESHOLD_KB = 10_000  # Qdrant's default (lib/shard/src/optimizers/config.rs): larger segments get HNSW
BUILDER_NICE = 10  # the builder's priority: the app's sessions come first
ROOT = Path(__file__).resolve().parent.parent.parent

Progress = Callable[[int, int], None]


def config(dim: int) -> edge.EdgeConfig:
    """One cosine vector of ``dim`` dimensions, Qdrant's default HNSW settings (stated here), the WAL on (it is
    what makes an upsert survive a killed process)."""
    return edge.EdgeConfig(
        vectors={VECTOR: edge.EdgeVectorParams(size=int(dim), distance=edge.Distance.Cosine)},
        hnsw_config=edge.HnswIndexConfig(
            m=HNSW_M, ef_construct=HNSW_EF_CONSTRUCT, full_scan_threshold=FULL_SCAN_THRESHOLD_KB
        ),
        optimizers=edge.EdgeOptimizersConfig(indexing_threshold=INDEXING_THRESHOLD_KB),
        wal_enabled=True,
    )


def indexed(n: int, dim: int) -> bool:
    """Whether Qdrant builds an HNSW graph for ``n`` vectors of ``dim`` float32s (above its indexing threshold).

    >>> indexed(6_666, 384), indexed(6_667, 384), indexed(25, 384)
    (False, True, False)
    """
    return n * dim * 4 > INDEXING_THRESHOLD_KB * 1024


def marker(folder: Path) -> dict | None:
    """What the completion marker says (``{"points", "dim", "indexed"}``), or None: no complete shard here."""
    try:
        return json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None


def is_complete(folder: Path, n: int, dim: int | None = None) -> bool:
    """A complete shard of ``n`` points (and ``dim`` dimensions, when given) is in ``folder``."""
    found = marker(folder)
    return bool(found) and found.get("points") == n and (dim is None or found.get("dim") == dim)


def open_shard(folder: Path) -> edge.EdgeShard:
    """Open a complete shard (the WAL is replayed; a second opener, in this process or another, is refused)."""
    return edge.EdgeShard.load(str(folder / SHARD))


def remove(folder: Path) -> None:
    """Delete a shard and its marker (the marker first: a half-deleted shard is never taken for whole)."""
    with contextlib.suppress(FileNotFoundError):
        (folder / MARKER).unlink()
    shutil.rmtree(folder / SHARD, ignore_errors=True)


def write(
    folder: Path,
    vectors: np.ndarray,
    payloads: Sequence[dict],
    *,
    keyword: str,
    batch: int,
    index: bool,
    progress: Progress | None = None,
) -> None:
    """Write a shard from scratch: a keyword index on ``keyword`` (before the points, so it is built as they come),
    the points in batches, HNSW if ``index``, then flush, close and the marker."""
    n, dim = vectors.shape
    remove(folder)
    shard = edge.EdgeShard.create(str(folder / SHARD), config(dim))
    try:
        shard.update(edge.UpdateOperation.create_field_index(keyword, edge.PayloadSchemaType.Keyword))
        for start in range(0, n, batch):
            stop = min(start + batch, n)
            rows = np.ascontiguousarray(vectors[start:stop], dtype=np.float32)
            points = [edge.Point(i, {VECTOR: rows[i - start]}, payloads[i]) for i in range(start, stop)]
            shard.update(edge.UpdateOperation.upsert_points(points))
            if progress is not None:
                progress(stop, n)
        points = payloads = None  # in the builder, the last reference: the HNSW build gets that memory
        if index:
            shard.optimize()
        shard.flush()
    finally:
        shard.close()
    temporary = folder / (MARKER + ".tmp")
    temporary.write_text(json.dumps({"points": int(n), "dim": int(dim), "indexed": bool(index)}))
    os.replace(temporary, folder / MARKER)


def build(
    folder: Path,
    vectors: np.ndarray,
    payloads: Sequence[dict],
    *,
    keyword: str,
    batch: int,
    index: bool | None = None,
    progress: Progress | None = None,
) -> None:
    """Write a complete shard into ``folder``: here when it is small, else in a builder process that also builds
    its HNSW (``index``: None decides by size, as Qdrant's indexing threshold does)."""
    n, dim = vectors.shape
    index = indexed(n, dim) if index is None else index
    folder.mkdir(parents=True, exist_ok=True)
    if not index:
        write(folder, vectors, payloads, keyword=keyword, batch=batch, index=False, progress=progress)
        return
    staged = folder / INPUT
    staged.mkdir(exist_ok=True)
    np.save(staged / "vectors.npy", np.asarray(vectors, dtype=np.float32))
    (staged / "payloads.json").write_text(json.dumps(list(payloads)))
    (staged / "meta.json").write_text(json.dumps({"keyword": keyword, "batch": batch}))
    try:
        _run_builder(folder, n, dim, progress)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def _run_builder(folder: Path, n: int, dim: int, progress: Progress | None) -> None:
    """Run the builder process, passing its progress on; refuse in one line if it did not finish."""
    with open(folder / LOG, "w") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "core.retrieval.edge_shard", str(folder), str(os.getpid())],
            cwd=ROOT,  # python -m puts the working folder first on the path: the child imports this checkout
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            for line in child.stdout or ():
                done, total = (int(part) for part in line.split())
                if progress is not None:
                    progress(done, total)
            code = child.wait()
        finally:  # an interrupted caller leaves no builder behind
            if child.poll() is None:
                child.kill()
                child.wait()
    if code or not is_complete(folder, n, dim):
        lines = (folder / LOG).read_text(errors="replace").strip().splitlines()
        raise RuntimeError(f"the Qdrant Edge builder stopped (exit {code}): {lines[-1] if lines else 'no message'}")


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux), and stop now if it already has: an orphan
    builder must never finish a shard somebody else has started again."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        sys.exit(3)


def main(argv: Sequence[str]) -> int:
    """The builder process: read the staged input, write the shard with its HNSW graph, print ``done total``."""
    folder, parent = Path(argv[0]), int(argv[1])
    _die_with(parent)
    with contextlib.suppress(OSError):
        os.nice(BUILDER_NICE)
    staged = folder / INPUT
    meta = json.loads((staged / "meta.json").read_text())
    vectors = np.load(staged / "vectors.npy", mmap_mode="r")

    def report(done: int, total: int) -> None:
        print(done, total, flush=True)

    payloads = (staged / "payloads.json").read_text()
    keyword, batch = meta["keyword"], meta["batch"]
    write(folder, vectors, json.loads(payloads), keyword=keyword, batch=batch, index=True, progress=report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
