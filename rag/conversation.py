"""A conversation as the edges receive it: chat messages from the page, the OpenAI-compatible
endpoint or the MCP client, reduced to what the pipeline takes (the earlier questions).

Owns the caps on history sent from outside (20 turns, 60,000 characters) and reading a
message's text; what a follow-up question means is `answer.intent`'s.
"""

from __future__ import annotations

MAX_HISTORY_MESSAGES = 40  # 20 turns: plenty for a conversation, bounded for anything sent over an API
MAX_HISTORY_CHARS = 60_000


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
    """The earlier questions of a (capped) conversation, oldest first, as `Pipeline.stream` takes them."""
    return [plain(m.get("content")) for m in history if m.get("role") == "user"]
