"""The audit's classes, re-run through the real command line (``python -m core`` in a subprocess): configuration
mistakes exit 2 with one line per variable and no traceback; a changed model folder or a bad cache pack never
changes an answer; data is read as it is."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core import settings
from core.embedding.embedder import bundled_model_path
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
RANK = ["rank", "--preset", "sign-trap", "--user", "user-a", "--methods", "naive,prefix,weighted", "--json", "--quiet"]


def cli(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "core", *argv], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=600
    )


def refused_at_the_door(out: subprocess.CompletedProcess, variable: str) -> str:
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr and "internal error" not in out.stderr and not out.stdout
    lines = out.stderr.strip().splitlines()
    assert all(line.startswith("error: ") for line in lines) and any(variable in line for line in lines), lines
    assert all(len(line) < 400 for line in lines), "every value is shortened"
    return out.stderr


def _closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as server:
        return server.getsockname()[1]


PATHS = [settings.ENV_CACHE, settings.ENV_QDRANT, settings.ENV_MODEL, settings.ENV_MODELS, settings.ENV_MODELS_DIR]
CONFIGURATION = [
    *[(name, "~nosuchuser/x", "no user 'nosuchuser'") for name in PATHS],
    (settings.ENV_MOVIELENS, "~nosuchuser/ml", "no user 'nosuchuser'"),
    (settings.ENV_PAIRS, "~nosuchuser/pairs.tsv", "no user 'nosuchuser'"),
    (settings.ENV_QDRANT, f"http://127.0.0.1:{_closed_port()}", "no server answers there"),
    (settings.ENV_QDRANT, "/proc/self/qdrant", "cannot be written"),
    (settings.ENV_MODELS, "m" * 5_000, "(5,000 characters)"),
    (settings.ENV_MODELS, ",".join(f"org/m{i}" for i in range(20)), "lists 20 models; at most 8"),
    (settings.ENV_MODELS_DIR, "/etc/passwd", "is a file, not a folder"),
    (settings.ENV_MODEL, "bogus", "downloads are off"),
    (settings.ENV_DOWNLOAD, "yes", "use 1"),
]


@pytest.mark.parametrize(("variable", "value", "expected"), CONFIGURATION)
def test_a_configuration_mistake_exits_2_in_one_line_per_variable(variable, value, expected):
    env = {settings.ENV_DOWNLOAD: "0", variable: value}
    err = refused_at_the_door(cli("presets", env=env), variable)
    assert expected in err and "internet" not in err


def test_a_given_movielens_dir_or_pairs_file_is_refused_never_replaced_by_the_shared_data(tmp_path):
    err = refused_at_the_door(cli("data", "movielens", env={settings.ENV_MOVIELENS: str(tmp_path)}), "MOVIELENS_DIR")
    assert "holds no ratings.csv" in err
    for given in (tmp_path / "missing.tsv", tmp_path):
        err = refused_at_the_door(cli("negation", "--quiet", env={settings.ENV_PAIRS: str(given)}), "NEGATION_PAIRS")


def _model_copy(folder: Path) -> Path:
    """The bundled MiniLM as a folder model (its weights linked, not copied)."""
    shutil.copytree(bundled_model_path(), folder, ignore=shutil.ignore_patterns("model.safetensors"))
    (folder / "model.safetensors").symlink_to(bundled_model_path() / "model.safetensors")
    return folder


def _rank(model: Path, cache: Path | str) -> dict:
    out = cli(*RANK, env={settings.ENV_MODEL: str(model), settings.ENV_CACHE: str(cache)})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_model_folder_changed_in_place_ranks_as_the_new_model_never_from_the_old_cache(tmp_path):
    model, cache = _model_copy(tmp_path / "model"), tmp_path / "cache"
    before = _rank(model, cache)
    pooling = model / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.write_text(json.dumps({**config, "pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}))
    after = _rank(model, cache)
    assert after == _rank(model, "off"), "the cache gives what the model gives"
    assert after["methods"] != before["methods"], "CLS pooling ranks differently from mean pooling"


def test_a_model_folder_replaced_by_one_of_another_dimension_never_crashes(tmp_path):
    from core.embedding import models

    mpnet = models.models_dir() / "all-mpnet-base-v2"
    if not (mpnet / "model.safetensors").exists():
        pytest.skip("the joined mpnet is made by make models")
    model, cache = _model_copy(tmp_path / "model"), tmp_path / "cache"
    _rank(model, cache)
    shutil.rmtree(model)
    shutil.copytree(mpnet, model, ignore=shutil.ignore_patterns("model.safetensors"))
    (model / "model.safetensors").symlink_to(mpnet / "model.safetensors")
    assert _rank(model, cache) == _rank(model, "off")


def _tamper(pack: Path, change) -> None:
    with np.load(pack) as data:
        arrays = {key: data[key] for key in data.files}
    with open(pack, "wb") as handle:
        np.savez(handle, **change(arrays))


TAMPERING = {  # end to end; tests/core/embedding/test_cache.py tampers with packs in 21 more ways, in process
    "NaN vectors": lambda a: {**a, "vectors": np.full_like(a["vectors"], np.nan)},
    "wrong shape": lambda a: {**a, "vectors": np.tile(a["vectors"], 2)},
}


@pytest.mark.parametrize("case", TAMPERING)
def test_a_readable_but_wrong_pack_is_never_used(tmp_path, case):
    model, cache = _model_copy(tmp_path / "model"), tmp_path / "cache"
    good = _rank(model, cache)
    packs = list(cache.rglob("pack-*.npz"))
    assert packs
    for pack in packs:
        _tamper(pack, TAMPERING[case])
    out = cli(*RANK, env={settings.ENV_MODEL: str(model), settings.ENV_CACHE: str(cache)})
    assert out.returncode == 0 and json.loads(out.stdout) == good, out.stderr
    warnings = [line for line in out.stderr.splitlines() if "set aside" in line]
    assert len(warnings) == len(packs) and "Traceback" not in out.stderr
    assert len(list(cache.rglob("rejected-pack-*.npz"))) == len(packs)


def test_data_is_read_as_it_is_through_the_cli(tmp_path):
    ratings = tmp_path / "ml"
    ratings.mkdir()
    (ratings / "ratings.csv").write_text("userId,movieId,rating,rating,timestamp\n1,1,4,1,5\n")
    (ratings / "movies.csv").write_text("movieId,title,genres\n1,A,Drama\n")
    (ratings / "tags.csv").write_text("userId,movieId,tag,timestamp\n")
    out = cli("eval", "movielens", "--data", str(ratings))
    assert out.returncode == 2 and "the header names 'rating' more than once" in out.stderr
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("sentence\tsentence\tnegated\na\tb\tc\n")
    out = cli("negation", "--pairs", str(pairs), "--quiet")
    assert out.returncode == 2 and "names 'sentence' more than once" in out.stderr
    scenario = tmp_path / "cafe.csv"
    scenario.write_text("kind,id,name,description,wine\nuser,caf\u00e9,Ann,,0.8\nproduct,p,Bar,,1\n")
    out = cli("rank", "--scenario", str(scenario), "--user", "cafe\u0301", "--methods", "exact", "--json", "--quiet")
    assert out.returncode == 0 and json.loads(out.stdout)["user"] == "caf\u00e9", out.stderr
    as_json = tmp_path / "cafe.json"
    as_json.write_bytes(scenario.read_bytes())
    out = cli("rank", "--scenario", str(as_json), "--user", "x")
    assert out.returncode == 2 and "this looks like CSV, not JSON" in out.stderr
