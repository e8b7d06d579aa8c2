"""Reads a corpus file of any supported format into markdown text: the one input `parse` knows.

Owns the choice of reader by file suffix and the record every reader returns. A paged format
(PDF) also returns each page's text, so that chunks can be cited to the page they start on
(`rag.pages`). A file that cannot be used raises `Unreadable` with a one-line reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import RagError


class Unreadable(RagError):
    """A file that cannot be indexed; the message is the reason, shown next to its name."""


@dataclass(frozen=True, slots=True)
class Source:
    text: str  # markdown: headings as "#", bold lines as "**…**", italic paragraphs as "*…*"
    pages: tuple[str, ...] = ()  # each page's plain text, for paged formats
    kind: str = "text"  # "text", "pdf", "docx" or "html"

    def to_dict(self) -> dict:
        return {"text": self.text, "pages": list(self.pages), "kind": self.kind}

    @classmethod
    def from_dict(cls, d: dict) -> Source:
        return cls(d["text"], tuple(d.get("pages", ())), d.get("kind", "text"))


TEXT_SUFFIXES = (".md", ".markdown", ".txt")
SUFFIXES = (*TEXT_SUFFIXES, ".pdf", ".docx", ".html", ".htm")


def read_text(raw: bytes) -> Source:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unreadable("is not UTF-8 text") from None
    if "\x00" in text:
        raise Unreadable("is binary, not text")
    return Source(text)


def read(path: Path, raw: bytes) -> Source:
    """The file's content as markdown (+ page texts); `raw` is its bytes, already read. Whatever
    goes wrong inside a reader makes the file unreadable, never the build."""
    try:
        return _read(path, raw)
    except Unreadable:
        raise
    except Exception as e:  # a library failing on a strange file must not stop the other files
        raise Unreadable(f"could not be read ({type(e).__name__}: {str(e)[:80]})") from None


def _read(path: Path, raw: bytes) -> Source:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return read_text(raw)
    if suffix == ".pdf":
        from .pdf import read_pdf

        return read_pdf(raw)
    if suffix == ".docx":
        from .docx import read_docx

        return read_docx(raw)
    if suffix in (".html", ".htm"):
        from .html import read_html

        return read_html(raw)
    raise Unreadable(f"has an unsupported format ({suffix or 'no suffix'})")
