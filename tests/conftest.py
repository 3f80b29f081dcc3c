"""Shared fixtures: one real model and one copy of MovieLens per session (see the root conftest for the cache)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def embedder():
    from core.engine.cache import get_embedder

    return get_embedder()


@pytest.fixture(scope="session")
def movielens():
    """The real ml-latest-small, loaded once (from ../shared/data or MOVIELENS_DIR)."""
    from core.movielens.data import load

    return load()


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
