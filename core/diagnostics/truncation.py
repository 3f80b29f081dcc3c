"""Truncation: which of a user's scores the model never reads in the naive text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.embedding.embedder import Embedder
from core.vectors.texts import naive_text


@dataclass(frozen=True)
class Truncation:
    tokens: int
    limit: int | None
    unseen: list[str]  # features whose "name: score" the model does not fully read


def truncation(embedder: Embedder, profile: Mapping[str, float]) -> Truncation:
    text = naive_text(profile)
    tokens = int(embedder.count_tokens(text))
    cut = embedder.truncated_at(text)
    unseen: list[str] = []
    if cut is not None:
        position = 0
        for feature, score in profile.items():
            segment = naive_text({feature: score})
            end = position + len(segment)
            if end > cut:
                unseen.append(feature)
            position = end + 1  # the joining space
    return Truncation(tokens, embedder.max_seq_length, unseen)
