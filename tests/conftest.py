"""Shared fixtures: one real model per session (see the root conftest for the cache)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def embedder():
    from core.embedder import get_embedder

    return get_embedder()


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
