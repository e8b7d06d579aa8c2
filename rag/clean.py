"""Turns PDF-derived markdown into clean blocks: pure functions, no I/O.

Owns the cleaning rules: page footers, words split across lines and page breaks,
paragraphs split across page breaks, pull quotes, markdown emphasis. Knows nothing
of experts or advices; `parse` builds the structure on top of these blocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# A word broken by a hyphen and a space or line break: "individu- ele", "data-\ninfrastructuur".
SPLIT_WORD = re.compile(r"([^\W\d_]+)-(?:[ \t]+|[ \t]*\n[ \t]*)([a-zà-ÿ][^\W\d_]*)")
# After "ontwerp- en ontwikkeltraject" the hyphen is a real elision, not a break.
CONJUNCTIONS = frozenset({"en", "of", "tot", "noch", "als", "t/m", "en/of"})
QUOTE_OPENERS = "“\"‘„'«"
# A paragraph this long that stops on a comma or a lower-case word was cut by a page break,
# even when the next part starts with a capital ("(België, Duitsland," | "Frankrijk, …").
# Shorter blocks ending that way are names, titles and bios.
PROSE_WORDS = 40
SENTENCE_END = tuple('.!?:;"”’)»')
TABLE_ROW = re.compile(r"^\||\s\|\s")  # "| cel | cel |" (markdown) or "cel | cel" (the Word and HTML readers)


def is_table_row(line: str) -> bool:
    """A line that is a table's row: its cells stay together, on a line of their own."""
    return TABLE_ROW.search(line) is not None


TABLE_RULE = re.compile(r":?-{2,}:?")  # a markdown table's rule cell: "---", ":--:"


def row_words(line: str) -> str:
    """A table row's cells as a sentence, the first as its lead ("OIN Register: Het OIN bevat …;
    Digikoppeling Portaal."): how an answer quotes a row. The passage
    keeps the row as it stands."""
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    cells = [c for c in cells if c and not TABLE_RULE.fullmatch(c)]
    if not cells:
        return ""
    words = (
        cells[0]
        if len(cells) == 1
        else f"{cells[0].rstrip('.:')}: " + "; ".join([c.rstrip(".;") for c in cells[1:-1]] + [cells[-1]])
    )
    return words if words.endswith((".", "!", "?", "…")) else words + "."


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph or heading of the source, with the 1-based line where it starts."""

    kind: str  # "heading" or "text"
    text: str
    line: int
    level: int = 0  # heading level, 0 for text
    italic: bool = False


def vocabulary(text: str) -> frozenset[str]:
    """Lower-cased words (hyphenated compounds included) that occur in `text`."""
    return frozenset(w.lower() for w in WORD.findall(text))


def join_split_words(text: str, vocab: frozenset[str]) -> str:
    """Rejoin words hyphenated at a line or page break, using the document's own words.

    "data- infrastructuur" stays hyphenated when the document writes "data-infrastructuur"
    elsewhere; otherwise the parts are joined ("individu- ele" -> "individuele").
    """

    def fix(m: re.Match[str]) -> str:
        left, right = m.group(1), m.group(2)
        if right.lower() in CONJUNCTIONS:
            return m.group(0).replace("\n", " ")
        if f"{left}-{right}".lower() in vocab:
            return f"{left}-{right}"
        return left + right

    return SPLIT_WORD.sub(fix, text)


def strip_emphasis(text: str) -> str:
    """Drop markdown bold/italic markers and HTML bold tags, keep the words."""
    text = re.sub(r"</?b>", "", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    return text.replace("**", "")


def _is_italic(text: str) -> bool:
    return len(text) > 2 and text.startswith("*") and text.endswith("*") and not text.startswith("**")


def is_footer(line: str, doc_title: str) -> bool:
    """A page footer: "12 - <document title>"."""
    if not doc_title:
        return False
    return re.fullmatch(rf"\d{{1,3}}\s*-\s*{re.escape(doc_title)}", line.strip()) is not None


def is_pull_quote(block: Block) -> bool:
    """An italic quotation repeating the text (the booklet sets them apart)."""
    return block.kind == "text" and block.italic and block.text.lstrip()[:1] in QUOTE_OPENERS


def to_blocks(lines: list[str], first_line: int = 1, doc_title: str = "") -> list[Block]:
    """Split raw lines into heading and paragraph blocks; footers dropped, hard breaks joined."""
    blocks: list[Block] = []
    para: list[str] = []
    start = first_line

    def flush() -> None:
        if para:
            raw = "\n".join(p.rstrip() for p in para).strip()
            italic = _is_italic(raw.replace("\n", " "))
            if italic:
                raw = raw[1:-1]
            blocks.append(Block("text", raw, start, italic=italic))
            para.clear()

    for offset, line in enumerate(lines):
        number = first_line + offset
        if not line.strip() or is_footer(line, doc_title):
            flush()
            continue
        m = HEADING.match(line)
        if m:
            flush()
            blocks.append(Block("heading", m.group(2).strip(), number, level=len(m.group(1))))
            continue
        if not para:
            start = number
        para.append(line)
    flush()
    return blocks


def _cut_short(prev: Block) -> bool:
    """A prose paragraph that stops mid-sentence: on a comma or a lower-case word."""
    end = prev.text.rstrip()
    return len(end.split()) >= PROSE_WORDS and (end.endswith(",") or end[-1:].islower())


def merge_continuations(blocks: Iterable[Block]) -> list[Block]:
    """Join a paragraph that a page break cut in two (the second part starts lower-case, or
    the first is prose that stops on a comma or a lower-case word)."""
    out: list[Block] = []
    for b in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and b.kind == "text"
            and prev.kind == "text"
            and not b.italic
            and not prev.italic
            and (b.text[:1].islower() or _cut_short(prev))
            and not prev.text.rstrip().endswith(SENTENCE_END)
        ):
            glue = "\n" if prev.text.endswith("-") else " "
            out[-1] = replace(prev, text=prev.text + glue + b.text)
            continue
        out.append(b)
    return out


# A markdown link or image: its text stays, its address goes ("[OBDO](https://…)" is "OBDO").
# Addresses in a passage are no words a question asks with, and a quote reads without them.
LINK = re.compile(r"!?\[([^\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)")
# A task-list box at the start of a list item ("- [ ] Je hebt …"): the item stays, the box goes.
TASK_BOX = re.compile(r"(?m)^([ \t]*[-*•+] )\[[ xX]\] ")


# Inline HTML that markdown lets a page carry (`<sup><a name="f19"><dfn>19</dfn></a>: …</sup>`): the
# tags go, their words stay. Only these presentational tags: "<OIN>" in a technical text is a word.
INLINE_TAG = re.compile(r"</?(?:a|abbr|b|br|cite|code|dfn|em|i|kbd|mark|q|s|small|span|strong|sub|sup|u)(?:\s[^<>]*)?/?>", re.I)


def strip_markup(text: str) -> str:
    """Link addresses, task-list boxes and inline HTML tags out of a paragraph, their words kept."""
    text = TASK_BOX.sub(r"\1", LINK.sub(r"\1", text))
    return INLINE_TAG.sub(lambda m: " " if m.group(0)[1:3].lower() == "br" else "", text)


def finish_text(text: str, vocab: frozenset[str]) -> str:
    """Final clean-up of a paragraph: split words joined, link addresses and emphasis dropped, spaces folded."""
    text = join_split_words(text, vocab)
    text = strip_emphasis(strip_markup(text))
    return re.sub(r"[ \t]{2,}", " ", _join_lines(text)).strip()


def _join_lines(text: str) -> str:
    """A paragraph's lines as one line, but for bullet lines and table rows, which keep their own."""
    lines = [line.strip(" \t") for line in text.split("\n")]
    out = lines[0]
    for prev, line in zip(lines, lines[1:]):
        own = line.startswith(("- ", "• ")) or is_table_row(line) or is_table_row(prev)
        out += ("\n" if own else " ") + line
    return out


def clean_blocks(lines: list[str], vocab: frozenset[str], first_line: int = 1, doc_title: str = "") -> list[Block]:
    """All cleaning rules in order: blocks, no pull quotes, page-split paragraphs joined."""
    blocks = [b for b in to_blocks(lines, first_line, doc_title) if not is_pull_quote(b)]
    blocks = merge_continuations(blocks)
    return [replace(b, text=finish_text(b.text, vocab)) for b in blocks]


def normalize_name(name: str) -> str:
    """Spelling of a person's name as one line: "Stolk - Luyten" -> "Stolk-Luyten"."""
    name = re.sub(r"\s*-\s*", "-", name.strip())
    return re.sub(r"\s+", " ", name)


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form for fuzzy comparison."""
    import unicodedata

    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w\s]", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def similarity(a: str, b: str) -> float:
    """Similarity of two strings after folding, 0..1."""
    from difflib import SequenceMatcher

    return SequenceMatcher(None, fold(a), fold(b)).ratio()
