"""Which page a chunk starts on, for documents read from a paged format (PDF): pure functions.

The chunk's opening words are looked up in the pages' text with everything but letters and
digits folded away, so line breaks, hyphenation at line ends, emphasis and spacing that the
cleaning changed do not matter. A chunk whose opening cannot be found keeps page 0 (unknown).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import replace

from .types import Chunk

PROBES = (60, 30, 15)  # folded characters of the chunk's opening tried, longest first


def _fold(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def place(chunks: Sequence[Chunk], pages: Sequence[str]) -> list[Chunk]:
    """`chunks` of one document, each with the 1-based page its text starts on."""
    folded = [_fold(p) for p in pages]
    starts, offset = [], 0
    for f in folded:
        starts.append(offset)
        offset += len(f)
    whole = "".join(folded)
    out = []
    for c in chunks:
        opening = _fold(c.text)
        page = 0
        for probe in dict.fromkeys(opening[:n] for n in PROBES if opening):
            at = whole.find(probe)
            if at >= 0:
                page = bisect.bisect_right(starts, at)
                break
        out.append(replace(c, page=page))
    return out
