"""Recognises attempts to instruct the system from inside a question.

Owns the patterns. The pipeline drops the sentences that match and answers what
remains; a question that is nothing but instructions gets a refusal. Either way
nothing in a question changes how answers are made or checked.
"""

from __future__ import annotations

import re

INJECTION = re.compile(
    r"\b(negeer|vergeet|ignore|forget|disregard|overrule)\b.{0,40}\b(instructie|instructies|regels|opdracht|prompt|instructions?|rules)\b"
    r"|\b(system ?prompt|systeemprompt|systeem-prompt|je prompt|your prompt|je instructies|your instructions)\b"
    # Role-play only as a command, at the start of a sentence: "dan"/"act as" also occur in real questions.
    r"|^\W*(je bent nu|you are now|doe alsof|pretend to be|act as|vanaf nu ben je|from now on you)\b"
    r"|\b(jailbreak|developer mode)\b",
    re.I,
)
SENTENCES = re.compile(r"(?<=[.!?])\s+")


def split_injection(question: str) -> tuple[str, bool]:
    """The question without sentences that try to instruct the system, and whether there were any."""
    parts = SENTENCES.split(question.strip())
    kept = [p for p in parts if not INJECTION.search(p)]
    return " ".join(kept).strip(), len(kept) != len(parts)
