"""Long work runs once, in the background, watched by anyone; per-key work is computed once."""

from __future__ import annotations

import os
import threading

import pytest

from core.jobs import BUILD_NICE, Build, Builds, Once, Stage, run_stages


def test_a_build_runs_once_for_everyone_who_asks():
    builds, calls, gate = Builds(), [], threading.Event()

    def work(report):
        calls.append(1)
        report("half way", 0.5)
        gate.wait(30)
        return "result"

    first = builds.start("k", "Demo", work)
    second = builds.start("k", "Demo", work)
    assert first is second and not first.done
    assert builds.running() == [first]
    gate.set()
    assert first.wait(30) and first.result == "result" and first.error is None and calls == [1]
    assert first.stage == "Done" and first.fraction == 1.0


def test_a_failed_build_reports_one_line_and_restarts_when_asked_again():
    builds = Builds()
    failed = builds.start("k", "Demo", lambda report: 1 / 0)
    failed.wait(30)
    assert failed.error == "ZeroDivisionError: division by zero"
    again = builds.start("k", "Demo", lambda report: 7)
    assert again is not failed and again.wait(30) and again.result == 7


def test_the_time_left_comes_from_the_work_done_so_far():
    build = Build("k", "Demo", started=100.0)
    build.report("Embedding", 0.01)
    assert build.seconds_left(now=110.0) is None and "estimating" in build.describe(now=110.0)
    build.report("Embedding", 0.25)
    assert build.seconds_left(now=140.0) == pytest.approx(120.0)
    assert build.describe(now=140.0) == "Embedding: 25% · about 2 min left"


def test_once_computes_a_key_once_while_others_wait_for_it():
    once, started, release, calls = Once(), threading.Event(), threading.Event(), []

    def slow():
        calls.append(1)
        started.set()
        release.wait(30)
        return "value"

    results = []
    first = threading.Thread(target=lambda: results.append(once.get("k", slow)))
    first.start()
    assert started.wait(30)
    second = threading.Thread(target=lambda: results.append(once.get("k", slow)))
    second.start()
    assert once.get("other", lambda: "free") == "free", "another key never waits"
    release.set()
    first.join(30)
    second.join(30)
    assert results == ["value", "value"] and calls == [1]


def test_once_does_not_keep_a_failure():
    once = Once()
    with pytest.raises(ZeroDivisionError):
        once.get("k", lambda: 1 / 0)
    assert once.get("k", lambda: 2) == 2


def test_stages_report_overall_progress_by_weight():
    seen = []

    def step(progress):
        progress(1, 2)

    timings = run_stages(
        [Stage("a", 1, step), Stage("b", 3, step)], lambda stage, fraction: seen.append((stage, fraction))
    )
    assert list(timings) == ["a", "b"]
    assert ("a", 0.125) in seen and ("b", 0.25 + 0.375) in seen and seen[-1] == ("b", 1.0)


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="thread priorities are a Linux feature")
def test_a_build_runs_at_a_lower_cpu_priority_than_the_sessions():
    def niceness(report):
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    build = Builds().start(("nice",), "Nice", niceness)
    assert build.wait(30) and build.error is None
    assert build.result == min(19, os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) + BUILD_NICE)


def test_once_forgets_the_oldest_beyond_its_size_and_clears():
    once = Once(max_entries=2)
    for key in "abc":
        once.get(key, lambda key=key: key.upper())
    assert not once.has("a") and once.has("b") and once.has("c")
    once.clear()
    assert not once.has("c") and once.get("c", lambda: 3) == 3
