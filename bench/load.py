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
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from crowd import QUESTIONS, ask_concurrently  # noqa: E402
from pagehelper import edit_booklet, served  # noqa: E402

import app  # noqa: E402
from rag.evaluate import percentile  # noqa: E402
from rag.settings import Settings  # noqa: E402


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
            from gradio_client import Client

            def edit_and_rebuild() -> None:
                edit_booklet(data)
                Client(url, verbose=False).predict("bench", api_name="/rebuild")

            alone, _, _ = ask_concurrently(url, 1, len(QUESTIONS))
            times, failures, wall = ask_concurrently(url, args.users, args.questions, during=edit_and_rebuild)
    print(
        f"1 user alone: per question p50 {statistics.median(alone):.2f} s, p95 {percentile(alone, 0.95):.2f} s (n={len(alone)})"
    )
    print(
        f"{args.users} users during a rebuild: per question p50 {statistics.median(times):.2f} s, p95 {percentile(times, 0.95):.2f} s"
        f" (n={len(times)}), {len(failures)} failed, {len(times) / wall:.2f} answers/s over {wall:.1f} s"
    )
    for f in failures[:5]:
        print("  failed:", f)


if __name__ == "__main__":
    main()
