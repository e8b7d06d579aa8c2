"""Reads a corpus file of any supported format into markdown text: the one input `parse` knows.

Owns the choice of reader by file suffix and the record every reader returns. A paged format
(PDF) also returns each page's text, so that chunks can be cited to the page they start on
(`rag.pages`), and which pages were recognised from a scan (`ocr`). A file that cannot be used
raises `Unreadable` with a one-line reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import RagError


class Unreadable(RagError):
    """A file that cannot be indexed; the message is the reason, shown next to its name.
    `lasting`: reading the same bytes again would give the same reason after long work (a scan
    recognised too uncertainly), so the reason may be kept with the file's hash."""

    def __init__(self, message: str, lasting: bool = False) -> None:
        super().__init__(message)
        self.lasting = lasting


@dataclass(frozen=True, slots=True)
class Source:
    text: str  # markdown: headings as "#", bold lines as "**…**", italic paragraphs as "*…*"
    pages: tuple[str, ...] = ()  # each page's plain text, for paged formats
    kind: str = "text"  # "text", "pdf", "docx" or "html"
    recognised: tuple[int, ...] = ()  # pages whose text was recognised from a scan (OCR)
    notes: tuple[str, ...] = ()  # what the reader left out and why ("page 3: …")

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "pages": list(self.pages),
            "kind": self.kind,
            "recognised": list(self.recognised),
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Source:
        return cls(
            d["text"], tuple(d.get("pages", ())), d.get("kind", "text"), tuple(d.get("recognised", ())), tuple(d.get("notes", ()))
        )


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


def read(path: Path, raw: bytes, progress=None) -> Source:
    """The file's content as markdown (+ page texts); `raw` is its bytes, already read. Whatever
    goes wrong inside a reader makes the file unreadable, never the build. `progress(done, total)`
    hears of each scanned page recognised."""
    try:
        return _read(path, raw, progress)
    except Unreadable:
        raise
    except Exception as e:  # a library failing on a strange file must not stop the other files
        raise Unreadable(f"could not be read ({type(e).__name__}: {str(e)[:80]})") from None


def _read(path: Path, raw: bytes, progress=None) -> Source:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return read_text(raw)
    if suffix == ".pdf":
        from .pdf import read_pdf

        return read_pdf(raw, progress) if progress is not None else read_pdf(raw)
    if suffix == ".docx":
        from .docx import read_docx

        return read_docx(raw)
    if suffix in (".html", ".htm"):
        from .html import read_html

        return read_html(raw)
    raise Unreadable(f"has an unsupported format ({suffix or 'no suffix'})")
