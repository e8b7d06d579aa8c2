"""PDF text with its layout, as markdown, via pypdfium2 (PDFium's text layer: fast, exact
characters, font size, weight and style per character).

Rules, all from the page itself, none from one document:
- lines come from PDFium's own line breaks; a horizontal gap wider than two characters' height
  between two characters of a line is a column step and becomes a tab (tables, contents);
- the body size is the size most characters have; a line set larger is a heading, its level the
  rank of its size among the heading sizes (largest: level 1);
- a new paragraph starts where the gap to the previous line is larger than the line spacing
  allows, where the style changes, and on every new page (`clean` joins a paragraph a page
  break cut in two);
- bold runs are kept as `**…**`, a paragraph set wholly in italics as `*…*` (pull quotes);
- a line repeated at the top or bottom of most pages, digits aside, is a running header or
  footer and is left out.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from . import Source, Unreadable

COLUMN_GAP = 2.0  # a gap this many times the font size inside a line is a column step
PARAGRAPH_GAP = 0.7  # white space above a line, in font sizes, that starts a paragraph
HEADING_RATIO = 1.1  # set this much larger than the body, a line is a heading
RUNNING_SHARE = 0.5  # a line on this share of the pages (top or bottom) is a header/footer
LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"}


@dataclass(slots=True)
class Line:
    text: str  # with "**" around bold runs and tabs at column steps
    plain: str
    size: float
    italic: bool
    top: float
    bottom: float
    page: int


def read_pdf(raw: bytes) -> Source:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise Unreadable("is encrypted (password-protected); save a copy without the password") from None
        raise Unreadable(f"is not a readable PDF ({e})") from None
    try:
        pages = [_page_lines(pdf[i], i + 1) for i in range(len(pdf))]
    finally:
        pdf.close()
    if not any(line.plain.strip() for page in pages for line in page):
        raise Unreadable("has no text layer (scanned images?); run OCR on it first")
    pages = _without_running_lines(pages)
    lines = [line for page in pages for line in page]
    return Source(_markdown(lines), tuple("\n".join(x.plain for x in page) for page in pages), "pdf")


def _page_lines(page, number: int) -> list[Line]:
    import pypdfium2.raw as c

    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        lines: list[Line] = []
        chars: list[tuple[str, float, bool, bool, tuple]] = []
        name = ctypes.create_string_buffer(128)
        flags = ctypes.c_int()
        for i in range(textpage.count_chars()):
            ch = chr(c.FPDFText_GetUnicode(raw, i))
            if ch == "\n":
                _add_line(lines, chars, number)
                chars = []
                continue
            if ch in "\r\x00":
                continue
            if ch in "\x02\xad":
                ch = "-"
            if c.FPDFText_IsGenerated(raw, i) or ch.isspace():
                chars.append((" ", 0.0, False, False, ()))
                continue
            c.FPDFText_GetFontInfo(raw, i, name, 128, ctypes.byref(flags))
            font = name.value.decode("latin-1").lower()
            bold = c.FPDFText_GetFontWeight(raw, i) >= 600 or "bold" in font
            italic = bool(flags.value & 64) or "italic" in font or "oblique" in font
            chars.append((LIGATURES.get(ch, ch), c.FPDFText_GetFontSize(raw, i), bold, italic, textpage.get_charbox(i)))
        _add_line(lines, chars, number)
        return lines
    finally:
        textpage.close()
        page.close()


def _add_line(lines: list[Line], chars: list, page: int) -> None:
    real = [x for x in chars if x[4]]
    if not real:
        return
    size = round(statistics.median(x[1] for x in real) * 2) / 2
    parts: list[str] = []
    plain: list[str] = []
    bold_run = False
    previous = None

    def close_bold() -> None:
        spaces = 0
        while parts and parts[-1] == " ":
            parts.pop()
            spaces += 1
        parts.append("**" + " " * min(spaces, 1))

    for ch, _, bold, _, box in chars:
        if box and previous is not None and box[0] - previous[2] > COLUMN_GAP * size:
            if bold_run:
                close_bold()
                bold_run = False
            while parts and parts[-1].isspace():
                parts.pop()
            parts.append("\t")
            plain.append("\t")
        if box:
            previous = box
            if bold != bold_run:
                close_bold() if bold_run else parts.append("**")
                bold_run = bold
        elif parts and parts[-1][-1:] in (" ", "\t"):
            continue  # one space between words
        parts.append(ch)
        plain.append(ch)
    if bold_run:
        close_bold()
    text = "".join(parts).strip(" ")
    letters = [x for x in real if x[0].isalpha()] or real
    italic = sum(x[3] for x in letters) >= 0.9 * len(letters)
    top = max(x[4][3] for x in real)
    bottom = min(x[4][1] for x in real)
    lines.append(Line(text, "".join(plain).strip(), size, italic, top, bottom, page))


def _without_running_lines(pages: list[list[Line]]) -> list[list[Line]]:
    """Pages without the lines repeated at their top or bottom (digits aside)."""
    if len(pages) < 3:
        return pages
    key = lambda line: re.sub(r"\d+", "#", line.plain.strip().lower())  # noqa: E731
    edges = Counter(key(x) for page in pages for x in {id(y): y for y in page[:1] + page[-1:]}.values())
    running = {k for k, n in edges.items() if k and n >= RUNNING_SHARE * len(pages)}
    return [[x for i, x in enumerate(page) if not ((i == 0 or i == len(page) - 1) and key(x) in running)] for page in pages]


def _markdown(lines: list[Line]) -> str:
    if not lines:
        return ""
    weights = Counter()
    for line in lines:
        weights[line.size] += len(line.plain)
    body = weights.most_common(1)[0][0]
    heading_sizes = sorted({x.size for x in lines if x.size >= HEADING_RATIO * body}, reverse=True)
    level = {s: min(i + 1, 6) for i, s in enumerate(heading_sizes)}
    out: list[str] = []
    paragraph: list[Line] = []

    def flush() -> None:
        if not paragraph:
            return
        first = paragraph[0]
        if first.size in level:
            out.append("#" * level[first.size] + " " + " ".join(_unbold(x.text) for x in paragraph))
        elif all(x.italic for x in paragraph):
            texts = [_unbold(x.text) for x in paragraph]
            out.append("*" + "\n".join(texts) + "*")
        else:
            out.append("\n".join(x.text for x in paragraph))
        out.append("")
        paragraph.clear()

    for line in lines:
        if paragraph:
            prev = paragraph[-1]
            gap = prev.bottom - line.top
            if (
                line.page != prev.page
                or gap > PARAGRAPH_GAP * max(line.size, prev.size)
                or gap < -line.size  # moved up: a new column or box
                or (line.size in level) != (prev.size in level)
                or (line.size in level and line.size != prev.size)
                or line.italic != prev.italic
            ):
                flush()
        paragraph.append(line)
    flush()
    return "\n".join(out)


def _unbold(text: str) -> str:
    return text.replace("**", "")
