"""Benchmarks refuse arguments that would run for hours or measure nothing, before doing any work."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bench/slider.py", "--moves", "10"], "must be in [50, 2000]"),
        (["bench/slider.py", "--moves", "100000"], "must be in [50, 2000]"),
        (["bench/slider.py", "--products", "0"], "must be in [1, 100000]"),
        (["bench/browser_slider.py", "--moves", "many"], "expected a whole number"),
        (["bench/classroom.py", "--students", "1,x"], "expected a whole number in [1, 60]"),
        (["bench/classroom.py", "--replicas", "9"], "must be in [1, 8]"),
        (["bench/limits.py", "--products", "5000,20001"], "must be in [1, 20000]"),
        (["bench/limits.py", "--parse-mb", "1,11"], "must be in [1, 10]"),
        (["bench/cache.py", "--vectors", "10"], "must be in [100, 200000]"),
        (["bench/scale.py", "--sizes", "10000,2000000"], "must be in [1000, 1000000]"),
        (["bench/scale.py", "--queries", "100000"], "must be in [5, 200]"),
        (["bench/scale.py", "--local-queries", "1"], "must be in [3, 200]"),
        (["bench/across_models.py", "--features", "tags"], "invalid choice: 'tags'"),
        (["scripts/serve.py", "--address", "everywhere"], "not an IPv4 address"),
        (["scripts/serve.py", "--replicas", "0"], "must be in [1, 16]"),
    ],
)
def test_bad_arguments_exit_2_with_the_allowed_range(root, argv, message):
    result = subprocess.run([sys.executable, *argv], cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
