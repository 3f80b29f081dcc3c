"""A classroom on one link: N students open a share link and drag a slider every 2 s, against a real server.

Each student is a websocket client that speaks Streamlit's own protocol (the protobuf
messages the browser sends and receives): it opens the link, finds the Explorer's live
panel, and every ``--interval`` seconds drags one slider, exactly as the panel does: it *grabs*
the slider (asks for its sweep, and again every 0.25 s until the sweep is complete: the browser
then plays the drag with no server), and *lets go* (commits every shown score, a fragment rerun).
Grab-to-live runs from the first request until the complete sweep is in hand; a release's
latency from sending it until the server reports the fragment run finished *and* the new panel
shows the moved score; anything else (an exception, a timeout, a panel that did not move) is an
error. ``--mode step`` measures the old way instead: one committed move per interval.

Optionally one more visitor cold-loads ``bench-10k`` (10,000 products, a fresh embedding
cache, so tens of thousands of texts to embed and six maps to fit) while the students
work, and keeps its progress view polling as a browser would.

Everything talks to 127.0.0.1 only, and every loop is bounded in count and time. Server
CPU and memory come from /proc (Linux). Usage::

    python bench/classroom.py [--students 1,10,30] [--seconds 60] [--replicas 1,2] [--heavy both|off|on]

Writes ``bench/results/classroom.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bounded_int, int_list, log, write_result  # noqa: E402
from core.embedding.cache import default_cache_dir  # noqa: E402
from scripts.harness import streamlit_server  # noqa: E402
from scripts.serve import replicas  # noqa: E402
from scripts.session_client import LOAD_TIMEOUT, MOVE_TIMEOUT, Client  # noqa: E402

LINK = "preset=sign-trap&user=user-a"
HEAVY_LINK = "preset=bench-10k"
FEATURES = ("anxiety", "adventure")
USER_A = {"anxiety": -0.9, "adventure": 0.8}  # the link's user, as the panel first shows her


async def student(url: str, seconds: float, interval: float, seed: int, out: dict, drag: bool = False) -> None:
    rng = random.Random(seed)
    client = Client(url)
    scores = dict(USER_A)
    try:
        await client.connect()
        out["loads"].append(await client.open(LINK))
        if client.panel_id is None:
            raise AssertionError("no live panel on the page")
        await asyncio.sleep(rng.uniform(0, interval))  # students do not move in step
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.monotonic()
            feature, value = rng.choice(FEATURES), round(rng.uniform(-1, 1) * 20) / 20
            try:
                if drag:  # grab (the sweep), play the drag in the "browser", let go (the commit)
                    out["grabs"].append(await client.grab(scores, feature, nonce=len(out["grabs"]) + 1))
                    scores[feature] = value
                    out["moves"].append(await client.release(scores, feature))
                else:
                    out["moves"].append(await client.move(feature, value))
            except Exception as exc:  # a failed move is counted, the student goes on
                out["errors"].append(f"{type(exc).__name__}: {exc}"[:200])
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))
    except Exception as exc:
        out["errors"].append(f"session: {type(exc).__name__}: {exc}"[:200])
    finally:
        await client.close()


async def heavy_visitor(url: str, seconds: float, out: dict) -> None:
    """Cold-loads bench-10k and polls its progress view once a second, as a browser would, until time is up."""
    client = Client(url)
    try:
        await client.connect()
        await client.open(HEAVY_LINK)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and client.panel_id is None:
            await asyncio.sleep(1.0)
            if client.progress_fragment:
                await client.rerun(client.query, fragment=client.progress_fragment)
                await client.until_finished(MOVE_TIMEOUT)
        out["heavy_ready"] = client.panel_id is not None
    except Exception as exc:
        out["errors"].append(f"heavy: {type(exc).__name__}: {exc}"[:200])
    finally:
        await client.close()


class ServerStats:
    """CPU and memory of the server processes, sampled from /proc."""

    def __init__(self, pids: list[int]) -> None:
        self.pids, self.samples, self.peak = pids, [], 0.0
        self.tick = os.sysconf("SC_CLK_TCK")

    def cpu_seconds(self) -> float:
        total = 0.0
        for pid in self.pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / self.tick
        return total

    def rss_mb(self) -> float:
        total = 0
        for pid in self.pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total / 1024

    async def watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.peak = max(self.peak, self.rss_mb())
            await asyncio.sleep(0.5)


async def session_run(
    url: str, pids: list[int], n: int, seconds: float, interval: float, heavy: bool, drag: bool = False
) -> dict:
    out: dict = {"loads": [], "moves": [], "grabs": [], "errors": []}
    stats = ServerStats(pids)
    before_rss, before_cpu, started = stats.rss_mb(), stats.cpu_seconds(), time.perf_counter()
    stop = asyncio.Event()
    watcher = asyncio.create_task(stats.watch(stop))
    tasks = [student(url, seconds, interval, seed, out, drag) for seed in range(n)]
    if heavy:
        tasks.append(heavy_visitor(url, seconds + interval, out))
    await asyncio.gather(*tasks)
    stop.set()
    await watcher
    wall = time.perf_counter() - started
    moves, grabs = np.array(out["moves"]) * 1000, np.array(out["grabs"]) * 1000
    cpu = stats.cpu_seconds() - before_cpu
    return {
        "students": n,
        "heavy": heavy,
        "mode": "drag" if drag else "step",
        "moves": len(moves),
        "p50_ms": round(float(np.percentile(moves, 50)), 1) if len(moves) else None,
        "p95_ms": round(float(np.percentile(moves, 95)), 1) if len(moves) else None,
        "grabs": len(grabs),
        "grab_to_live_p50_ms": round(float(np.percentile(grabs, 50)), 1) if len(grabs) else None,
        "grab_to_live_p95_ms": round(float(np.percentile(grabs, 95)), 1) if len(grabs) else None,
        "server_cpu_ms_per_grab_and_release": round(1000 * cpu / len(grabs), 1) if len(grabs) else None,
        "errors": len(out["errors"]),
        "error_examples": out["errors"][:3],
        "load_p50_s": round(float(np.median(out["loads"])), 2) if out["loads"] else None,
        "server_cpu_percent": round(100 * cpu / wall, 1),
        "server_peak_rss_mb": round(max(stats.peak, before_rss)),
        "rss_per_session_mb": round((stats.peak - before_rss) / max(n, 1), 1),
        "heavy_ready": out.get("heavy_ready"),
    }


def warm(url: str) -> None:
    """Wait until the server has prepared sign-trap and its sliders' sweeps (its warm-up runs at start: a
    teacher starts the server before the class), so runs start equal."""

    async def probe() -> None:
        client = Client(url)
        await client.connect()
        deadline = time.monotonic() + 2 * LOAD_TIMEOUT
        while time.monotonic() < deadline:
            await client.open(LINK)
            if client.panel_id is not None and client.holds(USER_A, "anxiety"):
                moved = {**USER_A, "anxiety": 0.55}  # a base only the warm-up's grid has
                if await client.grab(moved, "adventure", nonce=1) < 0.5:
                    break
            await asyncio.sleep(2)
        await client.close()

    asyncio.run(probe())


def run_all(args: argparse.Namespace) -> list[dict]:
    runs = []
    for count in args.replicas:
        for heavy in {"off": [False], "on": [True], "both": [False, True]}[args.heavy]:
            for n in args.students:
                with ExitStack() as stack:
                    cache = stack.enter_context(tempfile.TemporaryDirectory(prefix="sae-classroom-"))
                    env = {"SIGNED_EXPLORER_CACHE": _cold_cache(Path(cache))}
                    if count == 1:
                        url = stack.enter_context(streamlit_server(env=env, timeout=300))
                        pids = [_pid_on(url)]
                    else:
                        url, pids = stack.enter_context(replicas(count, env=env, timeout=300))
                    warm(url)
                    log(f"replicas={count} students={n} heavy={heavy}: running {args.seconds} s")
                    drag = args.mode == "drag"
                    result = asyncio.run(session_run(url, pids, n, args.seconds, args.interval, heavy, drag))
                    result["replicas"] = count
                    log(json.dumps(result))
                    runs.append(result)
    return runs


def _cold_cache(folder: Path) -> str:
    """An empty embedding cache (bench-10k is then cold; the presets warm up at start) that keeps
    the compiled UMAP code, which every real server has after its first run."""
    compiled = (default_cache_dir() or Path.home() / ".cache" / "signed-explorer") / "numba"
    if compiled.is_dir():
        shutil.copytree(compiled, folder / "numba", dirs_exist_ok=True)
    return str(folder)


def _pid_on(url: str) -> int:
    """The pid of the server listening on the URL's port (from /proc/net/tcp and the fd links)."""
    port = int(url.rsplit(":", 1)[1])
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state, inode = line.split()[1], line.split()[3], line.split()[9]
        if state == "0A" and int(local.split(":")[1], 16) == port:
            inodes.add(inode)
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if any(os.readlink(fd).endswith(f"[{i}]") for fd in (proc / "fd").iterdir() for i in inodes):
                    return int(proc.name)
            except OSError:
                continue
    raise RuntimeError(f"no process listens on port {port}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int_list(1, 60), default=[1, 10, 30], help="class sizes, each 1 to 60")
    parser.add_argument("--seconds", type=bounded_int(5, 300), default=60, help="5 to 300 (default 60)")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between a student's moves")
    parser.add_argument("--replicas", type=int_list(1, 8), default=[1, 2], help="replica counts, each 1 to 8")
    parser.add_argument("--heavy", choices=("both", "off", "on"), default="both")
    parser.add_argument(
        "--mode",
        choices=("drag", "step"),
        default="drag",
        help="drag: grab a slider (its sweep), let go (the commit); step: one committed move per interval",
    )
    parser.add_argument("--out", default="classroom", help="result name under bench/results/")
    args = parser.parse_args()
    if not 0.5 <= args.interval <= 30:
        parser.error("--interval must be from 0.5 to 30 seconds")
    write_result(args.out, {"link": LINK, "seconds": args.seconds, "interval_s": args.interval, "runs": run_all(args)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
