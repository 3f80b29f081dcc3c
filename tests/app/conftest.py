from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui.resources import ENV_WAIT


@pytest.fixture(autouse=True)
def pages_wait_for_builds(monkeypatch):
    """AppTest cannot run the progress fragment's timer: pages wait for their builds (one test checks progress)."""
    monkeypatch.setenv(ENV_WAIT, "600")


@pytest.fixture
def app():
    """A fresh AppTest of the whole app (navigation included); call ``.run()`` on it."""
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
