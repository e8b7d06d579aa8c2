"""Parses a corpus document into its structure: pure functions, no I/O.

Owns the structure rules of the booklet: where a contribution starts (its expert
names, which are not always headings), its title and roles, the numbered advices
(with the nested numbering of sub-items that are not advices), introductions and
closing paragraphs, themes, front and back matter, and the cross-check against the
document's own table of contents. A document without that structure is split into
sections by its headings. Cleaning of the raw text is left to `clean`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .case import accented, recase, spellings, with_accents
from .clean import Block, clean_blocks, fold, normalize_name, similarity, vocabulary
from .experts import looks_like_name
from .toc import Toc, TocContribution, read_toc
from .types import Advice, Contribution, Expert, ParsedDocument, Section

NUMBERED = re.compile(r"^(\d{1,2})\s+(\S.*)$")
TOC_HEADINGS = ("inhoud", "inhoudsopgave", "contents", "table of contents")
# A paragraph that opens with one of these, after the last advice's first paragraph,
# starts the contribution's closing text (advice 0), not more of that advice.
CLOSING_OPENERS = ("daarnaast", "tot slot", "ten slotte", "tenslotte", "kortom", "concluderend", "samenvattend", "afsluitend")
NAME_MATCH = 0.8
TITLE_MATCH = 0.75
TOC_AGREEMENT = 0.85
MAX_NAME_CHARS = 60
MAX_ROLE_CHARS = 300


def parse_document(name: str, text: str) -> ParsedDocument:
    """Structure of one document: the booklet's when its table of contents groups numbered entries
    under people's names (expert groups); else sections. Chapters over numbered entries
    ("**Hoofdstuk 1 Toepassingsgebied**") are never experts: that document is read by its headings."""
    lines = text.splitlines()
    toc_at = _find_toc(lines)
    if toc_at is not None:
        start, end = toc_at
        toc = read_toc(lines[start + 1 : end])
        if toc.contributions and all(looks_like_name(n) for c in toc.contributions for n in c.experts):
            return _recased(_parse_booklet(name, text, lines, toc, start, end), text, toc)
        # The contents page is no passage: its lines are left out (as blank lines, so line numbers hold).
        return _recased(parse_plain(name, "\n".join(lines[:start] + [""] * (end - start) + lines[end:])), text)
    return _recased(parse_plain(name, text), text)


def _recased(doc: ParsedDocument, text: str, toc: Toc | None = None) -> ParsedDocument:
    """Names and titles a layout set in capitals, in normal case: from the table of contents
    where it spells them so, else from the document's own spelling of each word; and with the
    accents a scan's recognition dropped, where the document has them elsewhere (`case`)."""
    known = spellings(text)
    accents = accented(text)

    def spelled(s: str, hint: str = "", name: bool = False) -> str:
        return with_accents(recase(s, known, hint, name), accents)

    contributions = []
    for c in doc.contributions:
        tc = None
        if toc is not None and toc.contributions:
            tc = max(toc.contributions, key=lambda t: max(similarity(a, b) for a in t.experts for b in c.expert_names))
        listed = dict(tc.advices) if tc else {}
        experts = tuple(replace(e, name=spelled(e.name, " ".join(tc.experts) if tc else "", True)) for e in c.experts)
        advices = tuple(replace(a, title=spelled(a.title, listed.get(a.number, ""))) for a in c.advices)
        title = spelled(c.title, tc.title if tc else "")
        contributions.append(replace(c, theme=spelled(c.theme), title=title, experts=experts, advices=advices))
    sections = tuple(replace(x, title=spelled(x.title), theme=spelled(x.theme)) for x in doc.sections)
    return replace(doc, title=spelled(doc.title), contributions=tuple(contributions), sections=sections)


def _first_heading(lines: list[str]) -> tuple[int, str]:
    for i, line in enumerate(lines):
        m = re.match(r"^#{1,6}\s+(.+?)\s*$", line)
        if m:
            return i, m.group(1).strip("*# ").strip()
    return 0, ""


def _find_toc(lines: list[str]) -> tuple[int, int] | None:
    """(heading index, end index) of the table of contents, or None."""
    for i, line in enumerate(lines):
        if re.match(r"^#{1,3}\s+", line) and fold(line.lstrip("# ")) in TOC_HEADINGS:
            for j in range(i + 1, len(lines)):
                if re.match(r"^#{1,6}\s+", lines[j]) and "**" not in lines[j] and "<b>" not in lines[j]:
                    return i, j
            return i, len(lines)
    return None


def parse_plain(name: str, text: str) -> ParsedDocument:
    """A document without the booklet's structure: one section per heading."""
    lines = text.splitlines()
    _, title = _first_heading(lines)
    title = title or name.rsplit(".", 1)[0]
    blocks = clean_blocks(lines, vocabulary(text))
    sections: list[Section] = []
    heading, line, body = title, 1, []
    for b in blocks:
        if b.kind == "heading":
            if body:
                sections.append(Section(heading, "\n\n".join(body), line=line))
            heading, line, body = b.text, b.line, []
        else:
            body.append(b.text)
    if body:
        sections.append(Section(heading, "\n\n".join(body), line=line))
    return ParsedDocument(name=name, title=title, sections=tuple(sections))


@dataclass(slots=True)
class _Span:
    toc: TocContribution
    names: dict[int, str]  # block index -> body spelling of the expert name
    title_at: int | None
    start: int


def _parse_booklet(name: str, text: str, lines: list[str], toc: Toc, toc_start: int, toc_end: int) -> ParsedDocument:
    vocab = vocabulary(text)
    title_line, doc_title = _first_heading(lines)
    front = clean_blocks(lines[title_line + 1 : toc_start], vocab, title_line + 2, doc_title)
    body = clean_blocks(lines[toc_end:], vocab, toc_end + 1, doc_title)
    warnings: list[str] = []

    themes = _canonical_themes(toc, front)
    sections = _front_sections(front, themes)
    spans = _locate(body, toc, warnings)
    contributions: list[Contribution] = []
    for k, span in enumerate(spans):
        end = spans[k + 1].start if k + 1 < len(spans) else len(body)
        contribution, extra = _contribution(k + 1, span, body, span.start, end, themes, warnings)
        contributions.append(contribution)
        sections.extend(extra)
    warnings.extend(_cross_check(contributions, toc))
    return ParsedDocument(name, doc_title, tuple(contributions), tuple(sections), tuple(warnings))


def _canonical_themes(toc: Toc, front: list[Block]) -> dict[str, str]:
    """TOC theme -> its spelling in the summary's headings, which the TOC sometimes misspells."""
    headings = [b.text for b in front if b.kind == "heading"]
    out: dict[str, str] = {}
    for t in toc.themes:
        best = max(headings, key=lambda h: similarity(h, t), default="")
        out[t] = best if best and similarity(best, t) >= TOC_AGREEMENT else t
    return out


def _front_sections(front: list[Block], themes: dict[str, str]) -> list[Section]:
    """Foreword and summary: one section per level-1/2 heading; summary parts keep their theme."""
    canonical = set(themes.values())
    sections: list[Section] = []
    parent, heading, line, body = "", "", 0, []

    def flush() -> None:
        if body and heading:
            theme = heading if heading in canonical else ""
            title = f"{parent}: {heading}" if theme and parent else heading
            sections.append(Section(title, "\n\n".join(body), theme=theme, line=line))

    for b in front:
        if b.kind == "heading" and b.level <= 2:
            flush()
            if b.level == 1:
                parent = b.text
            heading, line, body = b.text, b.line, []
        else:
            body.append(b.text)
    flush()
    return sections


def _is_numbered(b: Block) -> re.Match[str] | None:
    return NUMBERED.match(b.text) if b.kind == "heading" else None


def _name_score(b: Block, name: str) -> float:
    if len(b.text) > MAX_NAME_CHARS or _is_numbered(b):
        return 0.0
    return similarity(normalize_name(b.text), name)


def _locate(body: list[Block], toc: Toc, warnings: list[str]) -> list[_Span]:
    """Find each TOC contribution's expert names and title in the body, in order."""
    spans: list[_Span] = []
    cursor = 0
    for tc in toc.contributions:
        names: dict[int, str] = {}
        for expert in tc.experts:
            found = next((i for i in range(cursor, len(body)) if _name_score(body[i], expert) >= NAME_MATCH), None)
            if found is None:
                warnings.append(f"expert {expert!r} from the table of contents not found in the text")
                continue
            names[found] = normalize_name(body[found].text)
            cursor = found + 1
        if not names:
            continue
        first, last = min(names), max(names)
        title_at = _find_title(body, tc.title, first, last, set(names))
        start = min([first] + ([title_at] if title_at is not None else []))
        if title_at is None:
            warnings.append(f"title of the contribution by {', '.join(names.values())} not found")
        spans.append(_Span(tc, names, title_at, start))
    return spans


def _find_title(body: list[Block], toc_title: str, first: int, last: int, names: set[int]) -> int | None:
    """The title block near the names: the one most like the TOC title, or the first plain heading."""
    lo, hi = max(0, first - 3), min(len(body), last + 5)
    candidates = [i for i in range(lo, hi) if i not in names and not _is_numbered(body[i])]
    if toc_title:
        scored = [(similarity(body[i].text, toc_title), i) for i in candidates]
        best = max(scored, default=(0.0, None))
        return best[1] if best[0] >= TITLE_MATCH else None
    return next((i for i in candidates if i > last and body[i].kind == "heading"), None)


def _is_theme_marker(b: Block, themes: dict[str, str]) -> bool:
    """A body heading that repeats (part of) a theme name, e.g. "# Samenwerking"."""
    if b.kind != "heading" or _is_numbered(b):
        return False
    words = fold(b.text).split()
    if not words:
        return False
    for name in {*themes, *themes.values()}:
        tw = fold(name).split()
        for s in range(len(tw) - len(words) + 1):
            if tw[s : s + len(words)] == words:
                return True
    return False


def _is_role(b: Block) -> bool:
    if _is_numbered(b):
        return False
    if b.kind == "heading" or b.italic:
        return len(b.text) <= MAX_ROLE_CHARS
    return len(b.text) <= MAX_ROLE_CHARS and not b.text.endswith((".", "!", "?", ":"))


def _contribution(
    number: int, span: _Span, body: list[Block], start: int, end: int, themes: dict[str, str], warnings: list[str]
) -> tuple[Contribution, list[Section]]:
    roles: dict[str, list[str]] = {n: [] for n in span.names.values()}
    order = list(span.names.values())
    current = order[0]
    i = start
    # Header: names, title and the roles printed under them, until the first paragraph.
    while i < end:
        b = body[i]
        if i in span.names:
            current = span.names[i]
        elif i == span.title_at or _is_theme_marker(b, themes):
            pass
        elif _is_role(b):
            roles[current].append(b.text)
        else:
            break
        i += 1

    title_block = body[span.title_at] if span.title_at is not None else None
    title = title_block.text if title_block else span.toc.title
    intro: list[str] = []
    advices: list[tuple[int, str, int, list[str]]] = []
    extra: list[Section] = []
    sub_last: int | None = None
    while i < end:
        b = body[i]
        m = _is_numbered(b)
        if _is_theme_marker(b, themes):
            pass
        elif m:
            n = int(m.group(1))
            last = advices[-1][0] if advices else 0
            if sub_last is not None and n == sub_last + 1:
                sub_last = n
                advices[-1][3].append(b.text)
            elif n == last + 1:
                advices.append((n, m.group(2), b.line, []))
                sub_last = None
            elif n == 1 and advices:
                sub_last = 1  # a numbered list inside the advice, not a new advice
                advices[-1][3].append(b.text)
            else:
                warnings.append(f"line {b.line}: unexpected advice number {n} after {last} ({', '.join(order)})")
                (advices[-1][3] if advices else intro).append(b.text)
        elif b.kind == "heading" and b.level <= 2:
            extra = _back_matter(body[i:end])
            break
        else:
            (advices[-1][3] if advices else intro).append(b.text)
        i += 1

    closing: list[str] = []
    if advices:
        paras = advices[-1][3]
        cut = next((k for k in range(1, len(paras)) if fold(paras[k]).startswith(CLOSING_OPENERS)), None)
        if cut is not None:
            closing, advices[-1] = paras[cut:], (*advices[-1][:3], paras[:cut])
    theme = themes.get(span.toc.theme, span.toc.theme)
    contribution = Contribution(
        number=number,
        theme=theme,
        title=title,
        experts=tuple(Expert(n, " ".join(roles[n])) for n in order),
        advices=tuple(Advice(n, t, "\n\n".join(p), line) for n, t, line, p in advices),
        intro="\n\n".join(intro),
        closing="\n\n".join(closing),
        line=body[start].line,
    )
    return contribution, extra


def _back_matter(blocks: list[Block]) -> list[Section]:
    """Sections after the last contribution (colophon and the like), one per heading."""
    sections: list[Section] = []
    heading, line, text = "", 0, []
    for b in blocks + [Block("heading", "", 0, level=1)]:
        if b.kind == "heading" and b.level <= 2:
            if heading and text:
                sections.append(Section(heading, "\n\n".join(text), line=line))
            heading, line, text = b.text, b.line, []
        else:
            text.append(b.text)
    return sections


def _cross_check(contributions: list[Contribution], toc: Toc) -> list[str]:
    """Every disagreement between the parsed body and the table of contents, as a warning."""
    warnings: list[str] = []
    if len(contributions) != len(toc.contributions):
        warnings.append(f"table of contents lists {len(toc.contributions)} contributions, the text has {len(contributions)}")
    for c in contributions:
        tc = max(toc.contributions, key=lambda t: max(similarity(a, b) for a in t.experts for b in c.expert_names))
        who = ", ".join(c.expert_names)
        if tc.title and similarity(tc.title, c.title) < TOC_AGREEMENT:
            warnings.append(f"{who}: title {c.title!r} differs from the table of contents {tc.title!r}")
        body = {a.number: a.title for a in c.advices}
        listed = dict(tc.advices)
        for n in sorted(set(body) | set(listed)):
            if n not in body:
                warnings.append(f"{who}: advice {n} {listed[n]!r} is in the table of contents but not in the text")
            elif n not in listed:
                warnings.append(f"{who}: advice {n} {body[n]!r} is in the text but not in the table of contents")
            elif similarity(body[n], listed[n]) < TOC_AGREEMENT:
                warnings.append(f"{who}: advice {n} is {body[n]!r} in the text, {listed[n]!r} in the table of contents")
    return warnings
