"""What a process of this project sets up once, at its entry point, and nothing else does.

``python -m core`` (the CLI), ``python -m ui.server`` (the app), ``app.py``, the test suite and the benchmarks
call :func:`start` first. It sets the environment the model libraries read (no hub, no telemetry, quiet
progress, OpenMP threads that do not spin between calls) and registers the one exit hook: every loaded
embedder writes its pending vectors, every Qdrant client and Qdrant Edge shard closes (and this process's
in-memory shards are deleted). No module sets a process-wide default when
it is imported.

:func:`configuration_problems` is the door every entry point checks before it does anything: the project's
environment variables (:mod:`core.settings`) and what needs the model registry to check.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import sys

ENV_DEFAULTS = {
    "ORT_DISABLE_TELEMETRY": "1",  # onnxruntime's telemetry resolves a Microsoft host unless this is set
    "OMP_WAIT_POLICY": "PASSIVE",  # OpenMP workers otherwise spin ~200 ms after each call, stealing the CPU
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TOKENIZERS_PARALLELISM": "false",  # tokenizers' own threads would fight torch's for two cores
}


@functools.cache
def start() -> None:
    """Set the process's environment defaults (values already set win) and the exit hook; once per process."""
    for name, value in ENV_DEFAULTS.items():
        os.environ.setdefault(name, value)
    atexit.register(_at_exit)


def _at_exit() -> None:
    """Keep what was computed and close what was opened, while the interpreter still works. Only modules this
    process loaded have anything to keep or close (importing one now could start threads during shutdown)."""
    hooks = (
        ("core.embedding.cache", "flush_all"),
        ("core.retrieval.qdrant", "close_clients"),
        ("core.retrieval.edge", "close_stores"),
    )
    for module, hook in hooks:
        loaded = sys.modules.get(module)
        if loaded is not None:
            with contextlib.suppress(Exception):
                getattr(loaded, hook)()


def configuration_problems() -> list[str]:
    """Every mistake in the project's environment variables, one line each (empty when all is well)."""
    from core import settings

    problems = settings.problems()
    if problems:
        return problems
    from core.embedding import models

    return models.check_environment()
