"""Two browsers on one server: one builds a large scenario from scratch, the other's small view stays quick.

The server gets an empty embedding cache of its own (only the compiled UMAP code is copied), so bench-10k
is a real cold build (tens of thousands of texts) on every run, exactly what froze every other session
before builds left the embedding lock.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.embedding.cache import default_cache_dir
from scripts.harness import streamlit_server, wait_idle
from tests.e2e.helpers import LOAD, TABLE, open_page

PROGRESS = '[data-testid="stProgress"]'


@pytest.fixture(scope="module")
def cold_server(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cold-cache")
    compiled = default_cache_dir() / "numba"
    if compiled.is_dir():
        shutil.copytree(compiled, Path(cache) / "numba")
    with streamlit_server("app.py", env={"SIGNED_EXPLORER_CACHE": str(cache)}, timeout=180) as url:
        yield url


def test_a_small_view_stays_quiet_while_another_session_builds_a_large_one(browser, cold_server):
    heavy = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    light = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    try:
        open_page(light, f"{cold_server}/explorer?preset=sign-trap&user=user-a")  # warm-up done: the class is in

        heavy.goto(f"{cold_server}/explorer?preset=bench-10k")
        bar = heavy.locator(PROGRESS)
        bar.wait_for(timeout=LOAD)
        assert "left" in bar.inner_text() or "estimating" in bar.inner_text()

        for user in ("user-b", "user-a"):  # the other session, while the build runs: fresh views, no progress
            open_page(light, f"{cold_server}/explorer?preset=sign-trap&user={user}")
            assert light.locator(TABLE).first.locator("tbody tr").count() == 5
            assert not light.locator(PROGRESS).count()
            assert bar.is_visible(), "the large build should still be running"

        # A third session that needs the same build joins it: the same shared progress, not a second build.
        joined = browser.new_context().new_page()
        joined.goto(f"{cold_server}/explorer?preset=bench-10k")
        joined.locator(PROGRESS).wait_for(timeout=LOAD)
        assert "Anyone who opens this view now sees this same progress" in joined.inner_text("body")
        joined.context.close()
        wait_idle(light)
    finally:
        heavy.context.close()
        light.context.close()
