"""Test-wide environment: a shared, persistent embedding cache and the bundled model.

The cache lives in ``.cache/test-embeddings`` (git-ignored) unless
``SIGNED_EXPLORER_CACHE`` is already set: reruns on a desk are fast, a fresh CI
clone starts cold. It is keyed by model and text, so it can never be stale.
Subprocesses (the CLI, the Streamlit server) inherit it.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
os.environ.setdefault("SIGNED_EXPLORER_CACHE", str(ROOT / ".cache" / "test-embeddings"))
os.environ.pop("SIGNED_EXPLORER_MODEL", None)

from core import runtime  # noqa: E402 - after the cache folder is chosen

runtime.start()
