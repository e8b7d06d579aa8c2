"""Restores the case of text set in capitals ("HUMAN-CENTERED AI ALS KERNPRINCIPE"): pure
functions. A layout that prints headings in capitals should not change the names and titles
the index shows and cites.

Each word takes its spelling from a hint (the same text elsewhere in normal case, e.g. the
table of contents), else from the document's own most common spelling of that word outside
capitals, else it is lower case (a name's words capitalised, Dutch particles lower case);
a word of at most three letters only ever seen in capitals is an abbreviation and stays so.
A word broken over two lines ("GEGEVENS- UITWISSELING") is joined as `clean` joins it elsewhere.
A word of a name or title written without accents that the document writes with them elsewhere
gets them back (`with_accents`): OCR drops accents far more often than it adds them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from .clean import CONJUNCTIONS

WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
PARTICLES = frozenset(
    {"van", "der", "den", "de", "het", "ten", "ter", "te", "op", "in", "'t", "von", "du", "la", "le", "da", "di"}
)
ABBREVIATION = 3  # a word this short seen only in capitals stays in capitals ("AI", "ICT")


def is_capitals(text: str) -> bool:
    """Set in capitals: every letter upper case, and some word longer than an abbreviation."""
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters) and any(len(w) > ABBREVIATION for w in WORD.findall(text))


def spellings(text: str) -> dict[str, str]:
    """Lower-cased word -> its most common spelling in `text` that is not all capitals (or the
    capitals, for a short word never written otherwise)."""
    seen: dict[str, Counter] = defaultdict(Counter)
    for m in WORD.finditer(text):
        w = m.group(0)
        before = text[max(0, m.start() - 3) : m.start()].rstrip(" *")
        if w[:1].isupper() and not w.isupper() and not before[-1:].isalpha() and before[-1:] not in ",;":
            continue  # a capital that may only open a sentence, line or title says nothing
        seen[w.lower()][w] += 1
    out: dict[str, str] = {}
    for key, forms in seen.items():
        normal = [(n, f) for f, n in forms.items() if not f.isupper() or len(f) == 1]
        if normal:
            out[key] = max(normal)[1]
        elif len(key) <= ABBREVIATION:
            out[key] = key.upper()
    return out


def recase(text: str, known: dict[str, str], hint: str = "", name: bool = False) -> str:
    """`text` in normal case when it is set in capitals; otherwise unchanged."""
    if not is_capitals(text):
        return text
    words = WORD.findall(hint) if hint and not is_capitals(hint) else []
    hinted = {w.lower(): w for w in words[1:]}  # the first word's capital only opens the hint
    if words:
        hinted.setdefault(words[0].lower(), words[0])

    def joined(m: re.Match[str]) -> str:  # "GEGEVENS- UITWISSELING", broken over two lines
        hyphenated = f"{m.group(1)}-{m.group(2)}".lower()
        if m.group(2).lower() in CONJUNCTIONS or m.group(0).lower() in hint.lower():
            return m.group(0)  # "ONTWERP- EN ONTWIKKELTRAJECT"
        return f"{m.group(1)}-{m.group(2)}" if hyphenated in known else m.group(1) + m.group(2)

    text = re.sub(r"([^\W\d_]+)- ([^\W\d_]+)", joined, text)
    first = True

    def word(m: re.Match[str]) -> str:
        nonlocal first
        key = m.group(0).lower()
        at_start, first = first or text[: m.start()].rstrip().endswith((".", "?", "!")), False
        form = hinted.get(key) or known.get(key, "")
        if name:
            if form[:1].isupper():
                return form
            if key in PARTICLES and not at_start:
                return key
            return "-".join(p[:1].upper() + p[1:] for p in key.split("-"))
        form = form or key
        return form[:1].upper() + form[1:] if at_start else form

    return WORD.sub(word, text)


def _plain_letters(word: str) -> str:
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


def accented(text: str) -> dict[str, str]:
    """Lower-cased word without accents -> its most common spelling in `text` with them, for
    the words `text` writes with accents more often than without ("Klöpping", not "dé")."""
    seen: dict[str, Counter] = defaultdict(Counter)
    bare: Counter = Counter()
    for w in WORD.findall(text):
        plain = _plain_letters(w)
        if plain != w:
            seen[plain.lower()][w] += 1
        else:
            bare[w.lower()] += 1
    out = {}
    for key, forms in seen.items():
        form, n = forms.most_common(1)[0]
        if sum(forms.values()) > bare[key]:
            out[key] = form
    return out


def with_accents(text: str, table: dict[str, str]) -> str:
    """Words a scan's recognition wrote without their accents ("Klopping") as the document
    spells them elsewhere ("Klöpping"); words that have accents, or none elsewhere, unchanged."""

    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        form = table.get(w.lower()) if _plain_letters(w) == w else None
        if not form:
            return w
        return "".join(f.upper() if c.isupper() else f.lower() for c, f in zip(w, form)) if len(form) == len(w) else w

    return WORD.sub(word, text)
