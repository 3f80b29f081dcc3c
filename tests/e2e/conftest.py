"""A real ``streamlit run`` server and headless Chromium, shared by the e2e tests of one session."""

from __future__ import annotations

import pytest

from scripts.harness import chromium, streamlit_server


@pytest.fixture(scope="session")
def server_url():
    with streamlit_server("app.py", timeout=180) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()
