"""Evidence recall against the evidence word budget, without the model: for every answerable
question of a gold file that the model would answer, the share of its must-mention terms in the
sentences evidence selection gives the model, at several budgets. Also prints the words and
the model's prompt tokens per question, so the cost of each extra word can be weighed.

Run on the project's own sets (eval/facts.jsonl, eval/boundary.jsonl twins); dev is reported,
not tuned on.

    python eval/evidence_budget.py eval/facts.jsonl [--budgets 40 55 70 85 100] [--index index/]
"""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import replace
from pathlib import Path

from rag import evidence
from rag.answer.intent import analyze
from rag.answer.routes import evidence_parts
from rag.embed import load_encoder
from rag.evaluate import mentioned
from rag.live import LiveIndex
from rag.prompt import build_messages, source_lines
from rag.settings import Settings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("--budgets", type=int, nargs="+", default=[40, 55, 70, 85, 100])
    ap.add_argument("--index", default="index")
    ap.add_argument("--tokens", action="store_true", help="count prompt tokens with the llama.cpp model (slow to load)")
    args = ap.parse_args()
    settings = replace(Settings.from_env(), index_dir=Path(args.index))
    snap = LiveIndex(settings, load_encoder(settings)).current()
    tokenizer = None
    if args.tokens:
        from rag.generate import load_generator

        tokenizer = load_generator(settings)
    rows = [json.loads(x) for x in Path(args.gold).read_text(encoding="utf-8").splitlines() if x.strip()]
    rows = [r for r in rows if r.get("gold") and r.get("must_mention")]
    print(f"{'budget':>6} {'recall':>7} {'words':>6} {'tokens':>7}  (n = questions the model answers)")
    for budget in args.budgets:
        recalls, words, tokens = [], [], []
        for row in rows:
            intent = analyze(row["question"], row.get("history", []), snap.retriever.experts)
            if intent.kind != "open":
                continue  # answered from the structure
            prepared = snap.retriever.prepare(intent.query)
            hits = snap.retriever.search(intent.query, k=settings.top_k, prepared=prepared)
            sources = evidence.select(
                intent.query, prepared.vector, hits, snap.retriever.index.sentences_of, snap.idf,
                word_budget=budget, parts=evidence_parts(intent),
            )  # fmt: skip
            lines = source_lines(sources, intent.lang)
            recalls.append(mentioned(row["must_mention"], " ".join(lines)))
            words.append(sum(len(s.split()) for src in sources for s in src.sentences))
            if tokenizer is not None:
                tokens.append(tokenizer.count_tokens(build_messages(intent.question, sources, intent.lang)))
        tok = f"{statistics.mean(tokens):7.0f}" if tokens else "      -"
        print(f"{budget:>6} {statistics.mean(recalls):7.3f} {statistics.mean(words):6.1f} {tok}  (n={len(recalls)})")


if __name__ == "__main__":
    main()
