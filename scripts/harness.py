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
    """SIGNED_EXPLORER_CHROMIUM (checked by core.settings: given, it is used or refused), else the system's."""
    from core.settings import current

    given = current().chromium
    if given is not None:
        return str(given)
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def server_command(script: str | Path, port: int, options: dict[str, str] | None = None) -> list[str]:
    """``streamlit run`` on 127.0.0.1:port, headless; the app itself through its launcher (presets warm up)."""
    script = (ROOT / script).resolve()
    launcher = ["-m", "ui.server"] if script == ROOT / "app.py" else ["-m", "streamlit", "run", str(script)]
    command = [sys.executable, *launcher, "--server.port", str(port), "--server.address", "127.0.0.1"]
    command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    return command + [part for name, value in (options or {}).items() for part in (f"--{name}", value)]


def server_log():
    """Where servers write: SIGNED_EXPLORER_SERVER_LOG=path keeps their output for debugging."""
    from core.settings import current

    return open(current().server_log or os.devnull, "a")  # noqa: SIM115 - callers close it


def wait_healthy(url: str, timeout: float, process: subprocess.Popen) -> None:
    """Poll ``/_stcore/health`` until it answers 200; fail at once if the process exits."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{Path(process.args[0]).name} exited with code {process.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not become healthy within {timeout:.0f} s")
        time.sleep(0.2)


def stop(processes: list[subprocess.Popen]) -> None:
    """Terminate, then kill whatever did not exit within 10 s."""
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def streamlit_server(
    script: str | Path = ROOT / "app.py",
    *,
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
    options: dict[str, str] | None = None,
) -> Iterator[str]:
    """Run ``streamlit run script`` on a free port; yield its base URL.

    ``options`` are extra config options, e.g. ``{"runner.postScriptGC": "true"}``.
    """
    port = free_port()
    with server_log() as log:
        process = subprocess.Popen(
            server_command(script, port, options), cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=log
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, timeout, process)
            yield url
        finally:
            stop([process])


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
