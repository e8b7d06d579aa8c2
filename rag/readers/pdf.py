"""PDF text with its layout, as markdown, via pypdfium2 (PDFium's text layer: fast, exact
characters, font size, weight and style per character).

Rules, all from the page itself, none from one document:
- lines come from PDFium's own line breaks; a horizontal gap wider than two characters' height
  between two characters of a line is a column step: the line's parts are segments, joined by
  tabs (tables, contents);
- letter-spaced text ("B R A M") is read by its gaps: a space only where the gap between two
  letters is clearly wider than the others;
- the body size is the size most characters have; a line set larger is a heading, its level the
  rank of its size among the heading sizes (largest: level 1); a short line set wholly in bold at
  body size, a paragraph of its own, is a heading one level below those (Word-exported PDFs);
- the table of contents (after a heading "Inhoud"/"Contents", up to the first larger line or
  the first page that is not contents) is read by its geometry (`rag.readers.contents`): its
  columns one after the other, each entry with its page number ("text<TAB>page"), never a
  heading;
- a new paragraph starts where the gap to the previous line is larger than the line spacing
  allows, where the style changes, and on every new page (`clean` joins a paragraph a page
  break cut in two);
- bold runs are kept as `**…**`, a paragraph set wholly in italics as `*…*` (pull quotes);
- a line repeated at the top or bottom of most pages, digits aside, is a running header or
  footer and is left out;
- a page without a text layer that holds an image is a scan: its words are recognised by
  Tesseract (`ocr`) and become the page's lines, so all rules above apply to it too; a page
  recognised too uncertainly is left out with the reason, and a PDF left with no text at all
  is unreadable with it.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from . import Source, Unreadable
from .contents import contents_lines

COLUMN_GAP = 2.0  # a gap this many times the font size inside a line is a column step
CONTENTS_GAP = 1.0  # in the table of contents, where entries and page numbers stand close, this one
PARAGRAPH_GAP = 0.7  # white space above a line, in font sizes, that starts a paragraph
HEADING_RATIO = 1.1  # set this much larger than the body, a line is a heading
RUNNING_SHARE = 0.5  # a line on this share of the pages (top or bottom) is a header/footer
LETTER_SPACED = 0.6  # this share of a segment's words being single letters: it is letter-spaced
WORD_GAP = 1.6  # in letter-spaced text, a gap this many times the usual one is a word space
OCR_SIZE_SPREAD = 0.12  # recognised line sizes this close together are one size
OCR_HEADING = 1.3  # a recognised line this much larger than the page's usual ones is a heading
BOLD_HEADING_CHARS = 120  # a bold line on its own longer than this is bold text, not a heading
SOFT_HYPHEN = "\xad"  # a hyphenation point: a hyphen at the end of a line, nothing inside one
LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"}


@dataclass(slots=True)
class Segment:
    """A run of a line between column steps."""

    text: str  # with "**" around bold runs
    plain: str
    x0: float
    x1: float
    bold: bool  # every letter bold


@dataclass(slots=True)
class Line:
    text: str  # with "**" around bold runs and tabs at column steps
    plain: str
    size: float
    italic: bool
    top: float
    bottom: float
    page: int
    segments: list[Segment] = field(default_factory=list)
    parts: list[Segment] = field(default_factory=list)  # split at CONTENTS_GAP, for `contents`
    contents: bool = False  # an entry of the table of contents
    recognised: bool = False  # read by OCR from a scan: its size is measured, not exact

    @property
    def bold(self) -> bool:
        return bool(self.segments) and all(s.bold for s in self.segments)


def read_pdf(raw: bytes, progress=None) -> Source:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise Unreadable("is encrypted (password-protected); save a copy without the password") from None
        raise Unreadable(f"is not a readable PDF ({e})") from None
    try:
        pages = [_page_lines(pdf[i], i + 1) for i in range(len(pdf))]
        scans = [i for i, page in enumerate(pages) if not page and _has_image(pdf[i])]
        recognised, notes = _recognise(pdf, pages, scans, progress)
    finally:
        pdf.close()
    if not any(line.plain.strip() for page in pages for line in page):
        if notes:
            raise Unreadable(f"is a scan whose text could not be used: {'; '.join(notes)}", lasting=True)
        raise Unreadable("has no text layer (scanned images?); run OCR on it first")
    pages = _without_running_lines(pages)
    return Source(markdown(pages), tuple("\n".join(x.plain for x in page) for page in pages), "pdf", recognised, notes)


def _has_image(page) -> bool:
    import pypdfium2.raw as c

    try:
        return any(True for _ in page.get_objects(filter=[c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
    finally:
        page.close()


def _recognise(pdf, pages: list[list[Line]], scans: list[int], progress) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Fill the scanned pages' lines by OCR; the pages used, and why others were not."""
    if not scans:
        return (), ()
    from . import ocr

    missing = ocr.available()
    if missing and not any(pages):
        raise Unreadable(f"has pages without a text layer (scanned images?); to recognise them, {missing}")
    if missing:  # the text pages are still worth having
        listed = ", ".join(str(i + 1) for i in scans)
        return (), (f"page{'s' if len(scans) > 1 else ''} {listed}: no text layer; to recognise them, {missing}",)
    used, notes = [], []
    state: set[int] = set()  # scanned pages read as contents
    for done, i in enumerate(scans):
        if progress is not None:
            progress(done, len(scans))
        page = pdf[i]
        try:
            found = ocr.recognise(page, lambda lines, after=i - 1 in state: _contents_page(lines, after))
        except ocr.OcrUnavailable as e:
            raise Unreadable(f"has pages without a text layer that could not be recognised: {e}") from None
        finally:
            page.close()
        if not found.words:
            notes.append(f"page {i + 1}: no text recognised on its scan")
        elif found.confidence < ocr.MIN_CONFIDENCE:
            notes.append(
                f"page {i + 1}: text recognised from its scan too uncertain ({found.confidence:.0f}% < {ocr.MIN_CONFIDENCE:.0f}%)"
            )
        else:
            pages[i] = _recognised_lines(found, i + 1)
            used.append(i + 1)
            if _contents_page([(x.plain, x.size) for x in pages[i]], i - 1 in state):
                state.add(i)
    if progress is not None:
        progress(len(scans), len(scans))
    _even_sizes([pages[n - 1] for n in used])
    return tuple(used), tuple(notes)


def _contents_page(lines: list[tuple[str, float]], after_contents: bool) -> bool:
    """A recognised page that holds (part of) a table of contents: its heading is on it, or the
    page before was contents and none of its lines is set as large as a heading."""
    from .contents import HEADINGS

    if any(re.sub(r"[^a-z ]", "", text.lower()).strip() in HEADINGS for text, _ in lines):
        return True
    if not after_contents or not lines:
        return False
    usual = statistics.median(size for _, size in lines)
    return all(size < OCR_HEADING * usual for _, size in lines)


def _even_sizes(pages: list[list[Line]]) -> None:
    """Sizes measured on a scan scatter a little: sizes within OCR_SIZE_SPREAD of each other
    are one size (the most used among them), so that body lines do not become headings."""
    lines = sorted((x for page in pages for x in page), key=lambda x: x.size)
    group: list[Line] = []
    for line in lines + [None]:
        if line is not None and group and line.size <= group[0].size * (1 + OCR_SIZE_SPREAD):
            group.append(line)
            continue
        if group:
            weights = Counter()
            for x in group:
                weights[x.size] += len(x.plain)
            size = weights.most_common(1)[0][0]
            for x in group:
                x.size = size
        group = [line] if line is not None else []


def _recognised_lines(found, number: int) -> list[Line]:
    """Tesseract's words as lines: each word one character of its line, with its box."""
    lines: list[Line] = []
    chars: list = []
    key = None
    for text, size, bold, box, line_key in found.words:
        if line_key != key and chars:
            _add_line(lines, chars, number)
            chars = []
        if chars:
            chars.append((" ", 0.0, False, False, ()))
        chars.append((text, size, bold, False, box))
        key = line_key
    _add_line(lines, chars, number)
    for line in lines:
        line.recognised = True
    return lines


def markdown(pages: list[list[Line]]) -> str:
    """The pages' lines as markdown, the table of contents laid out by its geometry."""
    body = body_size([x for page in pages for x in page])
    pages = contents_lines(pages, body, HEADING_RATIO)
    return _markdown([line for page in pages for line in page], body)


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
            if ch in "\xad\ufffe":
                ch = SOFT_HYPHEN
            if c.FPDFText_IsGenerated(raw, i) or ch.isspace():
                chars.append((" ", 0.0, False, False, ()))
                continue
            c.FPDFText_GetFontInfo(raw, i, name, 128, ctypes.byref(flags))
            font = name.value.decode("latin-1").lower()
            bold = c.FPDFText_GetFontWeight(raw, i) >= 600 or "bold" in font
            italic = bool(flags.value & 64) or "italic" in font or "oblique" in font
            if ch == "\x02":  # a hyphen at a line's end, where PDFium joined the two lines: parted again
                chars.append(("-", c.FPDFText_GetFontSize(raw, i), bold, italic, textpage.get_charbox(i)))
                _add_line(lines, chars, number)
                chars = []
                continue
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
    segments = _segments(chars, COLUMN_GAP * size)
    if not segments:
        return
    letters = [x for x in real if x[0].isalpha()] or real
    italic = sum(x[3] for x in letters) >= 0.9 * len(letters)
    top = max(x[4][3] for x in real)
    bottom = min(x[4][1] for x in real)
    text = "\t".join(s.text for s in segments)
    plain = "\t".join(s.plain for s in segments)
    lines.append(Line(text, plain, size, italic, top, bottom, page, segments, _segments(chars, CONTENTS_GAP * size)))


def _segments(chars: list, gap: float) -> list[Segment]:
    """The line cut where the space between two characters is wider than `gap`."""
    runs: list[list] = [[]]
    previous = None
    for x in chars:
        box = x[4]
        if box and previous is not None and box[0] - previous[2] > gap:
            runs.append([])
        if box:
            previous = box
        runs[-1].append(x)
    return [s for s in (_segment(r) for r in runs) if s is not None]


def _segment(chars: list) -> Segment | None:
    """One column's part of a line: its text with bold runs marked, spaces one at a time."""
    real = [x for x in chars if x[4]]
    if not real:
        return None
    chars = _respaced(chars)
    last = max(i for i, x in enumerate(chars) if x[4])
    chars = [("-", *x[1:]) if x[0] == SOFT_HYPHEN else x for i, x in enumerate(chars) if x[0] != SOFT_HYPHEN or i == last]
    parts: list[str] = []
    plain: list[str] = []
    bold_run = False

    def close_bold() -> None:
        spaces = 0
        while parts and parts[-1] == " ":
            parts.pop()
            spaces += 1
        parts.append("**" + " " * min(spaces, 1))

    for ch, _, bold, _, box in chars:
        if box:
            if bold != bold_run:
                close_bold() if bold_run else parts.append("**")
                bold_run = bold
        elif not parts or parts[-1][-1:] == " " or (plain and plain[-1] == " "):
            continue  # one space between words, none at the start
        parts.append(ch)
        plain.append(ch)
    if bold_run:
        close_bold()
    text = "".join(parts).strip(" ")
    letters = [x for x in real if x[0].isalnum()] or real
    return Segment(text, "".join(plain).strip(), real[0][4][0], max(x[4][2] for x in real), all(x[2] for x in letters))


def _respaced(chars: list) -> list:
    """Letter-spaced text with spaces only at its wider gaps; other text as it is."""
    words = "".join(x[0] for x in chars).split()
    single = sum(len(w) == 1 for w in words)
    if len(words) < 2 or single < len(words) and (len(words) < 4 or single < LETTER_SPACED * len(words)):
        return chars  # "1 5" is a letter-spaced 15, "M A R L E E N" a letter-spaced name
    real = [x for x in chars if x[4]]
    gaps = [b[4][0] - a[4][2] for a, b in zip(real, real[1:])]
    usual = statistics.median(gaps)
    out = [real[0]]
    for gap, x in zip(gaps, real[1:]):
        if gap > WORD_GAP * max(usual, 0.05 * x[1]):
            out.append((" ", 0.0, False, False, ()))
        out.append(x)
    return out


def _without_running_lines(pages: list[list[Line]]) -> list[list[Line]]:
    """Pages without the lines repeated at their top or bottom (digits aside)."""
    if len(pages) < 3:
        return pages
    key = lambda line: re.sub(r"\d+", "#", line.plain.strip().lower())  # noqa: E731
    edges = Counter(key(x) for page in pages for x in {id(y): y for y in page[:1] + page[-1:]}.values())
    running = {k for k, n in edges.items() if k and n >= RUNNING_SHARE * len(pages)}
    return [[x for i, x in enumerate(page) if not ((i == 0 or i == len(page) - 1) and key(x) in running)] for page in pages]


def body_size(lines: list[Line]) -> float:
    """The size most characters are set in."""
    weights = Counter()
    for line in lines:
        weights[line.size] += len(line.plain)
    return weights.most_common(1)[0][0] if weights else 0.0


def _bold_heading(paragraph: list[Line]) -> bool:
    """A short paragraph of its own set wholly in bold: a heading (not a contents entry)."""
    text = " ".join(x.plain for x in paragraph)
    return (
        len(paragraph) <= 2
        and all(x.bold and not x.contents and "\t" not in x.plain for x in paragraph)
        and len(text) <= BOLD_HEADING_CHARS
        and any(ch.isalpha() for ch in text)
        and not text.rstrip().endswith((".", ",", ";"))
    )


def _markdown(lines: list[Line], body: float) -> str:
    if not lines:
        return ""
    heading_sizes = sorted({x.size for x in lines if x.size >= HEADING_RATIO * body and not x.contents}, reverse=True)
    level = {s: min(i + 1, 6) for i, s in enumerate(heading_sizes)}
    bold_level = min(len(heading_sizes) + 1, 6)
    out: list[str] = []
    paragraph: list[Line] = []

    def heading(x: Line) -> bool:
        return x.size in level and not x.contents

    def flush() -> None:
        if not paragraph:
            return
        first = paragraph[0]
        if heading(first):
            out.append("#" * level[first.size] + " " + " ".join(_unbold(x.plain) for x in paragraph))
        elif first.size <= body and _bold_heading(paragraph):
            out.append("#" * bold_level + " " + " ".join(_unbold(x.plain) for x in paragraph))
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
                or line.contents != prev.contents
                or gap > PARAGRAPH_GAP * max(line.size, prev.size)
                or (gap < -line.size and not (heading(line) and line.size == prev.size))  # moved up: a new column
                or heading(line) != heading(prev)
                or (heading(line) and line.size != prev.size and not _one_size(line, prev))
                or line.italic != prev.italic
                or (not line.contents and line.bold != prev.bold)
            ):
                flush()
        paragraph.append(line)
    flush()
    return "\n".join(out)


def _one_size(a: Line, b: Line) -> bool:
    """Two recognised lines whose measured sizes are this close are set in one size."""
    return a.recognised and b.recognised and max(a.size, b.size) <= min(a.size, b.size) * (1 + OCR_SIZE_SPREAD)


def _unbold(text: str) -> str:
    return text.replace("**", "").replace("\t", " ")
