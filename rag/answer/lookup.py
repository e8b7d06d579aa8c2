"""What routing needs to know of the corpus, behind a small interface so that the route
choice can be tested on literal chunks: whether a person or term occurs at all, whether a
topic is a whole contribution's subject, which structure the collection has (experts and
advices, themes) and what answers call it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property
from typing import Protocol

from ..clean import fold
from ..language import collection
from ..lexical import INFLECTION_PREFIX, inflection_stem, tokenize
from ..lexicon import DUTCH_LAW_NAMES, law_aliases, laws_named
from ..types import Chunk
from .intent import topic_stems
from .relevance import label


class Lookup(Protocol):
    """What routing needs to know of the corpus."""

    def absent_people(self, names: Sequence[str]) -> list[str]:
        """Those of these people whose last name occurs nowhere in the corpus."""

    def absent_terms(self, terms: Sequence[str]) -> list[str]:
        """Those of these names, laws and numbers that occur nowhere in the corpus: not as written,
        inflected, as part of a compound, as a compound of its words, or by another name of the law."""

    def corpus_names(self, question: str, lang: str = "nl") -> list[str]:
        """The corpus's names of the laws the question names by a name the corpus does not use (for
        an English question with the law's Dutch names: "GDPR" is searched as "AVG, Algemene
        verordening gegevensbescherming")."""

    def contribution_about(self, experts: Sequence[str], topic: str) -> bool:
        """Whether `topic` is the subject of these experts' whole contribution (its title or theme)."""

    @property
    def has_experts(self) -> bool:
        """Whether some document has the experts-and-advices structure (routes about experts need it)."""

    @property
    def has_themes(self) -> bool:
        """Whether the structure groups its contributions under themes."""

    def expert_stems(self, experts: Sequence[str]) -> frozenset[str]:
        """The stems of everything these experts wrote, with their passages' titles."""


# A law's name is looked up as written: "Wet digitale overheid", "Digital Markets Act".
LAW = re.compile(r"^(?:Wet|Besluit|Regeling|Verordening)\b|\b(?:Act|Regulation|Directive)$")


# An acronym is also there as the initials of the capitalised words it stands for ("BZK":
# "Binnenlandse Zaken en Koninkrijksrelaties"), over the small words between them.
ACRONYM = re.compile(r"^[A-Z]{3,6}$")
CONNECTORS = ("en", "van", "voor", "der", "de", "het", "of", "and", "for", "the")
CAPITALISED_RUN = re.compile(rf"[A-Z][\w'’-]*(?:\s+(?:(?:{'|'.join(CONNECTORS)})\s+)?[A-Z][\w'’-]*)+")

SHORT_WORD_ENDINGS = ("", "e", "en", "n", "s")  # Dutch inflections: adjective, plural, genitive
MIN_COMPOUND_PART = 4  # "rijks" + "overheid"; shorter parts match too much by chance
LINKS = ("s", "e", "en")  # the letters Dutch puts between the parts of a compound


class CorpusLookup:
    """`Lookup` over one loaded index version."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.chunks = chunks

    @cached_property
    def has_experts(self) -> bool:
        return any(c.experts for c in self.chunks)

    @cached_property
    def has_themes(self) -> bool:
        return any(c.theme for c in self.chunks)

    @cached_property
    def _stems_by_expert(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for c in self.chunks:
            stems = set(tokenize(f"{c.text} {label(c)}")) if c.experts else set()
            for e in c.experts:
                out.setdefault(e, set()).update(stems)
        return out

    def expert_stems(self, experts: Sequence[str]) -> frozenset[str]:
        return frozenset().union(*(self._stems_by_expert.get(e, set()) for e in experts))

    @cached_property
    def titles(self) -> tuple[str, ...]:
        """The documents' titles (their file names when they have none), in index order."""
        return tuple(dict.fromkeys(c.document_title or c.document for c in self.chunks))

    @property
    def is_booklet(self) -> bool:
        """Whether the collection is one document with the experts-and-advices structure."""
        return self.has_experts and len(self.titles) == 1

    def collection(self, lang: str) -> str:
        """What answers call the collection: "de bundel", "het document “…”" or "de documenten"."""
        return collection(lang, self.titles, self.is_booklet)

    @property
    def subject(self) -> str:
        """What the questions are about, for the model: the collection with its title ("de bundel “…”")."""
        name = self.collection("nl")
        return f"{name} “{self.titles[0]}”" if self.is_booklet else name

    @cached_property
    def _text(self) -> str:
        return " " + " ".join(fold(f"{c.text} {c.embed_text}") for c in self.chunks) + " "

    @cached_property
    def _initials(self) -> frozenset[str]:
        """The initials of every run of three or more capitalised words in the corpus, and of its
        runs within it ("MBZK", "BZK" of "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties")."""
        out: set[str] = set()
        for c in self.chunks:
            for run in CAPITALISED_RUN.findall(c.text):
                letters = "".join(w[0] for w in run.split() if w not in CONNECTORS).upper()
                out |= {letters[i:j] for i in range(len(letters)) for j in range(i + 3, len(letters) + 1)}
        return frozenset(out)

    def _has_word(self, word: str) -> bool:
        """A word occurs, inflected or as the start of a compound ("Europa" in "europese",
        "Belastingdienst" in "belastingdienstmedewerkers"); a number only as itself."""
        if word.isdigit():
            return f" {word} " in self._text
        if len(word) <= INFLECTION_PREFIX:
            # A short word as it is or with a Dutch ending ("Deens", "Deense"; "Fries", "Friese"),
            # not by its first letters: "Franse" is not "Frank".
            return any(f" {word}{end} " in self._text for end in SHORT_WORD_ENDINGS)
        return f" {inflection_stem(word)}" in self._text

    @cached_property
    def _common_words(self) -> frozenset[str]:
        """Words the corpus writes in lower case somewhere (common words, not only names: "rijks", not
        "frank"), and the heads of such compounds ("rijks" of "rijksbrede")."""
        words = {fold(w) for c in self.chunks for w in re.findall(r"(?<![\w-])[a-zà-ÿ]\w*", c.text)}
        heads = {w[:at] for w in words for at in range(MIN_COMPOUND_PART, len(w) - MIN_COMPOUND_PART + 1)}
        return frozenset(words | heads)

    def _compound(self, word: str) -> bool:
        """A compound of two words the corpus has: a common word (with a linking "s", "e" or "en"), then
        a word it has: "Rijksoverheid" where it writes "rijks" and "overheid". A name is not split
        into a name and a word ("Frankrijk" is no "Frank" + "rijk")."""
        for at in range(MIN_COMPOUND_PART, len(word) - MIN_COMPOUND_PART + 1):
            head, tail = word[:at], word[at:]
            heads = [head] + [head[: -len(link)] for link in LINKS if head.endswith(link) and len(head) - len(link) >= 3]
            if any(h in self._common_words for h in heads) and self._has_word(tail):
                return True
        return False

    def absent_people(self, names: Sequence[str]) -> list[str]:
        return [n for n in names if fold(n).split() and f" {fold(n).split()[-1]} " not in self._text]

    def absent_terms(self, terms: Sequence[str]) -> list[str]:
        return [t for t in terms if not (self._present(t) or any(self._names(a) for a in law_aliases(t)))]

    def _names(self, name: str) -> bool:
        """A law's name as written, whole words (also before a hyphen: "AVG-kwesties"; not "Woo" in
        "woorden"), with a Dutch ending at most; not word by word."""
        return any(f" {fold(name)}{end} " in self._text for end in SHORT_WORD_ENDINGS)

    def _present(self, term: str) -> bool:
        """A name, law or number as written, inflected, in a compound or as a compound of words the corpus has."""
        if " " in term and LAW.search(term):
            return f" {fold(term)}" in self._text  # a law of several words, as written
        if " " in term:
            # A name of several words is there when each of its words is, a compound by its
            # capitalised part ("D66 MP", "Common Ground-principe", "Europese AI-verordening");
            # words of one or two letters ("MP") are left out.
            return all(self._present(w) for w in term.split() if len(w) > 2)
        if "-" in term:
            # A compound by its capitalised part: "ICT-budgetten" is about ICT.
            parts = [fold(p) for p in term.split("-") if p[:1].isupper()] or [fold(term)]
            return all(self._has_word(p) for p in parts if p)
        if ACRONYM.match(term) and term in self._initials:
            return True  # written out
        return self._has_word(fold(term)) or self._compound(fold(term))

    def corpus_names(self, question: str, lang: str = "nl") -> list[str]:
        out: list[str] = []
        for used, others in laws_named(question):
            if not any(map(self._names, used)):
                out += [n for n in others if self._names(n) or (lang == "en" and n in DUTCH_LAW_NAMES)]
        return list(dict.fromkeys(out))

    def contribution_about(self, experts: Sequence[str], topic: str) -> bool:
        titles = {f"{c.contribution_title} {c.theme}" for c in self.chunks if set(experts) & set(c.experts)}
        stems = topic_stems(topic, experts)
        return bool(stems & {s for t in titles for s in topic_stems(t)})
