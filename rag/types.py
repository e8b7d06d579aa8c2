"""Typed records that travel between the stages: parsed structure, chunks, hits.

Owns the shapes and their JSON edges (`to_dict`/`from_dict`); no behaviour beyond that.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, slots=True)
class Expert:
    name: str
    role: str = ""


@dataclass(frozen=True, slots=True)
class Advice:
    number: int
    title: str
    text: str
    line: int = 0  # 1-based source line of the advice heading


@dataclass(frozen=True, slots=True)
class Contribution:
    number: int
    theme: str
    title: str
    experts: tuple[Expert, ...]
    advices: tuple[Advice, ...]
    intro: str = ""
    closing: str = ""
    line: int = 0

    @property
    def expert_names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.experts)


@dataclass(frozen=True, slots=True)
class Section:
    """Text that belongs to no contribution: foreword, summary, colophon, plain documents."""

    title: str
    text: str
    theme: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    name: str  # file name inside the data directory
    title: str
    contributions: tuple[Contribution, ...] = ()
    sections: tuple[Section, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def experts(self) -> tuple[str, ...]:
        return tuple(n for c in self.contributions for n in c.expert_names)

    @property
    def advice_count(self) -> int:
        return sum(len(c.advices) for c in self.contributions)


@dataclass(frozen=True, slots=True)
class Chunk:
    chunk_id: str
    document: str
    text: str  # the passage as shown to users
    embed_text: str  # the passage with its structural prefix, as embedded and indexed
    theme: str = ""
    contribution: int = 0  # 0 = not part of a contribution
    contribution_title: str = ""
    experts: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    advice: int = 0
    advice_title: str = ""
    section: str = ""
    part: int = 0  # position of the chunk within its advice or section
    page: int = 0  # 1-based page the passage starts on, for paged formats (PDF); 0: none
    document_title: str = ""  # the document's own title (its first heading)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["experts"] = list(self.experts)
        d["roles"] = list(self.roles)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Chunk:
        d = dict(d)
        d["experts"] = tuple(d.get("experts", ()))
        d["roles"] = tuple(d.get("roles", ()))
        return cls(**d)

    @property
    def location(self) -> str:
        """Where the passage sits, in the booklet's terms: "advies 3: titel", "inleiding", "slot" or its section."""
        if not self.experts:
            return self.section or self.document
        return f"advies {self.advice}: {self.advice_title}" if self.advice else self.advice_title.lower()

    @property
    def advice_key(self) -> tuple[str, int, int, str]:
        """Identifies the advice (or section) this chunk belongs to."""
        return (self.document, self.contribution, self.advice, self.section)

    @property
    def contribution_key(self) -> tuple[str, int]:
        """Identifies the contribution (one expert or group of experts) this chunk belongs to."""
        return (self.document, self.contribution)


@dataclass(frozen=True, slots=True)
class Hit:
    rank: int
    score: float
    chunk: Chunk
    context: tuple[Chunk, ...] = field(default=())  # other chunks of the same advice

    def to_dict(self) -> dict:
        c = self.chunk
        d = {
            "rank": self.rank,
            "score": round(float(self.score), 4),
            "chunk_id": c.chunk_id,
            "document": c.document,
            "theme": c.theme,
            "experts": list(c.experts),
            "advice": c.advice,
            "advice_title": c.advice_title,
            "text": c.text,
        }
        if c.contribution_title:
            d["contribution_title"] = c.contribution_title
        if c.section or not c.experts:
            d["section"] = c.section
        if c.page:
            d["page"] = c.page
        return d


@dataclass(frozen=True, slots=True)
class Citation:
    label: str  # "[1]"
    chunk: Chunk
    quote: str  # the passage sentence(s) that support the cited answer text

    def to_dict(self) -> dict:
        c = self.chunk
        d = {
            "label": self.label,
            "experts": list(c.experts),
            "advice": c.advice,
            "advice_title": c.advice_title,
            "chunk_id": c.chunk_id,
            "quote": self.quote,
            "document": c.document,
        }
        if c.section or not c.experts:
            d["section"] = c.section
        if c.page:
            d["page"] = c.page
        return d


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    text: str
    refused: bool
    citations: tuple[Citation, ...]
    hits: tuple[Hit, ...]
    language: str
    generator: str
    timings: dict[str, float] = field(default_factory=dict)
    related: tuple[Hit, ...] = ()  # closest advices offered with a refusal, not claimed as an answer
    route: str = ""  # which kind of answer this is (`rag.answer.routes`)
    # What the answer was written from: the numbered source lines the model saw, or the
    # structure's or sources' own text for answers no model wrote. Lets a lost fact be
    # attributed to evidence selection or to generation.
    evidence: tuple[str, ...] = ()
    # How far the sources answer what was asked: "yes", "partly" (the topic is there, the asked
    # fact or one part is not, which the answer says) or "no" (then `refused`).
    partly: bool = False

    @property
    def answered(self) -> str:
        return "no" if self.refused else "partly" if self.partly else "yes"

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "answered": self.answered,
            "citations": [c.to_dict() for c in self.citations],
            "hits": [h.to_dict() for h in self.hits],
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
            "generator": self.generator,
            "language": self.language,
            "related": [h.to_dict() for h in self.related],
            "route": self.route,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class Turn:
    """One earlier turn of a conversation, as the next question may point back at it. A plain
    string in a history is a turn whose answer is not known (the CLI's and gold files' history,
    a shared link)."""

    question: str
    answer: str = ""  # the answer's text with its [n] markers; "" for a refusal or when not known
    sources: str = ""  # whom the answer cites, as listed under it: "[1] Britt Hoppenbrouwers; [2] …"

    @classmethod
    def of(cls, turn: Turn | str) -> Turn:
        """A history entry as a turn: plain strings are earlier questions."""
        return turn if isinstance(turn, Turn) else cls(str(turn))
