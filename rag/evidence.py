"""Chooses the sentences the generator gets to see: pure scoring plus one encoder call.

Owns the evidence budget (a few sentences from the top advices, so the prompt stays
short enough for a fast first token on 2 cores) and how sentences are scored
(lexical overlap weighted by rarity, and similarity to the question for the sentences
of the best advices). Numbering for the prompt and checking the answer are `citations`' job.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .chunk import split_sentences
from .embed import Encoder
from .lexical import tokenize
from .types import Chunk, Hit

MAX_SOURCES = 3
MAX_SOURCES_MULTI = 4
WORD_BUDGET = 55
DENSE_HITS = 2  # sentences of this many top advices are also scored by embedding (all, with per_source)
MIN_SENTENCE_WORDS = 4


@dataclass(frozen=True, slots=True)
class Source:
    """A retrieved passage as numbered in the prompt, with the sentences shown to the model."""

    number: int
    hit: Hit
    sentences: tuple[str, ...]
    vectors: np.ndarray | None = None  # passage vectors of `sentences`, when computed
    score: float = 0.0  # how well the best of `sentences` matches the question (0..1)


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


def _sentences(hit: Hit) -> list[str]:
    """Candidate sentences: from the hit's own chunk only, so every quote lies in a cited hit."""
    out: list[str] = []
    for s in split_sentences(hit.chunk.text):
        if s not in out and len(s.split()) >= MIN_SENTENCE_WORDS:
            out.append(s)
    return out


def select(
    question: str,
    query_vector: np.ndarray,
    hits: Sequence[Hit],
    encoder: Encoder,
    idf: Idf,
    max_sources: int = MAX_SOURCES,
    word_budget: int = WORD_BUDGET,
    per_source: int = 0,
) -> list[Source]:
    """The best sentences of the top advices, within the word budget, in document order per source."""
    q_stems = set(tokenize(question))
    hits = list(hits[:max_sources])
    candidates = [_sentences(h) for h in hits]
    # Quoting one sentence per source (per_source) compares sources, so all are scored alike.
    dense_texts = [s for cands in candidates[: len(hits) if per_source else DENSE_HITS] for s in cands]
    vectors = encoder.encode(dense_texts, "passage") if dense_texts else np.zeros((0, 1), dtype=np.float32)
    cos = vectors @ query_vector if len(dense_texts) else np.zeros(0)
    lo, hi = (float(cos.min()), float(cos.max())) if len(cos) else (0.0, 0.0)
    dense_of = {s: ((float(c) - lo) / (hi - lo) if hi > lo else 0.0) for s, c in zip(dense_texts, cos)}
    vector_of = {s: v for s, v in zip(dense_texts, vectors)}

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
            score = 0.5 * lex + 0.5 * dense_of[s] if s in dense_of else lex
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
        vecs = np.stack([vector_of[s] for s in chosen]) if all(s in vector_of for s in chosen) else None
        top = max((sc for sc, _, sent in scored if sent in chosen), default=0.0)
        sources.append(Source(len(sources) + 1, hit, tuple(chosen), vecs, top))
        if words >= word_budget:
            break
    return sources
