"""An answer as markdown for clients outside the page (the OpenAI-compatible endpoint, the MCP
`ask` tool): the checked answer text, then its numbered sources listed under it.

Owns that text only; the page renders its own, with links to its source cards (`app`).
"""

from __future__ import annotations

import html

from .types import Answer, Chunk

HEADING = {"nl": "Bronnen", "en": "Sources"}


def where(chunk: Chunk) -> str:
    """Who or what a passage is, in one line: "Marleen Stikker — advies 1: titel" or "doc.pdf — sectie (p. 3)"."""
    who = ", ".join(chunk.experts) or chunk.document_title or chunk.document
    page = f" (p. {chunk.page})" if chunk.page else ""
    return f"{who} — {chunk.location}{page}"


def markdown(answer: Answer) -> str:
    """The answer with its sources listed under it, each with the sentence it quotes; text from
    the corpus or the question is HTML-escaped, so a client that renders markdown shows no markup."""
    lines = [_esc(answer.text)]
    if answer.citations:
        lines += ["", f"**{HEADING.get(answer.language, HEADING['nl'])}**", ""]
        for c in answer.citations:
            quote = " ".join(c.quote.split())
            lines.append(f"- {c.label} {_esc(where(c.chunk))}" + (f": “{_esc(quote)}”" if quote else ""))
    return "\n".join(lines)


def _esc(text: str) -> str:
    return html.escape(text, quote=False)
