"""Evaluation metrics over gold questions (../shared/eval format): pure functions.

Owns the matching rule (same advice number, overlapping expert lists) and the
retrieval metrics. Running questions through the system is left to the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Ref:
    experts: tuple[str, ...]
    advice: int

    @classmethod
    def from_dict(cls, d: dict) -> Ref:
        return cls(tuple(d.get("experts", ())), int(d.get("advice", 0)))


def matches(ref: Ref, experts: Sequence[str], advice: int) -> bool:
    """A passage or citation matches a reference: equal advice number, overlapping experts."""
    return ref.advice == advice and bool(set(ref.experts) & set(experts))


def first_match_rank(gold: Sequence[Ref], hits: Sequence[tuple[Sequence[str], int]], depth: int) -> int | None:
    """1-based rank of the first hit that matches any gold reference, within `depth`."""
    for rank, (experts, advice) in enumerate(hits[:depth], start=1):
        if any(matches(g, experts, advice) for g in gold):
            return rank
    return None


def found(gold: Sequence[Ref], hits: Sequence[tuple[Sequence[str], int]]) -> int:
    """How many gold references some hit (or citation) matches."""
    return sum(1 for g in gold if any(matches(g, e, a) for e, a in hits))


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
