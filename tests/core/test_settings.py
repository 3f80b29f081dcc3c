"""Configuration checked at the door: every variable read in one place, each mistake one line naming the variable,
its value (shortened) and what is allowed; a given setting used or refused, never replaced by a default."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from core import settings
from core.settings import SettingsError, from_environment
from tests.conftest import ROOT

PATH_VARIABLES = [
    settings.ENV_MODEL,
    settings.ENV_MODELS,
    settings.ENV_MODELS_DIR,
    settings.ENV_CACHE,
    settings.ENV_QDRANT,
    settings.ENV_MOVIELENS,
    settings.ENV_PAIRS,
    settings.ENV_CHROMIUM,
    settings.ENV_NGINX,
    settings.ENV_SERVER_LOG,
]


def refused(environ: dict[str, str]) -> list[str]:
    with pytest.raises(SettingsError) as error:
        from_environment(environ)
    assert str(error.value) == "\n".join(error.value.problems)
    assert "Traceback" not in str(error.value)
    return list(error.value.problems)


def one_line(environ: dict[str, str]) -> str:
    (line,) = refused(environ)
    name = next(iter(environ))
    assert line.startswith(name), line
    return line


@pytest.fixture
def listening():
    """A real local port that accepts connections (what the door's probe of a server URL needs)."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: connections to it are refused."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        return server.getsockname()[1]


def test_absent_or_empty_variables_take_their_defaults():
    assert from_environment({}) == settings.Settings()
    assert from_environment({name: "  " for name in PATH_VARIABLES}) == settings.Settings()
    assert settings.Settings().embedding_cache() == Path.home() / ".cache" / "signed-explorer"


@pytest.mark.parametrize("variable", PATH_VARIABLES)
@pytest.mark.parametrize("user", ["nosuchuser", "no_such_user_42", "ghost.user"])
def test_a_home_folder_of_an_unknown_user_is_one_line_in_any_path_variable(variable, user):
    line = one_line({variable: f"~{user}/models"})
    assert f"there is no user '{user}' on this machine" in line and "write the full path" in line


@pytest.mark.parametrize("variable", PATH_VARIABLES)
@pytest.mark.parametrize("length", [300, 5_000, 70_000])
def test_a_long_value_is_shortened_in_its_message(variable, length):
    value = ("/" if variable != settings.ENV_MODELS else "") + "x" * length
    line = one_line({variable: value})
    assert f"({length + (variable != settings.ENV_MODELS):,} characters)" in line and len(line) < 400


@pytest.mark.parametrize(
    ("variable", "make", "expected"),
    [
        (settings.ENV_MODELS_DIR, "file", "is a file, not a folder"),
        (settings.ENV_MODELS_DIR, "under-file", "cannot be made: '"),
        (settings.ENV_CACHE, "file", "is a file, not a folder"),
        (settings.ENV_CACHE, "under-file", "is a file, not a folder"),
        (settings.ENV_QDRANT, "file", "is a file, not a folder"),
        (settings.ENV_PAIRS, "folder", "is a folder, not a file"),
        (settings.ENV_PAIRS, "missing", "no such file"),
        (settings.ENV_PAIRS, "fifo", "is a pipe, not a file"),
        (settings.ENV_MOVIELENS, "missing", "no such folder"),
        (settings.ENV_MOVIELENS, "folder", "holds no ratings.csv, movies.csv, tags.csv"),
        (settings.ENV_MOVIELENS, "file", "is a file, not a folder"),
        (settings.ENV_MODEL, "folder", "holds no modules.json or config.json"),
        (settings.ENV_MODEL, "missing", "no such folder"),
        (settings.ENV_MODELS, "file", "is a file, not a model folder"),
        (settings.ENV_CHROMIUM, "file", "is not executable"),
        (settings.ENV_CHROMIUM, "folder", "is a folder, not a file"),
        (settings.ENV_NGINX, "missing", "no such file"),
        (settings.ENV_SERVER_LOG, "folder", "is a folder; give a file"),
        (settings.ENV_SERVER_LOG, "under-missing", "its folder does not exist"),
    ],
)
def test_a_path_to_the_wrong_kind_of_thing_is_refused_naming_what_it_is(tmp_path, variable, make, expected):
    target = tmp_path / "target"
    if make == "file":
        target.write_text("x")
    elif make == "folder":
        target.mkdir()
    elif make == "fifo":
        os.mkfifo(target)
    elif make == "under-file":
        (tmp_path / "plain").write_text("x")
        target = tmp_path / "plain" / "deeper"
    elif make == "under-missing":
        target = tmp_path / "no" / "such" / "log.txt"
    line = one_line({variable: str(target)})
    assert expected in line, line


def test_movielens_dir_with_only_some_files_names_the_missing_ones(tmp_path):
    (tmp_path / "ratings.csv").write_text("userId\n")
    line = one_line({settings.ENV_MOVIELENS: str(tmp_path)})
    assert "holds no movies.csv, tags.csv" in line


@pytest.mark.parametrize("count", [9, 20, 50])
def test_more_models_than_allowed_are_refused_never_cut(count):
    line = one_line({settings.ENV_MODELS: ",".join(f"org/model-{i}" for i in range(count))})
    assert f"lists {count} models; at most {settings.MAX_ADDED_MODELS} may be added" in line


def test_up_to_the_limit_every_model_is_kept_in_order():
    names = [f"org/model-{i}" for i in range(settings.MAX_ADDED_MODELS)]
    assert from_environment({settings.ENV_MODELS: " , ".join(names)}).models == tuple(names)


@pytest.mark.parametrize("value", ["a b", "bad|name", "x" * 97, "org/name/extra", "-leading", "名前"])
def test_a_model_that_is_neither_a_name_nor_a_folder_is_refused(value):
    line = one_line({settings.ENV_MODEL: value})
    assert "no such folder" in line or "neither a folder nor a model name" in line


def test_a_model_folder_is_resolved_and_a_name_is_kept(tmp_path, monkeypatch):
    (tmp_path / "modules.json").write_text("[]")
    monkeypatch.chdir(tmp_path.parent)
    relative = f"./{tmp_path.name}"
    chosen = from_environment({settings.ENV_MODEL: relative, settings.ENV_MODELS: "BAAI/bge-small-en-v1.5,minilm"})
    assert chosen.model == str(tmp_path.resolve()) and chosen.models == ("BAAI/bge-small-en-v1.5", "minilm")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ftp://host", "use memory, a folder, or a server URL"),
        ("redis://x:1", "use memory, a folder, or a server URL"),
        ("http://", "use memory, a folder, or a server URL"),
        ("http://host:99999", "not a valid URL"),
        ("http://host:port", "not a valid URL"),
        ("http://[::1", "not a valid URL"),
        ("http://host name:6333", "use memory, a folder, or a server URL"),
        ("http://no-such-host.invalid:6333", "is unknown"),
    ],
)
def test_a_bad_server_url_is_refused(value, expected):
    assert expected in one_line({settings.ENV_QDRANT: value})


def test_a_server_that_refuses_connections_is_refused_at_the_door(closed_port):
    for url in (f"http://127.0.0.1:{closed_port}", f"https://localhost:{closed_port}/", f"http://[::1]:{closed_port}"):
        line = one_line({settings.ENV_QDRANT: url})
        assert "no server answers there" in line and "use memory or a folder" in line


def test_a_server_that_answers_is_used_with_its_key_and_layout(listening):
    chosen = from_environment(
        {settings.ENV_QDRANT: listening, settings.ENV_QDRANT_KEY: "s3cret-key", settings.ENV_QDRANT_SHARDS: "6,2"}
    )
    assert chosen.qdrant == listening and chosen.qdrant_on_server
    assert chosen.qdrant_api_key == "s3cret-key" and chosen.qdrant_shards == (6, 2)


@pytest.mark.parametrize("where", ["", "memory", "folder"])
@pytest.mark.parametrize("variable", [settings.ENV_QDRANT_KEY, settings.ENV_QDRANT_SHARDS])
def test_server_settings_without_a_server_are_refused_not_ignored(tmp_path, where, variable):
    environ = {variable: "6,2" if variable == settings.ENV_QDRANT_SHARDS else "key-not-to-show"}
    if where:
        environ[settings.ENV_QDRANT] = str(tmp_path) if where == "folder" else where
    line = one_line(environ)
    assert "used only with a Qdrant server" in line and "key-not-to-show" not in line


@pytest.mark.parametrize("key", ["has space", "tab\there", "é-accent", "x" * 5_000])
def test_an_api_key_is_never_shown(listening, key):
    line = one_line({settings.ENV_QDRANT_KEY: key, settings.ENV_QDRANT: listening})
    assert f"(hidden, {len(key):,} characters)" in line and key[:10] not in line


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (settings.ENV_PAGE_WAIT, "-1", "0 to 3,600"),
        (settings.ENV_PAGE_WAIT, "nan", "0 to 3,600"),
        (settings.ENV_PAGE_WAIT, "1e9", "0 to 3,600"),
        (settings.ENV_PAGE_WAIT, "1_0", "0 to 3,600"),
        (settings.ENV_DOWNLOAD, "yes", "use 1"),
        (settings.ENV_DOWNLOAD, "true", "use 1"),
        (settings.ENV_DOWNLOAD, "2", "use 1"),
        (settings.ENV_QDRANT_SHARDS, "6", "expected 'shards,replicas'"),
        (settings.ENV_QDRANT_SHARDS, "0,1", "expected 'shards,replicas'"),
        (settings.ENV_QDRANT_SHARDS, "65,1", "expected 'shards,replicas'"),
        (settings.ENV_QDRANT_SHARDS, "²,1", "expected 'shards,replicas'"),
    ],
)
def test_numbers_and_switches_outside_their_range_are_refused(listening, variable, value, expected):
    environ = {variable: value, settings.ENV_QDRANT: listening}  # a server, so shards are read for what they are
    assert expected in one_line(environ)


def test_several_mistakes_are_one_line_each(tmp_path):
    (tmp_path / "file").write_text("x")
    lines = refused(
        {
            settings.ENV_CACHE: str(tmp_path / "file"),
            settings.ENV_MODELS_DIR: "~nosuchuser/m",
            settings.ENV_DOWNLOAD: "maybe",
        }
    )
    assert [line.split("=")[0] for line in lines] == [
        settings.ENV_MODELS_DIR,
        settings.ENV_CACHE,
        settings.ENV_DOWNLOAD,
    ]


def test_a_folder_that_cannot_be_written_is_refused_for_qdrant():
    line = one_line({settings.ENV_QDRANT: "/proc/self/qdrant"})
    assert "cannot be written" in line


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to become another user")
def test_a_read_only_qdrant_folder_is_refused_for_an_ordinary_user():
    """As root every folder is writable, so the check runs as the user nobody, on folders it may only read."""
    base = Path(tempfile.mkdtemp(prefix="read-only-", dir="/tmp"))  # pytest's own folder is closed to others
    try:
        base.chmod(0o555)
        code = "from core.settings import problems; print(problems())"
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", code]
        for where in (base, base / "to-be-made"):
            env = {"PATH": os.environ["PATH"], "HOME": "/tmp", "PYTHONPATH": str(ROOT), settings.ENV_QDRANT: str(where)}
            out = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
            assert "cannot be written (permission denied" in out.stdout, out.stdout + out.stderr
    finally:
        base.chmod(0o755)
        shutil.rmtree(base)


def test_given_settings_are_used(tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("sentence\tnegated\n")
    chosen = from_environment(
        {
            settings.ENV_CACHE: str(tmp_path / "cache"),
            settings.ENV_MODELS_DIR: str(tmp_path / "models"),
            settings.ENV_PAIRS: str(pairs),
            settings.ENV_DOWNLOAD: "1",
            settings.ENV_PAGE_WAIT: "0",
        }
    )
    assert chosen.embedding_cache() == tmp_path / "cache" and chosen.models_folder() == tmp_path / "models"
    assert chosen.negation_pairs == pairs and chosen.allow_download and chosen.page_wait == 0
    for off in ("off", "OFF", "none", "0"):
        assert from_environment({settings.ENV_CACHE: off}).embedding_cache() is None


def test_current_follows_the_environment_and_rechecks_a_mistake(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.ENV_PAIRS, str(tmp_path / "later.tsv"))
    with pytest.raises(SettingsError):
        settings.current()
    (tmp_path / "later.tsv").write_text("sentence\tnegated\n")
    assert settings.current().negation_pairs == tmp_path / "later.tsv"  # a mistake is not remembered
    monkeypatch.delenv(settings.ENV_PAIRS)
    assert settings.current().negation_pairs is None


NAMES = re.compile(r"\b(SIGNED_EXPLORER_[A-Z_]+|MOVIELENS_DIR|NEGATION_PAIRS)\b")


def test_every_variable_the_code_names_is_one_of_the_settings():
    named = set()
    for folder in ("core", "ui", "pages", "scripts", "bench"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".sh"):
                named |= set(NAMES.findall(path.read_text(encoding="utf-8")))
    assert named == {v.name for v in settings.VARIABLES}


READS = re.compile(r"os\.environ\.get\(|os\.getenv\(|os\.environ\[[^\]]+\](?!\s*=)")


def test_no_module_reads_the_environment_but_settings():
    """Library variables may be set (setdefault) and restored; reading a value is the settings module's job."""
    offenders = []
    for folder in ("core", "ui", "pages", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "settings.py" or path.name == "backends.py":  # backends restores what it set
                continue
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in READS.finditer(path.read_text())]
    assert not offenders, offenders


def test_the_readme_table_is_the_settings_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings.markdown_table() in readme, "regenerate it: python -m core settings --markdown"


def test_describe_never_shows_a_key(listening):
    chosen = from_environment({settings.ENV_QDRANT: listening, settings.ENV_QDRANT_KEY: "top-secret"})
    shown = dict(settings.describe(chosen))
    assert shown[settings.ENV_QDRANT_KEY] == "(hidden, 10 characters)" and shown[settings.ENV_QDRANT] == listening
