"""A page process without a browser, for the tests of many processes on one database: the
page's own `ChatService` on the index in RAG_INDEX_DIR (fake encoder, copying generator).

Reads commands on stdin, one per line, and answers each with one JSON line:
    ask QUESTION   -> {"version", "answer", "sources"}
    rebuild        -> {"version", "report"}
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import Copying, FakeEncoder  # noqa: E402

import app  # noqa: E402
from rag.settings import Settings  # noqa: E402


def main() -> None:
    service = app.ChatService(Settings.from_env(), FakeEncoder(), Copying())
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command, _, rest = line.rstrip("\n").partition(" ")
        if command == "ask":
            *_, (history, sources) = service.chat(rest, [])
            version = service.pipeline.index.current().version
            print(json.dumps({"version": version, "answer": app._plain(history[-1]["content"]), "sources": sources}), flush=True)
        elif command == "rebuild":
            report, _ = service.rebuild()
            print(json.dumps({"version": service.pipeline.index.current().version, "report": report}), flush=True)


if __name__ == "__main__":
    main()
