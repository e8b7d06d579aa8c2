"""Chooses the sentences the generator gets to see: pure scoring over stored sentence vectors.

Owns the evidence budget (a few sentences from the top advices, so the prompt stays
short enough for a fast first token on 2 cores), which advices are shown (not one that
merely competes with a clearly better one of the same expert), and how sentences are scored
(lexical overlap weighted by rarity, and similarity to the question, with the sentence
vectors the index stores). Numbering for the prompt and checking the answer are `citations`' job.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .lexical import tokenize
from .types import Chunk, Hit

MAX_SOURCES = 3
MAX_SOURCES_MULTI = 4
WORD_BUDGET = 55
# Another advice of the same contribution as a better-ranked one is an alternative, not a
# complement: a small model then often answers from the wrong one. It is shown only when it
# scores about as well.
SAME_CONTRIBUTION_SHARE = 0.9

# A chunk's sentences (`chunk.chunk_sentences`) and their passage vectors, as the index stores them.
SentencesOf = Callable[[Chunk], tuple[Sequence[str], np.ndarray]]


@dataclass(frozen=True, slots=True)
class Source:
    """A retrieved passage as numbered in the prompt, with the sentences shown to the model."""

    number: int
    hit: Hit
    sentences: tuple[str, ...]
    vectors: np.ndarray | None = None  # passage vectors of `sentences` (from the index)
    score: float = 0.0  # how well the best of `sentences` matches the question (0..1)
    best: str = ""  # that sentence


class Idf:
    """Inverse document frequency of stems over the indexed chunks."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        df: Counter[str] = Counter()
        for c in chunks:
            df.update(set(tokenize(c.text)))
        self.n = max(len(chunks), 1)
        self.df = df

    def __call__(self, stem: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(stem, 0)))


def overlap(stems: set[str], sentence_stems: set[str], idf: Idf) -> float:
    """Share of the (rarity-weighted) `stems` that occur in the sentence, 0..1."""
    total = sum(idf(s) for s in stems)
    return sum(idf(s) for s in stems & sentence_stems) / total if total else 0.0


def _complementary(hits: Sequence[Hit]) -> list[Hit]:
    """The hits, without advices that merely compete with a clearly better one of the same contribution."""
    out: list[Hit] = []
    for h in hits:
        rival = next((o for o in out if o.chunk.contribution_key == h.chunk.contribution_key), None)
        if rival is None or not h.chunk.experts or h.score >= SAME_CONTRIBUTION_SHARE * rival.score:
            out.append(h)
    return out


def select(
    question: str,
    query_vector: np.ndarray,
    hits: Sequence[Hit],
    sentences_of: SentencesOf,
    idf: Idf,
    max_sources: int = MAX_SOURCES,
    word_budget: int = WORD_BUDGET,
    per_source: int = 0,
) -> list[Source]:
    """The best sentences of the top advices, within the word budget, in document order per source."""
    q_stems = set(tokenize(question))
    hits = list(hits[:max_sources]) if per_source else _complementary(hits)[:max_sources]
    stored = [sentences_of(h.chunk) for h in hits]
    candidates = [list(texts) for texts, _ in stored]
    vector_of = {t: v for texts, vecs in stored for t, v in zip(texts, vecs)}
    cos = {t: float(v @ query_vector) for t, v in vector_of.items()}
    lo, hi = (min(cos.values()), max(cos.values())) if cos else (0.0, 0.0)
    dense_of = {t: ((c - lo) / (hi - lo) if hi > lo else 0.0) for t, c in cos.items()}

    # The best advice gets two sentences, the others one each, unless `per_source` says otherwise.
    shares = [per_source] * len(hits) if per_source else [2] + [1] * (len(hits) - 1)
    if per_source:
        word_budget = max(word_budget, per_source * 40 * len(hits))
    sources: list[Source] = []
    words = 0
    for hit, cands, share in zip(hits, candidates, shares):
        scored = []
        for position, s in enumerate(cands):
            lex = overlap(q_stems, set(tokenize(s)), idf)
            score = 0.5 * lex + 0.5 * dense_of[s]
            scored.append((score, -position, s))
        scored.sort(reverse=True)
        chosen: list[str] = []
        picks = [s for _, _, s in scored[:share]]
        # The sentence after the best one often carries the example or the reason it announces.
        following = cands.index(picks[0]) + 1 if picks else len(cands)
        if not per_source and following < len(cands) and cands[following] not in picks:
            picks.insert(1, cands[following])
        for s in picks[: share + (0 if per_source else 1)]:
            n = len(s.split())
            if words + n > word_budget and chosen:
                break
            if words + n > word_budget * 1.4:  # one long sentence may stretch the budget a little
                continue
            chosen.append(s)
            words += n
        if not chosen:
            continue
        chosen.sort(key=cands.index)
        vecs = np.stack([vector_of[s] for s in chosen])
        top, _, best = max((x for x in scored if x[2] in chosen), default=(0.0, 0, ""))
        sources.append(Source(len(sources) + 1, hit, tuple(chosen), vecs, top, best))
        if words >= word_budget:
            break
    return sources
