"""Retrieval on the booklet as people have it: the markdown, its PDF prints in every layout of
`tests/fixtures/layouts.py`, its Word version (and any PDFs given), each indexed alone with the
real default model and asked the same questions (`bench/layout_questions.jsonl`, written for
this bench). Prints per source the structure found, the warnings, hit@1/hit@5 and the
difference in hit@5 from the markdown's, the share of advices whose first chunk has a page,
and the build time.

    python bench/layouts.py [--gold bench/layout_questions.jsonl] [extra.pdf ...]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "fixtures")]  # this checkout's rag, and the layouts

from rag.build import build  # noqa: E402
from rag.embed import load_encoder  # noqa: E402
from rag.metrics import read_gold, retrieval_scores  # noqa: E402
from rag.retrieve import Retriever  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.store import load  # noqa: E402


def sources(extra: list[str]) -> list[Path]:
    import layouts

    printed = layouts.ensure(ROOT / ".cache" / "layouts")
    return (
        [layouts.BOOKLET] + [printed / f"{x}.pdf" for x in layouts.LAYOUTS] + [printed / layouts.DOCX] + [Path(p) for p in extra]
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", default=str(ROOT / "bench" / "layout_questions.jsonl"))
    ap.add_argument("extra", nargs="*", help="more PDFs of the booklet")
    args = ap.parse_args()
    gold = read_gold(args.gold)
    base = Settings.from_env()
    encoder = load_encoder(base)
    work = Path(tempfile.mkdtemp(prefix="bench-layouts-"))
    # One index folder for all: a build reuses the vectors of chunks whose text it has seen.
    settings = replace(base, index_dir=work / "index", cache_dir=work / "cache")
    print(f"{len(gold)} questions from {args.gold}; model {encoder.model_id}")
    print(f"{'source':<44} {'c/e/a':>9} {'warn':>4} {'hit@1':>6} {'hit@5':>6} {'Δhit@5':>7} {'paged':>6} {'build s':>7}")
    reference = None
    try:
        for path in sources(args.extra):
            data = work / "data"
            shutil.rmtree(data, ignore_errors=True)
            data.mkdir()
            shutil.copy(path, data / path.name)
            started = time.perf_counter()
            report = build(replace(settings, data_dir=data), encoder)
            seconds = time.perf_counter() - started
            index = load(settings.index_dir, encoder.model_id)
            retriever = Retriever(index, encoder, base.fusion_weight)
            rows = [(q, [(h.chunk.experts, h.chunk.advice) for h in retriever.search(q["question"], k=10)]) for q in gold]
            m = retrieval_scores(rows)
            reference = m.hit_at_5 if reference is None else reference
            firsts = [c for c in index.chunks if c.advice and c.part == 0]
            paged = sum(c.page > 0 for c in firsts) / len(firsts) if firsts else 0.0
            counts = f"{report.contributions}/{report.experts}/{report.advices}"
            name = path.name if path.parent != ROOT / "data" else "markdown"
            print(
                f"{name:<44} {counts:>9} {len(report.warnings):>4} {m.hit_at_1:>6.3f} {m.hit_at_5:>6.3f} "
                f"{m.hit_at_5 - reference:>+7.3f} {paged:>6.2f} {seconds:>7.1f}",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
