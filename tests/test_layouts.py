"""The booklet as people have it: printed by Chromium in seven layouts (contents in one, two and
three columns, body in two columns, A5 with hyphenation, headings in capitals, headings bold at
body size) and as a Word document, each read and parsed to the structure of the manifest, with
no warnings and every advice's first chunk on the page its text is printed on. The prints are
made by `fixtures/layouts.py` once per change of that script or the booklet (cached by content
hash in .cache/layouts)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from rag.build import _chunks
from rag.chunk import ChunkParams
from rag.parse import parse_document
from rag.readers import read
from rag.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
import layouts  # noqa: E402

FILES = [f"{x}.pdf" for x in layouts.LAYOUTS] + [layouts.DOCX]


@pytest.fixture(scope="session")
def printed() -> Path:
    return layouts.ensure(ROOT / ".cache" / "layouts")


@pytest.fixture(scope="session")
def readings(printed):
    return {name: read(printed / name, (printed / name).read_bytes()) for name in FILES}


def _fold(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


@pytest.mark.parametrize("name", FILES)
def test_every_layout_parses_to_the_manifest_without_warnings(readings, manifest, name):
    doc = parse_document(name, readings[name].text)
    assert doc.warnings == ()
    assert doc.title == layouts.TITLE
    got = [(c.expert_names, c.title, [(a.number, a.title) for a in c.advices]) for c in doc.contributions]
    want = [(tuple(c["experts"]), c["title"], [(a["number"], a["title"]) for a in c["advices"]]) for c in manifest]
    assert got == want
    assert (len(doc.contributions), len(set(doc.experts)), doc.advice_count) == (16, 20, 65)
    assert {c.theme for c in doc.contributions} == {c["theme"] for c in manifest}


@pytest.mark.parametrize("name", [f"{x}.pdf" for x in layouts.LAYOUTS])
def test_every_advices_first_chunk_is_cited_to_the_page_it_is_printed_on(readings, printed, name):
    import pypdfium2 as pdfium

    source = readings[name]
    doc = parse_document(name, source.text)
    chunks = _chunks(doc, source, ChunkParams(Settings().chunk_words, Settings().chunk_overlap_sentences))
    firsts = [c for c in chunks if c.advice and c.part == 0]
    assert len(firsts) == 65
    # PDFium's own page text, read here without the reader's layout rules.
    pdf = pdfium.PdfDocument(str(printed / name))
    texts = [_fold(pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]
    for c in firsts:
        opening = _fold(c.text)[:60]
        shown = [i + 1 for i, t in enumerate(texts) if opening in t]
        assert c.page in shown, (name, c.experts, c.advice, c.page, shown)


def test_the_contents_side_by_side_are_read_column_after_column(readings):
    text = readings["toc2.pdf"].text
    contents = text[text.index("# Inhoud") : text.index("# Marleen Stikker")]
    # Names and their advice titles stand in columns side by side; read back, each column is whole.
    assert contents.index("**Marleen Stikker**\t**10**") < contents.index("**Rudy van Belkom**\t**13**")
    assert contents.index("**Rudy van Belkom**") < contents.index("**Vincent Homburg**\t**16**")
    assert "1 Human-centered AI als kernprincipe" in contents
    assert not any(line.startswith("#") for line in contents.splitlines()[1:])


def test_letter_spaced_capitals_are_read_as_words(readings):
    text = readings["caps.pdf"].text
    assert "**MARLEEN STIKKER**\t**10**" in text
    assert "M A R L E E N" not in text


def test_page_numbers_on_the_left_go_with_the_entry_they_open(readings):
    text = readings["body2.pdf"].text
    assert "1 Human-centered AI als kernprincipe\t10" in text
    assert "**Mariëlle Stoeltinga - John Waser**\t**11**" in text


def test_a_pdf_with_bold_headings_at_body_size_gets_its_sections(printed):
    source = read(printed / "nota.pdf", (printed / "nota.pdf").read_bytes())
    doc = parse_document("nota.pdf", source.text)
    assert [s.title for s in doc.sections] == [
        "Nota digitale bereikbaarheid",
        "Aanleiding",
        "Maatregelen voor het loket",
        "Kosten en dekking",
    ]
    # A bold sentence that ends like one, and bold words inside a paragraph, stay text.
    aanleiding = doc.sections[1].text
    assert "De raad heeft daarom om een plan gevraagd." in aanleiding and "Vooral ouderen haakten af" in aanleiding


def test_chapter_headings_in_capitals_are_never_experts(readings):
    doc = parse_document("caps.pdf", readings["caps.pdf"].text)
    themes = {c.theme.lower() for c in doc.contributions}
    assert not any(n.lower() in themes or n.lower() in ("samenwerking", "centrale regie") for n in doc.experts)
