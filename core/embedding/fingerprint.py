"""What made a vector: one digest of the model as loaded, the key of every artefact computed from its output.

The embedding packs, the fitted maps, the Qdrant collections and the recommenders (with their whiteners) are
keyed by an embedder's ``fingerprint``, so a model changed in place (its pooling, its config, its weights, its
prefix) is a cache miss, never a wrong hit, and a model of another dimension never meets the old vectors.
The digest covers:

- a folder (a sentence-transformers model, the joined mpnet, the distilled model2vec): every file's content,
  config, pooling and tokenizer included; a weight file whose SHA-256 is recorded and checked before it loads
  stands in by that value (hashing 400 MB at every start would cost seconds);
- a hub name: the commit of its snapshot in the local Hugging Face cache (a commit's files never change);
- always: the backend, the model's name and the prefix every text gets.

>>> digest("a", "b") != digest("ab", "")
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from core.embedding.models import sha256_of


def digest(*parts: str) -> str:
    """SHA-256 (hex) of the parts, kept apart by a separator no name holds."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def folder_files(folder: Path) -> list[Path]:
    """Every file under ``folder`` that a loader may read, in a stable order (hidden files and folders, such as
    ``.git`` or a hub's ``.cache``, are left out)."""
    found = [p for p in folder.rglob("*") if not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    return sorted((p for p in found if p.is_file()), key=lambda p: p.relative_to(folder).as_posix())


def folder_digest(folder: Path, recorded: Mapping[str, str] | None = None) -> str:
    """The digest of a model folder's files: their relative paths and contents (``recorded``: relative path ->
    a SHA-256 that the loader checks, used instead of reading the file again)."""
    recorded = recorded or {}
    entries = []
    for path in folder_files(folder):
        name = path.relative_to(folder).as_posix()
        entries.append(f"{name}={recorded.get(name) or sha256_of(path)}")
    return digest("folder", *entries)


def hub_commit(name: str) -> str | None:
    """The commit of a hub model's snapshot in the local Hugging Face cache, or None if it is not there."""
    from huggingface_hub import try_to_load_from_cache
    from huggingface_hub.errors import HFValidationError

    for file in ("modules.json", "config.json"):
        try:
            found = try_to_load_from_cache(name, file)
        except HFValidationError:
            return None
        if isinstance(found, str):
            return Path(found).parent.name
    return None
