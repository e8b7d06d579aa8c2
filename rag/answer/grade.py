"""Whether the retrieved passages answer what is asked: one decision, "yes", "partly" or "no".

Owns the grade. It reads what the best passages hold, on meaning first: the sentence closest
to the question by the embedding model (question query-embedded, sentences passage-embedded, as
the index stores them), with the best sentence's share of the question's words as a second
signal (`relevance.coverage`). Then what is asked:
- nothing on the question (neither signal reaches its threshold): "no";
- a number, percentage or date asked, and no sentence on the question holds one: "partly";
- an expert asked about who does not write about it while others do: "partly" (`elsewhere`).
The thresholds are derived by `eval/derive_thresholds.py` on the fit part of the project's own
question sets (`eval/fit/`), never on the held-out part: the embedding ones per model into
`rag/calibration.json`, the word ones here; `tests/test_thresholds.py` re-derives them and fails
when a stored value differs. Pure: the caller passes hits and the index's
sentences and vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..calibration import Calibration
from ..evidence import Idf, SentencesOf, announces, continued, passage_text, signpost
from ..lexical import tokenize
from ..types import Hit
from . import relevance
from .intent import Fact

Grade = Literal["yes", "partly", "no"]

DEPTH = 3  # passages whose sentences are read for the grade
# The share of the question's rarity-weighted words one sentence (with its passage's titles) holds
# from which it is on the question by its words alone (and a sentence holding an asked number or
# date is about it); the embedding thresholds are the model's (`Calibration`).
WORDS_ON_TOPIC = 0.54


@dataclass(frozen=True, slots=True)
class Found:
    """A sentence of a passage with how close it is to the question."""

    hit: Hit
    sentence: str
    dense: float  # cosine with the question
    words: float  # share of the question's words


@dataclass(frozen=True, slots=True)
class Signals:
    """What the grade reads of the best passages."""

    closest: Found | None  # the sentence closest in meaning
    wordiest: Found | None  # the sentence with most of the question's words
    fact: Found | None  # the closest sentence about the question that holds the asked kind of fact
    fact_asked: bool
    on_topic: bool  # some sentence is on the question, by meaning or by words

    @property
    def words(self) -> float:
        return self.wordiest.words if self.wordiest else 0.0

    @property
    def fact_found(self) -> bool:
        return not self.fact_asked or self.fact is not None

    @property
    def best(self) -> Found | None:
        """The sentence to quote when the answer is a quote: the asked fact's, else the one with the
        question's words when it has enough of them, else the closest in meaning."""
        if self.fact is not None:
            return self.fact
        if self.wordiest is not None and self.words >= WORDS_ON_TOPIC:
            return self.wordiest
        return self.closest


def sentences(
    question: str,
    query_vector: np.ndarray,
    hits: Sequence[Hit],
    sentences_of: SentencesOf,
    idf: Idf,
    parts: Sequence[str] = (),
) -> list[Found]:
    """The statements of the best `DEPTH` passages with their closeness to the question: no questions,
    and no sentence that only announces what the passage does not go on to give ("Dit zeggen de
    experts in vogelvlucht:" over a paragraph; one over its list stands, `evidence.continued`).
    A question of several `parts` is covered by a sentence as far as its best-covered part is: each
    part is a question of its own, and one sentence rarely holds the words of both."""
    out = []
    for h in hits[:DEPTH]:
        title = relevance.label(h.chunk)
        texts, vectors = sentences_of(h.chunk)
        cosines = vectors @ query_vector if len(texts) else np.zeros(0)
        for sentence, cos in zip(texts, cosines):
            if relevance.is_question(sentence) or signpost(sentence) or announces(continued(passage_text(h), texts, sentence)):
                continue
            words = max(relevance.coverage(q, sentence, title, idf) for q in (question, *parts))
            out.append(Found(h, sentence, float(cos), words))
    return out


def signals(found: Sequence[Found], calibration: Calibration, fact: Fact = "") -> Signals:
    """The signals over sentences found by `sentences`, with the embedding model's thresholds."""
    asked = relevance.asks_fact(fact)
    closest = max(found, key=lambda f: f.dense, default=None)
    wordiest = max(found, key=lambda f: f.words, default=None)
    holding = [
        f
        for f in found
        if asked and relevance.has_fact(fact, f.sentence) and (f.dense >= calibration.fact_on_topic or f.words >= WORDS_ON_TOPIC)
    ]
    on_topic = (closest is not None and closest.dense >= calibration.on_topic) or (
        wordiest is not None and wordiest.words >= WORDS_ON_TOPIC
    )
    return Signals(closest, wordiest, max(holding, key=lambda f: f.dense, default=None), asked, on_topic)


def grade(s: Signals) -> Grade:
    """ "no" when no sentence is on the question; "partly" when the asked kind of fact is missing; else "yes"."""
    if not s.on_topic:
        return "no"
    return "yes" if s.fact_found else "partly"


def elsewhere(
    core: str, own_stems: frozenset[str] | set[str], others: Sequence[Found], own: Sequence[Found] = ()
) -> Found | None:
    """When a question names experts whose passages do not rank among the best without their names:
    the sentence of another expert's passage that holds the question's rarest word (`core`), when
    the named experts' own text never uses it and none of their `own` sentences is as close to the
    question in meaning (they write about it in other words: "inkopen" where they write
    "aanbesteding"); else None."""
    if not core or core in own_stems:
        return None
    holding = [f for f in others if core in set(tokenize(f"{f.sentence} {relevance.label(f.hit.chunk)}"))]
    best = max(holding, key=lambda f: f.dense, default=None)
    if best is None or any(f.dense >= best.dense for f in own):
        return None
    return best
