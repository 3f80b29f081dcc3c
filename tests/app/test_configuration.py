"""A configuration mistake is a clear error on every page, naming the variable: never a traceback or Streamlit's
exception box, and the page itself does not run."""

from __future__ import annotations

import socket

import pytest

from core import settings
from tests.app.helpers import plain


def _closed_port_url() -> str:
    with socket.create_server(("127.0.0.1", 0)) as server:
        return f"http://127.0.0.1:{server.getsockname()[1]}"


MISTAKES = {
    "20 added models": (settings.ENV_MODELS, ",".join(f"org/model-{i}" for i in range(20)), "lists 20 models"),
    "a 5,000-character model list": (settings.ENV_MODELS, "m" * 5_000, "(5,000 characters)"),
    "models folder is a file": (settings.ENV_MODELS_DIR, "/etc/passwd", "is a file, not a folder"),
    "an unknown user's home": (settings.ENV_CACHE, "~nosuchuser/cache", "there is no user 'nosuchuser'"),
    "a Qdrant server that refuses": (settings.ENV_QDRANT, _closed_port_url(), "no server answers there"),
    "a hub model not downloaded": (settings.ENV_MODEL, "bogus", "downloads are off"),
    "MovieLens without its files": (settings.ENV_MOVIELENS, "/tmp", "holds no ratings.csv"),
}
PAGES = ["explorer", "diagnostics", "evaluation", "labs", "scenarios", "about"]
CASES = [(page, mistake) for page in ("explorer", "diagnostics") for mistake in MISTAKES] + [
    (page, mistake) for page, mistake in zip(PAGES[2:], list(MISTAKES)[::2], strict=False)
]


@pytest.mark.parametrize(("page", "mistake"), CASES)
def test_a_configuration_mistake_is_an_error_on_the_page(app, monkeypatch, page, mistake):
    variable, value, expected = MISTAKES[mistake]
    monkeypatch.setenv(variable, value)
    monkeypatch.setenv(settings.ENV_DOWNLOAD, "0")
    at = app.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = at.error
    text = plain([error])
    assert text.startswith("The app cannot run with this configuration") and variable in text and expected in text
    assert len(text) < 600, "a long value is shortened"
    assert not at.title, "the page itself did not run"
