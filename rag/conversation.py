"""A conversation as the edges receive it: chat messages from the page, the OpenAI-compatible
endpoint or the MCP client, reduced to what the pipeline takes (the earlier turns).

Owns the caps on history sent from outside (20 turns, 60,000 characters), reading a message's
text, and reading back an answer the page or the endpoint wrote (its text, without what they
append under it); what a follow-up question means is `answer.intent`'s.
"""

from __future__ import annotations

import html
import re

from .cited import where
from .types import Answer, Turn

MAX_HISTORY_MESSAGES = 40  # 20 turns: plenty for a conversation, bounded for anything sent over an API
MAX_HISTORY_CHARS = 60_000

# What the page (`app.cited_markdown`) and the endpoint (`cited.markdown`) put under an answer:
# the sources listed under a bold heading, the page's link to the answer, and while it is being
# written a status line in italics ("*…bronnen worden gecontroleerd*").
SOURCES_HEADING = re.compile(r"(?:^|\n)\s*\*\*(?:Bronnen|Sources)\*\*[ \t]*(?=\n|$)")
LINK_LINE = re.compile(r"\n*\[Link naar dit antwoord\]\([^)\n]*\)[ \t]*(?=\n|$)")
STATUS_LINE = re.compile(r"\n+\*[^*\n]+\*[ \t]*$")
PAGE_MARKER = re.compile(r"\[\[(\d+)\]\]\(#[^)\s]*\)")  # the page links "[1]" to its card: "[[1]](#bron-2-1)"
MARKER = re.compile(r"\[\d+\]")
SOURCE_ITEM = re.compile(r"^\s*-\s+(?=\[\d+\])")  # "- [1] Britt Hoppenbrouwers — advies 4"


def plain(content) -> str:
    """A chat message's text: a string, or a list of {"type": "text", "text": …} parts (Gradio 6, OpenAI)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def capped(history) -> list[dict]:
    """Well-formed user and assistant messages only, the latest 20 turns, within 60,000
    characters (older turns go first), starting with a question. Accepts any JSON."""
    messages = [m for m in history or [] if isinstance(m, dict) and m.get("role") in ("user", "assistant")]
    messages = messages[-MAX_HISTORY_MESSAGES:]
    while messages and sum(len(plain(m.get("content"))) for m in messages) > MAX_HISTORY_CHARS:
        messages = messages[1:]
    while messages and messages[0].get("role") != "user":  # a conversation starts with a question
        messages = messages[1:]
    return messages


def questions(history: list[dict]) -> list[str]:
    """The earlier questions of a (capped) conversation, oldest first (what a link carries)."""
    return [plain(m.get("content")) for m in history if m.get("role") == "user"]


def read_answer(content) -> tuple[str, str]:
    """(the answer's text, the sources listed under it) of an assistant message the page or the
    endpoint wrote: markdown links and escapes undone, the link and status lines gone. An answer
    that cites nothing is a refusal (or a message cut off before any answer): ("", "")."""
    body = LINK_LINE.sub("", plain(content))
    body = STATUS_LINE.sub("", body.rstrip())
    m = SOURCES_HEADING.search(body)
    body, sources = (body[: m.start()], body[m.end() :]) if m else (body, "")
    body = html.unescape(PAGE_MARKER.sub(r"[\1]", body)).strip()
    if not MARKER.search(body):
        return "", ""
    return body, "; ".join(_cited(line) for line in html.unescape(sources).splitlines() if SOURCE_ITEM.match(line))


def _cited(line: str) -> str:
    """ "[1] Britt Hoppenbrouwers" of "- [1] Britt Hoppenbrouwers — advies 4: “…”": who, not what is quoted."""
    return SOURCE_ITEM.sub("", line).split(" — ")[0].strip()


def turns(history: list[dict]) -> list[Turn]:
    """The earlier turns of a (capped) conversation, oldest first, as `Pipeline.stream` takes them:
    each question with the answer that followed it (if one did)."""
    out: list[Turn] = []
    for m in history:
        if m.get("role") == "user":
            out.append(Turn(plain(m.get("content"))))
        elif out and not out[-1].answer:
            answer, sources = read_answer(m.get("content"))
            out[-1] = Turn(out[-1].question, answer, sources)
    return out


def turn(answer: Answer) -> Turn:
    """An answer the pipeline gave, as the earlier turn of the next question (a refusal keeps only its question)."""
    if answer.refused:
        return Turn(answer.question)
    return Turn(answer.question, answer.text, "; ".join(f"{c.label} {where(c.chunk).split(' — ')[0]}" for c in answer.citations))
