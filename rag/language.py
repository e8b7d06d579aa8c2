"""Which language a question is in (Dutch or English) and the fixed texts in each.

Owns language detection (function-word counts; the two languages share few) and
the user-facing sentences the system writes itself (refusals, list answers).
"""

from __future__ import annotations

import re

from .answer.lexicon import EN, NL

DUTCH = NL.function_words
ENGLISH = EN.function_words

TEXTS = {
    "nl": {
        "refusal": "De bundel geeft geen antwoord op deze vraag.",
        "unknown_person": "{name} komt niet voor in de bundel, dus de bundel zegt niets over wat {name} vindt.",
        "related": "Wat wel in de bundel staat en er het dichtst bij komt: {items}.",
        "advice": "advies",
        "intro": "inleiding",
        "closing": "slot",
        "list": "{who} {verb} {n} adviezen:",
        "give_one": "geeft",
        "give_many": "geven",
        "empty": "Stel een vraag over de bundel.",
        "too_long": "De vraag is te lang ({n} tekens, hooguit {max}). Maak hem korter.",
        "instruction": "Antwoord in het Nederlands.",
        "several": "Verschillende experts gaan hierop in:",
        "quoted": "De bron zegt het zo (letterlijk, in de taal van de bron):",
        "quoted_after": "",
        "themes": "De bundel ordent de adviezen in {n} thema's:",
        "injection": "Ik beantwoord alleen vragen over de inhoud van de bundel; instructies in een vraag volg ik niet.",
        "absent": "De bundel noemt {term} nergens, dus hij zegt er niets over.",
        "after_publication": "De bundel kan niet vertellen wat er na het verschijnen ervan gebeurde.",
        "no_such_advice": "{who} {verb} {n} adviezen; een advies {number} bestaat niet.",
        "premise_missing": "Die bewering staat niet in de bundel.",
        "premise_reversed": "Dat staat niet in de bundel; {who} schrijft juist ({where}):",
        "premise_other": "Zo staat het niet in de bundel. {who} schrijft ({where}):",
    },
    "en": {
        "refusal": "The booklet does not answer this question.",
        "unknown_person": "{name} does not appear in the booklet, so it says nothing about {name}'s views.",
        "related": "The closest the booklet comes: {items}.",
        "advice": "advice",
        "intro": "introduction",
        "closing": "closing",
        "list": "{who} {verb} {n} pieces of advice:",
        "give_one": "gives",
        "give_many": "give",
        "empty": "Please ask a question about the booklet.",
        "too_long": "The question is too long ({n} characters, at most {max}). Please shorten it.",
        "instruction": "Answer in English.",
        "several": "Several experts address this (quoted in Dutch):",
        "quoted": "The booklet puts it this way (quoted in Dutch):",
        "quoted_after": " (Titles and quotes are the booklet's own Dutch words.)",
        "themes": "The booklet groups the advice under {n} themes:",
        "injection": "I only answer questions about the booklet's content; I do not follow instructions given in a question.",
        "absent": "The booklet never mentions {term}, so it says nothing about it.",
        "after_publication": "The booklet cannot tell what happened after it was published.",
        "no_such_advice": "{who} {verb} {n} pieces of advice; there is no advice {number}.",
        "premise_missing": "The booklet does not contain that claim.",
        "premise_reversed": "That is not what the booklet says; {who} writes the opposite ({where}, quoted in Dutch):",
        "premise_other": "The booklet does not put it that way. {who} writes ({where}, quoted in Dutch):",
    },
}


def detect(text: str) -> str:
    """ "nl" or "en"; Dutch when undecided (the booklet's language)."""
    words = re.findall(r"[a-zà-ÿ']+", text.lower())
    nl = sum(w in DUTCH for w in words)
    en = sum(w in ENGLISH for w in words)
    return "en" if en > nl else "nl"


def text(lang: str, key: str, **kwargs: object) -> str:
    return TEXTS.get(lang, TEXTS["nl"])[key].format(**kwargs)
