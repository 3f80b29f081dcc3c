from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


@pytest.fixture
def app():
    """A fresh AppTest of the whole app (navigation included); call ``.run()`` on it."""
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
