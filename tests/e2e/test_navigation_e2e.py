"""The sidebar lists each page once, even when a fresh server's first visitor opens a page other than the root.

Streamlit 1.67 decides at a server's first run whether ``pages/`` means automatic
navigation, before ``app.py`` can call ``st.navigation`` (see ui/navigation.py).
This starts its own server so that the first request really is the first.
"""

from __future__ import annotations

from urllib.parse import urlparse

from scripts.harness import streamlit_server, wait_idle
from ui.navigation import PAGES

NAV = '[data-testid="stSidebarNav"] a'


def page_titles(page) -> list[str]:
    """The sidebar's link texts without their icon names."""
    return [text.split("\n")[-1].strip() for text in page.locator(NAV).all_inner_texts()]


def test_each_page_is_listed_exactly_once_from_the_first_request(browser):
    expected = [p.title for p in PAGES]
    with streamlit_server("app.py", timeout=180) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(f"{url}/diagnostics")  # the server's very first run is a page, not app.py
        wait_idle(page, timeout=240_000)
        page.wait_for_selector(NAV)
        assert page_titles(page) == expected
        assert page.locator("h1").first.inner_text() == "Diagnostics"
        for spec in PAGES:
            page.goto(f"{url}/{spec.url_path}")
            wait_idle(page, timeout=240_000)
            assert page_titles(page) == expected, spec.url_path
        context.close()


def test_every_page_loads_everything_from_the_app_itself(browser, server_url):
    """No font CDN, no analytics, no icon service: the app works offline (the tab icon is ui/icon.png)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    outside: list[str] = []
    host = urlparse(server_url).netloc
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).netloc not in ("", host) else None)
    for spec in PAGES:
        page.goto(f"{server_url}/{spec.url_path}")
        wait_idle(page, timeout=240_000)
    icon = page.locator('link[rel~="icon"]').first.get_attribute("href")
    context.close()
    assert not outside, outside
    assert icon and not icon.startswith("http") or urlparse(icon).netloc == host
