"""The events a route streams: passages first, the model's raw text as it is written, then
the checked answer. Owns their shapes only."""

from __future__ import annotations

from dataclasses import dataclass

from ..types import Answer, Hit


@dataclass(frozen=True, slots=True)
class Retrieved:
    hits: tuple[Hit, ...]


@dataclass(frozen=True, slots=True)
class Token:
    text: str


@dataclass(frozen=True, slots=True)
class Final:
    answer: Answer


Event = Retrieved | Token | Final
