"""Jobs: long work shared by every session, run once in the background, watched by anyone, with the time left.

A *build* (a scenario's vectors and maps, an evaluation) runs in its own thread,
not in a visitor's script: leaving the page does not stop it, and its work is
kept. Everybody who needs the same build (the same key) watches the same
progress instead of starting it again. :class:`Once` does the same for small
per-key computations inside a build (a method's product vectors, a map).

>>> builds = Builds()
>>> build = builds.start(("demo",), "Demo", lambda report: (report("half", 0.5), 42)[1])
>>> build.wait(10), build.result, builds.start(("demo",), "Demo", lambda report: 0) is build
(True, 42, True)
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

Report = Callable[[str, float], None]
MIN_FRACTION_FOR_ETA = 0.03  # before this, an estimate of the time left is noise
KEEP_FINISHED = 64  # finished builds remembered (their results live in their owners' caches)
# The views that take minutes on a machine whose embedding cache is empty, and the command that warms them all
# (the README's "Before a talk"; each of their progress bars says so).
SLOW_VIEWS = ("Evaluation (each tab)", "Labs", "Diagnostics → Across models", "Diagnostics → Negation")
WARM_COMMAND = "python -m core prepare --talk"


def _clock(seconds: float) -> str:
    """'40 s', '3 min', '1 h 5 min'.

    >>> _clock(40), _clock(185), _clock(3_900)
    ('40 s', '3 min', '1 h 5 min')
    """
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    if seconds < 3_600:
        return f"{round(seconds / 60)} min"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes} min"


@dataclass
class Build:
    """One piece of long work: its stage, how far it is, and (when done) its result or its error."""

    key: Hashable
    label: str
    started: float = field(default_factory=time.monotonic)
    stage: str = "starting"
    fraction: float = 0.0
    result: Any = None
    error: str | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    def report(self, stage: str, fraction: float) -> None:
        self.stage, self.fraction = stage, min(max(float(fraction), 0.0), 1.0)

    @property
    def done(self) -> bool:
        return self.finished.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self.finished.wait(timeout)

    def seconds_left(self, now: float | None = None) -> float | None:
        """Elapsed time scaled by the work left; None until enough is done to tell."""
        elapsed = (now or time.monotonic()) - self.started
        if self.fraction < MIN_FRACTION_FOR_ETA or elapsed < 1:
            return None
        return elapsed * (1 - self.fraction) / self.fraction

    def describe(self, now: float | None = None) -> str:
        """'Embedding 20,000 texts: 35% · about 4 min left' (or 'estimating the time left')."""
        left = self.seconds_left(now)
        eta = "estimating the time left" if left is None else f"about {_clock(left)} left"
        return f"{self.stage}: {self.fraction:.0%} · {eta}"


BUILD_NICE = 10  # Linux nice increment of a build's thread


def _yield_cpu() -> None:
    """Lower this thread's CPU priority (Linux schedules threads one by one; elsewhere a no-op).

    A build is throughput work; a slider move is latency work. The OpenMP workers torch starts from
    this thread inherit the priority, so a cold 10,000-product build fills idle cores and steps
    aside whenever a session's thread wants one.
    """
    with contextlib.suppress(AttributeError, OSError):
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + BUILD_NICE))


class Builds:
    """The registry of builds, by key. Thread-safe; a build's work never runs under its lock."""

    def __init__(self, keep: int = KEEP_FINISHED) -> None:
        self._builds: OrderedDict[Hashable, Build] = OrderedDict()
        self._lock = threading.Lock()
        self.keep = keep

    def get(self, key: Hashable) -> Build | None:
        with self._lock:
            return self._builds.get(key)

    def start(self, key: Hashable, label: str, work: Callable[[Report], Any]) -> Build:
        """The build for ``key``: the running or finished one, or a new one started now (a failed one restarts)."""
        with self._lock:
            build = self._builds.get(key)
            if build is not None and not (build.done and build.error):
                return build
            build = Build(key, label)
            self._builds[key] = build
            while len(self._builds) > self.keep:
                oldest = next(iter(self._builds))
                if not self._builds[oldest].done:
                    break
                self._builds.pop(oldest)
        threading.Thread(target=self._run, args=(build, work), name=f"build {label}", daemon=True).start()
        return build

    @staticmethod
    def _run(build: Build, work: Callable[[Report], Any]) -> None:
        _yield_cpu()
        try:
            build.result = work(build.report)
            build.report("Done", 1.0)
        except Exception as exc:  # the watchers get one line; the log keeps the traceback
            log.exception("build %s failed", build.label)
            build.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else 'no message'}"
        finally:
            build.finished.set()

    def running(self) -> list[Build]:
        with self._lock:
            return [b for b in self._builds.values() if not b.done]


class Once:
    """Compute a value once per key, even when several threads ask at the same time; the others wait
    for that key only. A failed computation is not kept: the next caller tries again.

    >>> once = Once()
    >>> once.get("k", lambda: 1), once.get("k", lambda: 2)
    (1, 1)
    """

    def __init__(self, max_entries: int | None = None) -> None:
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._running: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def has(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values

    def clear(self) -> None:
        """Forget every value (a computation running now still finishes and is kept)."""
        with self._lock:
            self._values.clear()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        while True:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    return self._values[key]
                event = self._running.get(key)
                mine = event is None
                if mine:
                    event = self._running[key] = threading.Event()
            if not mine:
                event.wait()
                continue  # the value is there now, or the computation failed and we try ourselves
            try:
                value = compute()
                with self._lock:
                    self._values[key] = value
                    while self._max is not None and len(self._values) > self._max:
                        self._values.popitem(last=False)
                return value
            finally:
                with self._lock:
                    self._running.pop(key, None)
                event.set()


class SingleFlight:
    """Run ``compute`` once for callers who ask for the same key at the same time; nothing is kept afterwards.

    For work whose result another object holds (a store): a second caller waits for the first caller's
    result instead of computing it again. A failed computation is not shared: a caller who waited tries itself.

    >>> flights = SingleFlight()
    >>> flights.run("k", lambda: 1), flights.run("k", lambda: 2)
    (1, 2)
    """

    def __init__(self) -> None:
        self._flights: dict[Hashable, tuple[threading.Event, list]] = {}
        self._lock = threading.Lock()

    def run(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            flight = self._flights.get(key)
            mine = flight is None
            if mine:
                flight = self._flights[key] = (threading.Event(), [])
        event, outcome = flight
        if not mine:
            event.wait()
            if outcome and outcome[0] == "ok":
                return outcome[1]
            return self.run(key, compute)  # the first caller failed: try ourselves
        try:
            value = compute()
            outcome[:] = ["ok", value]
            return value
        finally:
            with self._lock:
                self._flights.pop(key, None)
            event.set()


class Plan:
    """A job's steps, each weighted by the seconds it is expected to take (from measured rates), reporting the
    share of the *expected time* done. With the fraction proportional to time, :meth:`Build.seconds_left`
    (elapsed x left / done) holds from early on, and a machine that runs everything slower scales the estimate,
    not its shape: ``bench/eta.py`` measures how close it comes. A step reports its own count and the job's
    fraction from the same number, so the two always agree.

    >>> seen = []
    >>> plan = Plan(lambda stage, f: seen.append((stage, round(f, 2))), {"embed": 3.0, "ask": 1.0})
    >>> tick = plan.step("ask", "Asking Qdrant", "user")
    >>> tick(0, 270), tick(135, 270)
    (None, None)
    >>> seen
    [('Asking Qdrant: 0 of 270 users', 0.75), ('Asking Qdrant: 135 of 270 users', 0.88)]
    """

    def __init__(self, report: Report | None, seconds: dict[str, float]) -> None:
        self._report = report
        total = sum(max(s, 0.0) for s in seconds.values()) or 1.0
        self._spans: dict[str, tuple[float, float]] = {}
        start = 0.0
        for name, expected in seconds.items():
            width = max(expected, 0.0) / total
            self._spans[name] = (start, width)
            start += width

    def share(self, name: str) -> Report:
        """``report(stage, fraction)`` for a step that reports its own fraction (a build's stages)."""
        start, width = self._spans[name]
        return lambda stage, fraction: self._report and self._report(stage, start + width * min(max(fraction, 0), 1))

    def step(self, name: str, label: str, unit: str | None = None) -> Callable[[int, int], None]:
        """``progress(count, of)`` for one step: '<label>: 135 of 270 users' (without ``unit``, the label alone)."""
        start, width = self._spans[name]

        def progress(count: int, of: int) -> None:
            if self._report is not None:
                stage = f"{label}: {count:,} of {of:,} {unit}s" if unit and of > 1 else label
                self._report(stage, start + width * min(count, of) / max(of, 1))

        return progress


@dataclass(frozen=True)
class Stage:
    """A step of a build: what it says, its share of the work, and what it does (given a progress callback)."""

    label: str
    weight: float
    run: Callable[[Callable[[int, int], None]], Any]


def run_stages(stages: Sequence[Stage], report: Report | None = None) -> dict[str, float]:
    """Run stages in order, reporting overall progress weighted by each stage's share; seconds per stage."""
    total = sum(s.weight for s in stages) or 1.0
    done = 0.0
    timings: dict[str, float] = {}
    for stage in stages:
        start = time.perf_counter()

        def progress(count: int, of: int, stage: Stage = stage, before: float = done) -> None:
            if report is not None:
                report(stage.label, (before + stage.weight * count / max(of, 1)) / total)

        progress(0, 1)
        stage.run(progress)
        done += stage.weight
        progress(1, 1)
        timings[stage.label] = time.perf_counter() - start
    return timings
