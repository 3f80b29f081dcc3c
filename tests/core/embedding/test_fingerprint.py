"""The fingerprint of a model as loaded: any change to what the loader reads is a new fingerprint (a cache miss),
and nothing else is."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from core.embedding import backends, models
from core.embedding.embedder import SentenceTransformerEmbedder, bundled_model_path
from core.embedding.fingerprint import digest, folder_digest, folder_files, hub_commit

POOLING_MEAN = {"word_embedding_dimension": 384, "pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False}


def small_model(folder):
    """A folder shaped like a sentence-transformers model (contents made up: only the files matter here)."""
    (folder / "1_Pooling").mkdir(parents=True)
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(POOLING_MEAN))
    (folder / "config.json").write_text('{"hidden_size": 384}')
    (folder / "modules.json").write_text("[]")
    (folder / "tokenizer.json").write_text('{"model": "wordpiece"}')
    (folder / "model.safetensors").write_bytes(b"\x00weights" * 1000)
    return folder


CHANGES = {
    "pooling to CLS": lambda f: (f / "1_Pooling" / "config.json").write_text(
        json.dumps({**POOLING_MEAN, "pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True})
    ),
    "another dimension": lambda f: (f / "config.json").write_text('{"hidden_size": 768}'),
    "weights changed": lambda f: (f / "model.safetensors").write_bytes(b"\x01weights" * 1000),
    "weights grown": lambda f: (f / "model.safetensors").open("ab").write(b"\x00"),
    "tokenizer changed": lambda f: (f / "tokenizer.json").write_text('{"model": "bpe"}'),
    "a module added": lambda f: (f / "2_Normalize").mkdir() or (f / "2_Normalize" / "x.json").write_text("{}"),
    "a file renamed": lambda f: (f / "tokenizer.json").rename(f / "tokenizer2.json"),
    "a file removed": lambda f: (f / "tokenizer.json").unlink(),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_to_a_model_folder_changes_its_digest(tmp_path, change):
    folder = small_model(tmp_path / "model")
    before = folder_digest(folder)
    CHANGES[change](folder)
    assert folder_digest(folder) != before


def test_what_does_not_change_the_model_does_not_change_the_digest(tmp_path):
    folder = small_model(tmp_path / "model")
    before = folder_digest(folder)
    os.utime(folder / "config.json", (1, 1))  # touched, same content
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref")  # hidden: no loader reads it
    copy = shutil.copytree(folder, tmp_path / "elsewhere")
    assert folder_digest(folder) == before == folder_digest(copy), "the digest is of the content, not the place"
    assert [p.name for p in folder_files(folder)] == [
        "config.json",
        "config.json",
        "model.safetensors",
        "modules.json",
        "tokenizer.json",
    ]


def test_recorded_weights_stand_in_by_their_hash(tmp_path):
    folder = small_model(tmp_path / "model")
    recorded = {"model.safetensors": "a" * 64}
    assert folder_digest(folder, recorded) != folder_digest(folder)
    (folder / "model.safetensors").write_bytes(b"other")  # not read: the loader checks the recorded hash
    assert folder_digest(folder, recorded) == folder_digest(small_model(tmp_path / "again"), recorded)


def test_a_folder_model_s_fingerprint_follows_its_files_and_its_prefix(tmp_path):
    folder = small_model(tmp_path / "model")
    first = SentenceTransformerEmbedder(folder, name="mine").fingerprint
    assert SentenceTransformerEmbedder(folder, name="mine").fingerprint == first
    CHANGES["pooling to CLS"](folder)
    assert SentenceTransformerEmbedder(folder, name="mine").fingerprint != first
    prefixed = SentenceTransformerEmbedder(folder, name="mine")
    prefixed.prefix = "query: "
    assert prefixed.fingerprint != SentenceTransformerEmbedder(folder, name="mine").fingerprint


def test_every_registry_model_has_its_own_stable_fingerprint():
    installed = [spec for spec in models.BUILTIN if spec.installed]
    prints = {spec.id: backends.load(spec).fingerprint for spec in installed}
    assert prints == {spec.id: backends.load(spec).fingerprint for spec in installed}
    assert len(set(prints.values())) == len(prints)
    assert all(len(p) == 64 for p in prints.values())


def test_the_bundled_model_is_fingerprinted_by_its_recorded_weights_and_its_files():
    embedder = backends.load(models.spec("minilm"))
    expected = folder_digest(bundled_model_path(), {"model.safetensors": models.MINILM_SHA256})
    assert embedder.fingerprint == digest("SentenceTransformerEmbedder", embedder.name, "", expected)


@pytest.mark.parametrize("name", ["BAAI/not-downloaded-here", "bogus", "a" * 200, "bad name"])
def test_a_hub_model_outside_the_local_cache_has_no_commit(name):
    assert hub_commit(name) is None
