"""Chooses the sentences the generator gets to see: pure scoring over stored sentence vectors.

Owns the evidence budget (a few sentences from the top advices, so the prompt stays
short enough for a fast first token on 2 cores), which advices are shown (not one that
merely competes with a clearly better one of the same expert), and how sentences are scored
(lexical overlap weighted by rarity, and similarity to the question, with the sentence
vectors the index stores). Numbering for the prompt and checking the answer are `citations`' job.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .chunk import MIN_SENTENCE_WORDS
from .clean import is_table_row
from .lexical import tokenize
from .types import Chunk, Hit

MAX_SOURCES = 3
MAX_SOURCES_MULTI = 4
# Words of evidence the model gets. `eval/evidence_budget.py` on eval/facts.jsonl: recall of the
# terms an answer needs 0.917 at 40 words, 0.967 at 55, 0.992 at 70 and no higher at 85 or 100;
# 70 words cost ~15 prompt tokens more than 55.
WORD_BUDGET = 70
# Another advice of the same contribution as a better-ranked one is an alternative, not a
# complement: a small model then often answers from the wrong one. It is shown only when it
# scores about as well.
SAME_CONTRIBUTION_SHARE = 0.9

# A sentence that opens with one of these leans on the one before it ("Dit …", "Daarom …"):
# shown alone it says little or misleads, so the sentence before comes with it.
LEANS_BACK = frozenset(
    "dit deze dat die daarom daardoor daarmee daarbij hierdoor hiermee hierbij zo ook bovendien daarnaast toch en maar "
    "want dus zij hij ze this these that therefore thus it they he she also and but so".split()
)

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
    headings: tuple[str, ...] = ()  # per sentence, the short line it stands under ("Gedeelde loketten") or ""


@dataclass(frozen=True, slots=True)
class Part:
    """One question within the question, as evidence selection needs it: its words, and what a
    sentence must hold to answer it (a number for "hoe hoog", anything otherwise)."""

    text: str
    holds: Callable[[str], bool] = lambda sentence: True
    asks_fact: bool = False


def heading(text: str, sentence: str) -> str:
    """The short line a sentence stands under in the passage (a list item's name such as "Smart
    Grids"), or "": too short to be a sentence of its own, it is not scored, but it names what follows."""
    at = text.find(sentence)
    lines = [x.strip() for x in text[:at].splitlines() if x.strip()] if at > 0 else []
    last = lines[-1] if lines else ""
    if not last or is_table_row(last):  # a table's rule or another row names nothing
        return ""
    return last if len(last.split()) < MIN_SENTENCE_WORDS and last[-1] not in ".!?:;," else ""


def key_sentence(sentences: Sequence[str], title: str, idf: Idf) -> str:
    """The sentence that says what the title says: most of the title's (rarity-weighted) words, the
    earliest on a tie; a sentence that leans on the one before it cannot stand alone."""
    stems = set(tokenize(title))
    alone = [s for s in sentences if not leans_back(s)] or list(sentences)
    return max(alone, key=lambda s: (overlap(stems, set(tokenize(s)), idf), -alone.index(s)), default="")


ANNOUNCED_WORDS = 80  # words of the items an announcing sentence ("De volgende zes bouwstenen …:") brings along
BULLET = re.compile(r"^[-*•]\s+\S")
NUMBERED = re.compile(r"^\d{1,2}[.)]?\s+\S")


def continued(text: str, sentences: Sequence[str], sentence: str) -> str:
    """The sentence with what completes it in the passage's `text`: the next of `sentences` when
    that one leans on it ("Dit register heeft slechts …"), and the items a sentence that ends in a
    colon announces ("De volgende zes bouwstenen dragen hieraan bij:"), up to `ANNOUNCED_WORDS`.
    Quoted alone, such a sentence only announces what follows it."""
    i = sentences.index(sentence) if sentence in sentences else -1
    at = text.find(sentence)
    if i < 0 or at < 0:
        return sentence
    if announces(sentence):
        return " ".join([sentence, *announced(text[at + len(sentence) :])])
    following = sentences[i + 1] if i + 1 < len(sentences) else ""
    if following and leans_back(following) and re.compile(r"\s+" + re.escape(following)).match(text, at + len(sentence)):
        return f"{sentence} {following}"
    return sentence


def passage_text(hit: Hit) -> str:
    """The hit's chunk text followed by the later chunks of its advice (or section): a list that an
    announcing sentence opens may go on in the next chunk."""
    later = sorted((c for c in hit.context if c.part > hit.chunk.part), key=lambda c: c.part)
    return "\n\n".join([hit.chunk.text, *(c.text for c in later)])


def announced(after: str) -> list[str]:
    """The items of the list that starts right after an announcing sentence (`after`: the passage's
    text that follows it), also after a blank line, as markdown writes a list: bullet lines, or
    numbered lines ("1 Gegevensverzameling en -beheer") without the bullets under each; none
    when a paragraph follows instead. Up to `ANNOUNCED_WORDS`, at least one."""
    items: list[str] = []
    kind = None
    words = 0
    for line in after.split("\n"):
        line = line.strip()
        if not line:
            continue
        bullet, numbered = BULLET.match(line), NUMBERED.match(line)
        kind = kind or ("bullet" if bullet else "numbered" if numbered else "none")
        if kind == "numbered" and bullet:
            continue  # the details under a numbered item
        if not (bullet if kind == "bullet" else numbered):
            break
        words += len(line.split())
        if items and words > ANNOUNCED_WORDS:
            break
        items.append(line)
    return items


# A sentence about the text itself ("Deze pagina beschrijft per fase …", "In dit hoofdstuk beschrijven
# we …", "This section describes …"): it says what the text covers, which echoes a question's words
# without answering it. A demonstrative and a part of a text open it, a verb of describing follows.
SIGNPOST = re.compile(
    r"^\W*(?:in |op )?(?:deze|dit|de volgende|onderstaande|this|the following)\s+"
    r"(?:pagina|paragraaf|paragrafen|sectie|secties|hoofdstuk|hoofdstukken|document|bijlage|bundel|publicatie"
    r"|page|section|sections|chapter|chapters|document|appendix)\b(?:\W+\w+){0,4}?\W+"
    r"(?:beschr\w+|behandel\w*|leg(?:t|gen)|ga(?:at|an)|vat(?:t|ten)?|geeft|geven|bevat\w*|toont|tonen|biedt|bieden"
    r"|describ\w+|cover\w*|outline\w*|explain\w*|present\w*|give\w*|contain\w*|discuss\w*)\b",
    re.I,
)


def signpost(sentence: str) -> bool:
    """Whether a sentence only says what the text (page, section, chapter) covers."""
    return bool(SIGNPOST.match(sentence))


def announces(text: str) -> bool:
    """Whether a text only announces what should follow it ("De volgende zes bouwstenen dragen hieraan bij:")."""
    return text.rstrip().endswith(":")


def leans_back(sentence: str) -> bool:
    """Whether the sentence opens with a word that points at the one before it."""
    first = re.match(r"\W*(\w+)", sentence)
    return bool(first) and first.group(1).lower() in LEANS_BACK


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


def part_score(part: Part, sentence: str, dense: float, idf: Idf) -> float:
    """How well a sentence answers one part of the question: its words, the question's embedding
    (`dense`, 0..1 among the candidates); for a part asking a number or date, a sentence that
    holds one always ranks above one that does not."""
    lex = overlap(set(tokenize(part.text)), set(tokenize(sentence)), idf)
    return 0.5 * lex + 0.5 * dense + (1.0 if part.asks_fact and part.holds(sentence) else 0.0)


def _scaled(cos: dict[str, float]) -> dict[str, float]:
    lo, hi = (min(cos.values()), max(cos.values())) if cos else (0.0, 0.0)
    return {t: ((c - lo) / (hi - lo) if hi > lo else 0.0) for t, c in cos.items()}


def best_sentence(part: Part, query_vector: np.ndarray, sources: Sequence[Source], idf: Idf) -> tuple[int, str] | None:
    """The shown sentence (with its source number) that best answers one part of the question."""
    dense = _scaled(
        {t: float(v @ query_vector) for s in sources if s.vectors is not None for t, v in zip(s.sentences, s.vectors)}
    )
    scored = [
        (part_score(part, t, dense.get(t, 0.0), idf), -s.number, t) for s in sources for t in s.sentences if not signpost(t)
    ]
    if not scored:
        return None
    _, number, sentence = max(scored)
    return -number, sentence


def select(
    question: str,
    query_vector: np.ndarray,
    hits: Sequence[Hit],
    sentences_of: SentencesOf,
    idf: Idf,
    max_sources: int = MAX_SOURCES,
    word_budget: int = WORD_BUDGET,
    per_source: int = 0,
    parts: Sequence[Part] = (),
) -> list[Source]:
    """The best sentences of the top advices, within the word budget, in document order per source.
    When the question asks more than one thing (`parts`), each part's best sentence is added;
    a chosen sentence that leans on the one before it ("Dit …") brings that one along."""
    q_stems = set(tokenize(question))
    hits = list(hits[:max_sources]) if per_source else _complementary(hits)[:max_sources]
    stored = [sentences_of(h.chunk) for h in hits]
    candidates = [list(texts) for texts, _ in stored]
    vector_of = {t: v for texts, vecs in stored for t, v in zip(texts, vecs)}
    dense_of = _scaled({t: float(v @ query_vector) for t, v in vector_of.items()})

    def best_for(part: Part) -> str:
        """The sentence of all candidates that best answers one part of the question."""
        scored = ((part_score(part, s, dense_of[s], idf), s) for cands in candidates for s in cands if not signpost(s))
        return max(scored, default=(0.0, ""))[1]

    # The best advice gets two sentences, the others one each, unless `per_source` says otherwise.
    shares = [per_source] * len(hits) if per_source else [2] + [1] * (len(hits) - 1)
    if per_source:
        word_budget = max(word_budget, per_source * 40 * len(hits))
    needed = {best_for(p) for p in parts[1:]} - {""}  # one sentence for each further part asked
    sources: list[Source] = []
    words = 0
    for hit, cands, share in zip(hits, candidates, shares):
        scored = []
        for position, s in enumerate(cands):
            lex = overlap(q_stems, set(tokenize(s)), idf)
            score = -1.0 if signpost(s) else 0.5 * lex + 0.5 * dense_of[s]
            scored.append((score, -position, s))
        scored.sort(reverse=True)
        chosen: list[str] = []
        picks = [s for _, _, s in scored[:share]] if words < word_budget else []
        # The sentence after the best one often carries the example or the reason it announces.
        following = cands.index(picks[0]) + 1 if picks else len(cands)
        if not per_source and following < len(cands) and cands[following] not in picks:
            picks.insert(1, cands[following])
        picks = picks[: share + (0 if per_source else 1)]
        # ... and the one before it often states what the best one explains ("Belangrijke voorwaarde is …").
        preceding = cands.index(picks[0]) - 1 if picks else -1
        if not per_source and preceding >= 0 and cands[preceding] not in picks:
            picks.append(cands[preceding])
        for s in picks:
            n = len(s.split())
            if words + n > word_budget and chosen:
                break
            if words + n > word_budget * 1.4:  # one long sentence may stretch the budget a little
                continue
            chosen.append(s)
            words += n
        added = [s for s in cands if s in needed and s not in chosen]
        for s in chosen + added:
            i = cands.index(s)
            if i and leans_back(s) and cands[i - 1] not in chosen + added:
                added.append(cands[i - 1])
        chosen += added
        words += sum(len(s.split()) for s in added)
        if not chosen:
            continue
        chosen.sort(key=cands.index)
        vecs = np.stack([vector_of[s] for s in chosen])
        top, _, best = max((x for x in scored if x[2] in chosen), default=(0.0, 0, ""))
        headings = tuple(heading(hit.chunk.text, s) for s in chosen)
        sources.append(Source(len(sources) + 1, hit, tuple(chosen), vecs, top, best, headings))
    return sources
