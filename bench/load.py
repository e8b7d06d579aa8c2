"""The page under load during a rebuild, with the real models: 8 users ask through the page's
API (`gradio_client`, as the load test does with the extractive generator) while a copy of the
corpus is edited and the index rebuilt from the page. Prints per-question latency p50/p95 as the
users see it, failures, and the same for one user alone, for comparison.

    python bench/load.py [--users 8] [--questions 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from pagehelper import served  # noqa: E402

import app  # noqa: E402
from rag.settings import Settings  # noqa: E402

QUESTIONS = [
    "Welk dier noemt Vincent Homburg bij een blinde vlek voor de Europese dimensie?",
    "Welk project noemt Marleen Stikker waarbij burgers zelf de luchtkwaliteit meten?",
    "Wat zegt Bob van Graft over Business Process Owners?",
    "Waarom pleit Frauke Wessel voor een landelijke centrale voorziening voor basale IT-functies?",
]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else 0.0


def run(url: str, users: int, per_user: int, data: Path | None) -> tuple[list[float], list[str], float]:
    from gradio_client import Client

    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(users + 1)

    def user(i: int) -> None:
        client = Client(url, verbose=False)
        start.wait()
        for k in range(per_user):
            q = QUESTIONS[(i + k) % len(QUESTIONS)]
            t = time.perf_counter()
            try:
                client.predict(q, [], api_name="/chat")
                with lock:
                    times.append(time.perf_counter() - t)
            except Exception as e:
                with lock:
                    failures.append(f"{q}: {e}")

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    if data is not None:
        doc = next(data.glob("ongefilterde*.md"))
        doc.write_text(doc.read_text(encoding="utf-8").replace("als een lemming", "als een pinguïn"), encoding="utf-8")
        Client(url, verbose=False).predict("bench", api_name="/rebuild")
    for t in threads:
        t.join()
    return times, failures, time.perf_counter() - began


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--questions", type=int, default=3)
    args = ap.parse_args()
    settings = Settings.from_env()
    with tempfile.TemporaryDirectory() as tmp:
        data, index = Path(tmp) / "data", Path(tmp) / "index"
        shutil.copytree(settings.data_dir, data)
        shutil.copytree(settings.index_dir, index)
        service = app.ChatService(replace(settings, data_dir=data, index_dir=index))
        service.admin_password = "bench"
        service.pipeline.warm_up()
        with served(service) as url:
            alone, _, _ = run(url, 1, len(QUESTIONS), None)
            times, failures, wall = run(url, args.users, args.questions, data)
    print(f"1 user alone: per question p50 {statistics.median(alone):.2f} s, p95 {pct(alone, 0.95):.2f} s (n={len(alone)})")
    print(
        f"{args.users} users during a rebuild: per question p50 {statistics.median(times):.2f} s, p95 {pct(times, 0.95):.2f} s"
        f" (n={len(times)}), {len(failures)} failed, {len(times) / wall:.2f} answers/s over {wall:.1f} s"
    )
    for f in failures[:5]:
        print("  failed:", f)


if __name__ == "__main__":
    main()
