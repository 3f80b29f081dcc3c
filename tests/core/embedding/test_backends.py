"""Every installed model loads offline, checks its weights, and gives unit rows of its size."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from core import settings
from core.embedding import backends, models
from core.embedding.cache import get_embedder
from core.embedding.embedder import ModelLoadError, SentenceTransformerEmbedder, bundled_model_path

INSTALLED = [m.id for m in models.installed()]
TEXTS = ["anxiety: -0.9, adventure: 0.8", "strongly dislikes anxiety", "The mic is great.", ""]


@pytest.mark.slow
@pytest.mark.parametrize("model", INSTALLED)
def test_each_model_gives_unit_rows_of_its_size_the_same_alone_or_in_a_batch(model):
    embedder = get_embedder(model)
    spec = models.spec(model)
    batch = embedder.inner.encode(TEXTS)
    assert batch.shape == (len(TEXTS), spec.dim) and batch.dtype == np.float32
    norms = np.linalg.norm(batch[:3], axis=1)
    assert np.allclose(norms, 1.0, atol=1e-4)
    alone = embedder.inner.encode(TEXTS[:1])
    assert np.allclose(alone[0], batch[0], atol=1e-4)
    assert embedder.count_tokens("strongly dislikes anxiety") >= 3


def test_e5_reads_long_texts_whole_and_the_onnx_model_stops_at_128_tokens():
    long = "anxiety: -0.9, " * 200
    if "e5-small" in INSTALLED:
        assert get_embedder("e5-small").truncated_at(long) is None
    if "paraphrase-l3" in INSTALLED:
        onnx = get_embedder("paraphrase-l3")
        cut = onnx.truncated_at(long)
        assert cut is not None and 0 < cut < len(long) and onnx.truncated_at("short") is None


def test_weights_that_do_not_match_their_hash_are_refused(tmp_path):
    folder = tmp_path / "minilm-copy"
    shutil.copytree(bundled_model_path(), folder)
    with open(folder / "model.safetensors", "r+b") as handle:  # one flipped byte
        handle.seek(1000)
        byte = handle.read(1)
        handle.seek(1000)
        handle.write(bytes([byte[0] ^ 1]))
    damaged = SentenceTransformerEmbedder(folder, name="damaged", sha256=models.MINILM_SHA256)
    with pytest.raises(ModelLoadError, match="is not the recorded .* refusing to load them"):
        damaged.encode(["x"])


def test_a_distilled_model_is_checked_against_the_hash_recorded_when_it_was_made(tmp_path, monkeypatch):
    if "m2v" not in INSTALLED:
        pytest.skip("model2vec is installed by make models")
    source = backends.distill_m2v(models.spec("m2v"))
    monkeypatch.setenv(settings.ENV_MODELS_DIR, str(tmp_path))
    copy = tmp_path / source.name
    shutil.copytree(source, copy)
    manifest = json.loads((copy / "signed-explorer.json").read_text())
    (copy / "signed-explorer.json").write_text(json.dumps({**manifest, "model.safetensors": "0" * 64}))
    with pytest.raises(ModelLoadError, match="SHA-256"):
        backends.distill_m2v(models.spec("m2v"))


NO_NETWORK = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network is off in this test")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from core import settings
from core.embedding import backends, models
for spec in models.installed():
    vectors = backends.load(spec).encode(["offline"])
    print(spec.id, vectors.shape[1])
"""


@pytest.mark.slow
def test_every_installed_model_loads_with_the_network_off(root):
    env = {**os.environ, "PYTHONPATH": str(root), "HF_HUB_OFFLINE": "", "TRANSFORMERS_OFFLINE": ""}
    out = subprocess.run([sys.executable, "-c", NO_NETWORK], cwd=root, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = dict(line.split() for line in out.stdout.strip().splitlines())
    assert list(loaded) == INSTALLED
    assert all(int(loaded[m]) == models.spec(m).dim for m in INSTALLED)
