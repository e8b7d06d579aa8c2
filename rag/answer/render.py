"""The answer texts the system writes itself, from the structure and the experts' own
sentences: advice listings, the themes, "welke experts" quotes, refusals and corrections.

Owns their wording (through `language.text`) and their citations; the model's answers
are rendered by `citations.render`. Pure functions over hits and sources.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..chunk import split_sentences
from ..citations import in_quotes
from ..evidence import Source
from ..language import text
from ..prompt import place
from ..types import Chunk, Citation, Hit

RELATED = 2  # advices offered beside a refusal
NAMED_CHARS = 40  # a name or term repeated from the question, at most (a 950-digit "number" is not echoed whole)


def shortened(name: str) -> str:
    """A name or term from the question as an answer repeats it: at most 40 characters."""
    return name if len(name) <= NAMED_CHARS else name[: NAMED_CHARS - 1].rstrip() + "…"


def numbered(
    intro: str, hits: Sequence[Hit], item: Callable[[int, Chunk], str], keys: Sequence[str] = ()
) -> tuple[str, list[Citation]]:
    """ "intro 1. … [1]; 2. … [2]." from the structure, each item cited with its passage's first
    sentence, or with its key sentence (`keys`, one per hit), which is then quoted after the item."""
    items, cites = [], []
    for label, h in enumerate(hits, start=1):
        key = keys[label - 1] if label - 1 < len(keys) else ""
        quote = f": “{in_quotes(key).rstrip('.')}”" if key else ""
        items.append(f"{item(label, h.chunk)}{quote} [{label}]")
        cites.append(Citation(f"[{label}]", h.chunk, key or split_sentences(h.chunk.text)[0]))
    return f"{intro} " + "; ".join(items) + ".", cites


def themes(hits: Sequence[Hit], lang: str, src: str = "") -> tuple[str, list[Citation]]:
    """ "In de bundel staan de adviezen onder 4 thema's: 1. … [1]; …"."""
    return numbered(text(lang, "themes", src=src, n=len(hits)), hits, lambda label, c: f"{label}. {c.theme}")


def who(experts: Sequence[str], lang: str) -> str:
    """ "A", "A en B", "A, B en C" (or "and")."""
    names = list(experts)
    joiner = " and " if lang == "en" else " en "
    return joiner.join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else (names[0] if names else "")


def keyed(key: str, experts: Sequence[str]) -> str:
    """The text key for a sentence whose subject is `experts`: its plural form for several
    ("Wel schrijven A en B …"), as "X geeft" / "X en Y geven" below."""
    return f"{key}_plural" if len(experts) > 1 else key


def _giving(experts: Sequence[str], lang: str) -> dict[str, str]:
    """ "who" and "verb" for "X geeft …" / "X en Y geven …"."""
    return {"who": who(experts, lang), "verb": text(lang, "give_many" if len(experts) > 1 else "give_one")}


def listing(hits: Sequence[Hit], lang: str, keys: Sequence[str] = ()) -> tuple[str, list[Citation]]:
    """ "X geven N adviezen: 1. titel: “kernzin” [1]; 2. …"."""
    experts = list(dict.fromkeys(e for h in hits for e in h.chunk.experts))
    intro = text(lang, "list", n=len(hits), **_giving(experts, lang))
    body, cites = numbered(intro, hits, lambda label, c: f"{c.advice}. {c.advice_title}", keys)
    return body + (text(lang, "quoted_after") if keys else ""), cites


def no_such_advice(experts: Sequence[str], given: int, number: int, lang: str) -> str:
    """ "X geeft 3 adviezen; een advies 7 bestaat niet."."""
    return text(lang, "no_such_advice", n=given, number=number, **_giving(experts, lang))


def experts_answer(sources: Sequence[Source], lang: str) -> tuple[str, list[Citation]]:
    """ "Verschillende experts gaan hierop in: X (advies N): “…” [1]; …", one quote per expert."""
    items, cites = [], []
    for label, s in enumerate(sources, start=1):
        c = s.hit.chunk
        quote = " ".join(in_quotes(x) for x in s.sentences)
        items.append(f"{', '.join(c.experts)} ({place(c, lang)}): “{quote}” [{label}]")
        cites.append(Citation(f"[{label}]", c, " ".join(s.sentences)))  # the passage's own words
    return f"{text(lang, 'several')} " + "; ".join(items), cites


def correction(source: Source, sentence: str, lang: str, reversed_: bool, src: str = "") -> tuple[str, list[Citation]]:
    """A premise the sources do not support, corrected with the source's own sentence:
    "Zo staat het niet in de bundel. X schrijft (juist): “…” [1]."."""
    c = source.hit.chunk
    author = who(c.experts, lang) or c.section or c.document
    key = keyed("premise_reversed" if reversed_ else "premise_other", c.experts)
    quote = in_quotes(sentence).rstrip(".")
    return f"{text(lang, key, src=src, who=author, where=place(c, lang) if c.experts else c.section)} “{quote}” [1].", [
        Citation("[1]", c, sentence)
    ]


def closest(hit: Hit, lang: str) -> str:
    """A passage named beside a refusal: "X, advies 2 (titel)", or "“sectie” (document)"."""
    c = hit.chunk
    if c.experts and c.advice:
        return f"{', '.join(c.experts)}, {text(lang, 'advice')} {c.advice} ({c.advice_title})"
    if c.experts:
        return f"{', '.join(c.experts)} ({place(c, lang)})"
    return f"“{c.section}” ({c.document_title or c.document})" if c.section else (c.document_title or c.document)


def refusal(lang: str, hits: Sequence[Hit], reason: str = "", src: str = "") -> str:
    """The refusal, with a reason when there is a specific one, and the closest passages."""
    parts = [reason] if reason else [text(lang, "refusal", src=src)]
    related = hits[:RELATED]
    if related:
        parts.append(text(lang, "related", src=src, items="; ".join(closest(h, lang) for h in related)))
    return " ".join(parts)


def partly(reason: str, source: Source, sentence: str, lang: str, rendering: str = "") -> tuple[str, list[Citation]]:
    """What is missing, then what the sources do say, quoted and cited: "Een bedrag vind ik hierover
    niet in de bundel. Wel schrijft X (advies 2): “…” [1]."; without a reason, the sentence as the
    closest to an answer: "Het dichtst bij een antwoord komt X (advies 2): “…” [1].". A checked
    `rendering` of the quote in the question's language follows it ("In English: …")."""
    c = source.hit.chunk
    kind = "lead" if reason else "closest"
    if c.experts:
        lead = text(lang, keyed(f"{kind}_expert", c.experts), who=who(c.experts, lang), where=place(c, lang))
    else:
        lead = text(
            lang, f"{kind}_section", where=c.section or c.document_title or c.document, doc=c.document_title or c.document
        )
    quote = in_quotes(sentence).rstrip(".")
    body = f"{reason} {lead} “{quote}” [1].".lstrip()
    if rendering:
        body += " " + text(lang, "rendered", sentence=f"{rendering.rstrip('.')} [1].")
    return body, [Citation("[1]", c, sentence)]
