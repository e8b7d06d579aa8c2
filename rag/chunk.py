"""Cuts parsed documents into chunks along their structure: pure functions.

Owns the chunking rules: a chunk never spans two advices (or sections); a long
advice is split on paragraph and sentence boundaries with a small overlap; each
chunk carries its metadata and an embedding text prefixed with the structure
(experts and roles, contribution title, advice title); ids derive from structure
and content so a rebuild gives the same ids and changed text gets new ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from . import sentences
from .clean import is_table_row
from .types import Chunk, Contribution, ParsedDocument

INTRO_TITLE = "Inleiding"
CLOSING_TITLE = "Slot"
ROLE_WORDS = 14  # enough of a role to name the function ("hoogleraar ...") without flooding the prefix


@dataclass(frozen=True, slots=True)
class ChunkParams:
    max_words: int = 160
    overlap_sentences: int = 1

    def to_dict(self) -> dict:
        return {"max_words": self.max_words, "overlap_sentences": self.overlap_sentences}


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph; bullet lines count as sentences of their own, a table row as one."""
    out: list[str] = []
    for line in paragraph.split("\n"):
        out.extend([line.strip()] if is_table_row(line) else sentences.split(line))
    return out


MIN_SENTENCE_WORDS = 4  # shorter lines (a name, "Kortom:") are not scored or quoted on their own


def chunk_sentences(text: str) -> list[str]:
    """The sentences of a chunk that are embedded, scored and quoted on their own: distinct, ≥ 4 words."""
    out: list[str] = []
    for s in split_sentences(text):
        if s not in out and len(s.split()) >= MIN_SENTENCE_WORDS:
            out.append(s)
    return out


def pack(text: str, params: ChunkParams) -> list[str]:
    """Split one advice's text into pieces of at most ~max_words, paragraph breaks preferred."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    if sum(len(p.split()) for p in paragraphs) <= params.max_words:
        return ["\n\n".join(paragraphs)] if paragraphs else []
    # Units are sentences; remember where paragraphs end to prefer breaking there.
    units: list[tuple[str, bool]] = []
    for p in paragraphs:
        sents = split_sentences(p)
        units.extend((s, i == len(sents) - 1) for i, s in enumerate(sents))
    pieces: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] = []
    words = 0
    for k, (sentence, ends_paragraph) in enumerate(units):
        n = len(sentence.split())
        if current and words + n > params.max_words:
            pieces.append(current)
            overlap = current[-params.overlap_sentences :] if params.overlap_sentences else []
            overlap = [u for u in overlap if len(u[0].split()) <= params.max_words // 3]
            current, words = list(overlap), sum(len(u[0].split()) for u in overlap)
        current.append((sentence, ends_paragraph))
        words += n
        # Close a piece at a paragraph end once it is reasonably full.
        if ends_paragraph and words >= params.max_words * 0.6 and k < len(units) - 1:
            pieces.append(current)
            current, words = [], 0
    if current:
        pieces.append(current)
    return [_join(p) for p in pieces]


def _join(units: list[tuple[str, bool]]) -> str:
    out = ""
    for sentence, ends_paragraph in units:
        if not out or out.endswith("\n\n"):
            out += sentence
        else:
            out += ("\n" if sentence.startswith(("- ", "• ")) or is_table_row(sentence) else " ") + sentence
        if ends_paragraph:
            out += "\n\n"
    return out.strip()


def chunk_id(document: str, contribution: int, advice: int, section: str, part: int, text: str) -> str:
    """Stable id from structure and content."""
    key = "\x1f".join([document, str(contribution), str(advice), section, str(part), text])
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _short_role(role: str) -> str:
    words = role.split()
    return " ".join(words[:ROLE_WORDS]) + (" …" if len(words) > ROLE_WORDS else "")


def contribution_prefix(c: Contribution) -> str:
    """Who wrote it and under which title: the part of the prefix shared by its chunks."""
    people = "; ".join(f"{e.name} ({_short_role(e.role)})" if e.role else e.name for e in c.experts)
    return f"{people}\n{c.title}"


def section_prefix(document_title: str, section_title: str) -> str:
    """The document's title and the section's, a line each; once when they are the same (a page's
    text before its first subheading), so its words do not count twice."""
    return document_title if section_title == document_title else f"{document_title}\n{section_title}"


def chunk_document(doc: ParsedDocument, params: ChunkParams) -> list[Chunk]:
    """All chunks of one parsed document, in document order."""
    chunks: list[Chunk] = []
    for section in doc.sections:
        for part, text in enumerate(pack(section.text, params)):
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(doc.name, 0, 0, section.title, part, text),
                    document=doc.name,
                    text=text,
                    embed_text=f"{section_prefix(doc.title, section.title)}\n\n{text}",
                    theme=section.theme,
                    section=section.title,
                    part=part,
                    document_title=doc.title,
                )
            )
    for c in doc.contributions:
        prefix = contribution_prefix(c)
        parts: list[tuple[int, str, str]] = []
        if c.intro:
            parts.append((0, INTRO_TITLE, c.intro))
        parts.extend((a.number, a.title, a.text) for a in c.advices)
        if c.closing:
            parts.append((0, CLOSING_TITLE, c.closing))
        for number, title, body in parts:
            label = f"Advies {number}: {title}" if number else title
            for part, text in enumerate(pack(body, params)):
                key = title if number == 0 else ""  # intro and closing are both advice 0
                chunks.append(
                    Chunk(
                        chunk_id=chunk_id(doc.name, c.number, number, key, part, text),
                        document=doc.name,
                        text=text,
                        embed_text=f"{prefix}\n{label}\n\n{text}",
                        theme=c.theme,
                        contribution=c.number,
                        contribution_title=c.title,
                        experts=c.expert_names,
                        roles=tuple(e.role for e in c.experts),
                        advice=number,
                        advice_title=title,
                        part=part,
                        document_title=doc.title,
                    )
                )
    return chunks
