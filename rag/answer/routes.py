"""One route per kind of answer, tried in order; the first that applies answers.

Owns which route answers which intent (`choose`, decided from the intent and a small
`Lookup` into the corpus, so it is testable on literal input) and what each route does:
instructions only, after publication, an unknown person or term, an advice by number, an
expert's advices, the themes, "welke experts", a premise to check, and the generated
answer, which ends in the answerability check. Each route streams `Retrieved`, maybe
`Token`s, then `Final`. Reading the question is `intent`'s job, judging evidence
`relevance`'s, wording `render`'s.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from .. import citations as cit
from .. import evidence
from ..embed import Encoder
from ..experts import strip_names
from ..generate import Generator, prompt_budget, translates, writes, writes_after_quotes
from ..language import decided, detect, text
from ..prompt import LANGUAGE_NAMES, fitted_messages, source_lines, translation_messages
from ..retrieve import Query
from ..sentences import split as split_sentences
from ..settings import Settings
from ..types import Answer, Chunk, Citation, Hit, Turn
from . import grade, relevance, render
from .events import Draft, Event, Final, Retrieved, Token
from .intent import Intent, Part, topic_stems
from .lookup import Lookup

if TYPE_CHECKING:
    from ..live import Snapshot

# In "welke experts" answers, quote only experts about as relevant as the best.
RELEVANT_SHARE = 0.6
MULTI_DEPTH = 12  # advices searched for "welke experts …?" before keeping two per contribution
MULTI_CANDIDATES = 8  # of those, the advices whose best sentence is checked for being about the question
PREMISE_DEPTH = 3  # advices whose sentences are searched for a claim the question takes for granted
TRANSLATION_TOKENS = 120  # what the model may write to say one source sentence in the asker's language


@dataclass
class Context:
    """One question on its way through a route: the intent, the index version, the models."""

    intent: Intent
    snap: Snapshot
    settings: Settings
    encoder: Encoder
    generator: Generator
    experts: list[str] | None = None  # the page's expert filter
    theme: str | None = None  # the page's theme filter
    document: str | None = None  # the page's document filter
    started: float = field(default_factory=time.perf_counter)
    timings: dict[str, float] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    evidence: tuple[str, ...] = ()  # the source lines the model was given, once it was
    src: str = ""  # what answers call the collection ("de bundel", "de documenten")
    subject: str = ""  # what the model is told the questions are about
    booklet: bool = True  # whether the collection is the booklet (else no answer may call it so)
    earlier: Turn | None = None  # the previous turn, shown to the model when the question follows up on its answer

    @cached_property
    def prepared(self) -> Query:
        return self.snap.retriever.prepare(self.intent.query, self.experts)

    @property
    def lang(self) -> str:
        return self.intent.lang

    def search(self, k: int | None = None) -> list[Hit]:
        """The passages for the question: `RAG_TOP_K` advices unless a route asks for more."""
        k = k or self.settings.top_k
        return self.snap.retriever.search(
            self.intent.query, k=k, experts=self.experts, theme=self.theme, document=self.document, prepared=self.prepared
        )

    def retrieved(self, hits: Sequence[Hit]) -> Retrieved:
        self.hits = list(hits)
        self.timings["retrieve_ms"] = (time.perf_counter() - self.started) * 1000
        return Retrieved(tuple(hits))

    def final(
        self,
        answer_text: str,
        refused: bool,
        cites: Sequence[Citation],
        generator: str,
        route: str,
        related=(),
        partly: bool = False,
    ) -> Final:
        self.timings.setdefault("retrieve_ms", 0.0)
        self.timings.setdefault("first_token_ms", (time.perf_counter() - self.started) * 1000)
        self.timings["total_ms"] = (time.perf_counter() - self.started) * 1000
        # An answer no model wrote is its own evidence: the structure's or the sources' words.
        evidence = self.evidence or (() if refused else (answer_text,))
        answer = Answer(
            self.intent.question, answer_text, refused, tuple(cites), tuple(self.hits), self.lang, generator,
            dict(self.timings), tuple(related), route, evidence, partly and not refused,
        )  # fmt: skip
        return Final(answer)

    def refuse(self, route: str, reason: str = "", generator: str = "rules") -> Final:
        related = self.hits[: render.RELATED]
        return self.final(render.refusal(self.lang, self.hits, reason, self.src), True, (), generator, route, related)

    def text(self, key: str, **kwargs: object) -> str:
        """A fixed sentence in the question's language, naming this collection."""
        return text(self.lang, key, src=self.src, **kwargs)


# --- the routes ----------------------------------------------------------------------------


def instructions(ctx: Context) -> Iterator[Event]:
    """Nothing but instructions: nothing to look up, and instructions are not followed."""
    yield ctx.retrieved(())
    yield ctx.final(ctx.text("injection"), True, (), "rules", "instructions")


def after_publication(ctx: Context) -> Iterator[Event]:
    """What happened after the booklet appeared is not in it."""
    yield ctx.retrieved(ctx.search())
    yield ctx.refuse("after_publication", ctx.text("after_publication"))


def unknown(ctx: Context, lookup: Lookup) -> Iterator[Event]:
    """A person the corpus never mentions: it cannot say what they think. A name, law or number it
    never mentions, not even inflected or in a compound: said so, and when passages are on the
    question all the same (the corpus may call it otherwise: "het Rijk"), what they say, quoted."""
    yield ctx.retrieved(ctx.search())
    persons = lookup.absent_people(ctx.intent.persons)
    if persons:
        yield ctx.refuse("unknown", ctx.text("unknown_person", name=render.shortened(persons[0])))
        return
    reason = ctx.text("absent", term=render.shortened(lookup.absent_terms(ctx.intent.terms)[0]))
    signals = _signals(ctx)
    if not signals.on_topic or signals.best is None:
        yield ctx.refuse("unknown", reason)
        return
    yield _partly(ctx, reason, signals.best, "unknown")


def _advices(snap: Snapshot, experts: Sequence[str], number: int | None) -> list[Hit]:
    """The experts' advices straight from the structure: one, or all in order."""
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


def advice_number(ctx: Context) -> Iterator[Event]:
    """ "advies 3 van X": that advice, answered by the model; a number X never gave is named as such."""
    experts = list(ctx.intent.experts)
    hits = _advices(ctx.snap, experts, ctx.intent.number)
    if not hits:
        yield ctx.retrieved(_advices(ctx.snap, experts, None))
        yield ctx.refuse("advice_number", render.no_such_advice(experts, len(ctx.hits), ctx.intent.number, ctx.lang))
        return
    yield ctx.retrieved(hits)
    yield from _generate(ctx, "advice_number")


def expert_advices(ctx: Context) -> Iterator[Event]:
    """ "Welke adviezen geeft X?" / "Hoeveel …?": the titles from the structure, numbered and
    cited, each with its key sentence: the one on what is asked ("… om de zorg digitaal beter te
    laten functioneren"), or without a topic the one that says what its title says."""
    yield ctx.retrieved(_advices(ctx.snap, list(ctx.intent.experts), None))
    snap, intent = ctx.snap, ctx.intent
    if intent.purpose:
        sources = evidence.select(
            intent.query, ctx.prepared.vector, ctx.hits, snap.retriever.index.sentences_of, snap.idf,
            max_sources=len(ctx.hits), per_source=1,
        )  # fmt: skip
        best = {s.hit.chunk.chunk_id: s.best for s in sources}
        keys = [best.get(h.chunk.chunk_id, "") for h in ctx.hits]
    else:
        keys = [
            evidence.key_sentence(snap.retriever.index.sentences_of(h.chunk)[0], h.chunk.advice_title, snap.idf) for h in ctx.hits
        ]
    body, cites = render.listing(ctx.hits, ctx.lang, keys)
    yield ctx.final(body, False, cites, "structure", "expert_advices")


def themes(ctx: Context) -> Iterator[Event]:
    """The first passage of each theme's part of the summary, in document order."""
    firsts: dict[str, Chunk] = {}
    for c in ctx.snap.retriever.index.chunks:
        if c.theme and not c.experts and c.part == 0:
            firsts.setdefault(c.theme, c)
    yield ctx.retrieved([Hit(i, 1.0, c) for i, c in enumerate(firsts.values(), start=1)])
    body, cites = render.themes(ctx.hits, ctx.lang, ctx.src)
    yield ctx.final(body, False, cites, "structure", "themes")


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


def _one_per_expert(sources: Sequence[evidence.Source]) -> list[evidence.Source]:
    """The best-scored source of each expert or group of experts, in their order: a list of experts
    names each once (a second advice of the same expert is a weaker quote, not another expert)."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for s in sources:
        if s.hit.chunk.experts not in seen:
            seen.add(s.hit.chunk.experts)
            out.append(s)
    return out


def which_experts(ctx: Context) -> Iterator[Event]:
    """ "Welke experts …?": each expert's own sentence about the question, quoted and cited; no model."""
    yield ctx.retrieved(_spread(ctx.search(MULTI_DEPTH))[:MULTI_CANDIDATES])
    snap, prepared = ctx.snap, ctx.prepared
    sources = evidence.select(
        ctx.intent.query, prepared.vector, ctx.hits, snap.retriever.index.sentences_of, snap.idf,
        max_sources=MULTI_CANDIDATES, per_source=1,
    )  # fmt: skip
    about = relevance.About(prepared.text, ctx.lang, prepared.vector, sources, snap.idf, cross_about=snap.calibration.cross_about)
    best = max((s.score for s in sources), default=0.0)
    sources = _one_per_expert(
        [s for s in sources if s.score >= RELEVANT_SHARE * best and about(s.best)][: evidence.MAX_SOURCES_MULTI]
    )
    if not sources:
        yield from _generate(ctx, "which_experts")
        return
    body, cites = render.experts_answer(sources, ctx.lang)
    yield ctx.final(body, False, cites, "structure", "which_experts")


def premise(ctx: Context) -> Iterator[Event]:
    """A claim the question takes for granted is checked against the sources first: stated there,
    the question is answered as usual; contradicted or said otherwise, it is corrected with the
    source's own sentence; absent, the claim is not repeated and the question not answered.
    A corrected premise is "partly" answered: the subject is there, the asked reason for the claim
    is not (the correction says so in words, then quotes what the source does say)."""
    yield ctx.retrieved(ctx.search())
    snap = ctx.snap
    if ctx.hits and snap.retriever.document_language(ctx.hits[0].chunk.document) != ctx.lang:
        # Words cannot be compared across languages: the claim is neither confirmed nor repeated;
        # what the sources say on the question, when they are on it, is quoted as only that.
        signals = _signals(ctx)
        if signals.on_topic and signals.best is not None:
            yield _partly(ctx, ctx.text("premise_unchecked"), signals.best, "premise")
        else:
            yield ctx.refuse("premise")  # nothing on the question (the claim was not looked for)
        return
    sources = [evidence.Source(i, h, ()) for i, h in enumerate(ctx.hits[:PREMISE_DEPTH], start=1)]

    def sentences_of(s: evidence.Source) -> list[str]:
        return [t for c in (s.hit.chunk, *s.hit.context) for t in snap.retriever.index.sentences_of(c)[0]]

    check = relevance.check_claim(ctx.intent.premise, sources, sentences_of, snap.idf, list(ctx.intent.experts))
    share = lambda found: found[2] if found else 0.0  # noqa: E731
    if share(check.contradicted) >= relevance.PREMISE_SUPPORTED and share(check.contradicted) >= share(check.stated):
        source, sentence, _ = check.contradicted
        body, cites = render.correction(source, sentence, ctx.lang, reversed_=True, src=ctx.src)
        yield ctx.final(body, False, cites, "rules", "premise", partly=True)
        return
    signals = _signals(ctx)
    if share(check.stated) >= relevance.PREMISE_SUPPORTED:
        yield from _generate(ctx, "premise", signals)
        return
    best = max((x for x in (check.stated, check.contradicted) if x), key=lambda x: x[2], default=None)
    core = relevance.core_stem(ctx.intent.premise, snap.idf, list(ctx.intent.experts))
    if best is None or best[2] < relevance.PREMISE_ABOUT or core not in relevance.stems_of(best[0], best[1]):
        # Not found in so many words: the claim is not repeated; what the sources say on the
        # question, when they are on it, is quoted as only the closest.
        if signals.on_topic and signals.best is not None:
            yield _partly(ctx, ctx.text("premise_missing"), signals.best, "premise")
        else:
            yield ctx.refuse("premise", ctx.text("premise_missing"))
        return
    body, cites = render.correction(best[0], best[1], ctx.lang, reversed_=False, src=ctx.src)
    yield ctx.final(body, False, cites, "rules", "premise", partly=True)


def generated(ctx: Context, lookup: Lookup) -> Iterator[Event]:
    """The passages are graded first (`grade`): nothing on the question is refused, a missing asked
    fact or an expert who does not write about it is said, with what the sources do say; otherwise
    the model answers from the best passages' best sentences."""
    yield ctx.retrieved(ctx.search())
    signals = _signals(ctx)
    outcome = grade.grade(signals)
    if outcome == "no":
        yield ctx.refuse("generated")
        return
    if outcome == "partly" and signals.best is not None:
        fact = ctx.intent.first_fact
        yield _partly(ctx, ctx.text("partly_fact", fact=ctx.text(f"fact_{fact}")), signals.best, "generated")
        return
    other = _elsewhere(ctx, lookup)
    if other is not None:
        reason = ctx.text(render.keyed("partly_expert", ctx.intent.named), who=render.who(ctx.intent.named, ctx.lang))
        yield _partly(ctx, reason, other, "generated")
        return
    absent = lookup.absent_terms(ctx.intent.terms)
    missing = ctx.text("absent", term=render.shortened(absent[0])) if absent else ""
    yield from _generate(ctx, "generated", signals, missing)


def _signals(ctx: Context, hits: Sequence[Hit] | None = None) -> grade.Signals:
    """The grade's signals over the question's best passages (`hits`, or the retrieved ones)."""
    snap, prepared = ctx.snap, ctx.prepared
    found = grade.sentences(
        prepared.text,
        prepared.vector,
        ctx.hits if hits is None else hits,
        snap.retriever.index.sentences_of,
        snap.idf,
        ctx.intent.part_texts,
    )
    return grade.signals(found, snap.calibration, "" if ctx.intent.compound else ctx.intent.fact)


def _drawn_on(verified: Sequence[cit.Verified], sources: Sequence[evidence.Source]) -> grade.Found | None:
    """The source sentence the first supported sentence of the model's draws on."""
    by_number = {s.number: s for s in sources}
    v = next((v for v in verified if v.sources), None)
    return grade.Found(by_number[v.sources[0]].hit, v.quotes[0], 0.0, 0.0) if v else None


def _rendering(verified: Sequence[cit.Verified], sentence: str, lang: str) -> str:
    """The model's checked sentence that says a source sentence in the question's language, when the
    source's is another ("" when there is none): an English answer states the point in English."""
    if detect(sentence) == lang:
        return ""
    bare = _bare(sentence)
    return next(
        (
            v.text
            for v in verified
            if v.sources and not v.quoted and detect(v.text) == lang and any(_bare(q) in bare for q in v.quotes)
        ),
        "",
    )


def _elsewhere(ctx: Context, lookup: Lookup) -> grade.Found | None:
    """For a question that names experts: another expert's sentence on the question's rarest word,
    when the named experts' passages do not rank among the best without their names, their
    text never uses that word and none of their best passages' sentences is as close in meaning."""
    named = list(ctx.intent.named)
    if not named or ctx.experts:
        return None
    p, snap = ctx.prepared, ctx.snap
    hits = snap.retriever.search(p.text, k=ctx.settings.top_k, prepared=Query(p.original, p.text, (), p.vector, p.lang))
    if any(set(h.chunk.experts) & set(named) for h in hits):
        return None  # their own passages rank among the best without their names too
    stems = [s for s in topic_stems(p.text, named) if snap.idf.df.get(s, 0)]
    core = max(sorted(stems), key=snap.idf, default="")
    found = grade.sentences(p.text, p.vector, hits, snap.retriever.index.sentences_of, snap.idf)
    own = [h for h in ctx.hits if set(h.chunk.experts) & set(named)]
    return grade.elsewhere(
        core,
        lookup.expert_stems(named),
        found,
        grade.sentences(p.text, p.vector, own, snap.retriever.index.sentences_of, snap.idf),
    )


def _partly(ctx: Context, reason: str, found: grade.Found, route: str, generator: str = "rules", rendering: str = "") -> Final:
    """ "partly": what is missing, then the sentence the sources do have (with the next one when that
    continues it), quoted and cited."""
    if all(h.chunk.chunk_id != found.hit.chunk.chunk_id for h in ctx.hits):
        ctx.hits = [*ctx.hits, Hit(len(ctx.hits) + 1, found.hit.score, found.hit.chunk, found.hit.context)]
    chunk = found.hit.chunk
    sentence = evidence.continued(
        evidence.passage_text(found.hit), ctx.snap.retriever.index.sentences_of(chunk)[0], found.sentence
    )
    if not rendering:
        rendering = translation(ctx, found.hit, sentence)
        generator = ctx.generator.name if rendering else generator
    body, cites = render.partly(reason, evidence.Source(1, found.hit, (sentence,)), sentence, ctx.lang, rendering)
    return ctx.final(body, False, cites, generator, route, partly=True)


def translation(ctx: Context, hit: Hit, sentence: str) -> str:
    """A source sentence in another language than the question's, said in the question's by the
    model (asked only to translate it: `prompt.translation_messages`) and checked as its answers
    are (`citations.support_matrix` against the sentence, sentence by sentence: close across
    languages, no name, word or number the passage lacks, no negation turned), keeping every
    name and number the sentence has (`citations.dropped`). All of it must pass, else "" (the
    quote stands alone), as without a model that translates (`generate.translates`) or for a
    sentence in the asker's language."""
    source_lang = detect(sentence)
    if (
        source_lang == ctx.lang
        or not {source_lang, ctx.lang} <= set(LANGUAGE_NAMES)
        or not translates(ctx.settings, ctx.generator)
    ):
        return ""
    messages = translation_messages(sentence, source_lang, ctx.lang)
    raw = "".join(ctx.generator.stream(messages, max_tokens=TRANSLATION_TOKENS)).strip()
    said = cit.finished(cit.split_answer(raw), raw)
    if not said or cit.dropped(raw, sentence, hit.chunk.text):
        return ""
    texts = [x.text for x in said]
    parts = tuple(split_sentences(sentence)) or (sentence,)
    source = evidence.Source(1, hit, parts, ctx.encoder.encode(list(parts), "passage"))
    score, best = cit.support_matrix(
        texts,
        [source],
        ctx.snap.idf,
        ctx.encoder.encode(texts, "query"),
        [source.vectors],
        ctx.intent.question,
        ctx.lang,
        calibration=ctx.snap.calibration,
        people=ctx.snap.retriever.experts,
    )
    checked = cit.verify(said, [source], score, best)
    if len(checked) != len(said) or any(v.quoted or not v.sources or detect(v.text) != ctx.lang for v in checked):
        return ""
    return " ".join(v.text for v in checked)


def select_evidence(ctx: Context, parts: Sequence[evidence.Part]) -> list[evidence.Source]:
    """The sentences of the hits the model is given."""
    snap = ctx.snap
    return evidence.select(
        ctx.intent.query, ctx.prepared.vector, ctx.hits, snap.retriever.index.sentences_of, snap.idf, parts=parts
    )


def evidence_parts(intent: Intent) -> list[evidence.Part]:
    """The question's parts as evidence selection needs them: words, and the fact each asks for."""
    return [evidence.Part(p.text, lambda s, fact=p.fact: relevance.has_fact(fact, s), bool(p.fact)) for p in intent.parts]


def _generate(ctx: Context, route: str, signals: grade.Signals | None = None, missing: str = "") -> Iterator[Event]:
    """Model answer over the hits, checked sentence by sentence, then judged: does it answer what is asked?
    The sources' sentences that answer each part of the question are shown first, quoted, and
    the final answer keeps what they say. With `signals` (the passages were graded "yes"), the
    answer is never a refusal: without a checked sentence, the sources' closest sentence is quoted
    as only that ("partly").
    `missing` says what of the question the sources lack; the answer is then "partly"."""
    snap, prepared, intent = ctx.snap, ctx.prepared, ctx.intent
    parts = evidence_parts(intent)
    sources = select_evidence(ctx, parts)
    about = relevance.About(prepared.text, ctx.lang, prepared.vector, sources, snap.idf, cross_about=snap.calibration.cross_about)
    quotes = _quotes(ctx, sources, parts, about)
    ctx.evidence = tuple(source_lines(sources, ctx.lang))  # what the answer is drawn from, with or without the model
    if not writes_after_quotes(ctx.settings, ctx.generator):
        settled = _settled(ctx, route, missing, quotes, sources)
        if settled is not None:
            yield settled  # the sources' own sentences are the answer: no model to wait for
            return
    if quotes:
        draft_text, draft_cites = cit.render(quotes, sources, ctx.lang)
        ctx.timings["draft_ms"] = (time.perf_counter() - ctx.started) * 1000
        yield Draft(draft_text, tuple(draft_cites))
    count, limit = prompt_budget(ctx.generator, ctx.settings.max_answer_tokens)
    messages = fitted_messages(intent.question, sources, ctx.lang, count, limit, ctx.subject, ctx.earlier)
    raw = ""
    for piece in ctx.generator.stream(messages, max_tokens=ctx.settings.max_answer_tokens):
        if not raw:
            ctx.timings["first_token_ms"] = (time.perf_counter() - ctx.started) * 1000
        raw += piece
        yield Token(piece)
    verified = _verify(ctx, raw, sources, about)
    if not ctx.booklet:  # the model repeating the question's "the booklet" about other documents
        verified = [v for v in verified if v.quoted or not cit.misnames(v.text, v.quotes)]
    verified = _completed(verified, quotes, ctx.lang, extend=_answering(ctx, verified, sources, about))
    missing = _missing(ctx, verified, missing)
    if signals is not None and not quotes:
        # On the question by meaning, but no source sentence says the asked thing in so many words:
        # not a "yes" on the model's words alone. The source sentence the model drew on (or the
        # closest one), said to be only that. A backend that does not write (extractive) draws on
        # its source's first sentence by position: that passage's closest sentence stands then.
        drawn = _drawn_on(verified, sources)
        if drawn is not None and not writes(ctx.generator):
            drawn = _signals(ctx, [drawn.hit]).best or drawn
        closest = drawn or signals.best
        if closest is not None:
            yield _partly(ctx, missing, closest, route, ctx.generator.name, _rendering(verified, closest.sentence, ctx.lang))
            return
    if not verified:
        yield ctx.refuse(route, generator=ctx.generator.name)
        return
    yield _composed(ctx, _stated(ctx, verified, sources), sources, missing, ctx.generator.name, route)


def _missing(ctx: Context, said: Sequence[cit.Verified], missing: str) -> str:
    """What the answer says the sources lack: `missing` as given, else the further part that no
    sentence of the answer answers (`_unanswered_part`), else nothing."""
    unanswered = "" if missing else _unanswered_part(ctx, said)
    return ctx.text("partly_part", part=unanswered) if unanswered else missing


def _composed(
    ctx: Context, said: Sequence[cit.Verified], sources: Sequence[evidence.Source], missing: str, generator: str, route: str
) -> Final:
    """The final answer from its checked sentences, what is missing said first ("partly")."""
    answer_text, cites = cit.render(said, sources, ctx.lang)
    return ctx.final(f"{missing} {answer_text}" if missing else answer_text, False, cites, generator, route, partly=bool(missing))


def _settled(
    ctx: Context, route: str, missing: str, quotes: Sequence[cit.Verified], sources: Sequence[evidence.Source]
) -> Final | None:
    """The answer without the model, when the sources' own sentences in the question's language
    make it: the quotes, with the part they leave unanswered said. None when the model must write:
    no quote (it picks the closest sentence of a "partly" better than the rules do: on the fresh
    devcorpus set citation hit 0.417 with it, 0.333 without), or a quote in another language (the
    model states it in the asker's)."""
    if not quotes or any(detect(q.text) != ctx.lang for q in quotes):
        return None
    return _composed(ctx, quotes, sources, _missing(ctx, quotes, missing), "rules", route)


def _unanswered_part(ctx: Context, said: Sequence[cit.Verified]) -> str:
    """A further part of the question that asks a number, percentage or date ("…, en welk budget
    koppelt hij daaraan?") which no sentence of the answer holds: one holding that kind of fact and,
    in the question's language, covering as much of the part's topic as a quoted fact must."""

    def holds(part: Part, sentence: str) -> bool:
        if detect(sentence) != ctx.lang:
            return relevance.has_fact(part.fact, sentence)
        return relevance.states_fact(part.fact, sentence, part.text, "", ctx.snap.idf)

    for part in ctx.intent.parts[1:]:
        if relevance.asks_fact(part.fact) and not any(holds(part, v.text) for v in said):
            return part.text
    return ""


def _verify(ctx: Context, raw: str, sources: Sequence[evidence.Source], about: relevance.About) -> list[cit.Verified]:
    sentences = cit.finished(cit.split_answer(raw), raw)
    if not sentences or not sources:
        return []
    texts = [s.text for s in sentences]
    vectors = ctx.encoder.encode(texts, "query")
    source_vectors = [s.vectors for s in sources]
    question = ctx.intent.question
    score, best = cit.support_matrix(
        texts,
        sources,
        ctx.snap.idf,
        vectors,
        source_vectors,
        question,
        ctx.lang,
        about,
        calibration=ctx.snap.calibration,
        people=ctx.snap.retriever.experts,
    )
    return cit.verify(sentences, sources, score, best, lambda quote: relevance.quotable(quote, about))


def _fact_check(ctx: Context, sources: Sequence[evidence.Source], about: relevance.About) -> Callable[[str, int, str], bool]:
    """Whether a quote from source `number` holds the kind of fact `fact` asks for, in a sentence about
    what was asked (word coverage within a language; across languages `about` compares embeddings)."""
    by_number = {s.number: s for s in sources}

    def holds(fact: str, number: int, quote: str) -> bool:
        if not fact:
            return True
        if detect(quote) != ctx.lang:
            return relevance.has_fact(fact, quote) and about(quote)
        title = relevance.label(by_number[number].hit.chunk)
        return relevance.states_fact(fact, quote, ctx.prepared.text, title, ctx.snap.idf)

    return holds


def _answering(ctx: Context, verified: list[cit.Verified], sources: Sequence[evidence.Source], about: relevance.About) -> bool:
    """Whether the checked answer answers what is asked.

    Answering means: a supported sentence says more than the question, and its source
    sentence is about the question and holds the asked kind of fact (a number for "hoeveel").
    English paraphrases cannot be verified as well as Dutch ones: with e5-small a correct English
    rendering of a Dutch sentence (cosine ~0.83) scores below same-topic wrong claims (up to 0.88)."""
    intent = ctx.intent
    fact = "" if intent.compound else intent.fact
    holds = _fact_check(ctx, sources, about)
    # "Ja, het klopt dat <claim>" restates a premise: agreeing is no answer, the source's own words are.
    yes_no = not intent.premise

    def answers(v: cit.Verified) -> bool:
        if not v.sources or not (v.quoted or cit.adds_to(v.text, intent.question, yes_no)):
            return False
        if not relevance.has_fact(fact, v.text) or not any(holds(fact, n, q) for n, q in zip(v.sources, v.quotes)):
            return False
        # The supporting sentence may give only the reason or the example ("Er is een
        # experimenteerbenadering nodig"): the answer, or the evidence it cites, must be on the question.
        # Not the answer's own words: a model that restates the question is always "about" it.
        cited = [s for s in sources if s.number in v.sources]
        return not about.topical or any(about(x) for s in cited for x in (*s.sentences, *v.quotes, relevance.label(s.hit.chunk)))

    return any(answers(v) for v in verified)


def _quotes(
    ctx: Context,
    sources: Sequence[evidence.Source],
    parts: Sequence[evidence.Part],
    about: relevance.About,
) -> list[cit.Verified]:
    """The sources' own sentences that answer the question, quoted: the top passage's best sentence
    when it answers the whole question, and for each further part the sentence that answers that
    part. They are shown before the model writes and stand as the answer when the model's does not.

    The first must be on the question (or stand under an advice that is: "… minder afhankelijk van big tech")
    and cover enough of its topic: one shared word is a mention, not an answer. Across languages
    words cannot be compared: the sentence must then be about the question by the model's
    calibrated embedding threshold, and it is shown as the source's own Dutch words. A further
    part's sentence must be about the question and hold the fact that part asks for."""
    candidate = answer_candidate(ctx, sources, about)
    if candidate is None:
        return []
    best, covered, same_language = candidate
    intent, idf, top = ctx.intent, ctx.snap.idf, sources[0]
    if same_language and covered < (
        relevance.FACT_COVERAGE if relevance.asks_fact(intent.first_fact) else relevance.ANSWER_COVERAGE
    ):
        return []
    quotes = [_quote(ctx, top, best)]
    if evidence.announces(quotes[0].text):
        return []  # it announces what the passage does not go on to hold: it says nothing yet
    for part, asked in zip(parts[1:], intent.parts[1:]):
        found = evidence.best_sentence(part, ctx.prepared.vector, sources, idf)
        if found is None or any(found[1] in q.text for q in quotes):
            continue
        number, sentence = found
        if (
            not relevance.is_question(sentence)
            and about(sentence)
            and part.holds(sentence)
            and (asked.fact or relevance.coverage(part.text, sentence, "", idf) > 0)
        ):
            quotes.append(_quote(ctx, next(s for s in sources if s.number == number), sentence))
    return quotes


def answer_candidate(ctx: Context, sources: Sequence[evidence.Source], about: relevance.About) -> tuple[str, float, bool] | None:
    """The top passage's sentence that may be quoted as the answer, with the share of the question's
    topic it covers and whether it is in the question's language (`_quotes` then asks for enough
    coverage: `relevance.ANSWER_COVERAGE`, or `FACT_COVERAGE` when a number or date is asked; the
    thresholds are derived from these values by eval/derive_thresholds.py). None when no sentence
    may: none, one that points elsewhere, one off the question, one without the asked kind of fact."""
    if not sources or not sources[0].best:
        return None
    intent, idf, top = ctx.intent, ctx.snap.idf, sources[0]
    title = relevance.label(top.hit.chunk)
    same_language = detect(top.best) == ctx.lang
    # Within a language, the shown sentence that covers most of the question; across languages
    # words cannot be compared and the best-scored sentence stands.
    # The first quote answers the first part of a two-part question: the second part's words are
    # another sentence's to cover.
    first_part = strip_names(intent.parts[0].text, intent.experts) if intent.compound else ctx.prepared.text
    best, covered = relevance.answering_sentence(first_part, top.sentences, top.best, title, idf, same_language)
    if not best or relevance.points_elsewhere(best, intent.question):
        return None  # nothing to quote, or where the answer is instead of the answer: at most the closest
    first_fact = intent.first_fact
    # A question without distinctive words (every word is in most passages) has nothing to test "about" with.
    if about.topical and not (about(best) or (same_language and about(title))):
        return None
    if not relevance.has_fact(first_fact, best) or (not same_language and relevance.asks_fact(first_fact) and not about(best)):
        return None
    return best, covered, same_language


def _quote(ctx: Context, source: evidence.Source, sentence: str) -> cit.Verified:
    """A shown sentence as a quote, with the short line it stands under ("Gedeelde loketten") and
    what completes it in the passage (`evidence.continued`: "En dat geldt ook …", the items it announces)."""
    i = source.sentences.index(sentence)
    passage = ctx.snap.retriever.index.sentences_of(source.hit.chunk)[0]
    text = evidence.continued(evidence.passage_text(source.hit), passage, sentence)
    lead = source.headings[i] if source.headings else ""
    return cit.Verified(text, (source.number,), (text,), quoted=True, lead=lead)


def _completed(
    verified: list[cit.Verified], quotes: Sequence[cit.Verified], lang: str, extend: bool = True
) -> list[cit.Verified]:
    """The answer composed once: the quotes shown first, then the model's checked sentences that say
    something they do not. A model sentence drawn on a quoted source sentence restates it and is
    dropped, as is one drawn only on sentences an earlier one used; one that holds a quote word for
    word keeps only its other words. In the asker's language (or none: a name) on a quote in
    another, or opening with a yes or no, it states the direct answer and comes first, the quote
    after it as the evidence. Without `extend` (the model's sentences do not answer the question) only those
    renderings are kept. The answer never loses a fact the quotes held."""
    shown = [_bare(q.text) for q in quotes]
    translated = {q.text for q in quotes if detect(q.text) != lang}
    lead: list[cit.Verified] = []
    rest: list[cit.Verified] = []
    used: set[str] = set()  # source sentences a kept model sentence drew on
    for v in verified:
        drawn = {_bare(d) for d in v.quotes}
        if v.quoted:
            if not any(d in s for d in drawn for s in shown):
                rest.append(v)
                shown.append(_bare(v.text))
            continue
        if not v.sources:
            rest.append(v)  # a connective ("Kortom:")
            continue
        v = _without_shown(v, shown)
        if v is None:
            continue  # it only says a shown quote again
        if drawn <= used:
            continue  # says again what an earlier sentence said
        on_quote = [q for q in quotes if any(d in _bare(q.text) for d in drawn)]
        if all(any(d in s for s in shown) for d in drawn):
            # A name or number has no language; a sentence copied in the quote's language restates it.
            asker_language = decided(v.text) in (lang, None) and all(q.text in translated for q in on_quote)
            if on_quote and (asker_language or cit.yes_or_no(v.text)):
                lead.append(v)  # the quoted fact in the asker's language, or the yes or no it answers
                used |= drawn
            continue
        used |= drawn
        rest.append(v)
    while rest and not rest[-1].sources:
        rest.pop()  # a connective with nothing after it
    return [*lead, *quotes, *(rest if extend else ())]


MIN_OWN_WORDS = 4  # fewer left beside a repeated quote are a fragment ("Praktische tips:"), not a statement


def _without_shown(v: cit.Verified, shown: Sequence[str]) -> cit.Verified | None:
    """The sentence without the shown quotes it holds word for word (a copied list keeps its other
    items); as it is when it holds none, None when no words of its own are left."""
    bare = _bare(v.text)
    held = [s for s in shown if s and s in bare]
    if not held:
        return v
    text_ = v.text
    for s in held:
        text_ = re.sub(r"\W+".join(map(re.escape, s.split())) + r"[”\"’)]*[.!?]?", " ", text_, flags=re.I)
    text_ = re.sub(r"(\s*[-–]\s*){2,}", " - ", re.sub(r"\s+", " ", text_))  # the removed item's bullet
    text_ = re.sub(r"[\s\-–:;,.]+$", "", text_).lstrip(" -–")
    if len(re.findall(r"\w+", text_)) < MIN_OWN_WORDS:
        return None
    return replace(v, text=text_ if text_.endswith(("!", "?")) else f"{text_}.")


def _stated(ctx: Context, said: list[cit.Verified], sources: Sequence[evidence.Source]) -> list[cit.Verified]:
    """An answer that says nothing in the question's language but quotes (the model's sentences did
    not pass the check): its first quote in another language said in the question's, checked
    (`translation`), before it; the quote stays as the evidence."""
    if any(v.sources and not v.quoted and detect(v.text) == ctx.lang for v in said):
        return said
    i = next((i for i, v in enumerate(said) if v.quoted and v.sources and detect(v.text) != ctx.lang), None)
    if i is None:
        return said
    quote = said[i]
    hit = next(s.hit for s in sources if s.number == quote.sources[0])
    rendering = translation(ctx, hit, quote.text)
    if not rendering:
        return said
    return [*said[:i], cit.Verified(rendering, quote.sources[:1], (quote.text,)), *said[i:]]


def _bare(sentence: str) -> str:
    """The sentence's words, lower-cased, without punctuation."""
    return " ".join(re.findall(r"\w+", sentence.lower()))


# --- choosing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    applies: Callable[[Intent, Lookup], bool]
    run: Callable[[Context, Lookup], Iterator[Event]]


def _plain(run: Callable[[Context], Iterator[Event]]) -> Callable[[Context, Lookup], Iterator[Event]]:
    return lambda ctx, lookup: run(ctx)


ROUTES: tuple[Route, ...] = (
    Route("instructions", lambda i, lk: i.kind == "instructions", _plain(instructions)),
    Route("after_publication", lambda i, lk: i.fact == "after_publication", _plain(after_publication)),
    # A person asked about must be in the corpus; when none of the names, laws and numbers asked
    # about is, that is said (with what the sources say when they are on the question all the same).
    # Some of them missing is said before the answer (`generated`).
    Route(
        "unknown",
        lambda i, lk: bool(lk.absent_people(i.persons) or (i.terms and lk.absent_terms(i.terms) == list(i.terms))),
        unknown,
    ),
    # Routes over the experts-and-advices structure apply only where a document has it.
    Route("advice_number", lambda i, lk: i.kind == "advice_number" and lk.has_experts, _plain(advice_number)),
    Route(
        "expert_advices",
        lambda i, lk: (
            i.kind == "expert_advices" and lk.has_experts and (not i.purpose or lk.contribution_about(i.experts, i.purpose))
        ),
        _plain(expert_advices),
    ),
    Route("themes", lambda i, lk: i.kind == "themes" and lk.has_themes, _plain(themes)),
    Route("which_experts", lambda i, lk: i.kind == "which_experts" and lk.has_experts, _plain(which_experts)),
    Route("premise", lambda i, lk: bool(i.premise), _plain(premise)),
    Route("generated", lambda i, lk: True, generated),
)


def choose(intent: Intent, lookup: Lookup) -> Route:
    """The first route that applies to this intent."""
    return next(r for r in ROUTES if r.applies(intent, lookup))
