"""Cold start of a CLI call per embedding backend: fresh `rag search` (and `rag ask` with the
extractive generator, so that only retrieval and grading are timed, not an LLM) processes,
interleaved, wall time and peak memory of each.

    python bench/coldstart.py [--backends torch,onnx-int8] [--runs 5] [--keep DIR]

Each backend gets a booklet index built with its own model (in a temporary directory, or in
`--keep DIR` to reuse it on the next run). The model files are prepared before timing, as
they are on a machine that has run `rag build` once.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOKLET = ROOT / "data" / "ongefilterde-expertadviezen-digitale-overheid.md"
QUESTIONS = ["Waarom moet de overheid oppassen met chatbots?", "Who warns about dependence on American cloud providers?"]


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one fresh process (which must succeed)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd[2:4])} failed: {proc.stderr.read().decode().strip()}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backends", default="torch,onnx-int8")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", help="keep the indexes here and reuse them")
    args = ap.parse_args()
    backends = args.backends.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.keep) if args.keep else Path(tmp)
        data = base / "data"
        data.mkdir(parents=True, exist_ok=True)
        shutil.copy(BOOKLET, data / BOOKLET.name)
        rag = [sys.executable, "-m", "rag"]
        envs = {}
        for b in backends:
            env = {**os.environ, "RAG_EMBEDDING_BACKEND": b, "RAG_GENERATOR": "extractive", "PYTHONPATH": str(ROOT)}
            index = base / f"index-{b}"
            if not (index / "CURRENT").exists():
                subprocess.run([*rag, "build", "--data", str(data), "--index", str(index)], env=env, cwd=ROOT, check=True)
            envs[b] = (env, index)
        print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other processes share them)")
        results: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for i in range(args.runs):
            q = QUESTIONS[i % len(QUESTIONS)]
            for b in backends:
                env, index = envs[b]
                for command in ("search", "ask"):
                    results.setdefault((command, b), []).append(run([*rag, command, q, "--json", "--index", str(index)], env))
        print(f"{args.runs} fresh processes each, interleaved; median (min-max) wall, median peak RSS")
        for (command, b), rows in results.items():
            walls, rss = [w for w, _ in rows], [m for _, m in rows]
            print(
                f"  rag {command:<6} {b:<10} {statistics.median(walls):5.2f} s ({min(walls):.2f}-{max(walls):.2f})"
                f"  {statistics.median(rss):5.0f} MB"
            )
        print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
