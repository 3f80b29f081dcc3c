"""The bundled model behind the Embedder protocol: unit rows, batching, truncation, clear load errors."""

from __future__ import annotations

import numpy as np
import pytest

from core.embedding.embedder import ModelLoadError, SentenceTransformerEmbedder
from core.vectors.texts import naive_text
from tests.samples import TEXTS


def test_rows_are_unit_float32(embedder):
    vectors = embedder.encode(TEXTS)
    assert vectors.shape == (3, embedder.dim) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.encode([]).shape == (0, embedder.dim)


def test_batching_does_not_change_vectors(embedder):
    model = embedder.inner
    together = model.encode(TEXTS)
    alone = np.stack([model.encode([t])[0] for t in TEXTS])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_truncation_is_known(embedder):
    assert embedder.max_seq_length == 256
    short = naive_text({"wine": 0.8})
    assert embedder.truncated_at(short) is None
    long_text = naive_text({f"feature number {i}": 0.5 for i in range(120)})
    cut = embedder.truncated_at(long_text)
    assert cut is not None and 0 < cut < len(long_text)
    # Text after the cut does not change the vector: the model never sees it.
    changed = long_text[:cut] + long_text[cut:].replace("0.5", "-0.5")
    np.testing.assert_allclose(embedder.inner.encode([long_text]), embedder.inner.encode([changed]), atol=1e-6)


def test_a_missing_model_gives_a_clear_error(tmp_path):
    missing = SentenceTransformerEmbedder(str(tmp_path / "no-such-model"))
    with pytest.raises(ModelLoadError, match="cannot load embedding model .*downloads are off"):
        missing.encode(["x"])
