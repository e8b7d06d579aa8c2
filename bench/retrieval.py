"""Retrieval quality per fusion method on a gold file, plus search latency after load.

    python bench/retrieval.py [--gold ../shared/eval/dev.jsonl] [--index index/]

Works on any index (a hit matches by `rag.metrics.matches`: advice and experts, or document and section).
Prints a side-by-side table (BM25 only, dense only, RRF, hybrid at several weights)
and p50/p95 search time. Builds the index first if it is missing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

from rag.build import build
from rag.embed import load_encoder
from rag.errors import IndexMissingError
from rag.metrics import place, read_gold, retrieval_scores
from rag.retrieve import Retriever
from rag.settings import Settings
from rag.store import load


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev.jsonl"))
    ap.add_argument("--index")
    ap.add_argument("--k", type=int, default=10)
    args = ap.parse_args()
    settings = Settings.from_env()
    if args.index:
        settings = replace(settings, index_dir=Path(args.index))
    encoder = load_encoder(settings)
    try:
        index = load(settings.index_dir, encoder.model_id)
    except IndexMissingError:
        build(settings, encoder)
        index = load(settings.index_dir, encoder.model_id)
    gold = read_gold(args.gold)
    retriever = Retriever(index, encoder, settings.fusion_weight)
    methods = [("bm25", "bm25", 0.0, True), ("dense", "dense", 0.0, True), ("rrf", "rrf", 0.0, True)]
    methods += [(f"hybrid w={w:.1f}", "hybrid", w, True) for w in (0.3, 0.4, 0.5, 0.6, 0.7)]
    methods += [("bm25, no names", "bm25", 0.0, False), ("dense, no names", "dense", 0.0, False)]
    methods += [("hybrid, no names", "hybrid", settings.fusion_weight, False)]
    print(f"{len(gold)} questions from {args.gold}; index {settings.index_dir} ({len(index.chunks)} chunks)")
    print(f"default: hybrid w={settings.fusion_weight}; 'no names' = without routing to experts named in the question")
    print(f"{'method':<17} {'hit@1':>6} {'hit@5':>6} {'MRR@10':>7} {'multi R@10':>10}")
    for label, method, w, route in methods:
        retriever.weight, retriever.route_experts = w, route
        rows = []
        for q in gold:
            hits = retriever.search(q["question"], k=args.k, fusion=method)
            rows.append((q, [place(h.chunk) for h in hits]))
        m = retrieval_scores(rows)
        print(f"{label:<17} {m.hit_at_1:>6.3f} {m.hit_at_5:>6.3f} {m.mrr_at_10:>7.3f} {m.multi_recall_at_10:>10.3f}")
    retriever.weight, retriever.route_experts = settings.fusion_weight, True

    retriever.search("warm-up", k=5)
    times = []
    for q in gold * 3:
        t = time.perf_counter()
        retriever.search(q["question"], k=5)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"search latency after load ({len(times)} queries, k=5, query embedding included): "
        f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms"
    )


if __name__ == "__main__":
    main()
