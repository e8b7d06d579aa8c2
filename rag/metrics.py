"""Evaluation metrics over gold questions (../shared/eval format): pure functions.

Owns the matching rule (same advice number, overlapping expert lists; for documents
without experts the same document and section) and the retrieval metrics. Running questions through the system is left to the caller.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Ref:
    experts: tuple[str, ...]
    advice: int
    document: str = ""  # a reference into a document without experts: its file name ...
    section: str = ""  # ... and the title of the section that holds the answer

    @classmethod
    def from_dict(cls, d: dict) -> Ref:
        return cls(tuple(d.get("experts", ())), int(d.get("advice", 0)), d.get("document", ""), d.get("section", ""))


def _same_title(a: str, b: str) -> bool:
    """Section titles compared without case, markup and spacing ("**Doel**" is "Doel")."""

    def norm(t: str) -> str:
        return " ".join(re.findall(r"\w+", t.lower()))

    return norm(a) == norm(b)


def matches(ref: Ref, experts: Sequence[str], advice: int, document: str = "", section: str = "") -> bool:
    """A passage or citation matches a reference: equal advice number and overlapping experts;
    for a reference into a document, the same document and (when the reference names one) section."""
    if ref.document:
        return ref.document == document and (not ref.section or _same_title(ref.section, section))
    return ref.advice == advice and bool(set(ref.experts) & set(experts))


def place(chunk) -> tuple[tuple[str, ...], int, str, str]:
    """Where a passage is, as references name it: (experts, advice, document, section)."""
    return (tuple(chunk.experts), chunk.advice, chunk.document, chunk.section)


def first_match_rank(gold: Sequence[Ref], hits: Sequence[tuple[Sequence[str], int]], depth: int) -> int | None:
    """1-based rank of the first hit that matches any gold reference, within `depth`."""
    for rank, where in enumerate(hits[:depth], start=1):
        if any(matches(g, *where) for g in gold):
            return rank
    return None


def found(gold: Sequence[Ref], hits: Sequence[tuple[Sequence[str], int]]) -> int:
    """How many gold references some hit (or citation) matches."""
    return sum(1 for g in gold if any(matches(g, *where) for where in hits))


def recall(gold: Sequence[Ref], hits: Sequence[tuple[Sequence[str], int]], depth: int) -> float:
    """Share of gold references found among the first `depth` hits."""
    return found(gold, hits[:depth]) / len(gold) if gold else 0.0


@dataclass(frozen=True, slots=True)
class RetrievalScores:
    questions: int
    hit_at_1: float
    hit_at_5: float
    mrr_at_10: float
    multi_recall_at_10: float
    multi_questions: int

    def to_dict(self) -> dict:
        return {
            "questions": self.questions,
            "hit@1": round(self.hit_at_1, 3),
            "hit@5": round(self.hit_at_5, 3),
            "mrr@10": round(self.mrr_at_10, 3),
            "multi_recall@10": round(self.multi_recall_at_10, 3),
            "multi_questions": self.multi_questions,
        }


def retrieval_scores(rows: Sequence[tuple[dict, Sequence[tuple[Sequence[str], int]]]]) -> RetrievalScores:
    """Scores over (gold question, ranked hits as (experts, advice)) pairs; unanswerables are skipped."""
    h1 = h5 = mrr = 0.0
    n = 0
    multi: list[float] = []
    for q, hits in rows:
        gold = [Ref.from_dict(g) for g in q.get("gold", [])]
        if not gold:
            continue
        n += 1
        r = first_match_rank(gold, hits, 10)
        h1 += r == 1
        h5 += r is not None and r <= 5
        mrr += 1.0 / r if r else 0.0
        if len(gold) > 1:
            multi.append(recall(gold, hits, 10))
    n = max(n, 1)
    return RetrievalScores(n, h1 / n, h5 / n, mrr / n, sum(multi) / len(multi) if multi else 0.0, len(multi))


def read_gold(path: str) -> list[dict]:
    import json
    from pathlib import Path

    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
