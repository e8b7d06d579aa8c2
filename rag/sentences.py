"""Where one sentence ends and the next begins: the one sentence splitter, for sources, answers
and questions alike. Pure.

Owns the boundary rule: a full stop, question or exclamation mark (with a closing quote or
bracket, and with the source markers "[1]" an answer puts after it), then white space, then
something that starts a sentence (a capital, a digit, an opening quote or bracket). Not a
boundary after an abbreviation that never ends a Dutch or English sentence ("bijv.", "o.a.",
"vs."), after a title before a name ("Mw. Van Huffelen", "prof. Jansen"), after a reference
word before its number ("art. 5", "nr. 12", "blz. 3") or after an initial ("W. Bakkeren").
Lines are the caller's: a bullet or a heading on its own line is split off before this.
"""

from __future__ import annotations

import re

BOUNDARY = re.compile(r"(?<=[.!?…])(?:[”\"’)]|\s*\[\s*\d+\s*\])*\s+(?=[A-Z0-9“\"‘(À-Ý])")
# Never the end of a sentence: "bijv. Denemarken", "o.a. de Belastingdienst", "vs. REST".
# ("etc." and "enz." often are: they are not here.)
ALWAYS = frozenset(
    "bijv bv o.a m.b.t m.b.v i.p.v t.a.v t.o.v n.a.v d.w.z m.u.v a.s zgn z.g ca vs resp incl excl evt vgl cf e.g i.e "
    "jl j.l".split()
)
TITLES = frozenset("mw mevr dhr hr dr drs ir ing mr prof st".split())  # before a name: "Mw. Van Huffelen"
REFERENCES = frozenset("art artt nr nrs no blz p pp hfst par fig tab vol".split())  # before a number: "art. 5"
INITIALS = re.compile(r"(?:^|[\s(])(?:[A-Z]\.)+$")  # "W." in "W. Bakkeren", "E.J." in "E.J. Jansen"


def _joins(before: str, after: str) -> bool:
    """Whether the full stop that ends `before` ends an abbreviation, so `after` continues it."""
    if not before.endswith("."):
        return False
    word = re.split(r"[\s(]", before)[-1].lower().rstrip(".")
    if word in ALWAYS or word in TITLES:
        return True
    if word in REFERENCES:
        return after[:1].isdigit()
    return bool(INITIALS.search(before))


def split(text: str) -> list[str]:
    """The sentences of `text` (one line or paragraph), stripped, in order."""
    pieces, start = [], 0
    for m in BOUNDARY.finditer(text):
        pieces.append(text[start : m.start()] + m.group(0))
        start = m.end()
    pieces.append(text[start:])
    out: list[str] = []
    for piece in filter(None, (p.strip() for p in pieces)):
        if out and _joins(out[-1], piece):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out
