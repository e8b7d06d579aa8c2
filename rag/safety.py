"""Recognises attempts to instruct the system from inside a question.

The patterns are in `lexicon`. The pipeline drops the sentences that match and answers what
remains; a question that is nothing but instructions gets a refusal. Either way
nothing in a question changes how answers are made or checked.
"""

from __future__ import annotations

from . import sentences
from .lexicon import BOTH


def split_injection(question: str) -> tuple[str, bool]:
    """The question without sentences that try to instruct the system, and whether there were any."""
    parts = sentences.split(question.strip()) or [question.strip()]
    kept = [p for p in parts if not any(lex.instructions.search(p) for lex in BOTH)]
    return " ".join(kept).strip(), len(kept) != len(parts)
