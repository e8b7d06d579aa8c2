"""Derives the answerability thresholds of `rag.answer.relevance` from the project's own
question set (eval/boundary.jsonl: unanswerable questions and their answerable twins),
on the built index. Not the dev set.

For every question it finds, in the passages the pipeline would retrieve, the sentence that
covers most of the question's topic (`relevance.coverage`); for fact questions ("hoeveel",
"welk percentage", "in welk jaar") only sentences that hold that kind of fact. It prints the
coverage of answerable twins and of unanswerable questions, and the threshold halfway
between the lowest twin and the highest unanswerable value below it that keeps at most 5%
of twins under it.

    python eval/derive_thresholds.py [--index index/]
"""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import replace
from pathlib import Path

from rag.answer import relevance
from rag.answer.intent import analyze
from rag.embed import load_encoder
from rag.live import LiveIndex
from rag.settings import Settings

HERE = Path(__file__).resolve().parent
MAX_TWIN_LOSS = 0.05  # share of answerable twins a threshold may put below it


def best_coverage(snap, question: str) -> tuple[float, str]:
    intent = analyze(question, [], snap.retriever.experts)
    if intent.kind != "open" or not intent.query:
        return -1.0, ""
    prepared = snap.retriever.prepare(intent.query)
    hits = snap.retriever.search(intent.query, k=3, prepared=prepared)
    best = (0.0, "")
    for h in hits:
        for sentence in snap.retriever.index.sentences_of(h.chunk)[0]:
            if not relevance.has_fact(intent.fact, sentence):
                continue
            cov = relevance.coverage(prepared.text, sentence, relevance.label(h.chunk), snap.idf)
            best = max(best, (cov, sentence))
    return best


def threshold(twins: list[float], unanswerable: list[float]) -> float:
    """Halfway between the highest unanswerable value that keeps twin losses within bounds and the next twin value."""
    twins = sorted(twins)
    allowed = int(MAX_TWIN_LOSS * len(twins))
    lowest_kept = twins[allowed] if twins else 1.0
    below = [u for u in unanswerable if u < lowest_kept]
    return round((max(below, default=0.0) + lowest_kept) / 2, 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default="index")
    args = ap.parse_args()
    settings = replace(Settings.from_env(), index_dir=Path(args.index))
    snap = LiveIndex(settings, load_encoder(settings)).current()
    rows = [json.loads(x) for x in (HERE / "boundary.jsonl").read_text(encoding="utf-8").splitlines()]
    groups: dict[tuple[str, bool], list[float]] = {}
    for row in rows:
        if row["lang"] != "nl":
            continue  # coverage is lexical: Dutch questions on Dutch sources
        cov, sentence = best_coverage(snap, row["question"])
        if cov < 0:
            continue  # answered from the structure or refused before retrieval
        fact = analyze(row["question"], [], snap.retriever.experts).fact not in ("", "after_publication")
        groups.setdefault(("fact" if fact else "any", row["type"] == "twin"), []).append(cov)
        print(f"{row['id']:5} {'twin' if row['type'] == 'twin' else 'unans':5} {cov:.2f}  {row['question'][:70]}")
    for kind in ("any", "fact"):
        twins, unans = groups.get((kind, True), []), groups.get((kind, False), [])
        if twins:
            print(
                f"\n{kind}: twins n={len(twins)} min={min(twins):.2f} median={statistics.median(twins):.2f}; "
                f"unanswerable n={len(unans)} max={max(unans, default=0):.2f}; threshold {threshold(twins, unans)}"
            )


if __name__ == "__main__":
    main()
