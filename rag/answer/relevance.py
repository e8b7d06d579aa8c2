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
from dataclasses import dataclass

import numpy as np

from ..evidence import Idf, Source, signpost
from ..language import detect
from ..lexical import INFLECTION_PREFIX, inflection_stem, tokenize
from ..lexicon import CLAUSE, negated
from ..types import Chunk
from .intent import NOT_TOPIC, Fact, topic_stems

DISTINCTIVE_SHARE = 0.25  # a word in more of the passages than this says little about what is asked
COMPOUND_PART = 6  # a question word this long counts inside a compound; shorter ones ("wet") match too much
COMPOUND_HEAD = 4  # a stem this long that ends a compound is its head: "regi(ster)" in "algoritmeregi(ster)"
# Share of the question's rarity-weighted topic a quote must cover to stand as the answer on its
# own (one shared word of a three-word topic is a mention, not an answer), and the share the
# sentence holding an asked number, percentage or date must cover (69 governments do not answer
# "how many citizens"). Both derived by eval/derive_thresholds.py from eval/boundary.jsonl (our
# near-misses and their answerable twins; not a set anything is reported on).
ANSWER_COVERAGE = 0.49
FACT_COVERAGE = 0.57
# Share of a claim's rarity-weighted words one source sentence (with its passage's labels) must
# contain for the claim to count as what the source says.
PREMISE_SUPPORTED = 0.6
# Below this share the source does not speak of the claim at all: nothing to correct it with.
PREMISE_ABOUT = 0.3


# A count in digits or in words ("twee keer", "de helft", "a dozen"), or none ("geen", "nul"): "how
# many …?" is answered by "er ging er geen over …".
NUMBER = re.compile(
    r"\d|\b(geen|nul|zero|none|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|twintig|dertig|veertig|vijftig|honderd|duizend"
    r"|miljoen|miljard|helft|two|three|four|five|six|seven|eight|nine|ten|twenty|hundred|thousand|million|billion|half)\b",
    re.I,
)
PERCENT = re.compile(r"\d\s*%|\bprocent\b|\bpercent\b", re.I)
# A version number ("Unicode 2.0", "versie 3", "v1.1"): what a "welke versie" question needs.
VERSION = re.compile(r"\b\d+\.\d+(?:\.\d+)*\b|\b(?:versie|version|v)\s?\d+\b", re.I)
# A year, or a month name: what a date question needs to find in its answer.
DATE = re.compile(
    r"\b(1[89]|20)\d\d\b|\b(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    r"|january|february|march|may|june|july|august|october)\b",
    re.I,
)


class About:
    """Whether a source sentence is about the question: it shares a distinctive word with it (not
    an expert's name, not a frame word such as "vindt", not praise or size such as "goed", not
    one that most passages contain), also inflected ("Europa", "Europese") or inside a compound
    ("onderwijs" in "onderwijsinstellingen", "register" in "algoritmeregister"); or, in another
    language than the question, its embedding is close. A question without distinctive words
    ("Wat staat er in advies 3?") gives nothing to test."""

    def __init__(
        self,
        question: str,
        lang: str,
        query_vector: np.ndarray,
        sources: Sequence[Source],
        idf: Idf,
        experts: Sequence[str] = (),
        cross_about: float = 1.0,  # the model's calibrated question-sentence cosine across languages
    ) -> None:
        self.cross_about = cross_about
        stems = topic_stems(question, experts)
        self.idf = idf
        self.rare = {t for t in stems if self._rare(t)}
        words = [w for w in re.findall(r"[\w'’-]+", question.lower()) if w not in NOT_TOPIC]
        self.words = {w for w in words if set(tokenize(w)) and set(tokenize(w)) <= self.rare}
        self.lang = lang
        self.query_vector = query_vector
        self.vector_of = {t: v for s in sources if s.vectors is not None for t, v in zip(s.sentences, s.vectors)}

    def _rare(self, stem: str) -> bool:
        return self.idf.df.get(stem, 0) <= DISTINCTIVE_SHARE * self.idf.n

    @property
    def topical(self) -> bool:
        """Whether the question has distinctive words to test sentences against."""
        return bool(self.rare)

    def __call__(self, sentence: str) -> bool:
        if detect(sentence) != self.lang and sentence in self.vector_of:
            return float(self.vector_of[sentence] @ self.query_vector) >= self.cross_about
        if self.rare & set(tokenize(sentence)):
            return True
        found = set(re.findall(r"\w+", sentence.lower()))
        return any(self._same_word(w, x) for w in self.words for x in found)

    def _same_word(self, w: str, x: str) -> bool:
        """A question word `w` and a sentence word `x` name the same thing: an inflection, or one
        is a part of 6+ letters of the other (the sentence's part must be distinctive itself)."""
        if w == x or (len(w) >= INFLECTION_PREFIX and x.startswith(inflection_stem(w))):
            return True
        if len(w) >= COMPOUND_PART and (x.startswith(w) or x.endswith(w)):
            return True
        return len(x) >= COMPOUND_PART and (w.startswith(x) or w.endswith(x)) and all(self._rare(t) for t in tokenize(x))


def label(chunk: Chunk) -> str:
    """The titles a passage stands under: its advice, contribution and section."""
    return " ".join([chunk.advice_title, chunk.contribution_title, chunk.section])


def is_question(sentence: str) -> bool:
    """A question in a source ("Wat levert dit op?") announces an answer; quoted, it answers nothing.
    A statement that ends by citing a question ("… met als centrale vraag “Waar optimaliseer je
    voor?”") is no question: its quotation mark opens after words of its own."""
    text = sentence.rstrip()
    bare = text.rstrip(" ”\"'")
    if not bare.endswith("?"):
        return False
    if bare == text:
        return True
    opened = max(bare.rfind("“"), bare.rfind('"'))
    return opened < 0 or not re.search(r"[^\W\d_]", bare[:opened])


# A sentence that sends the reader elsewhere ("Zie ‘…’ voor meer informatie over …") says where the
# answer is, not what it is; it answers only a question that asks where to look.
POINTER = re.compile(r"^[\s*_>-]*(zie|raadpleeg|see|consult)\b", re.I)
ASKS_WHERE = re.compile(
    r"\b(waar|waarin|where|welke (website|bron|link|pagina|plek)|which (website|source|link|page|place))\b", re.I
)


def points_elsewhere(sentence: str, question: str) -> bool:
    """Whether a source sentence only refers to another place for what a question (not a where
    question) asks: "Zie de Koppelvlakstandaarden voor details." does not give the details."""
    return bool(POINTER.match(sentence)) and not ASKS_WHERE.search(question)


def quotable(sentence: str, about: Callable[[str], bool]) -> bool:
    """Whether a source sentence may stand, quoted, for a partly supported sentence of the model's:
    it is about the question, and it is not itself a question."""
    return not is_question(sentence) and about(sentence)


def answering_sentence(
    question: str, sentences: Sequence[str], best: str, title: str, idf: Idf, comparable: bool
) -> tuple[str, float]:
    """The sentence to quote as the answer, with its coverage of the question: of the statements
    (no questions), the one that covers most of the question's topic, the best-scored one on a tie;
    when words cannot be compared (`comparable` false: another language), the best-scored one."""
    statements = [t for t in sentences if not is_question(t) and not signpost(t)]
    if not comparable:
        return (best, 0.0) if best in statements else ("", 0.0)
    scored = [(coverage(question, t, title, idf), t == best, t) for t in statements]
    if not scored:
        return "", 0.0
    covered, _, sentence = max(scored)
    return sentence, covered


def coverage(question: str, sentence: str, label: str, idf: Idf, experts: Sequence[str] = ()) -> float:
    """Rarity-weighted share of the question's topic that a sentence (with its passage's label)
    contains, inflections and compounds included ("Europa" in "Europese")."""
    return _loose_overlap(topic_stems(question, experts), set(tokenize(f"{sentence} {label}")), idf)


def asks_fact(fact: Fact) -> bool:
    """Whether the asked kind of fact is one a sentence must hold: a number, a percentage, a date."""
    return fact in ("count", "percentage", "date", "version")


def states_fact(fact: Fact, sentence: str, topic: str, label: str, idf: Idf) -> bool:
    """Whether a sentence (of the question's language) holds the asked kind of fact about `topic`:
    it holds one, and covers `FACT_COVERAGE` of the topic's words (69 governments do not answer
    "how many citizens")."""
    return has_fact(fact, sentence) and coverage(topic, sentence, label, idf) >= FACT_COVERAGE


def has_fact(fact: Fact, sentence: str) -> bool:
    """Whether a sentence holds the kind of fact asked for (any sentence holds "no particular kind")."""
    if fact == "count":
        return bool(NUMBER.search(sentence))
    if fact == "percentage":
        return bool(PERCENT.search(sentence))
    if fact == "date":
        return bool(DATE.search(sentence))
    if fact == "version":
        return bool(VERSION.search(sentence))
    return fact != "after_publication"


def _claim_support(
    stems: set[str], parts: Sequence[tuple[set[str], bool]], sentence: str, title: str, idf: Idf
) -> tuple[float, float, bool]:
    """How much of a claim (its topic stems) one source sentence states, with its passage's title
    and without it (0..1 each), and whether it says the opposite: for some clause of the claim
    (`parts`: its stems and whether it is negated), the clause of the sentence that shares most with
    it differs in negation ("zou de toeslagenaffaire niet hebben kunnen voorkomen" against "had
    kunnen voorkomen"; "wel boekenwinkels, maar geen bibliotheken" is two clauses, each as it is)."""
    sentence_stems = set(tokenize(sentence))
    with_title = _loose_overlap(stems, sentence_stems | set(tokenize(title)), idf)
    alone = _loose_overlap(stems, sentence_stems, idf)
    clauses = [c for c in CLAUSE.split(sentence) if c.strip()] or [sentence]
    flipped = False
    for part_stems, part_negated in parts:
        share, closest = max(((_loose_overlap(part_stems, set(tokenize(c)), idf), c) for c in clauses), key=lambda x: x[0])
        if share > 0 or len(parts) == 1:
            flipped = flipped or part_negated != negated(closest)
    return with_title, alone, flipped


def _loose_overlap(stems: set[str], sentence_stems: set[str], idf: Idf) -> float:
    """Like `overlap`, but a stem also matches an inflection (the same first letters but the
    last two, at least 5: "europa" and "europes"), a compound on the other side that ends in it
    (a Dutch compound's head comes last: "algoritmeregister" and "register", stems "…regi" and
    "regi") or that starts with it when it has 6+ letters."""
    total = sum(idf(s) for s in stems)

    def present(stem: str) -> bool:
        if stem in sentence_stems:
            return True
        if len(stem) >= INFLECTION_PREFIX and any(x.startswith(inflection_stem(stem)) for x in sentence_stems):
            return True
        return any(
            (len(short) >= COMPOUND_HEAD and long.endswith(short)) or (len(short) >= COMPOUND_PART and long.startswith(short))
            for x in sentence_stems
            for short, long in ((x, stem), (stem, x))
            if len(long) > len(short)
        )

    return sum(idf(s) for s in stems if present(s)) / total if total else 0.0


def core_stem(claim: str, idf: Idf, experts: Sequence[str] = ()) -> str:
    """The claim's rarest topic word: a sentence without it speaks of something else."""
    return max(sorted(topic_stems(claim, experts)), key=idf, default="")


def stems_of(source: Source, sentence: str) -> set[str]:
    """Stems of a source sentence together with its passage's labels."""
    return set(tokenize(f"{sentence} {label(source.hit.chunk)}"))


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    """What the sources say to a claim: the sentence that states most of it, and the one that contradicts it."""

    stated: tuple[Source, str, float] | None  # (source, sentence, share) with the claim's polarity
    contradicted: tuple[Source, str, float] | None  # the same, with the opposite polarity


def check_claim(
    claim: str, sources: Sequence[Source], all_sentences: Callable[[Source], Sequence[str]], idf: Idf, experts: Sequence[str]
) -> ClaimCheck:
    """The best source sentence of each polarity for a claim."""
    stems = topic_stems(claim, experts)
    parts = [(topic_stems(c, experts), negated(c)) for c in CLAUSE.split(claim) if c.strip() and topic_stems(c, experts)]
    parts = parts or [(stems, negated(claim))]
    stated: tuple[Source, str, float] | None = None
    contradicted: tuple[Source, str, float] | None = None
    for s in sources:
        title = label(s.hit.chunk)
        for sentence in all_sentences(s):
            with_title, alone, flipped = _claim_support(stems, parts, sentence, title, idf)
            # The opposite must be in the sentence itself: a title ("Maak het onderwijs
            # minder afhankelijk van big tech") does not turn a sentence of its advice around.
            if flipped and alone > (contradicted[2] if contradicted else 0.0):
                contradicted = (s, sentence, alone)
            elif not flipped and with_title > (stated[2] if stated else 0.0):
                stated = (s, sentence, with_title)
    return ClaimCheck(stated, contradicted)
