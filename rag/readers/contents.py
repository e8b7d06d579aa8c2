"""A PDF's table of contents read by its geometry: pure functions over the PDF reader's lines.

The contents start after a line "Inhoud"/"Contents" (any case, any letter spacing) and run over
the following lines and pages as long as they look like contents: no line set larger than the
body unless it carries a page number, and on a page after the first at least a fifth of the
lines with a page number. Each page's entries are then laid out again:
- a page number is a segment of one to three digits (dotted leaders are dropped); all other
  segments are entry text;
- the columns are the stretches of the page that entry text covers, separated by white gutters;
- page numbers stand to the right of their entries, or to the left when some stand left of all
  text; a number is given to the column it follows (or precedes), on the entry of its own line;
- the output is column after column, top to bottom, one line per printed line, "text<TAB>page";
  a page number on a line of its own stays alone (`toc` gives it to the entry above).
"""

from __future__ import annotations

import re
from dataclasses import replace

HEADINGS = ("inhoud", "inhoudsopgave", "contents", "table of contents")
PAGE = re.compile(r"^\d{1,3}$")
LEADER = re.compile(r"\s*(?:\.\s*){3,}|\s*(?:·\s*){3,}|\s*…+\s*")
NUMBERED_SHARE = 0.2  # a page after the first is contents when this share of its lines has a page number
GUTTER = 1.2  # white space this many body sizes wide between text columns separates them
WIDE = 0.6  # a segment wider than this share of the page's text is a line across the columns
NARROW = 3.0  # a text column is at least this many body sizes wide


def _folded(text: str) -> str:
    return re.sub(r"[^a-z ]", "", re.sub(r"\s+", " ", text.lower())).strip()


def _is_heading(line) -> bool:
    plain = line.plain.replace("\t", " ")
    return _folded(plain) in HEADINGS or _folded(plain).replace(" ", "") in {h.replace(" ", "") for h in HEADINGS}


def _clean(seg):
    """The segment without dotted leaders; None when nothing is left."""
    plain = LEADER.sub(" ", seg.plain).strip()
    if not plain:
        return None
    if plain == seg.plain:
        return seg
    text = LEADER.sub(" ", seg.text).strip()
    text = re.sub(r"\*\*\s*\*\*", "", text).strip()
    return replace(seg, text=text, plain=plain)


def _has_number(line) -> bool:
    segs = [s for s in (_clean(x) for x in line.parts) if s is not None]
    return any(PAGE.match(s.plain) for s in segs) or bool(re.search(r"\s\d{1,3}$", " ".join(s.plain for s in segs)))


def contents_lines(pages: list, body: float, ratio: float) -> list:
    """`pages` with the table of contents' lines laid out again and marked as contents."""
    start = next(
        ((p, i) for p, page in enumerate(pages) for i, x in enumerate(page) if _is_heading(x) and len(x.plain) < 40), None
    )
    if start is None:
        return pages
    out = [list(page) for page in pages]
    p, i = start
    first = True
    while p < len(pages):
        page = pages[p]
        lines = page[i + 1 :] if first else page
        if not first:
            numbered = sum(_has_number(x) for x in lines)
            if not lines or numbered < NUMBERED_SHARE * len(lines):
                break
        end = next((k for k, x in enumerate(lines) if x.size >= ratio * body and not _has_number(x)), len(lines))
        taken = lines[:end]
        if taken:
            laid = _layout(taken, body)
            before = page[: i + 1] if first else []
            out[p] = before + laid + lines[end:]
        if end < len(lines):
            break
        first = False
        i = -1
        p += 1
    return out


def _layout(lines: list, body: float) -> list:
    """One page's contents lines in reading order, each entry with its page number."""
    items = []  # (line, segment, is_number)
    for line in lines:
        for seg in line.parts:
            s = _clean(seg)
            if s is not None:
                items.append((line, s, bool(PAGE.match(s.plain))))
    texts = [(ln, s) for ln, s, num in items if not num]
    if not texts:
        return [replace(ln, contents=True) for ln in lines]
    columns = _columns([s for _, s in texts], body)
    left_style = any(s.x1 < columns[0][0] for _, s, num in items if num)

    def column_of(s, number: bool) -> int:
        for k, (x0, x1) in enumerate(columns):
            if x0 - 0.5 * body <= s.x0 and s.x1 <= x1 + 0.5 * body:
                return k
        if not number:
            return min(range(len(columns)), key=lambda k: abs(columns[k][0] - s.x0))
        if left_style:
            after = [k for k, (x0, _) in enumerate(columns) if x0 >= s.x1]
            return after[0] if after else len(columns) - 1
        before = [k for k, (_, x1) in enumerate(columns) if x1 <= s.x0]
        return before[-1] if before else 0

    rows: dict[tuple[int, int], dict] = {}
    order = {id(ln): n for n, ln in enumerate(lines)}
    for ln, s, num in items:
        row = rows.setdefault((column_of(s, num), order[id(ln)]), {"line": ln, "text": [], "numbers": [], "page": ""})
        row["numbers" if num else "text"].append(s)
    for row in rows.values():
        _settle(row, left_style)
    ordered = [row for _, row in sorted(rows.items(), key=lambda kv: (kv[0][0], -kv[1]["line"].top, kv[0][1]))]
    if left_style:
        ordered = _joined(ordered)
    out = []
    for row in ordered:
        segs = sorted(row["text"], key=lambda s: s.x0)
        text = re.sub(r"\*\*\s+\*\*", " ", " ".join(s.text for s in segs))  # one bold run over joined parts
        plain = " ".join(s.plain for s in segs)
        if row["page"]:
            text = f"{text}\t{row['page']}" if text else row["page"]
            plain = f"{plain}\t{row['page'].strip('*')}" if plain else row["page"].strip("*")
        ln = row["line"]
        out.append(replace(ln, text=text, plain=plain, segments=segs, contents=True, size=min(ln.size, body)))
    return out


def _joined(rows: list[dict]) -> list[dict]:
    """With page numbers on the left an entry starts on the line with its number: the lines
    below it without one, in the same weight, continue it."""
    out: list[dict] = []
    for row in rows:
        prev = out[-1] if out else None
        bold = all(s.bold for s in row["text"])
        if (
            prev is not None
            and prev["page"]
            and not row["page"]
            and row["text"]
            and prev["text"]
            and bold == all(s.bold for s in prev["text"])
            and prev["line"].page == row["line"].page
        ):
            last = max(prev["text"], key=lambda s: s.x0)
            moved = [
                replace(s, x0=last.x1 + 1 + k, x1=last.x1 + 1 + k) for k, s in enumerate(sorted(row["text"], key=lambda s: s.x0))
            ]
            out[-1] = {**prev, "text": prev["text"] + moved}
        else:
            out.append(row)
    return out


def _settle(row: dict, left_style: bool) -> None:
    """The row's page number: its last number with no text after it (its first with none before
    it, when page numbers stand left); other numbers are text ("1" of "1 Erken de …")."""
    numbers = sorted(row["numbers"], key=lambda s: s.x0)
    texts = row["text"]
    if left_style:
        page = next((n for n in numbers if not any(t.x1 <= n.x0 for t in texts)), None)
    else:
        page = next((n for n in reversed(numbers) if not any(t.x0 >= n.x1 for t in texts)), None)
    row["page"] = page.text if page is not None else ""
    row["text"] = texts + [n for n in numbers if n is not page]


def _columns(segments: list, body: float) -> list[tuple[float, float]]:
    """The x ranges entry text covers, split at white gutters wider than GUTTER body sizes. A
    line across the whole page (a footer, a note) does not bridge the gutters, and a strip
    narrower than NARROW body sizes is no column (a stray word among the page numbers)."""
    extent = max(s.x1 for s in segments) - min(s.x0 for s in segments)
    narrow = [s for s in segments if s.x1 - s.x0 <= WIDE * extent] or segments
    spans = sorted((s.x0, s.x1) for s in narrow)
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1] + GUTTER * body:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    kept = [(a, b) for a, b in columns if b - a >= NARROW * body]
    return kept or [(a, b) for a, b in columns]
