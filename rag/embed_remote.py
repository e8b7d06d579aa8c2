"""Embeddings from any OpenAI-compatible `/v1/embeddings` server (text-embeddings-inference,
vLLM, Infinity, llama.cpp server), behind the same `Encoder` protocol as the local models.

Owns the request format, batching, concurrency and retries. The server embeds the text it is
sent, so the E5 role prefixes ("query: ", "passage: ") are added here, as the local model adds
them from its config; vectors are L2-normalised here whatever the server does.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .errors import ModelUnavailableError

RETRIES = 4  # attempts after the first for a connection error, 429 or 5xx
BACKOFF_S = 0.5  # first wait; doubles with every retry
RETRY_STATUS = {408, 429, 500, 502, 503, 504}


class RemoteEncoder:
    """`encode` sends `batch_size` texts per request and up to `concurrency` requests at once."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        prefixes: tuple[str, str] = ("query: ", "passage: "),
        batch_size: int = 32,
        concurrency: int = 4,
        timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        base = base_url.rstrip("/")
        self.url = base if base.endswith("/embeddings") else base + ("/embeddings" if base.endswith("/v1") else "/v1/embeddings")
        self.model = model
        # The manifest's record of who made the vectors: a served model's vectors are never mixed
        # with the in-process model's (or another served model's) in one index.
        self.model_id = f"{model} (OpenAI-compatible server)"
        self.api_key = api_key
        self.prefixes = {"query": prefixes[0], "passage": prefixes[1]}
        self.request_size = max(1, batch_size)
        self.concurrency = max(1, concurrency)
        # The build hands the encoder this many texts at a time (one progress step).
        self.batch_size = self.request_size * self.concurrency
        self.timeout = timeout
        self._sleep = sleep
        self._dimension = 0

    @property
    def dimension(self) -> int:
        if not self._dimension:
            self.encode(["dimension"], "query")
        return self._dimension

    def encode(self, texts: Sequence[str], kind: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension or 0), dtype=np.float32)
        prefixed = [self.prefixes[kind] + t for t in texts]
        batches = [prefixed[i : i + self.request_size] for i in range(0, len(prefixed), self.request_size)]
        with ThreadPoolExecutor(min(self.concurrency, len(batches))) as pool:
            parts = list(pool.map(self._embed, batches))
        vectors = np.concatenate(parts).astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        if not np.all(norms > 0):
            raise ModelUnavailableError(f"the embedding server at {self.url} returned an all-zero vector")
        self._dimension = vectors.shape[1]
        return np.ascontiguousarray(vectors / norms)

    def _embed(self, batch: list[str]) -> np.ndarray:
        body = json.dumps({"model": self.model, "input": batch, "encoding_format": "float"}).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        for attempt in range(RETRIES + 1):
            last = attempt == RETRIES
            try:
                request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return self._vectors(json.load(response), len(batch))
            except urllib.error.HTTPError as e:
                if e.code not in RETRY_STATUS or last:
                    detail = e.read(300).decode("utf-8", "replace").strip()
                    raise ModelUnavailableError(
                        f"the embedding server at {self.url} answered {e.code}: {detail or e.reason}"
                    ) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
                if last:
                    reason = getattr(e, "reason", e)
                    raise ModelUnavailableError(f"cannot reach the embedding server at {self.url}: {reason}") from None
            self._sleep(BACKOFF_S * 2**attempt)
        raise AssertionError("unreachable")

    def _vectors(self, payload: dict, expected: int) -> np.ndarray:
        try:
            rows = sorted(payload["data"], key=lambda d: d["index"])
            vectors = np.array([r["embedding"] for r in rows], dtype=np.float32)
        except (KeyError, TypeError, ValueError):
            raise ModelUnavailableError(f"the embedding server at {self.url} did not answer in the OpenAI format") from None
        if vectors.ndim != 2 or len(vectors) != expected:
            raise ModelUnavailableError(
                f"the embedding server at {self.url} returned {len(vectors)} vectors for {expected} texts"
            )
        return vectors
