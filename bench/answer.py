"""Answer latency on a gold file with the configured generator (default: llama.cpp).

    python bench/answer.py [--gold eval/boundary.jsonl] [--limit N]

Prints time to first token and to the full answer (p50/p95) after the models are
loaded and the fixed prompt prefix is cached, and the same for model-free answers
(structure questions) separately, so neither hides the other. For model answers also:
time to the first cited words (the quoted source sentences shown before the model writes,
or the checked answer when there are none), retrieval time, and the evidence's size in
words and in the model's tokens (where the first-token time goes).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from rag.embed import load_encoder
from rag.evaluate import percentile
from rag.generate import load_generator
from rag.metrics import read_gold
from rag.pipeline import Pipeline
from rag.settings import Settings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", default=str(Path(__file__).resolve().parents[1] / "eval" / "boundary.jsonl"))
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    settings = Settings.from_env()
    pipeline = Pipeline(settings, load_encoder(settings), load_generator(settings))
    t = time.perf_counter()
    pipeline.warm_up()
    print(f"warm-up (index, embedding model, generator, prompt prefix): {time.perf_counter() - t:.1f} s")
    gold = read_gold(args.gold)[: args.limit or None]
    by_kind: dict[str, list[tuple[float, float]]] = {}
    cited, retrieve, words, tokens, drafted = [], [], [], [], 0
    count = getattr(pipeline.generator, "count_tokens", None)
    for q in gold:
        a = pipeline.ask(q["question"], q.get("history") or [])
        kind = "model" if a.generator == pipeline.generator.name else a.generator
        by_kind.setdefault(kind, []).append((a.timings["first_token_ms"], a.timings["total_ms"]))
        if kind == "model":
            drafted += "draft_ms" in a.timings
            cited.append(a.timings.get("draft_ms", a.timings["total_ms"]))
            retrieve.append(a.timings.get("retrieve_ms", 0.0))
            evidence = getattr(a, "evidence", ())  # absent before evidence was recorded
            words.append(sum(len(line.split()) for line in evidence))
            if count:
                tokens.append(count([{"role": "user", "content": "\n".join(evidence) + "\n" + q["question"]}]))
    for kind, rows in by_kind.items():
        first, total = [r[0] for r in rows], [r[1] for r in rows]
        print(
            f"{kind:<10} n={len(rows):>2}  first token p50 {statistics.median(first) / 1000:.2f} s, p95 {percentile(first, 0.95) / 1000:.2f} s;"
            f"  full answer p50 {statistics.median(total) / 1000:.2f} s, p95 {percentile(total, 0.95) / 1000:.2f} s"
        )
    if cited:
        print(
            f"model answers: first cited words p50 {statistics.median(cited) / 1000:.2f} s, p95 {percentile(cited, 0.95) / 1000:.2f} s"
            f" (quoted before the model in {drafted}/{len(cited)}); retrieval p50 {statistics.median(retrieve):.0f} ms;"
            f" evidence p50 {statistics.median(words):.0f} words"
            + (f", {statistics.median(tokens):.0f} tokens with the question (system prompt cached)" if tokens else "")
        )
    everything = [r for rows in by_kind.values() for r in rows]
    print(
        f"{'all':<10} n={len(everything):>2}  first token p50 {statistics.median(r[0] for r in everything) / 1000:.2f} s;"
        f"  full answer p50 {statistics.median(r[1] for r in everything) / 1000:.2f} s  ({pipeline.generator.name})"
    )


if __name__ == "__main__":
    main()
