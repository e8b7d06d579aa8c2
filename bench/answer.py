"""Answer latency on a gold file with the configured generator (default: llama.cpp).

    python bench/answer.py [--gold eval/boundary.jsonl] [--limit N] [--vary llama_lookup=0,10]

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
from dataclasses import replace
from pathlib import Path

from rag.embed import load_encoder
from rag.evaluate import percentile
from rag.generate import load_generator, make_generator
from rag.metrics import read_gold
from rag.pipeline import Pipeline
from rag.settings import Settings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", default=str(Path(__file__).resolve().parents[1] / "eval" / "boundary.jsonl"))
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument(
        "--vary",
        default="",
        help="a numeric setting and the values to compare in one run, questions interleaved:"
        " llama_lookup=0,10 (prompt-lookup decoding) or max_answer_tokens=110,60",
    )
    args = ap.parse_args()
    base = Settings.from_env()
    field, _, values = args.vary.partition("=")
    if field and not hasattr(base, field):
        ap.error(f"no setting {field!r}")
    settings_list = [replace(base, **{field: type(getattr(base, field))(v)}) for v in values.split(",")] if field else [base]
    encoder = load_encoder(base)
    runs = []
    for settings in settings_list:
        name = f"{field}={getattr(settings, field)}" if field else "default"
        # One generator per setting: a shared one would serve the second setting's prompt from the
        # first's llama.cpp cache.
        pipeline = Pipeline(settings, encoder, make_generator(settings) if field else load_generator(settings))
        t = time.perf_counter()
        pipeline.warm_up()
        print(f"{name}: warm-up (index, embedding model, generator, prompt prefix): {time.perf_counter() - t:.1f} s")
        runs.append((name, pipeline, []))
    gold = read_gold(args.gold)[: args.limit or None]
    for i, q in enumerate(gold):
        # Alternate which configuration goes first, so neither always meets a cold cache.
        for _size, pipeline, answers in runs if i % 2 == 0 else runs[::-1]:
            answers.append(pipeline.ask(q["question"], q.get("history") or []))
    for name, pipeline, answers in runs:
        if len(runs) > 1:
            print(f"--- {name}")
        report(pipeline, answers, gold)
    if len(runs) > 1:
        first = [a.text for a in runs[0][2]]
        for name, _, answers in runs[1:]:
            same = sum(a.text == b for a, b in zip(answers, first))
            print(f"{name}: {same}/{len(first)} answers identical to {runs[0][0]}'s")
            for q, a, b in zip(gold, answers, first):
                if a.text != b:
                    print(f"  differs: {q['question']}\n    {runs[0][0]}: {b}\n    {name}: {a.text}")


def report(pipeline: Pipeline, answers: list, gold: list[dict]) -> None:
    by_kind: dict[str, list[tuple[float, float]]] = {}
    cited, retrieve, words, tokens, drafted = [], [], [], [], 0
    count = getattr(pipeline.generator, "count_tokens", None)
    for q, a in zip(gold, answers):
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
