"""Answers a question: validates it, reads what it asks, picks the route and streams its events.

Events, in order: `Retrieved` (the passages, before generation starts), maybe a `Draft`
(source sentences that answer, quoted, before the model writes), `Token`s (the
model's raw text as it streams, on routes that use the model), then `Final` (the checked
answer). What a question asks is `answer.intent`'s, which route answers it and how is
`answer.routes`'; this module only orders them and holds the models and the live index.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence

from .answer.events import Draft, Event, Final, Retrieved, Token
from .answer.intent import analyze, renamed
from .answer.lookup import CorpusLookup
from .answer.routes import Context, choose
from .embed import Encoder
from .errors import InvalidQuestionError
from .generate import Generator
from .language import detect, text
from .live import LiveIndex
from .prompt import build_messages
from .settings import Settings
from .types import Answer, Turn

__all__ = ["Draft", "Event", "Final", "Pipeline", "Retrieved", "Token", "Turn", "validate"]


# Not text: lone surrogates (invalid in UTF-8), control characters, zero-width and direction marks.
NOT_TEXT = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: without one, the input asks nothing
# Markup is not part of a question: script and style with their content, comments, tags,
# markdown images, and the targets of markdown links (their text stays).
MARKUP = (
    (re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.I | re.S), " "),
    (re.compile(r"<!--.*?(?:-->|$)", re.S), " "),
    (re.compile(r"</?[a-zA-Z][\w-]*(?:\s[^<>]*)?/?>"), " "),
    (re.compile(r"!\[[^\]]*\]\((?:[^()]|\([^()]*\))*\)"), " "),
    (re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)"), r"\1"),
    (re.compile(r"\[\s*\d+\s*\]"), " "),  # a fake source marker ("[1]") is not part of the question
)


def _unstacked(text_: str) -> str:
    """Letters keep one combining mark (an accent: "ë", "é"); a stack of them ("zalgo") goes."""
    out: list[str] = []
    marks: list[str] = []
    for ch in unicodedata.normalize("NFD", text_) + " ":
        if unicodedata.category(ch) == "Mn":
            marks.append(ch)
            continue
        if len(marks) == 1 and out:
            out.append(marks[0])
        marks = []
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out[:-1]))


def plain_question(question: str) -> str:
    """The question as text: without characters that are not text, without markup, and without
    stacked combining marks ("zalgo"; accents survive as composed letters)."""
    q = _unstacked(NOT_TEXT.sub("", question or ""))
    for pattern, replacement in MARKUP:
        q = pattern.sub(replacement, q)
    return re.sub(r"[ \t]+", " ", q).strip()


def validate(question: str, max_chars: int, collection: Callable[[str], str] = lambda lang: "") -> str:
    """The question as plain text, or a clear error for input that asks nothing (empty, only
    digits, signs, markup or noise) and for over-long input. `collection` names the collection
    in the question's language ("Stel een vraag over de bundel")."""
    raw = NOT_TEXT.sub("", question or "").strip()
    q = plain_question(raw)
    lang = detect(q)
    if not WORD.search(q):
        raise InvalidQuestionError(text(lang, "empty", src=collection(lang)))
    if len(raw) > max_chars:
        raise InvalidQuestionError(text(lang, "too_long", n=len(raw), max=max_chars))
    return q


class Pipeline:
    def __init__(self, settings: Settings, encoder: Encoder, generator: Generator, index: LiveIndex | None = None) -> None:
        self.settings = settings
        self.encoder = encoder
        self.generator = generator
        self.index = index or LiveIndex(settings, encoder)
        self._lookup: tuple[str, CorpusLookup] | None = None

    def lookup(self, snap) -> CorpusLookup:
        """What routing needs to know of this version's corpus (made once per version)."""
        held = self._lookup
        if held is None or held[0] != snap.version:
            held = self._lookup = (snap.version, CorpusLookup(snap.retriever.index.chunks))
        return held[1]

    def warm_up(self) -> None:
        """Load the index and both models, and put the fixed prompt prefix in the generator's cache."""
        snap = self.index.current()
        snap.idf  # noqa: B018 - computed once here instead of in the first question
        self.lookup(snap).absent_terms(["warm-up"])
        self.encoder.encode(["warm-up"], "query")
        warm = getattr(self.generator, "warm_up", None)
        if warm:
            warm(build_messages("warm-up", [], "nl", self.lookup(snap).subject))

    def ask(self, question: str, history: Sequence[str | Turn] = ()) -> Answer:
        """The final answer (the stream consumed)."""
        final = None
        for event in self.stream(question, history):
            if isinstance(event, Final):
                final = event.answer
        assert final is not None
        return final

    def stream(
        self,
        question: str,
        history: Sequence[str | Turn] = (),
        experts: list[str] | None = None,
        theme: str | None = None,
        document: str | None = None,
    ) -> Iterator[Event]:
        """Events for one question as the next turn after `history` (earlier turns, or just their
        questions, oldest first); `experts`/`theme`/`document` restrict retrieval (the page's filters).
        A follow-up's model sees the previous question and the opening of its answer."""
        started = time.perf_counter()
        snap = self.index.current()  # this question stays on this version
        lookup = self.lookup(snap)
        question = validate(question, self.settings.max_question_chars, lookup.collection)
        retriever = snap.retriever
        snap.calibration  # noqa: B018 - a model without thresholds fails here, before any work
        if experts:
            experts = [n for e in experts for n in retriever.resolve_experts(e)]
        turns = [Turn.of(h) for h in history]
        intent = analyze(question, turns, retriever.experts, focus=experts or ())
        intent = renamed(intent, lookup.corpus_names(question, intent.lang))
        route = choose(intent, lookup)
        ctx = Context(intent, snap, self.settings, self.encoder, self.generator, experts, theme, document, started)
        ctx.src, ctx.subject, ctx.booklet = lookup.collection(intent.lang), lookup.subject, lookup.is_booklet
        if intent.follow_up and turns and turns[-1].answer:
            ctx.earlier = turns[-1]
        yield from route.run(ctx, lookup)
