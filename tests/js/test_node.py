"""The browser's pure functions under node's own test runner, and the bundle the page receives."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT
from tests.js.fixtures import FIXTURES, HERE, render
from ui.live import bundle

NODE = shutil.which("node")


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_the_committed_fixtures_say_what_python_says_now(name):
    assert (HERE / name).read_text(encoding="utf-8") == render(name), "run: python -m tests.js.fixtures"


def test_node_runs_every_browser_test():
    assert NODE, "node is needed for the browser's tests (Debian: apt-get install nodejs)"
    out = subprocess.run([NODE, "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "# fail 0" in out.stdout and "# pass 0" not in out.stdout


def test_live_frames_in_the_browser_equal_what_the_server_says_at_every_position(embedder, tmp_path):
    """Python writes sweeps and the server's panel at each of their 41 positions; node plays them with the
    browser's own modules and compares order, top k and scores (1e-4), marks, counts, the headline and tau."""
    from tests.js.sweep_fixture import write

    fixture = write(embedder, tmp_path / "sweeps.json")
    out = subprocess.run(
        [NODE, "--test", "tests/js/sweep.check.mjs"],
        cwd=ROOT,
        env={**os.environ, "SWEEP_FIXTURE": str(fixture)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "# pass 4" in out.stdout and "# fail 0" in out.stdout, out.stdout[-2000:]


def test_the_bundle_is_one_valid_module(tmp_path):
    script = tmp_path / "bundle.mjs"
    script.write_text(bundle(), encoding="utf-8")
    out = subprocess.run([NODE, "--check", str(script)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    text = script.read_text()
    assert text.count("export default") == 1 and "import {" not in text
    # Joined into one scope, an import alias would name nothing: every module imports names as they are.
    import re

    from ui.live import HERE, MODULES

    for name in MODULES:
        imports = re.findall(r"^import \{([^}]*)\}", (HERE / "js" / f"{name}.js").read_text(), re.M)
        assert not [i for i in imports if " as " in i], f"{name}.js imports with an alias"
