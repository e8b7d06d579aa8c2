"""Which documents of a collection a question names: "de cloudrichtlijn", "richtlijn 9", "de richtlijn
over privacy", "the cloud guideline". Pure functions over the documents' file names and titles.

A question names a document by a word that stands with a word for a document ("richtlijn",
"pagina", "guideline", "page") — compounded ("privacyrichtlijn"), before it ("de open-source
richtlijn", "the cloud guideline") or after it ("de richtlijn over privacy") — and that word is one of
few documents' names (its title or file name); or by a number after such a word ("richtlijn 9"),
that a title starts with ("9. Integreer en pas technologie aan"). Searching them first is `retrieve`'s
job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .clean import fold

# Words for a document (or a web page) that a question names it by.
KIND = r"richtlijnen|richtlijn|webpagina|pagina|guidelines|guideline|page"
LINKED = r"over|voor|van|rond|rondom|on|for|about|of"  # "de richtlijn over privacy"
ARTICLES = r"de|het|een|the|a"
COMPOUND = re.compile(rf"\b([a-z][a-z-]{{3,}}?)-?(?:{KIND})\b")  # "cloudrichtlijn", "open-source-richtlijn"
BEFORE = re.compile(rf"\b([a-z][a-z-]{{3,}})\s+(?:{KIND})\b")  # "de open-source richtlijn", "the cloud guideline"
AFTER = re.compile(rf"\b(?:{KIND})\s+(?:{LINKED})\s+(?:(?:{ARTICLES})\s+)?([a-z][a-z-]{{3,}})")
NUMBERED = re.compile(rf"\b(?:{KIND})\s+(?:nummer\s+|nr\.?\s+|number\s+)?(\d{{1,3}})\b")
# A name word is in at most this many documents' names: "cloud" names the cloud guideline and its
# phase page; a word in more names ("nerds", "richtlijn") names none of them. This and
# SHARED_PREFIX are derived by eval/derive_thresholds.py (`naming_limits`) on the fit devcorpus questions.
MAX_NAMED = 2
NAME_WORD = re.compile(r"[a-z]{4,}")
SHARED_PREFIX = 4  # "duurzaamheidsrichtlijn" names "…-duurzaamheid", "inkooprichtlijn" "12. Definieer je inkoopstrategie"


@dataclass(frozen=True, slots=True)
class DocumentName:
    """What a question may name a document by: the words of its file name and title, and the number
    its title starts with. Read once per index version, not per question."""

    document: str
    words: frozenset[str]
    number: int | None


def document_names(titles: Mapping[str, str]) -> tuple[DocumentName, ...]:
    """The names of the documents (file name -> title), in `titles`' order."""
    return tuple(DocumentName(doc, _name_words(doc, title), _numbered(title)) for doc, title in titles.items())


def _name_words(file_name: str, title: str) -> frozenset[str]:
    stem = file_name.rsplit(".", 1)[0]
    return frozenset(NAME_WORD.findall(fold(f"{stem.replace('-', ' ').replace('_', ' ')} {title}")))


def _same_word(asked: str, name: str, prefix: int = SHARED_PREFIX) -> bool:
    """ "duurzaamheid" and "duurzaam", "inkoop" and "inkoopstrategie": one starts with the other."""
    short, long = sorted((asked, name), key=len)
    return len(short) >= prefix and long.startswith(short)


def _numbered(title: str) -> int | None:
    """The number a title carries before its name: "9. Integreer …", "Fases en gewenste uitkomsten 5. Hanteer …"."""
    found = re.search(r"(?:^|\s)(\d{1,3})\.\s", f" {title}")
    return int(found.group(1)) if found else None


def named_documents(
    question: str, names: Sequence[DocumentName], max_named: int = MAX_NAMED, prefix: int = SHARED_PREFIX
) -> list[str]:
    """The documents (file names, in `names`' order) the question names; [] when it names none or
    the collection has one document. (`max_named` and `prefix` are parameters only for
    eval/derive_thresholds.py, which derives them.)"""
    if len(names) < 2:
        return []
    text = fold(question)
    asked: list[str] = []
    for pattern in (COMPOUND, BEFORE, AFTER):
        for found in pattern.findall(text):
            asked.extend(w for w in found.split("-") if len(w) >= prefix and not re.fullmatch(KIND, w))
    named: set[str] = set()
    for word in asked:
        holding = [n.document for n in names if any(_same_word(word, w, prefix) for w in n.words)]
        if 0 < len(holding) <= max_named:
            named.update(holding)
    numbers = {int(n) for n in NUMBERED.findall(text)}
    named.update(n.document for n in names if n.number is not None and n.number in numbers)
    return [n.document for n in names if n.document in named]


def titles_of(chunks: Sequence) -> dict[str, str]:
    """Each document's title, in the order the chunks hold the documents."""
    out: dict[str, str] = {}
    for c in chunks:
        out.setdefault(c.document, c.document_title)
    return out
