"""Start a real ``streamlit run`` server and a headless Chromium: shared by e2e tests, benches and screenshots.

Follows streamlit's own e2e suite: a free port, poll ``/_stcore/health``, then
wait until the app reports ``data-test-script-state="notRunning"``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def system_chromium() -> str | None:
    for candidate in (os.environ.get("SIGNED_EXPLORER_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


@contextlib.contextmanager
def streamlit_server(
    script: str | Path = "app.py",
    *,
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
    options: dict[str, str] | None = None,
) -> Iterator[str]:
    """Run ``streamlit run script`` on a free port; yield its base URL.

    ``options`` are extra config options, e.g. ``{"runner.postScriptGC": "true"}``.
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *[part for name, value in (options or {}).items() for part in (f"--{name}", value)],
    ]
    # SIGNED_EXPLORER_SERVER_LOG=path keeps the server's output for debugging.
    log = open(os.environ.get("SIGNED_EXPLORER_SERVER_LOG", os.devnull), "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {process.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not become healthy within {timeout:.0f} s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium through Playwright: Debian's when present, else Playwright's own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        executable = system_chromium()
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_idle(page, timeout: float = 120_000) -> None:
    """Wait until the script has finished running (and at least one element is on screen)."""
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]', timeout=timeout)
    page.wait_for_selector(IDLE, timeout=timeout)
