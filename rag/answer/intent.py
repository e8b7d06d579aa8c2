"""What a question asks, read from its words alone: `analyze(question, history, experts) -> Intent`.

Owns the reading of a question: which kind of answer it wants, which experts it names or
carries over from the conversation, what it searches for, which kind of fact it asks
(a count, a percentage, a date, a version, something after publication), which names and terms must
occur in the corpus for it to be answerable, and which claim it takes for granted. Pure:
no index, no model; the known expert names are passed in. Choosing a route and checking
the corpus are `routes`' job; the words come from `lexicon`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from .. import sentences
from ..clean import fold
from ..experts import PARTICLES, mentioned, near_name, strip_names
from ..language import detect
from ..lexical import tokenize
from ..lexicon import BOOKLET_WORDS, BOTH, LEXICONS
from ..safety import split_injection
from ..types import Turn

Kind = Literal["instructions", "advice_number", "expert_advices", "themes", "which_experts", "open"]
Fact = Literal["", "count", "percentage", "date", "version", "after_publication"]

MIN_ASKED_STEMS = 2  # what is left after dropping instructions must ask something
PRONOUN_REACH = 4  # a subject pronoun this close to the start is the question's subject ("Wat vindt hij …")
MIN_PART_WORDS = 3  # "…, en waarom?" is a part; a shorter tail ("… en wie?") stays with the question
YEAR_OR_CODE = re.compile(r"\b\d{3,}\b")  # a year or a number code to look up; "advies 3" is structure
# Capitalised adjectives and peoples ("Britse", "Amerikanen", "Europese") are not names to look up:
# the corpus says "het Verenigd Koninkrijk", "Amerikaanse".
DEMONYM = re.compile(r"(?:se|sche|anen)$")
ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{2,}\b|\b[A-Z]{2,}[0-9]+\b")  # "GDPR", "NIS2" (not "IT", "AI": two letters)
# Two or more capitalised words inside an English sentence: "European Health Data Space".
ENGLISH_NAME = re.compile(r"(?<=[a-z,] )(?:[A-Z][\w'’-]+ ){1,4}[A-Z][\w'’-]+")
PLURAL_PRONOUNS = frozenset("they them hen".split())
AMBIGUOUS_PRONOUNS = frozenset("zij ze".split())  # "she" or "they": the verb before it says which
PLURAL_VERB = re.compile(r"..[^aeiou]en$|.(?:oe|ie|aa|ee)n$")  # "vinden", "stellen", "doen", "zien", "gaan"
PLURAL_VERBS = frozenset("zijn hebben".split())
NOT_TOPIC = frozenset(w for lex in BOTH for w in lex.frame_words | lex.generic_words)  # frame and praise words


@dataclass(frozen=True, slots=True)
class Part:
    """One question within a question: its words and the kind of fact it asks for."""

    text: str
    fact: Fact = ""


@dataclass(frozen=True, slots=True)
class Intent:
    question: str  # what is answered: the question without sentences that instruct the system
    lang: str  # the language of the question, and of the answer
    kind: Kind
    query: str  # what retrieval searches (with carried experts or the earlier topic for a follow-up)
    named: tuple[str, ...] = ()  # experts the question itself names
    carried: tuple[str, ...] = ()  # experts taken over from an earlier turn
    follow_up: bool = False
    number: int = 0  # the advice number asked for
    purpose: str = ""  # "om … te …" after a listing: the topic the listing is for
    fact: Fact = ""
    parts: tuple[Part, ...] = ()  # the questions asked in it, in order (one for most questions)
    persons: tuple[str, ...] = ()  # people whose views are asked about who are not known experts
    terms: tuple[str, ...] = ()  # names, laws and numbers the question is about: must occur in the corpus
    premise: str = ""  # a claim the question takes for granted
    injected: bool = False  # instructions were dropped from the question

    @property
    def compound(self) -> bool:
        """Two questions in one: a fact check on one part would refuse the other."""
        return len(self.parts) > 1

    @property
    def part_texts(self) -> tuple[str, ...]:
        """The words of each question in it when it asks several (none for one question)."""
        return tuple(p.text for p in self.parts) if self.compound else ()

    @property
    def first_fact(self) -> Fact:
        """The kind of fact the first (or only) question in it asks for."""
        return self.parts[0].fact if self.compound else self.fact

    @property
    def experts(self) -> tuple[str, ...]:
        """The experts the question is about: named, or carried over from the conversation."""
        return self.named or self.carried


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text.lower())


def topic_stems(text: str, experts: Sequence[str] = ()) -> set[str]:
    """Stems of what a question is about: without frame words, praise words, expert names and
    references to the structure ("advies 3")."""
    for lex in BOTH:
        text = lex.advice_number.sub(" ", text)
    names = {w for n in experts for w in _words(n)} - PARTICLES
    return set(tokenize(" ".join(w for w in _words(text) if w not in NOT_TOPIC and w not in names)))


def _fact(text: str) -> Fact:
    """The kind of fact a question asks for: a later event, a percentage, a date, a version, a count, or none in particular."""
    if _any(text, "after_publication"):
        return "after_publication"
    if _any(text, "percentage"):
        return "percentage"
    if _any(text, "date"):
        return "date"
    if _any(text, "version"):
        return "version"
    return "count" if _any(text, "quantity") else ""


def split_parts(question: str, lang: str) -> tuple[Part, ...]:
    """The questions asked in one: split where a second one starts ("…, en hoe lang al?"),
    each with its own kind of fact. A tail too short to ask anything stays with the part before."""
    pieces = [p.strip(" ,?") for p in LEXICONS[lang].next_question.split(question)]
    merged: list[str] = []
    for piece in pieces:
        if merged and len(_words(piece)) < MIN_PART_WORDS:
            merged[-1] = f"{merged[-1]} {piece}".strip()
        elif piece:
            merged.append(piece)
    return tuple(Part(p, _fact(p)) for p in merged)


def _any(text: str, pattern: str) -> re.Match[str] | None:
    """The first match of a lexicon pattern in either language."""
    for lex in BOTH:
        m = getattr(lex, pattern).search(text)
        if m:
            return m
    return None


def _follow_up(question: str, named: Sequence[str], experts: Sequence[str]) -> tuple[bool, bool]:
    """(continues the conversation, needs the earlier topic), by form: an opening connective,
    a subject pronoun near the start, a word pointing back, or no topic words at all."""
    words = _words(question)
    both_connectives = {w for x in BOTH for w in x.connectives}
    both_pronouns = {w for x in BOTH for w in x.subject_pronouns}
    both_back = {w for x in BOTH for w in x.pointing_back}
    opens = bool(words) and words[0] in both_connectives
    pronoun = any(w in both_pronouns for w in words[:PRONOUN_REACH]) or bool(_any(question, "person_back"))
    back = any(w in both_back for w in words)
    stems = topic_stems(question, experts)
    needs_topic = back or not stems
    # A short question with a topic of its own ("Wat is Common Ground?") stands alone; one without a topic,
    # opening with a connective or pointing back ("En Europa?", "Waarom dan?") continues.
    person = pronoun or ((opens or back or not stems) and not named)
    return person or needs_topic, needs_topic


def _plural(question: str) -> bool:
    """Whether the question points back at several people: "they", "volgens hen", or "zij"/"ze"
    after a plural verb ("Waarom vinden ze dat?"; "Waarom vindt ze dat?" is one person)."""
    words = _words(question)
    if any(w in PLURAL_PRONOUNS for w in words) or re.search(r"\b(?:volgens|van) (?:hen|hun)\b", question, re.I):
        return True
    return any(
        w in AMBIGUOUS_PRONOUNS and i > 0 and (words[i - 1] in PLURAL_VERBS or PLURAL_VERB.search(words[i - 1]))
        for i, w in enumerate(words[: PRONOUN_REACH + 1])
    )


def _written(text: str, experts: Sequence[str]) -> tuple[str, ...]:
    """The experts an answer names, by their full names as the answer writes them (the index's own,
    in its leads and source labels), in the order it names them. Not `mentioned`'s fuzzy scan: a
    user's misspelling needs it, an answer's text does not, and a long one would take it a second."""
    folded = f" {fold(text)} "
    at = {e: folded.find(f" {fold(e)} ") for e in experts}
    return tuple(sorted((e for e, i in at.items() if i >= 0), key=at.__getitem__))


def _antecedent(question: str, turns: Sequence[Turn], experts: Sequence[str]) -> tuple[tuple[str, ...], bool]:
    """(the experts a question that points back refers to, whether the previous answer named them),
    most recent first: those the previous question names; else those the previous answer names or
    cites (several only when the question points back at several; when it points at one of several,
    none: which one is not said); else those an older question names."""
    last = turns[-1]
    if names := tuple(mentioned(last.question, experts)):
        return names, False
    said = _written(f"{last.answer} {last.sources}", experts) if last.answer else ()
    if len(said) == 1 or (said and _plural(question)):
        return said, True
    if said:
        return (), False
    return next((names for t in reversed(turns[:-1]) if (names := tuple(mentioned(t.question, experts)))), ()), False


def _persons(question: str, named: Sequence[str]) -> tuple[str, ...]:
    """Names after "volgens", "vindt", "according to" … that are not the experts the question names."""
    out = []
    for lex in BOTH:
        for m in lex.person_frame.finditer(question):
            words = m.group(1).split()
            while words and words[-1].lower() in PARTICLES:
                words.pop()
            name = " ".join(words)
            if any(fold(n).split()[-1] in fold(name) for n in named) or mentioned(name, named):
                continue
            if name not in out:
                out.append(name)
    return tuple(out)


def _terms(question: str, lang: str, named: Sequence[str], persons: Sequence[str], experts: Sequence[str]) -> tuple[str, ...]:
    """Names, laws and numbers a question is about, which the corpus must contain for it to answer.

    Laws by their name (both languages), numbers of three or more digits (years, codes), and in
    Dutch questions capitalised words inside a sentence (names of people, places, agencies). In
    English questions single capitalised words are left out (the corpus may be Dutch: "Ireland" is
    "Ierland"); acronyms ("NIS2", "EHDS") are kept, as are names of several capitalised words.
    """
    out: list[str] = []
    for lex in BOTH:
        out += [m.group(1).strip() for m in lex.law_name.finditer(question)]
    out += YEAR_OR_CODE.findall(question)
    name_words = {w for n in experts for w in _words(n)}
    if lang == "en":
        out += [a for a in ACRONYM.findall(question) if a.lower() not in name_words]
        out += [m.group(0) for m in ENGLISH_NAME.finditer(question) if not mentioned(m.group(0), list(named) + list(experts))]
    if lang == "nl":
        for sentence in [c for s in sentences.split(question) for c in re.split(r"(?<=:)\s+", s)]:
            tokens = re.findall(r"[\w'’-]+|[^\w\s]", sentence)
            run: list[str] = []  # consecutive capitalised words are one name: "Olympische Spelen", not "Ierland, Portugal"
            for tok in [*tokens[1:], ""]:
                if (
                    tok[:1].isupper()
                    and tok.lower() not in name_words
                    and not mentioned(tok, list(named) + list(experts))
                    and not near_name(tok, experts)
                ):
                    run.append(tok)
                    continue
                if run and not (len(run) == 1 and DEMONYM.search(run[0])):  # "Britse" alone is no name; "Olympische Spelen" is
                    out.append(" ".join(run))
                run = []
    covered = " ".join(persons).lower()
    law_words = " ".join(t for t in out if " " in t).lower()
    kept = []
    for t in out:
        if t.lower() in covered or (" " not in t and t.lower() in law_words.split()):
            continue
        if t not in kept:
            kept.append(t)
    return tuple(kept)


def _premise(question: str, lang: str, kind: Kind, experts: Sequence[str], all_experts: Sequence[str]) -> str:
    """The claim a question takes for granted, when it is attributed to an expert or the booklet
    ("Homburg schrijft dat …", "klopt het dat …", "Why does Hoff want …"); not the topic of
    "welke experts vinden dat …". A claim is checked word for word against sources in its own
    language; across languages it can only be said to be unchecked (`routes.premise`)."""
    if kind == "which_experts":
        return ""
    for lex in BOTH:
        for m in lex.premise.finditer(question):
            if m.group("claim"):
                return m.group("claim").strip(" ,.")
            groups = m.groupdict()
            who = " ".join(
                g for g in (groups.get("who"), groups.get("mid"), groups.get("who2"), groups.get("who3"), groups.get("who4")) if g
            )
            claim = groups.get("claim2") or groups.get("claim3") or groups.get("claim5") or ""
            if groups.get("claim5") and re.search(r"\bdat\b", claim):  # "waarom vindt X dat <claim>"
                claim = re.split(r"\bdat\b", claim, maxsplit=1)[1]
            if groups.get("claim4"):  # "waarom is X tegen Y": the claim is "tegen Y"
                claim = f"{groups['stance']} {groups['claim4']}"
            by_expert = mentioned(who, all_experts) or (experts and any(w in lex.subject_pronouns for w in _words(who)))
            if by_expert or BOOKLET_WORDS & set(_words(who)):
                return claim.strip(" ,.")
    return ""


def analyze(question: str, history: Sequence[str | Turn] = (), experts: Sequence[str] = (), focus: Sequence[str] = ()) -> Intent:
    """What `question` asks, as the next turn after `history` (earlier turns or questions, oldest first).

    `experts` are the expert names the index holds (for recognising them, also misspelled);
    `focus` the experts a filter restricts the answer to, taken as meant when none is named."""
    asked, injected = split_injection(question)
    lang = detect(question)
    # What is left asks something: two words of substance, or one in a question ("Wat is Digikoppeling?").
    stems = set(tokenize(asked))
    if injected and len(stems) < MIN_ASKED_STEMS and not (stems and asked.rstrip().endswith("?")):
        return Intent(question, lang, "instructions", "", injected=True)
    question = asked or question
    named = tuple(mentioned(question, experts))

    carried: tuple[str, ...] = ()
    query = question
    follow = False
    turns = [Turn.of(h) for h in history]
    if turns:
        follow, needs_topic = _follow_up(question, named, experts)
        if follow:
            from_answer = False
            if not named:
                carried, from_answer = _antecedent(question, turns, experts)
            earlier = turns[-1].question
            # An expert the previous answer named was not in its question: that question still holds the topic.
            if needs_topic or from_answer or not (named or carried):
                topic = strip_names(earlier, mentioned(earlier, experts)) if named else earlier
                query = f"{topic} {query}"
            if carried:
                query = f"{' '.join(carried)}: {query}"
    if focus and not named:
        carried = tuple(focus)
    who = named or carried

    number = _any(question, "advice_number")
    listing = _any(question, "listing")
    kind: Kind = "open"
    purpose = ""
    if number and who:
        kind = "advice_number"
    elif _any(question, "which_experts"):
        kind = "which_experts"
    elif who and listing:
        # "Hoeveel adviezen geeft X?" is counted from the structure, like "welke adviezen".
        kind = "expert_advices"
        m = _any(question[listing.end() :], "purpose")
        purpose = m.group(0).strip(" ?.") if m else ""
    elif _any(question, "themes") and not who:
        kind = "themes"

    fact = _fact(question)
    if fact == "count" and kind == "expert_advices":
        fact = ""  # "hoeveel adviezen" is counted from the structure
    persons = _persons(question, who)
    return Intent(
        question=question,
        lang=lang,
        kind=kind,
        query=query,
        named=named,
        carried=carried,
        follow_up=follow,
        number=int(number.group(1)) if number and kind == "advice_number" else 0,
        purpose=purpose,
        fact=fact,
        parts=split_parts(question, lang),
        persons=persons,
        terms=_terms(question, lang, who, persons, experts),
        premise=_premise(question, lang, kind, who, experts),
        injected=injected,
    )


def renamed(intent: Intent, names: Sequence[str]) -> Intent:
    """The intent searching for `names` too: the corpus's own names of laws the question names
    otherwise ("AI-verordening" where the corpus writes "AI Act"; `Lookup.corpus_names`)."""
    return replace(intent, query=f"{intent.query} ({', '.join(names)})") if names else intent
