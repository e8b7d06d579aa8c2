"""Answers a question: the one place that orders the stages and yields events.

Events, in order: `Retrieved` (the passages, before generation starts), `Token`s
(the model's raw text as it streams), then `Final` (the verified answer: only
supported sentences, each cited, renumbered; when none survives, the top passage's
best sentence quoted if it is about the question, else a refusal). The system, not
the model, decides citations and refusals. Structure questions ("welke adviezen geeft X?", "advies 3
van X") are answered from the parsed structure without the model.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from . import citations as cit
from . import evidence
from .chunk import split_sentences
from .clean import fold
from .embed import Encoder
from .errors import InvalidQuestionError
from .experts import PARTICLES, mentioned
from .generate import Generator
from .language import detect, text
from .lexical import tokenize
from .live import LiveIndex, Snapshot
from .prompt import build_messages, place
from .retrieve import Query
from .safety import split_injection
from .settings import Settings
from .types import Answer, Chunk, Citation, Hit

K = 5
MIN_QUESTION_STEMS = 2  # what is left of a question after dropping instructions must ask something
# In "welke experts" answers, quote only experts about as relevant as the best, and only a
# sentence about the question (the same test as the fallback quote).
RELEVANT_SHARE = 0.6
MULTI_DEPTH = 12  # advices searched for "welke experts …?" before keeping two per contribution
MULTI_CANDIDATES = 8  # of those, the advices whose best sentence is checked for being about the question
ABOUT_THE_QUESTION = 0.3  # share of the question's (rarity-weighted) words a quoted sentence must have
RELATED = 2
# Question (query) vs source sentence (passage) cosine across languages: relevant pairs score
# 0.82-0.87 with this model, unrelated ones 0.74-0.79 (measured on 10 hand-made English pairs).
CROSS_LANGUAGE_ABOUT = 0.80
DISTINCTIVE_SHARE = 0.25  # a word in more of the passages than this says little about what is asked
FRAME_WORDS = frozenset(
    "vindt vinden zegt zeggen denkt stelt meent schrijft schreef schreven schrijven noemt noemen bedoelt adviseert adviseren "
    "pleit pleiten benadrukt benadrukken wijst wijzen verwijst verwijzen waarschuwt waarschuwen bespreekt bespreken beschrijft "
    "beschrijven volgens expert experts bundel booklet says say think thinks mean means advise advises according write writes "
    "mention mentions emphasize emphasizes emphasise emphasises warn warns refer refers argue argues discuss discusses".split()
)
# Words of praise and size say nothing about the topic: "goed beleid" and "goed ingebed" share no subject.
GENERIC_WORDS = frozenset(
    "goed goede beter betere best beste groot grote groter grotere belangrijk belangrijke good better large big".split()
)
NOT_TOPIC = FRAME_WORDS | GENERIC_WORDS
COMPOUND_PART = 6  # a question word this long counts inside a compound; shorter ones ("wet") match too much
QUANTITY = re.compile(r"\b(hoeveel|hoe hoog|hoe groot|how many|how much|how high)\b", re.I)
COMPOUND = re.compile(r",\s*(en|and)\s+\w+", re.I)  # "waarom …, en hoe hoog …": two questions in one
MULTI = re.compile(r"\b(welke experts|wie van de experts|which experts|what experts)\b", re.I)
LISTING = re.compile(
    r"\b(welke|wat zijn|noem|geef|which|what are|list)\b.{0,40}\b(adviezen|maatregelen|pijlers|aanbevelingen|voorstellen|"
    r"advices|advice|recommendations|measures|pillars|proposals)\b",
    re.I,
)
THEMES = re.compile(r"\b(welke|wat zijn|noem|which|what are|list)\b.{0,40}\b(thema'?s|themes)\b", re.I)
ADVICE_NUMBER = re.compile(
    r"\b(?:advies|advice|aanbeveling|recommendation|pijler)\s*(?:nr\.?|nummer|number|no\.?)?\s*(\d{1,2})\b", re.I
)
# "volgens X", "wat vindt X", "according to X": a person whose views are asked about.
PERSON_FRAME = re.compile(
    r"\b(?:volgens|vindt|vinden|zegt|zeggen|denkt|stelt|meent|schrijft|according to|does|did|says|thinks?)\s+"
    r"((?:[A-Z][\w'’-]+)(?:\s+(?:van|der|den|de|ter|ten|[A-Z][\w'’-]+)){1,3})"
)
FOLLOW_UP = re.compile(r"^(en|maar|ook|and|but|also)\b|\b(zij|hij|haar|zijn|hun|ze|die|dat|she|he|her|his|their|they|it)\b", re.I)


@dataclass(frozen=True, slots=True)
class Retrieved:
    hits: tuple[Hit, ...]


@dataclass(frozen=True, slots=True)
class Token:
    text: str


@dataclass(frozen=True, slots=True)
class Final:
    answer: Answer


Event = Retrieved | Token | Final


def _numbered(intro: str, hits: Sequence[Hit], item: Callable[[int, Chunk], str]) -> tuple[str, list[Citation]]:
    """ "intro 1. … [1]; 2. … [2]." from the structure, each item cited with its passage's first sentence."""
    items, cites = [], []
    for label, h in enumerate(hits, start=1):
        items.append(f"{item(label, h.chunk)} [{label}]")
        cites.append(Citation(f"[{label}]", h.chunk, split_sentences(h.chunk.text)[0]))
    return f"{intro} " + "; ".join(items) + ".", cites


def validate(question: str, max_chars: int) -> str:
    """The question stripped, or a clear error for empty and over-long input."""
    q = (question or "").strip()
    lang = detect(q)
    if not q:
        raise InvalidQuestionError(text(lang, "empty"))
    if len(q) > max_chars:
        raise InvalidQuestionError(text(lang, "too_long", n=len(q), max=max_chars))
    return q


def retrieval_query(question: str, history: Sequence[str], experts: Sequence[str] = ()) -> str:
    """A follow-up ("en wat zegt zij over budgetten?") keeps the experts named before; without
    them, it is searched together with the question before it."""
    if not history or not (FOLLOW_UP.search(question) or len(question.split()) <= 5):
        return question
    if mentioned(question, experts):
        return question
    for earlier in reversed(history):
        names = mentioned(earlier, experts)
        if names:
            return f"{' '.join(names)}: {question}"
    return f"{history[-1]} {question}"


class Pipeline:
    def __init__(self, settings: Settings, encoder: Encoder, generator: Generator, index: LiveIndex | None = None) -> None:
        self.settings = settings
        self.encoder = encoder
        self.generator = generator
        self.index = index or LiveIndex(settings, encoder)

    def warm_up(self) -> None:
        """Load the index and both models, and put the fixed prompt prefix in the generator's cache."""
        snap = self.index.current()
        snap.idf, snap.vocabulary  # noqa: B018 - computed once here instead of in the first question
        self.encoder.encode(["warm-up"], "query")
        warm = getattr(self.generator, "warm_up", None)
        if warm:
            warm(build_messages("warm-up", [], "nl"))

    def ask(self, question: str, history: Sequence[str] = ()) -> Answer:
        """The final answer (the stream consumed)."""
        final = None
        for event in self.stream(question, history):
            if isinstance(event, Final):
                final = event.answer
        assert final is not None
        return final

    def stream(
        self, question: str, history: Sequence[str] = (), experts: list[str] | None = None, theme: str | None = None
    ) -> Iterator[Event]:
        """Events for one question; `experts`/`theme` restrict retrieval (the page's filters)."""
        started = time.perf_counter()
        question = validate(question, self.settings.max_question_chars)
        lang = detect(question)
        asked, injected = split_injection(question)
        if injected and len(set(tokenize(asked))) < MIN_QUESTION_STEMS:
            # Nothing but instructions: nothing to look up, and instructions are not followed.
            timings = {"retrieve_ms": 0.0, "first_token_ms": (time.perf_counter() - started) * 1000}
            timings["total_ms"] = timings["first_token_ms"]
            yield Retrieved(())
            yield Final(Answer(question, text(lang, "injection"), True, (), (), lang, "rules", timings))
            return
        question = asked or question
        snap = self.index.current()  # this question stays on this version
        retriever = snap.retriever
        query = retrieval_query(question, history, retriever.experts)
        if experts:
            experts = [n for e in experts for n in retriever.resolve_experts(e)]
        prepared = retriever.prepare(query, experts)
        named = list(prepared.named) or list(experts or [])

        unknown = self._unknown_person(question, named, snap)
        number = ADVICE_NUMBER.search(question)
        if number and named:
            hits = self._advice_hits(snap, named, int(number.group(1)))
        elif named and LISTING.search(question) and not QUANTITY.search(question):
            hits = self._advice_hits(snap, named, None)
        elif THEMES.search(question) and not named:
            hits = self._theme_hits(snap)
        else:
            hits = []
        structural = bool(hits)
        multi = bool(MULTI.search(question))
        if not hits and multi:
            hits = self._spread(retriever.search(query, k=MULTI_DEPTH, experts=experts, theme=theme, prepared=prepared))
            hits = hits[:MULTI_CANDIDATES]
        if not hits:
            hits = retriever.search(query, k=K, experts=experts, theme=theme, prepared=prepared)
        timings = {"retrieve_ms": (time.perf_counter() - started) * 1000}
        yield Retrieved(tuple(hits))

        def finish(answer_text: str, refused: bool, cites: Sequence[Citation], generator: str, related=()) -> Final:
            timings.setdefault("first_token_ms", (time.perf_counter() - started) * 1000)
            timings["total_ms"] = (time.perf_counter() - started) * 1000
            return Final(
                Answer(question, answer_text, refused, tuple(cites), tuple(hits), lang, generator, timings, tuple(related))
            )

        if unknown:
            yield finish(self._refusal(lang, hits, text(lang, "unknown_person", name=unknown)), True, (), "rules", hits[:RELATED])
            return
        if structural and not number:
            body, cites = self._themes(hits, lang) if not hits[0].chunk.experts else self._listing(hits, lang)
            yield finish(body, False, cites, "structure")
            return

        if multi:
            # "Welke experts …?": each expert's own sentence about the question, quoted and cited; no model needed.
            sources = evidence.select(
                query,
                prepared.vector,
                hits,
                snap.retriever.index.sentences_of,
                snap.idf,
                max_sources=MULTI_CANDIDATES,
                per_source=1,
            )
            about = self._about(prepared, sources, snap, lang)
            best = max((s.score for s in sources), default=0.0)
            sources = [s for s in sources if s.score >= RELEVANT_SHARE * best and about(s.best)]
            sources = sources[: evidence.MAX_SOURCES_MULTI]
            if sources:
                body, cites = self._experts_answer(sources, lang)
                yield finish(body, False, cites, "structure")
                return
        sources = evidence.select(query, prepared.vector, hits, snap.retriever.index.sentences_of, snap.idf)
        messages = build_messages(question, sources, lang)
        raw = ""
        for piece in self.generator.stream(messages, max_tokens=self.settings.max_answer_tokens):
            if not raw:
                timings["first_token_ms"] = (time.perf_counter() - started) * 1000
            raw += piece
            yield Token(piece)

        about = self._about(prepared, sources, snap, lang)
        verified = self._verify(raw, sources, snap, question, lang, about)
        if not any(v.sources and (v.quoted or cit.adds_to(v.text, question)) for v in verified):
            # The model's answer failed the check or only restated the question: the best sentence
            # of the top passage, quoted, when it is about the question; otherwise a refusal. Not
            # across languages, where "about" rests on embeddings alone.
            best = sources[0].best if sources else ""
            fits = best and detect(best) == lang and about(best)
            verified = [cit.Verified(best, (1,), (best,), quoted=True)] if fits else []
        if QUANTITY.search(question) and not COMPOUND.search(question) and not self._number_answered(question, verified, snap):
            verified = []  # "how many" needs a number from a source sentence about what was asked
        if not verified:
            yield finish(self._refusal(lang, hits), True, (), self.generator.name, hits[:RELATED])
            return
        answer_text, cites = cit.render(verified, sources, lang)
        yield finish(answer_text, False, cites, self.generator.name)

    def _verify(
        self,
        raw: str,
        sources: Sequence[evidence.Source],
        snap: Snapshot,
        question: str,
        lang: str,
        about: Callable[[str], bool],
    ) -> list[cit.Verified]:
        sentences = cit.split_answer(raw)
        if not sentences or not sources:
            return []
        texts = [s.text for s in sentences]
        vectors = self.encoder.encode(texts, "query")
        source_vectors = [s.vectors for s in sources]
        score, best = cit.support_matrix(texts, sources, snap.idf, vectors, source_vectors, question, lang, about)
        return cit.verify(sentences, sources, score, best, about)

    @staticmethod
    def _about(prepared: Query, sources: Sequence[evidence.Source], snap: Snapshot, lang: str) -> Callable[[str], bool]:
        """Whether a source sentence is about the question: it shares a distinctive word with it
        (not an expert's name, not a word of the question's frame such as "vindt", not praise or
        size such as "goed", not one that most passages contain; also as the start or end of a
        compound: "onderwijs" in "onderwijsinstellingen", "kwaliteit" in "datakwaliteit"), or, in
        another language than the question, its embedding is close to the question's."""
        words = [w.lower() for w in re.findall(r"[\w'’-]+", prepared.text) if w.lower() not in NOT_TOPIC]
        rare = {t for t in tokenize(" ".join(words)) if snap.idf.df.get(t, 0) <= DISTINCTIVE_SHARE * snap.idf.n}
        parts = {w for w in words if len(w) >= COMPOUND_PART and set(tokenize(w)) <= rare}
        vector_of = {t: v for s in sources if s.vectors is not None for t, v in zip(s.sentences, s.vectors)}

        def about(sentence: str) -> bool:
            if detect(sentence) != lang and sentence in vector_of:
                return float(vector_of[sentence] @ prepared.vector) >= CROSS_LANGUAGE_ABOUT
            if rare & set(tokenize(sentence)):
                return True
            found = re.findall(r"\w+", sentence.lower())
            return any(x != w and (x.startswith(w) or x.endswith(w)) for w in parts for x in found)

        return about

    @staticmethod
    def _number_answered(question: str, verified: Sequence[cit.Verified], snap: Snapshot) -> bool:
        q = set(tokenize(question))
        for v in verified:
            if v.sources and re.search(r"\d", v.text):
                if any(evidence.overlap(q, set(tokenize(quote)), snap.idf) >= ABOUT_THE_QUESTION for quote in v.quotes):
                    return True
        return False

    def _unknown_person(self, question: str, named: list[str], snap: Snapshot) -> str:
        """A person whose views the question asks about, who is no expert and not in the corpus."""
        for m in PERSON_FRAME.finditer(question):
            words = m.group(1).split()
            while words and words[-1].lower() in PARTICLES:
                words.pop()
            name = " ".join(words)
            if named and any(fold(n).split()[-1] in fold(name) for n in named):
                continue
            last = fold(name).split()[-1]
            if last not in snap.vocabulary and fold(name) not in snap.vocabulary:
                return name
        return ""

    def _advice_hits(self, snap: Snapshot, experts: list[str], number: int | None) -> list[Hit]:
        """The named experts' advices straight from the structure: one, or all in order."""
        chunks = snap.retriever.index.chunks
        firsts: dict[tuple, Chunk] = {}
        for c in chunks:
            if set(experts) & set(c.experts) and c.advice and (number is None or c.advice == number):
                firsts.setdefault(c.advice_key, c)
        ordered = sorted(firsts.values(), key=lambda c: (c.contribution, c.advice))
        return [
            Hit(i, 1.0, c, tuple(x for x in chunks if x.advice_key == c.advice_key and x.chunk_id != c.chunk_id))
            for i, c in enumerate(ordered, start=1)
        ]

    @staticmethod
    def _theme_hits(snap: Snapshot) -> list[Hit]:
        """The first passage of each theme's part of the summary, in document order."""
        firsts: dict[str, Chunk] = {}
        for c in snap.retriever.index.chunks:
            if c.theme and not c.experts and c.part == 0:
                firsts.setdefault(c.theme, c)
        return [Hit(i, 1.0, c) for i, c in enumerate(firsts.values(), start=1)]

    def _themes(self, hits: Sequence[Hit], lang: str) -> tuple[str, list[Citation]]:
        """ "De bundel ordent de adviezen in 4 thema's: 1. … [1]; …"."""
        return _numbered(text(lang, "themes", n=len(hits)), hits, lambda label, c: f"{label}. {c.theme}")

    def _listing(self, hits: Sequence[Hit], lang: str) -> tuple[str, list[Citation]]:
        """ "X geven N adviezen: 1. titel [1]; 2. …"."""
        experts = list(dict.fromkeys(e for h in hits for e in h.chunk.experts))
        who = " en ".join([", ".join(experts[:-1]), experts[-1]]) if len(experts) > 1 else experts[0]
        if lang == "en":
            who = who.replace(" en ", " and ")
        verb = text(lang, "give_many" if len(experts) > 1 else "give_one")
        intro = text(lang, "list", who=who, verb=verb, n=len(hits))
        return _numbered(intro, hits, lambda label, c: f"{c.advice}. {c.advice_title}")

    @staticmethod
    def _spread(hits: Sequence[Hit], per_contribution: int = 2) -> list[Hit]:
        """Experts' advices with at most two per contribution, so an answer about "the experts" names several."""
        seen: dict[tuple, int] = {}
        out = []
        for h in hits:
            key = h.chunk.contribution_key
            if h.chunk.experts and seen.get(key, 0) < per_contribution:
                seen[key] = seen.get(key, 0) + 1
                out.append(Hit(len(out) + 1, h.score, h.chunk, h.context))
        return out

    def _experts_answer(self, sources: Sequence[evidence.Source], lang: str) -> tuple[str, list[Citation]]:
        """ "Verschillende experts gaan hierop in: X (advies N): “…” [1]; …", one quote per expert."""
        items, cites = [], []
        for label, s in enumerate(sources, start=1):
            c = s.hit.chunk
            quote = " ".join(x.removeprefix("- ") for x in s.sentences)
            items.append(f"{', '.join(c.experts)} ({place(c, lang)}): “{quote}” [{label}]")
            cites.append(Citation(f"[{label}]", c, quote))
        return f"{text(lang, 'several')} " + "; ".join(items), cites

    def _refusal(self, lang: str, hits: Sequence[Hit], reason: str = "") -> str:
        parts = [reason] if reason else [text(lang, "refusal")]
        related = [h for h in hits[:RELATED] if h.chunk.experts and h.chunk.advice]
        if related:
            items = "; ".join(
                f"{', '.join(h.chunk.experts)}, {text(lang, 'advice')} {h.chunk.advice} ({h.chunk.advice_title})" for h in related
            )
            parts.append(text(lang, "related", items=items))
        return " ".join(parts)
