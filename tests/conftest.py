"""Shared fixtures: one real model and one copy of MovieLens per session (see the root conftest for the cache)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def embedder():
    from core.embedding.cache import get_embedder

    return get_embedder()


@pytest.fixture(scope="session")
def movielens():
    """The real ml-latest-small, loaded once (from ../shared/data or MOVIELENS_DIR)."""
    from core.movielens.data import load

    return load()


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def negation_subset(tmp_path_factory) -> str:
    """The first 200 real negation pairs, as a file: the suite's budget (the README's figures use all 2,111)."""
    from core.diagnostics.negation import find_pairs

    lines = find_pairs().read_text(encoding="utf-8").splitlines()[:201]
    path = tmp_path_factory.mktemp("pairs") / "first-200.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)
