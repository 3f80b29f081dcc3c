"""Every environment variable the project honours, read and checked once, as one typed, frozen object.

Entry points check it at the door: the CLI before any command (a mistake exits 2), the app before any page
(a mistake is an error on the page), the server before it warms up. Every module then reads its setting from
:func:`current`, never from ``os.environ``. A variable that is absent (or empty) takes its default; a variable
that is given is used or refused, never replaced by a default or by the shared data. Each mistake is one line
naming the variable, its value (shortened; an API key is never shown) and what is allowed:

>>> from_environment({ENV_QDRANT_SHARDS: "6"})
Traceback (most recent call last):
...
core.settings.SettingsError: SIGNED_EXPLORER_QDRANT_SHARDS='6': expected 'shards,replicas', two whole numbers 1 to 64
>>> settings = from_environment({ENV_CACHE: "off", ENV_PAGE_WAIT: "2.5"})
>>> settings.embedding_cache(), settings.page_wait, settings.qdrant
(None, 2.5, 'memory')

The README's configuration table is :func:`markdown_table` (a test holds the two equal).
"""

from __future__ import annotations

import functools
import os
import re
import socket
import stat
import tempfile
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from core.errors import InputError, shorten
from core.numeric import NumberError, parse_integer, parse_number

ENV_MODEL = "SIGNED_EXPLORER_MODEL"
ENV_MODELS = "SIGNED_EXPLORER_MODELS"
ENV_MODELS_DIR = "SIGNED_EXPLORER_MODELS_DIR"
ENV_CACHE = "SIGNED_EXPLORER_CACHE"
ENV_DOWNLOAD = "SIGNED_EXPLORER_ALLOW_DOWNLOAD"
ENV_QDRANT = "SIGNED_EXPLORER_QDRANT"
ENV_QDRANT_KEY = "SIGNED_EXPLORER_QDRANT_API_KEY"
ENV_QDRANT_SHARDS = "SIGNED_EXPLORER_QDRANT_SHARDS"
ENV_PAGE_WAIT = "SIGNED_EXPLORER_PAGE_WAIT"
ENV_MOVIELENS = "MOVIELENS_DIR"
ENV_PAIRS = "NEGATION_PAIRS"
ENV_CHROMIUM = "SIGNED_EXPLORER_CHROMIUM"
ENV_NGINX = "SIGNED_EXPLORER_NGINX"
ENV_SERVER_LOG = "SIGNED_EXPLORER_SERVER_LOG"

MEMORY = "memory"
CACHE_OFF = ("off", "none", "0")
MAX_ADDED_MODELS = 8  # models SIGNED_EXPLORER_MODELS may add: every page lists them, `--model all` loads each
MAX_PATH_CHARS = 4_096  # PATH_MAX on Linux: a longer value is refused before any system call
MAX_NAME_BYTES = 255  # one folder or file name (NAME_MAX)
MAX_WAIT_SECONDS = 3_600
MAX_SHARDS = 64
PROBE_SECONDS = 2.0  # how long a server URL is tried at the door
MOVIELENS_FILES = ("ratings.csv", "movies.csv", "tags.csv")
HUB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?")
"""A registry id or a model hub's name (``minilm``, ``BAAI/bge-small-en-v1.5``)."""
MODEL_FILES = ("modules.json", "config.json")  # a sentence-transformers folder holds at least one of these


class SettingsError(InputError):
    """One or more variables that cannot be used; ``problems`` holds one line per variable."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


class Refused(ValueError):
    """What is wrong with one value, as the clause after ``NAME=value:``."""


@dataclass(frozen=True)
class Settings:
    """The checked configuration. Paths are expanded; a folder model is its resolved path."""

    model: str | None = None
    models: tuple[str, ...] = ()
    models_dir: Path | None = None  # None: the default, resolved by :meth:`models_folder`
    cache_dir: Path | None = None
    cache_off: bool = False
    allow_download: bool = False
    qdrant: str = MEMORY  # "memory", an absolute folder, or a server URL
    qdrant_api_key: str | None = None
    qdrant_shards: tuple[int, int] | None = None
    page_wait: float | None = None
    movielens_dir: Path | None = None
    negation_pairs: Path | None = None
    chromium: Path | None = None
    nginx: Path | None = None
    server_log: Path | None = None

    @property
    def qdrant_on_server(self) -> bool:
        return self.qdrant.startswith(("http://", "https://"))

    def embedding_cache(self) -> Path | None:
        """The embedding cache folder (None: off, memory only)."""
        return None if self.cache_off else self.cache_dir or home() / ".cache" / "signed-explorer"

    def models_folder(self) -> Path:
        """Where models built here (the joined mpnet, the distilled model2vec) are kept."""
        return self.models_dir or home() / ".cache" / "signed-explorer" / "models"


def home() -> Path:
    """The user's home folder; a process without one gets a clear error, not a traceback."""
    try:
        return Path.home()
    except RuntimeError:
        raise SettingsError(["no home folder (HOME is unset): set SIGNED_EXPLORER_CACHE to a folder"]) from None


# -- reading one value -----------------------------------------------------------------------------------


def expand(raw: str) -> Path:
    """A path a person wrote: ``~`` and ``~user`` expanded; an unknown user or an overlong path is refused.

    >>> expand("~nosuchuser/x")
    Traceback (most recent call last):
    ...
    core.settings.Refused: there is no user 'nosuchuser' on this machine to expand '~nosuchuser'; write the full path
    """
    if len(raw) > MAX_PATH_CHARS:
        raise Refused(f"the path is {len(raw):,} characters; at most {MAX_PATH_CHARS:,} are allowed")
    if raw.startswith("~"):
        expanded = os.path.expanduser(raw)
        if expanded.startswith("~"):
            user = raw[1:].split("/", 1)[0]
            raise Refused(
                f"there is no user {shorten(user, 40)} on this machine to expand {shorten('~' + user, 40)}; "
                "write the full path"
                if user
                else "there is no home folder to expand '~'; write the full path"
            )
        raw = expanded
    names = Path(raw).parts
    long = next((name for name in names if len(name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES), None)
    if long is not None:
        raise Refused(f"the name {shorten(long, 30)} is longer than {MAX_NAME_BYTES} bytes; no file system holds it")
    return Path(raw)


def expand_argument(text: str, option: str) -> Path:
    """:func:`expand` for a command-line path: a problem is an :class:`InputError` naming the option."""
    try:
        return expand(text)
    except Refused as exc:
        raise InputError(f"{option} {shorten(text)}: {exc}") from None


def kind_of(path: Path) -> str:
    """What is at ``path``: "folder", "file", "missing", or what else it is, in words."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "a broken symbolic link" if os.path.lexists(path) else "missing"
    except NotADirectoryError:  # a file stands where a folder of the path should be
        return "missing"
    except OSError as exc:
        raise Refused(f"cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISREG(mode):
        return "file"
    return "a pipe" if stat.S_ISFIFO(mode) else "a device or socket"


def _existing(raw: str, wanted: str) -> Path:
    """An existing "folder" or "file"; anything else is refused, saying what it is."""
    path = expand(raw)
    kind = kind_of(path)
    if kind != wanted:
        raise Refused(f"no such {wanted}" if kind == "missing" else f"is {_article(kind)}, not a {wanted}")
    return path


def _folder(raw: str) -> Path:
    return _existing(raw, "folder")


def _file(raw: str) -> Path:
    return _existing(raw, "file")


def _article(kind: str) -> str:
    return f"a {kind}" if kind in ("file", "folder") else kind


def _nearest(path: Path) -> Path:
    """The deepest part of ``path`` that exists (what a ``mkdir -p`` would start from)."""
    absolute = Path(os.path.abspath(path))
    for candidate in (absolute, *absolute.parents):
        if kind_of(candidate) != "missing":
            return candidate
    return Path(absolute.anchor)


def _folder_to_make(raw: str) -> Path:
    """A folder that exists, or that can be made: the deepest existing part of its path is a folder."""
    path = expand(raw)
    kind = kind_of(path)
    if kind == "folder":
        return path
    if kind != "missing":
        raise Refused(f"is {_article(kind)}, not a folder")
    base = _nearest(path)
    if kind_of(base) != "folder":
        raise Refused(f"cannot be made: {shorten(str(base), 60)} is {_article(kind_of(base))}, not a folder")
    return path


def _writable_folder(raw: str) -> Path:
    """A folder this process can write in (Qdrant keeps a lock file there), or can make."""
    path = _folder_to_make(raw)
    where = path if kind_of(path) == "folder" else _nearest(path)
    try:
        with tempfile.TemporaryFile(dir=where):
            pass
    except OSError as exc:
        reason = (exc.strerror or "refused").lower()
        raise Refused(f"cannot be written ({reason} in {shorten(str(where), 60)})") from None
    return path.resolve()


def _program(raw: str) -> Path:
    path = _file(raw)
    if not os.access(path, os.X_OK):
        raise Refused("is not executable")
    return path


def _log_file(raw: str) -> Path:
    path = expand(raw)
    kind = kind_of(path)
    if kind == "folder":
        raise Refused("is a folder; give a file to append to")
    if kind == "missing" and kind_of(path.parent if str(path.parent) else Path(".")) != "folder":
        raise Refused("its folder does not exist")
    return path


def _movielens(raw: str) -> Path:
    folder = _folder(raw)
    kinds = {name: kind_of(folder / name) for name in MOVIELENS_FILES}
    missing = [name for name, kind in kinds.items() if kind == "missing"]
    if missing:
        raise Refused(f"holds no {', '.join(missing)}; point it at the unpacked ml-latest-small folder")
    odd = [f"{name} is {_article(kind)}" for name, kind in kinds.items() if kind != "file"]
    if odd:
        raise Refused(f"{'; '.join(odd)}: the three files must be regular files")
    return folder


def _cache(raw: str) -> Path | None:
    return None if raw.lower() in CACHE_OFF else _folder_to_make(raw)


def _switch(raw: str) -> bool:
    if raw not in ("0", "1"):
        raise Refused("use 1 (downloads allowed) or 0 (off, the default)")
    return raw == "1"


def _seconds(raw: str) -> float:
    try:
        value = parse_number(raw)
    except NumberError:
        value = -1.0
    if not 0 <= value <= MAX_WAIT_SECONDS:
        raise Refused(f"expected seconds, a number from 0 to {MAX_WAIT_SECONDS:,}")
    return value


def _shards(raw: str) -> tuple[int, int]:
    parts = raw.split(",")
    try:
        shards, replicas = (parse_integer(p) for p in parts) if len(parts) == 2 else (0, 0)
    except NumberError:
        shards = replicas = 0
    if not (1 <= shards <= MAX_SHARDS and 1 <= replicas <= MAX_SHARDS):
        raise Refused(f"expected 'shards,replicas', two whole numbers 1 to {MAX_SHARDS}")
    return shards, replicas


def _api_key(raw: str) -> str:
    if len(raw) > MAX_PATH_CHARS or not all(" " < ch < "\x7f" for ch in raw):
        raise Refused(f"an API key is printable ASCII without spaces, at most {MAX_PATH_CHARS:,} characters")
    return raw


def _qdrant(raw: str) -> str:
    if raw.lower() == MEMORY:
        return MEMORY
    if "://" not in raw:
        return str(_writable_folder(raw))
    try:
        parts = urllib.parse.urlsplit(raw)
        parts.port  # noqa: B018 - a port out of range or not a number raises here
    except ValueError as exc:
        raise Refused(f"not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(ch.isspace() for ch in raw):
        raise Refused("use memory, a folder, or a server URL such as http://localhost:6333")
    return raw


def reachable(url: str, timeout: float = PROBE_SECONDS) -> None:
    """Open (and close) a connection to the URL's host and port; :class:`Refused` says why it failed."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except socket.gaierror:
        raise Refused(f"the host {shorten(parts.hostname, 40)} is unknown; check the URL") from None
    except TimeoutError:
        raise Refused(f"no answer within {timeout:g} s; start the server, or use memory or a folder") from None
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise Refused(f"no server answers there ({reason}); start it, or use memory or a folder") from None


def _model(raw: str) -> str:
    """A registry id or a hub name (kept as written), or a sentence-transformers folder (returned resolved): a
    value that names an existing folder is that folder; one written as a path (``/``, ``~``, ``.``) must be one."""
    path = expand(raw)
    kind = kind_of(path)
    if kind == "missing" and HUB_NAME.fullmatch(raw) and not raw.startswith("."):
        return raw
    if kind == "missing":
        raise Refused(
            "no such folder"
            if raw.startswith(("/", "~", ".")) or "/" in raw
            else "neither a folder nor a model name (a registry id, or a hub name such as BAAI/bge-small-en-v1.5)"
        )
    if kind != "folder":
        raise Refused(f"is {_article(kind)}, not a model folder")
    if not any(kind_of(path / name) == "file" for name in MODEL_FILES):
        raise Refused(f"holds no {' or '.join(MODEL_FILES)}: not a sentence-transformers model folder")
    return str(path.resolve())


def _models(raw: str) -> tuple[str, ...]:
    entries = list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if len(entries) > MAX_ADDED_MODELS:
        raise Refused(
            f"lists {len(entries)} models; at most {MAX_ADDED_MODELS} may be added (every page lists them and "
            "`--model all` loads each)"
        )
    out = []
    for number, entry in enumerate(entries, 1):
        try:
            out.append(_model(entry))
        except Refused as exc:
            raise Refused(f"entry {number}, {shorten(entry, 40)}: {exc}") from None
    return tuple(dict.fromkeys(out))


# -- the table of variables -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Variable:
    """One environment variable: where it goes, how it is read, and the README's row for it."""

    name: str
    field: str
    read: Callable[[str], Any]
    default: str
    meaning: str
    secret: bool = False


VARIABLES: tuple[Variable, ...] = (
    Variable(
        ENV_MODEL,
        "model",
        _model,
        "`minilm` (the bundled all-MiniLM-L6-v2)",
        "the default model: a registry id (`python -m core models`), a hub name or a sentence-transformers folder",
    ),
    Variable(
        ENV_MODELS,
        "models",
        _models,
        "unset",
        f"comma-separated hub names or sentence-transformers folders added to the model list (at most "
        f"{MAX_ADDED_MODELS}; more are refused)",
    ),
    Variable(
        ENV_MODELS_DIR,
        "models_dir",
        _folder_to_make,
        "`~/.cache/signed-explorer/models`",
        "where the joined mpnet and the distilled model2vec are kept: a folder, or one that can be made",
    ),
    Variable(
        ENV_CACHE,
        "cache_dir",
        _cache,
        "`~/.cache/signed-explorer`",
        "the embedding and map cache folder (a folder, or one that can be made); `off` keeps it in memory only",
    ),
    Variable(
        ENV_DOWNLOAD,
        "allow_download",
        _switch,
        "`0`",
        "`1` lets sentence-transformers download a hub model; with `0` a hub name must be in the local "
        "Hugging Face cache",
    ),
    Variable(
        ENV_QDRANT,
        "qdrant",
        _qdrant,
        "`memory`",
        "where Qdrant collections live: `memory` (Qdrant's engine in the process, Qdrant Edge, in a temporary "
        "folder deleted at exit), a folder this process can write (the same, kept on disk; one process at a time) "
        f"or a server URL such as `http://localhost:6333`, tried for {PROBE_SECONDS:g} s at start (through "
        "`qdrant-client`)",
    ),
    Variable(
        ENV_QDRANT_KEY,
        "qdrant_api_key",
        _api_key,
        "unset",
        "the Qdrant server's API key (only with a server URL; never shown in messages)",
        secret=True,
    ),
    Variable(
        ENV_QDRANT_SHARDS,
        "qdrant_shards",
        _shards,
        "unset",
        f"`shards,replicas` for collections the app creates on a server, each 1 to {MAX_SHARDS}, e.g. `6,2` "
        "(only with a server URL)",
    ),
    Variable(
        ENV_MOVIELENS,
        "movielens_dir",
        _movielens,
        "unset",
        "the unpacked `ml-latest-small` folder, holding " + ", ".join(f"`{n}`" for n in MOVIELENS_FILES) + "; "
        'when set, the only place looked in (see "Real data: MovieLens")',
    ),
    Variable(
        ENV_PAIRS,
        "negation_pairs",
        _file,
        "unset",
        "a negation-pairs file (TSV or CSV with `sentence` and `negated` columns) used instead of "
        "`../shared/data/negation-pairs/`",
    ),
    Variable(
        ENV_PAGE_WAIT,
        "page_wait",
        _seconds,
        "`1.5`",
        f"seconds a page waits for a build before it shows progress, 0 to {MAX_WAIT_SECONDS:,} (the page tests "
        "wait for builds to finish)",
    ),
    Variable(
        ENV_CHROMIUM,
        "chromium",
        _program,
        "`/usr/bin/chromium`",
        "the Chromium the browser tests, benchmarks and screenshots start (an executable file)",
    ),
    Variable(ENV_NGINX, "nginx", _program, "`nginx` on the PATH", "the nginx `make serve` runs (an executable file)"),
    Variable(
        ENV_SERVER_LOG,
        "server_log",
        _log_file,
        "unset (output dropped)",
        "a file the test harness appends its servers' output to (for debugging)",
    ),
)
assert {v.field for v in VARIABLES} <= {f.name for f in fields(Settings)}, "every variable has a field"


def shown(variable: Variable, raw: str) -> str:
    """How a value appears in a message: shortened, and an API key only by its length."""
    if variable.secret:
        return f"{variable.name} (hidden, {len(raw):,} characters)"
    return f"{variable.name}={shorten(raw)}"


def from_environment(environ: Mapping[str, str]) -> Settings:
    """Read and check every variable of ``environ``; :class:`SettingsError` lists one line per mistake."""
    given = {v.name: environ.get(v.name, "").strip() for v in VARIABLES}
    values: dict[str, Any] = {"cache_off": given[ENV_CACHE].lower() in CACHE_OFF and bool(given[ENV_CACHE])}
    problems: dict[str, str] = {}
    for variable in VARIABLES:
        raw = given[variable.name]
        if raw:
            try:
                values[variable.field] = variable.read(raw)
            except Refused as exc:
                problems[variable.name] = f"{shown(variable, raw)}: {exc}"
    if ENV_QDRANT not in problems:
        _check_qdrant(values.get("qdrant", MEMORY), given, problems)
    if problems:
        raise SettingsError(list(problems.values()))
    return Settings(**values)


def _check_qdrant(where: str, given: Mapping[str, str], problems: dict[str, str]) -> None:
    """A server URL is tried; the API key and the shards are used only with a server, so without one they are
    refused (never silently ignored)."""
    if where.startswith(("http://", "https://")):
        try:
            reachable(where)
        except Refused as exc:
            problems[ENV_QDRANT] = f"{ENV_QDRANT}={shorten(given[ENV_QDRANT])}: {exc}"
        return
    for variable in VARIABLES:
        if variable.name in problems or variable.name not in (ENV_QDRANT_KEY, ENV_QDRANT_SHARDS):
            continue
        if given[variable.name]:
            problems[variable.name] = (
                f"{shown(variable, given[variable.name])}: used only with a Qdrant server, and {ENV_QDRANT} is "
                f"{shorten(where)}; unset it, or point {ENV_QDRANT} at a server URL"
            )


@functools.lru_cache(maxsize=8)
def _load(raw: tuple[tuple[str, str], ...]) -> Settings:
    return from_environment(dict(raw))


def current() -> Settings:
    """The settings of this process's environment, checked once per set of values (a mistake is not remembered:
    it is checked again, so a server that was down is found once it is up)."""
    return _load(tuple((v.name, os.environ.get(v.name, "")) for v in VARIABLES))


def problems() -> list[str]:
    """The door: every mistake in the environment, one line each (empty when all is well)."""
    try:
        current()
    except SettingsError as exc:
        return list(exc.problems)
    return []


def markdown_table() -> str:
    """The README's configuration table (a test holds the README to it)."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    rows += [f"| `{v.name}` | {v.default} | {v.meaning} |" for v in VARIABLES]
    return "\n".join(rows)


def describe(settings: Settings) -> list[tuple[str, str]]:
    """(variable, the value in use) for each variable, as ``python -m core settings`` prints them."""
    out = []
    for variable in VARIABLES:
        value = getattr(settings, variable.field)
        if variable.secret and value:
            value = f"(hidden, {len(value):,} characters)"
        elif value is None or value == ():
            value = f"default: {variable.default.replace('`', '')}"
        elif isinstance(value, tuple):
            value = ",".join(map(str, value))
        out.append((variable.name, str(value)))
    return out


def read(name: str, raw: str) -> Any:
    """One variable's value read from ``raw`` as if it were set (a location given in code, a test); a mistake is a
    :class:`SettingsError` of one line. An empty value is the variable's default (None)."""
    variable = next(v for v in VARIABLES if v.name == name)
    if not raw.strip():
        return None
    try:
        return variable.read(raw.strip())
    except Refused as exc:
        raise SettingsError([f"{shown(variable, raw.strip())}: {exc}"]) from None
