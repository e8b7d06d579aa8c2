"""The events a route streams: passages first, the quoted sentences that answer (when there are
such), the model's raw text as it is written, then the checked answer. Owns their shapes only."""

from __future__ import annotations

from dataclasses import dataclass

from ..types import Answer, Citation, Hit


@dataclass(frozen=True, slots=True)
class Retrieved:
    hits: tuple[Hit, ...]


@dataclass(frozen=True, slots=True)
class Token:
    text: str


@dataclass(frozen=True, slots=True)
class Draft:
    """The sources' own sentences that answer the question, quoted and cited, shown while the
    model writes; the final answer keeps every fact they hold."""

    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class Final:
    answer: Answer


Event = Retrieved | Draft | Token | Final
