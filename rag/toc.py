"""Reads the booklet's own table of contents ("# Inhoud"): pure functions, no I/O.

Owns the TOC's layout: two columns side by side (cells tab- or " | "-separated), then one column;
bold entries are themes or expert groups, numbered entries are advices. `parse` uses
the result to recognise expert names and titles in the body and to cross-check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clean import normalize_name, strip_emphasis

BOLD = re.compile(r"^\s*(?:#+\s*)?(?:<b>|\*\*)(.+?)(?:</b>|\*\*)")
ADVICE = re.compile(r"^(\d{1,2})\s+(\S.*)$")
PAGE = re.compile(r"^\d{1,3}$")


@dataclass(frozen=True, slots=True)
class TocEntry:
    kind: str  # "bold", "advice" or "plain"
    text: str
    number: int = 0
    page: str = ""  # the page number the entry gives; "" when its line has none


@dataclass(frozen=True, slots=True)
class TocContribution:
    theme: str
    experts: tuple[str, ...]
    title: str  # "" when the TOC gives none
    advices: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class Toc:
    front: tuple[str, ...]  # entries before the first theme (Voorwoord, Samenvatting)
    themes: tuple[str, ...]
    contributions: tuple[TocContribution, ...]


def _entry(cells: list[str]) -> TocEntry | None:
    """One TOC cell pair (text, page) as an entry; None for an empty pair."""
    text = cells[0].strip() if cells else ""
    if not text:
        return None
    page = strip_emphasis(cells[1]).strip() if len(cells) > 1 else ""
    m = BOLD.match(text)
    if m:
        after = re.search(r"(\d{1,3})$", strip_emphasis(text[m.end() :]).strip())  # "## **Theme** **32**"
        return TocEntry("bold", strip_emphasis(m.group(1)).strip(), page=page or (after.group(1) if after else ""))
    text = strip_emphasis(text).strip()
    # "## **Theme** **32**" without tags lands here too once emphasis is gone.
    if text.startswith("#"):
        m = re.search(r"\s+(\d{1,3})$", text)
        return TocEntry("bold", re.sub(r"\s+\d{1,3}$", "", text.lstrip("# ")).strip(), page=m.group(1) if m else page)
    m = ADVICE.match(text)
    if m:
        return TocEntry("advice", m.group(2).strip(), int(m.group(1)), page)
    return TocEntry("plain", text, page=page)


def _unwrapped(entries: list[TocEntry]) -> list[TocEntry]:
    """Entries that a narrow column wrapped onto two lines, joined: an entry without its page
    number continues on the next plain line (or bold line, for a bold entry), a line that is
    only a page number belongs to the entry above it when that has none, and else is the number
    of the advice whose title follows (a word too long for the column pushed it down)."""
    out: list[TocEntry] = []
    number = 0  # an advice number a narrow column left alone on its line, above its title
    for e in entries:
        prev = out[-1] if out else None
        if number and e.kind == "plain" and not PAGE.match(e.text):
            out.append(TocEntry("advice", e.text, number, e.page))
            number = 0
        elif prev is not None and not prev.page and e.kind in ("plain", "bold") and PAGE.match(e.text):
            out[-1] = TocEntry(prev.kind, prev.text, prev.number, e.text)
        elif prev is not None and prev.page and e.kind == "plain" and PAGE.match(e.text) and not e.page:
            number = int(e.text)
        elif prev is not None and prev.page == "" and (e.kind == "plain" or e.kind == prev.kind == "bold"):
            out[-1] = TocEntry(prev.kind, f"{prev.text} {e.text}", prev.number, e.page)
        else:
            out.append(e)
    return out


def toc_entries(lines: list[str]) -> list[TocEntry]:
    """Entries in reading order: the left column, then the right column, then the rest."""
    left: list[TocEntry] = []
    right: list[TocEntry] = []
    rest: list[TocEntry] = []
    for line in lines:
        if not line.strip():
            continue
        cells = re.split(r"\t| \| ", line)  # a PDF's column steps, a Word table's cells
        if len(cells) >= 3:
            for target, pair in ((left, cells[0:2]), (right, cells[2:4])):
                e = _entry(pair)
                if e:
                    target.append(e)
        else:
            e = _entry(cells)
            if e:
                rest.append(e)
    return _unwrapped(left) + _unwrapped(right) + _unwrapped(rest)


def split_experts(group: str) -> tuple[str, ...]:
    """ "A - B - C" -> names; a one-word part is a double surname ("Stolk - Luyten")."""
    parts = [p.strip() for p in group.split(" - ") if p.strip()]
    names: list[str] = []
    for p in parts:
        if names and " " not in p:
            names[-1] = f"{names[-1]}-{p}"
        else:
            names.append(p)
    return tuple(normalize_name(n) for n in names)


def read_toc(lines: list[str]) -> Toc:
    """Structure of the TOC: a bold entry followed by another bold entry is a theme."""
    entries = toc_entries(lines)
    front: list[str] = []
    themes: list[str] = []
    contributions: list[TocContribution] = []
    theme = ""
    i = 0
    while i < len(entries):
        e = entries[i]
        nxt = entries[i + 1] if i + 1 < len(entries) else None
        if e.kind == "bold" and (nxt is None or nxt.kind == "bold"):
            theme = e.text
            themes.append(theme)
            i += 1
            continue
        if e.kind != "bold":
            if not themes:
                front.append(e.text)
            i += 1
            continue
        experts = split_experts(e.text)
        i += 1
        title = ""
        if i < len(entries) and entries[i].kind == "plain":
            title = entries[i].text
            i += 1
        advices: list[tuple[int, str]] = []
        while i < len(entries) and entries[i].kind == "advice":
            advices.append((entries[i].number, entries[i].text))
            i += 1
        contributions.append(TocContribution(theme, experts, title, tuple(advices)))
    return Toc(tuple(front), tuple(themes), tuple(contributions))
