"""Word (.docx) documents as markdown, via python-docx: paragraph styles give the structure
("Title" and "Heading N" become headings, list styles "- " items), a paragraph set wholly in
bold or italics keeps that emphasis, table rows become lines with " | " between the cells (a cell
wholly in bold keeps its "**…**", as the booklet's contents need).
Word files have no fixed pages, so their chunks carry none."""

from __future__ import annotations

import io
import re

from . import Source, Unreadable

OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an old .doc, or a .docx encrypted with a password


def read_docx(raw: bytes) -> Source:
    if raw.startswith(OLE_MAGIC):
        raise Unreadable("is encrypted or an old Word (.doc) file; save it as an unprotected .docx")
    try:
        import docx
        from docx.table import Table

        document = docx.Document(io.BytesIO(raw))
    except ImportError as e:
        raise Unreadable("needs python-docx: pip install -e .") from e
    except Exception as e:  # python-docx raises zip, XML and key errors for broken files
        raise Unreadable(f"is not a readable Word document ({type(e).__name__})") from None
    out: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = [_cell(c) for c in row.cells]
                if any(cells):
                    out.append(" | ".join(cells))
            out.append("")
            continue
        line = _paragraph(item)
        if line:
            out.extend([line, ""])
    return Source("\n".join(out), kind="docx")


def _cell(cell) -> str:
    """A table cell's text; "**…**" when all of it is bold (the contents' names and themes)."""
    text = re.sub(r"\s+", " ", cell.text).strip()
    runs = [r for p in cell.paragraphs for r in p.runs if r.text.strip()]
    return f"**{text}**" if text and runs and all(r.bold for r in runs) else text


def _paragraph(p) -> str:
    text = re.sub(r"[ \t]+", " ", p.text).strip()
    if not text:
        return ""
    style = (p.style.name if p.style is not None else "").lower()
    m = re.match(r"heading (\d)", style)
    if style == "title":
        return f"# {text}"
    if m:
        return "#" * min(int(m.group(1)) + 1, 6) + f" {text}"
    if "list" in style:
        return f"- {text}"
    runs = [r for r in p.runs if r.text.strip()]
    if runs and all(r.bold for r in runs):
        return f"**{text}**"
    if runs and all(r.italic for r in runs):
        return f"*{text}*"
    return text
