"""Whether evidence answers what is asked: pure judgements over sentences and their stored vectors.

Owns "about the question" (a source sentence shares a distinctive word with it, or across
languages its embedding is close), the asked kind of fact (a count needs a number, a
percentage a percentage, a date a year or month, in a sentence about the question), how
much of the question's topic a quote covers, and whether a claim the question takes for
granted is in a source sentence (same words, same polarity). Calling these in the right
order is `routes`' job; the support of a model's sentence is `citations`'.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from ..evidence import Idf, Source, overlap
from ..language import detect
from ..lexical import tokenize
from .intent import Fact, topic_stems
from .lexicon import BOTH

DISTINCTIVE_SHARE = 0.25  # a word in more of the passages than this says little about what is asked
COMPOUND_PART = 6  # a question word this long counts inside a compound; shorter ones ("wet") match too much
# Question (query) vs source sentence (passage) cosine across languages: relevant pairs score
# 0.82-0.87 with this model, unrelated ones 0.74-0.79 (measured on 10 hand-made English pairs).
CROSS_LANGUAGE_ABOUT = 0.80
# Share of the question's rarity-weighted topic a quote must cover to stand as the answer on its
# own; one shared word of a three-word topic is a mention, not an answer.
ANSWER_COVERAGE = 0.3
# Share of a claim's rarity-weighted words one source sentence (with its passage's labels) must
# contain for the claim to count as what the source says.
PREMISE_SUPPORTED = 0.6
# Below this share the source does not speak of the claim at all: nothing to correct it with.
PREMISE_ABOUT = 0.3

NUMBER = re.compile(r"\d")
PERCENT = re.compile(r"\d\s*%|\bprocent\b|\bpercent\b", re.I)
# A year, or a month name: what a date question needs to find in its answer.
DATE = re.compile(
    r"\b(1[89]|20)\d\d\b|\b(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    r"|january|february|march|may|june|july|august|october)\b",
    re.I,
)
NEGATIONS = frozenset(w for lex in BOTH for w in lex.negations)

About = Callable[[str], bool]


def about_test(
    question: str, lang: str, query_vector: np.ndarray, sources: Sequence[Source], idf: Idf, experts: Sequence[str] = ()
) -> About:
    """Whether a source sentence is about the question: it shares a distinctive word with it (not
    an expert's name, not a frame word such as "vindt", not praise or size such as "goed", not
    one that most passages contain; also as the start or end of a compound: "onderwijs" in
    "onderwijsinstellingen"), or, in another language than the question, its embedding is close."""
    stems = topic_stems(question, experts)
    rare = {t for t in stems if idf.df.get(t, 0) <= DISTINCTIVE_SHARE * idf.n}
    skip = {w for lex in BOTH for w in lex.frame_words | lex.generic_words}
    words = [w for w in re.findall(r"[\w'’-]+", question.lower()) if w not in skip]
    parts = {w for w in words if len(w) >= COMPOUND_PART and set(tokenize(w)) <= rare}
    vector_of = {t: v for s in sources if s.vectors is not None for t, v in zip(s.sentences, s.vectors)}

    def about(sentence: str) -> bool:
        if detect(sentence) != lang and sentence in vector_of:
            return float(vector_of[sentence] @ query_vector) >= CROSS_LANGUAGE_ABOUT
        if rare & set(tokenize(sentence)):
            return True
        found = re.findall(r"\w+", sentence.lower())
        return any(x != w and (x.startswith(w) or x.endswith(w)) for w in parts for x in found)

    return about


def coverage(question: str, sentence: str, label: str, idf: Idf, experts: Sequence[str] = ()) -> float:
    """Rarity-weighted share of the question's topic that a sentence (with its passage's label) contains."""
    return overlap(topic_stems(question, experts), set(tokenize(f"{sentence} {label}")), idf)


def has_fact(fact: Fact, sentence: str) -> bool:
    """Whether a sentence holds the kind of fact asked for (any sentence holds "no particular kind")."""
    if fact == "count":
        return bool(NUMBER.search(sentence))
    if fact == "percentage":
        return bool(PERCENT.search(sentence))
    if fact == "date":
        return bool(DATE.search(sentence))
    return fact != "after_publication"


def negated(text: str) -> bool:
    return bool(NEGATIONS & set(re.findall(r"\w+", text.lower())))


def claim_support(claim: str, sentence: str, label: str, idf: Idf, experts: Sequence[str] = ()) -> tuple[float, bool]:
    """How much of a claim one source sentence states (0..1), and whether the two differ in polarity."""
    stems = topic_stems(claim, experts)
    share = overlap(stems, set(tokenize(f"{sentence} {label}")), idf)
    return share, negated(claim) != negated(sentence)


def best_for_claim(
    claim: str, sources: Sequence[Source], all_sentences: Callable[[Source], Sequence[str]], idf: Idf, experts: Sequence[str]
) -> tuple[Source | None, str, float, bool]:
    """The source sentence that states most of a claim: (source, sentence, share, polarity differs)."""
    best: tuple[Source | None, str, float, bool] = (None, "", 0.0, False)
    for s in sources:
        c = s.hit.chunk
        label = " ".join([c.advice_title, c.contribution_title, c.section])
        for sentence in all_sentences(s):
            share, flipped = claim_support(claim, sentence, label, idf, experts)
            if share > best[2]:
                best = (s, sentence, share, flipped)
    return best
