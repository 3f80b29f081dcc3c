"""Small helpers shared by the page tests."""

from __future__ import annotations


def plain(elements) -> str:
    """Element texts joined, with markdown escapes removed."""
    return " ".join(e.value for e in elements).replace("\\", "")
