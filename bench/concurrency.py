"""Generation concurrency with the `openai` backend: 8 users on the page (gradio_client) against
a local OpenAI-compatible server of fixed latency (0.5 s to the first token, then 20 tokens at
50 ms: what a batching server such as vLLM does per request, whatever runs beside it), with
RAG_GENERATOR_CONCURRENCY 1 and 8. Real index and embedding model; the fake server stands in for
the language model only. Prints per-question p50/p95, wall time and throughput per setting.

    python bench/concurrency.py [--users 8] [--questions 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from crowd import ask_concurrently  # noqa: E402
from pagehelper import served  # noqa: E402

import app  # noqa: E402
from rag.embed import load_encoder  # noqa: E402
from rag.evaluate import percentile  # noqa: E402
from rag.generate import OpenAICompatibleGenerator  # noqa: E402
from rag.settings import Settings  # noqa: E402


class FixedLatency(BaseHTTPRequestHandler):
    """Answers with the first source sentence of the prompt, at a fixed pace."""

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        user = body["messages"][-1]["content"]
        line = next((x for x in user.splitlines() if x.startswith("[1]")), "[1] x: Geen bron.")
        words = line.split(": ", 1)[1].split(". ")[0].split()[:20]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        time.sleep(0.5)
        for w in words:
            self.wfile.write(f"data: {json.dumps({'choices': [{'delta': {'content': w + ' '}}]})}\n\n".encode())
            self.wfile.flush()
            time.sleep(0.05)
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args):
        pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--questions", type=int, default=3)
    args = ap.parse_args()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FixedLatency)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    settings = Settings.from_env()
    encoder = load_encoder(settings)
    walls = {}
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        shutil.copytree(settings.index_dir, index)
        for concurrency in (1, args.users):
            generator = OpenAICompatibleGenerator(base, "fixed-latency", concurrency=concurrency)
            service = app.ChatService(replace(settings, index_dir=index), encoder, generator)
            with served(service) as url:
                ask_concurrently(url, 1, 1)  # warm-up
                times, failures, wall = ask_concurrently(url, args.users, args.questions)
            walls[concurrency] = wall
            print(
                f"RAG_GENERATOR_CONCURRENCY={concurrency}: {args.users} users, per question p50 {statistics.median(times):.2f} s,"
                f" p95 {percentile(times, 0.95):.2f} s; {len(times)} answers in {wall:.1f} s ({len(times) / wall:.2f}/s), {len(failures)} failed"
            )
    httpd.shutdown()
    print(f"wall time, concurrency {args.users} vs 1: {walls[args.users] / walls[1]:.2f}x")


if __name__ == "__main__":
    main()
