"""Recognises expert names, also partial or misspelled ("Stoeltinga", "hawre rahim",
"Van Graft"), against the experts the index actually holds. Pure functions.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from .clean import fold

PARTICLES = frozenset({"van", "der", "den", "de", "ter", "ten", "te", "het", "la", "le", "von", "da"})
MATCH = 0.85
SINGLE_WORD_MATCH = 0.88
# A heading of the document's own structure, never a person: "Hoofdstuk 1 Toepassingsgebied".
STRUCTURE_WORDS = frozenset(
    "hoofdstuk deel bijlage paragraaf artikel afdeling sectie inleiding samenvatting chapter part section appendix annex "
    "article introduction summary".split()
)
MAX_NAME_WORDS = 5  # "Perry van der Weijden"; a longer run of capitalised words is a title


def _surname(name: str) -> str:
    """ "Rudy van Belkom" -> "van belkom"; "Nicole Stolk-Luyten" -> "stolk luyten"."""
    words = fold(name).split()
    return " ".join(words[1:]) if len(words) > 1 else fold(name)


def _core_surname(name: str) -> str:
    return " ".join(w for w in _surname(name).split() if w not in PARTICLES)


def _ratio(a: str, b: str, floor: float = 0.0) -> float:
    """Similarity of two folded strings; 0 early when it cannot reach `floor` (cheap bounds first)."""
    if not a or not b:
        return 0.0
    if floor and 2 * min(len(a), len(b)) / (len(a) + len(b)) < floor:
        return 0.0
    m = SequenceMatcher(None, a, b)
    if floor and m.quick_ratio() < floor:
        return 0.0
    return m.ratio()


def looks_like_name(name: str) -> bool:
    """Whether a line reads as a person's name: two to five words, each capitalised (or a particle:
    "van", "der"), no digits, not opening with a word of the document's structure ("Hoofdstuk 2 Beheer")."""
    words = name.replace("-", " ").split()
    if not 2 <= len(words) <= MAX_NAME_WORDS or any(ch.isdigit() for ch in name):
        return False
    if fold(words[0]) in STRUCTURE_WORDS:
        return False
    return all(w[:1].isupper() or fold(w) in PARTICLES for w in words) and words[0][:1].isupper()


def resolve(query: str, known: list[str] | tuple[str, ...]) -> list[str]:
    """Known experts that `query` names: the full name, the surname, or a near miss of either."""
    q = fold(query)
    if not q:
        return []
    q_core = " ".join(w for w in q.split() if w not in PARTICLES)
    scored: list[tuple[float, str]] = []
    for name in known:
        full, sur, core = fold(name), _surname(name), _core_surname(name)
        score = max(_ratio(q, full), _ratio(q, sur), _ratio(q_core, core) if q_core and core else 0.0)
        last = core.split()[-1] if core else ""
        if last and _ratio(q_core, last) >= SINGLE_WORD_MATCH:
            score = max(score, _ratio(q_core, last))
        first = full.split()[0]
        if q == first:  # a first name alone is too weak unless it is unique
            score = max(score, 0.9)
        scored.append((score, name))
    best = max((s for s, _ in scored), default=0.0)
    if best < MATCH:
        return []
    return [n for s, n in scored if s >= best - 1e-9]


def mentioned(text: str, known: list[str] | tuple[str, ...]) -> list[str]:
    """Experts named anywhere in a free text such as a question (n-gram scan)."""
    words = re.findall(r"[\w'’-]+", text)
    found: dict[str, float] = {}
    for n in (4, 3, 2, 1):
        for i in range(len(words) - n + 1):
            gram = " ".join(words[i : i + n])
            g = fold(gram)
            if len(g) < 4 or g in PARTICLES:
                continue
            floor = SINGLE_WORD_MATCH if n == 1 else MATCH
            for name in known:
                full, core = fold(name), _core_surname(name)
                score = _ratio(g, full, floor)
                if n == 1 or len(g.split()) <= len(core.split()):
                    g_core = " ".join(w for w in g.split() if w not in PARTICLES)
                    if g_core and len(g_core) >= 4:
                        score = max(score, _ratio(g_core, core, floor))
                last = core.split()[-1] if core else ""
                if n == 1 and len(last) >= 4:
                    # A last name alone ("Blom"); stricter, single words meet common words more often.
                    score = max(score, _ratio(g, last, floor))
                if score >= (SINGLE_WORD_MATCH if n == 1 else MATCH):
                    found[name] = max(found.get(name, 0.0), score)
    return sorted(found, key=lambda n: -found[n])


NEAR_NAME = MATCH  # a capitalised word this close to an expert's last name is a misspelling of it, not another name


def near_name(word: str, known: list[str] | tuple[str, ...]) -> bool:
    """Whether a single word of 5+ letters is a near miss of a known expert's last name ("Homberg"
    for "Homburg"): too loose to say who is asked about, close enough not to be some other name."""
    w = fold(word)
    if len(w) < 5:
        return False
    return any(_ratio(w, last, NEAR_NAME) >= NEAR_NAME for name in known for last in _core_surname(name).split()[-1:])


def strip_names(text: str, names: list[str] | tuple[str, ...]) -> str:
    """`text` without the words that spell these names (and the particles just before them)."""
    name_words = [w for n in names for w in fold(n).replace("-", " ").split() if w not in PARTICLES]
    tokens = re.findall(r"\S+", text)
    drop = [False] * len(tokens)
    for i, tok in enumerate(tokens):
        core = fold(tok)
        if core and any(_ratio(core, w, MATCH) >= MATCH for w in name_words if len(w) >= 3):
            drop[i] = True
            j = i - 1
            while j >= 0 and fold(tokens[j]) in PARTICLES:
                drop[j] = True
                j -= 1
    kept = [t for t, d in zip(tokens, drop) if not d]
    return " ".join(kept) if kept else text
