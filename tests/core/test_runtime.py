"""An entry point's set-up: environment defaults that never override a given value, and one exit hook that keeps
what was embedded."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT


def run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True
    )


def test_start_sets_defaults_but_never_overrides_a_given_value(tmp_path):
    code = (
        "import os\nfrom core import runtime\nruntime.start()\nruntime.start()\n"
        "print(os.environ['OMP_WAIT_POLICY'], os.environ['ORT_DISABLE_TELEMETRY'])"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "OMP_WAIT_POLICY": "ACTIVE"}
    assert run(code, env).stdout.split() == ["ACTIVE", "1"]


def test_importing_core_sets_nothing_process_wide(tmp_path):
    code = (  # the libraries' own imports first (scikit-learn sets KMP_* itself): what is left is ours
        "import os, atexit, numpy, scipy.sparse, sklearn.base, pandas, pydantic\n"
        "before, hooks = dict(os.environ), atexit._ncallbacks()\n"
        "import core.embedding.backends, core.embedding.cache, core.retrieval.qdrant, core.maps.projection\n"
        "import core.retrieval.recommender, core.explorer.panel\n"
        "print(sorted(set(os.environ) - set(before)), atexit._ncallbacks() - hooks)"
    )
    out = run(code, {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}).stdout.strip()
    assert out == "[] 0", out


@pytest.mark.slow
def test_what_was_embedded_reaches_the_disk_at_exit(tmp_path):
    """The process ends without flushing: the exit hook writes the pending vectors, and a new process finds them."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SIGNED_EXPLORER_CACHE": str(tmp_path / "cache")}
    text = "a sentence only this test embeds, 7f3a"
    write = (
        "from core import runtime\nfrom core.embedding.cache import get_embedder\nruntime.start()\n"
        f"get_embedder().encode([{text!r}])"
    )
    run(write, env)
    read = f"from core.embedding.cache import get_embedder\ne = get_embedder()\ne.encode([{text!r}])\nprint(e.stats)"
    assert "'encoded': 0" in run(read, env).stdout
