"""A small OpenAI-compatible `/v1/embeddings` server for tests and measurements: it serves the
project's own converted multilingual-e5-small (or any encoder given), embedding each text as
sent, without role prefixes, like text-embeddings-inference does.

    python tests/embedding_server.py --port 8089     # then RAG_EMBEDDING_URL=http://127.0.0.1:8089/v1

`fail_first` answers the first N requests with 503 (retries); `api_key` demands that bearer token.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


class RawModel:
    """The project's converted model, with no prompt: the client adds "query: " / "passage: "."""

    def __init__(self, path: str, threads: int = 2) -> None:
        from rag.embed import SentenceTransformerEncoder

        self.encoder = SentenceTransformerEncoder(path, "served", 384, threads)
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> np.ndarray:
        model = self.encoder._load()
        with self._lock:
            return model.encode(texts, batch_size=16, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)


class EmbeddingServer:
    def __init__(self, embed, port: int = 0, api_key: str = "", fail_first: int = 0) -> None:
        self.embed = embed
        self.api_key = api_key
        self.fail_first = fail_first
        self.requests: list[int] = []  # texts per request, as received
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.url = f"http://127.0.0.1:{self._httpd.server_port}/v1"

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                data = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.path.rstrip("/") != "/v1/embeddings":
                    return self._send(404, {"error": {"message": f"no route {self.path}"}})
                if server.api_key and self.headers.get("Authorization") != f"Bearer {server.api_key}":
                    return self._send(401, {"error": {"message": "invalid api key"}})
                texts = data.get("input")
                texts = [texts] if isinstance(texts, str) else texts
                server.requests.append(len(texts))
                if server.fail_first > 0:
                    server.fail_first -= 1
                    return self._send(503, {"error": {"message": "warming up"}})
                vectors = server.embed(texts)
                rows = [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)]
                self._send(200, {"object": "list", "data": rows, "model": data.get("model", ""), "usage": {"prompt_tokens": 0}})

        return Handler

    def __enter__(self) -> EmbeddingServer:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8089)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from rag.convert import ensure_converted
    from rag.settings import Settings

    path = ensure_converted(Settings.from_env().cache_dir / "models")
    with EmbeddingServer(RawModel(str(path)), args.port) as server:
        print(f"serving {path} at {server.url}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
