from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.settings import ENV_PAGE_WAIT
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def pages_wait_for_builds(monkeypatch):
    """AppTest cannot run the progress fragment's timer: pages wait for their builds (one test checks progress)."""
    monkeypatch.setenv(ENV_PAGE_WAIT, "600")


@pytest.fixture
def app():
    """A fresh AppTest of the whole app (navigation included); call ``.run()`` on it."""
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
