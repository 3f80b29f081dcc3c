"""Truncation: exactly the features the model does not read."""

from __future__ import annotations

import pytest

from core.diagnostics.truncation import truncation
from core.scenarios.presets import SEED_USER_A as USER_A
from core.vectors.texts import naive_text


def test_truncation_lists_exactly_the_features_the_model_does_not_read(embedder):
    profile = {f"feature number {i}": round(0.01 * i - 0.6, 2) for i in range(120)}
    found = truncation(embedder, profile)
    assert found.limit == 256 and found.tokens > 256
    cut = embedder.truncated_at(naive_text(profile))
    read = [f for f in profile if f not in found.unseen]
    assert read and found.unseen
    assert read == list(profile)[: len(read)], "the unread features are a suffix of the text"
    assert len(naive_text({f: profile[f] for f in read})) <= cut
    assert len(naive_text({f: profile[f] for f in [*read, found.unseen[0]]})) > cut
    # Flipping the scores of the features after the cut leaves the vector unchanged: the model never
    # saw them. (The first unread feature may straddle the cut, its name read but not all of its score.)
    flipped = {f: (-s if f in found.unseen[1:] else s) for f, s in profile.items()}
    v = embedder.inner.encode([naive_text(profile), naive_text(flipped)])
    assert float(v[0] @ v[1]) == pytest.approx(1.0, abs=1e-5)
    assert truncation(embedder, USER_A).unseen == []
