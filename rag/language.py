"""Which language a question is in (Dutch or English) and the fixed texts in each.

Owns language detection (function-word counts; the two languages share few) and
the user-facing sentences the system writes itself (refusals, list answers).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .lexicon import EN, NL

DUTCH = NL.function_words
ENGLISH = EN.function_words

# "{src}" is what the collection is called ("de bundel", "het document “…”", "de documenten"):
# `collection` decides it from the index, so no general sentence speaks of a booklet that is not there.
TEXTS = {
    "nl": {
        "refusal": "Ik vind in {src} geen antwoord op deze vraag.",
        "unknown_person": "{name} komt niet voor in {src}, dus ik kan niet zeggen wat {name} vindt.",
        "related": "Wat er in {src} het dichtst bij komt: {items}.",
        "advice": "advies",
        "intro": "inleiding",
        "closing": "slot",
        "list": "{who} {verb} {n} adviezen:",
        "give_one": "geeft",
        "give_many": "geven",
        "empty": "Stel een vraag over {src}.",
        "too_long": "De vraag is te lang ({n} tekens, hooguit {max}). Maak hem korter.",
        "instruction": "Antwoord in het Nederlands.",
        "several": "Verschillende experts gaan hierop in:",
        "quoted": "De bron zegt het zo (letterlijk, in de taal van de bron):",
        "quoted_after": "",
        "themes": "In {src} staan de adviezen onder {n} thema's:",
        "injection": "Ik beantwoord alleen vragen over de inhoud van {src}; instructies in een vraag volg ik niet.",
        "absent": "Ik vind {term} niet in {src}, ook niet verbogen of als deel van een woord.",
        "after_publication": "Wat er na het verschijnen van {src} gebeurde, staat er niet in.",
        "no_such_advice": "{who} {verb} {n} adviezen; een advies {number} bestaat niet.",
        "premise_missing": "Die bewering vind ik niet in {src}.",
        "premise_unchecked": "Die bewering kan ik niet woord voor woord nagaan in {src}: de vraag is in een andere taal gesteld.",
        "premise_reversed": "Dat staat niet in {src}; {who} schrijft juist ({where}):",
        "premise_reversed_plural": "Dat staat niet in {src}; {who} schrijven juist ({where}):",
        "premise_other": "Zo staat het niet in {src}. {who} schrijft ({where}):",
        "premise_other_plural": "Zo staat het niet in {src}. {who} schrijven ({where}):",
        "partly_fact": "Een {fact} vind ik hierover niet in {src}.",
        "partly_part": "Op „{part}” vind ik geen antwoord in {src}.",
        "partly_expert": "{who} gaat in {src} niet in op deze vraag.",
        "partly_expert_plural": "{who} gaan in {src} niet in op deze vraag.",
        "closest_expert": "Het dichtst bij een antwoord komt {who} ({where}):",
        "closest_expert_plural": "Het dichtst bij een antwoord komen {who} ({where}):",
        "closest_section": "Het dichtst bij een antwoord komt „{where}” ({doc}):",
        "lead_expert": "Wel schrijft {who} ({where}):",
        "lead_expert_plural": "Wel schrijven {who} ({where}):",
        "lead_section": "Wel staat er in „{where}” ({doc}):",
        "rendered": "In het Nederlands: {sentence}",
        "fact_count": "aantal",
        "fact_percentage": "percentage",
        "fact_date": "datum of jaartal",
        "fact_version": "versienummer",
        "booklet": "de bundel",
        "document": "het document “{title}”",
        "documents": "de documenten",
    },
    "en": {
        "refusal": "I find no answer to this question in {src}.",
        "unknown_person": "{name} does not appear in {src}, so I cannot say what {name} thinks.",
        "related": "What comes closest in {src}: {items}.",  # "the documents" too: no verb to agree
        "advice": "advice",
        "intro": "introduction",
        "closing": "closing",
        "list": "{who} {verb} {n} pieces of advice:",
        "give_one": "gives",
        "give_many": "give",
        "empty": "Please ask a question about {src}.",
        "too_long": "The question is too long ({n} characters, at most {max}). Please shorten it.",
        "instruction": "Answer in English.",
        "several": "Several experts address this (quoted in Dutch):",
        "quoted": "The source puts it this way (quoted in its own language):",
        "quoted_after": " (Titles and quotes are the source's own Dutch words.)",
        "themes": "The advice in {src} falls under {n} themes:",
        "injection": "I only answer questions about the content of {src}; I do not follow instructions given in a question.",
        "absent": "I cannot find {term} in {src}, not even inflected or as part of a word.",
        "after_publication": "What happened after {src} appeared is not in it.",
        "no_such_advice": "{who} {verb} {n} pieces of advice; there is no advice {number}.",
        "premise_missing": "I cannot find that claim in {src}.",
        "premise_unchecked": "I cannot check that claim word for word against {src}: the question is in another language.",
        "premise_reversed": "That is not what {src} says; {who} writes the opposite ({where}, quoted in Dutch):",
        "premise_reversed_plural": "That is not what {src} says; {who} write the opposite ({where}, quoted in Dutch):",
        "premise_other": "{Src} does not put it that way. {who} writes ({where}, quoted in Dutch):",
        "premise_other_plural": "{Src} does not put it that way. {who} write ({where}, quoted in Dutch):",
        "partly_fact": "I find no {fact} on this in {src}.",
        "partly_part": "I find no answer in {src} to “{part}”.",
        "partly_expert": "{who} does not address this question in {src}.",
        "partly_expert_plural": "{who} do not address this question in {src}.",
        "closest_expert": "The closest to an answer is {who} ({where}, quoted in Dutch):",
        "closest_expert_plural": "The closest to an answer is what {who} write ({where}, quoted in Dutch):",
        "closest_section": "The closest to an answer is “{where}” ({doc}, quoted in its own language):",
        "lead_expert": "{who} does write ({where}, quoted in Dutch):",
        "lead_expert_plural": "{who} do write ({where}, quoted in Dutch):",
        "lead_section": "“{where}” ({doc}) does say (quoted in its own language):",
        "rendered": "In English: {sentence}",
        "fact_count": "number",
        "fact_percentage": "percentage",
        "fact_date": "date or year",
        "fact_version": "version number",
        "booklet": "the booklet",
        "document": "the document “{title}”",
        "documents": "the documents",
    },
}


def collection(lang: str, titles: Sequence[str], booklet: bool) -> str:
    """What the indexed collection is called in answers: "de bundel" for the booklet (`booklet`:
    one document with the experts-and-advices structure), "het document “<titel>”" for one other
    document, "de documenten" for several."""
    if booklet:
        return text(lang, "booklet")
    titles = list(dict.fromkeys(titles))
    return text(lang, "document", title=titles[0]) if len(titles) == 1 else text(lang, "documents")


def decided(text: str) -> str | None:
    """ "nl" or "en" by the text's function words; None when they do not tell (a name, a number)."""
    words = re.findall(r"[a-zà-ÿ']+", text.lower())
    nl = sum(w in DUTCH for w in words)
    en = sum(w in ENGLISH for w in words)
    return "en" if en > nl else "nl" if nl > en else None


def detect(text: str) -> str:
    """ "nl" or "en"; Dutch when undecided (the booklet's language)."""
    return decided(text) or "nl"


def text(lang: str, key: str, src: str = "", **kwargs: object) -> str:
    """A fixed sentence in `lang`; `src` names the collection (generic when not given)."""
    texts = TEXTS.get(lang, TEXTS["nl"])
    src = src or texts["documents"]
    return texts[key].format(src=src, Src=src[:1].upper() + src[1:], **kwargs)
