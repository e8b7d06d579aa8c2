"""Saved web pages (.html) as markdown, with the standard library's HTML parser: headings
h1-h6 become "#" headings, paragraphs, list items ("- "), table rows (" | " between cells) and
line breaks are kept; scripts, styles, navigation, forms and footers are left out, and when
the page marks its content with <main> or <article>, only that content is read. Nothing in the
page is ever run: only its text is kept."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from . import Source, Unreadable

SKIP = {"script", "style", "noscript", "template", "svg", "nav", "aside", "form", "button", "footer", "iframe", "head"}
BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "table",
    "figure",
    "figcaption",
    "dl",
    "dt",
    "dd",
}
VOID = {"br", "img", "hr", "meta", "link", "input", "source", "wbr", "col", "area", "base", "embed", "param", "track"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, bool]] = []  # (markdown, inside <main>/<article>)
        self.title = ""
        self._text: list[str] = []
        self._prefix = ""
        self._skip = 0
        self._main = 0
        self._in_title = False
        self._cells: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in VOID:
            if tag == "br":
                self._text.append("\n")
            return
        if tag == "title":
            self._in_title = True
        if tag in SKIP:
            self._skip += 1
            return
        if tag in ("main", "article"):
            self._main += 1
        if tag in BLOCKS or tag == "li" or re.fullmatch(r"h[1-6]", tag) or tag == "tr":
            self._flush()
        if re.fullmatch(r"h[1-6]", tag):
            self._prefix = "#" * int(tag[1]) + " "
        elif tag == "li":
            self._prefix = "- "
        elif tag == "tr":
            self._cells = []
        elif tag in ("td", "th") and self._cells is not None:
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if tag in ("td", "th") and self._cells is not None:
            self._cells.append(_squash("".join(self._text)))
            self._text = []
        elif tag == "tr" and self._cells is not None:
            row = " | ".join(c for c in self._cells)
            self._cells = None
            if row.strip(" |"):
                self.blocks.append((row, self._main > 0))
        elif tag in BLOCKS or tag == "li" or re.fullmatch(r"h[1-6]", tag):
            self._flush()
        if tag in ("main", "article"):
            self._main = max(0, self._main - 1)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self._text.append(data)

    def _flush(self) -> None:
        if self._cells is not None:
            return
        text = "\n".join(_squash(x) for x in "".join(self._text).split("\n"))
        text = re.sub(r"\n{2,}", "\n", text).strip()
        if text:
            self.blocks.append(
                (self._prefix + (text.replace("\n", " ") if self._prefix.startswith("#") else text), self._main > 0)
            )
        self._text = []
        self._prefix = ""


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read_html(raw: bytes) -> Source:
    text = _decode(raw)
    reader = _Reader()
    try:
        reader.feed(text)
        reader.close()
    except Exception as e:  # html.parser is lenient; anything left is a broken file
        raise Unreadable(f"is not readable HTML ({type(e).__name__})") from None
    reader._flush()
    blocks = reader.blocks
    if any(inside for _, inside in blocks):
        blocks = [b for b in blocks if b[1]]
    lines = [b for b, _ in blocks]
    title = _squash(reader.title)
    if title and not any(x.startswith("# ") for x in lines[:3]):
        lines.insert(0, f"# {title}")
    return Source("\n\n".join(lines) + "\n", kind="html")


def _decode(raw: bytes) -> str:
    head = raw[:2048].decode("ascii", "replace").lower()
    m = re.search(r"charset=[\"']?([\w-]+)", head)
    for encoding in ([m.group(1)] if m else []) + ["utf-8-sig", "cp1252"]:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    raise Unreadable("is not text")
