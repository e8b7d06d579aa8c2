"""The format readers: PDF (the booklet printed by Chromium, an encrypted and a scanned PDF),
Word and HTML, each read into the markdown `parse` knows, and the pages chunks start on."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import pages
from rag.parse import parse_document
from rag.readers import Unreadable, read
from rag.types import Chunk

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _read(name: str):
    path = FIXTURES / name
    return read(path, path.read_bytes())


@pytest.fixture(scope="module")
def booklet_pdf():
    return _read("booklet.pdf")


def test_the_booklet_pdf_parses_to_the_booklets_structure(booklet_pdf):
    doc = parse_document("booklet.pdf", booklet_pdf.text)
    assert len(doc.contributions) == 16
    assert len({n for c in doc.contributions for n in c.expert_names}) == 20
    assert doc.advice_count == 65
    assert doc.title == "Ongefilterde expertadviezen voor de digitale overheid"


def test_the_booklet_pdf_equals_the_manifest(booklet_pdf, manifest):
    doc = parse_document("booklet.pdf", booklet_pdf.text)
    got = [(c.expert_names, [(a.number, a.title) for a in c.advices]) for c in doc.contributions]
    want = [(tuple(c["experts"]), [(a["number"], a["title"]) for a in c["advices"]]) for c in manifest]
    assert [g[0] for g in got] == [w[0] for w in want]
    assert got == want


def test_pdf_text_keeps_page_footers_out_and_headings_in(booklet_pdf):
    # 41 pages carry the footer "N - <title>"; only the one the markdown has in its body text is left
    assert booklet_pdf.text.count("- Ongefilterde expertadviezen voor de digitale overheid") == 1
    assert "# Ongefilterde expertadviezen voor de digitale overheid" in booklet_pdf.text
    assert "\n# Inhoud\n" in booklet_pdf.text
    assert len(booklet_pdf.pages) > 20
    assert "Human-centered AI" in "".join(booklet_pdf.pages)


def test_an_encrypted_pdf_is_unreadable_with_its_reason():
    with pytest.raises(Unreadable, match="encrypted"):
        _read("encrypted.pdf")


def test_a_scan_without_recognisable_text_is_unreadable_with_its_reason():
    # scanned.pdf is one page image of black bars: Tesseract finds no words on it.
    with pytest.raises(Unreadable, match="^is a scan whose text could not be used: page 1: no text recognised on its scan$"):
        _read("scanned.pdf")


def test_a_broken_pdf_is_unreadable(tmp_path):
    path = tmp_path / "kapot.pdf"
    path.write_bytes(b"%PDF-1.7\nthis is not a pdf at all")
    with pytest.raises(Unreadable, match="not a readable PDF"):
        read(path, path.read_bytes())


def test_a_word_document_keeps_headings_lists_and_tables():
    text = _read("open-data.docx").text
    assert text.startswith("# Open data bij gemeenten")
    assert "## Publiceren" in text and "## Privacy" in text
    assert "- of de eenheden kloppen;" in text
    assert "Verkeerstellingen | Ja" in text
    doc = parse_document("open-data.docx", text)
    assert doc.title == "Open data bij gemeenten"
    assert [s.title for s in doc.sections] == ["Open data bij gemeenten", "Publiceren", "Kwaliteit", "Privacy"]


def test_a_broken_word_document_is_unreadable(tmp_path):
    for name, content, reason in [
        ("kapot.docx", b"PK\x03\x04 nope", "not a readable Word"),
        ("oud.docx", b"\xd0\xcf\x11\xe0rest", "encrypted or an old"),
    ]:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(Unreadable, match=reason):
            read(path, path.read_bytes())


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Kamerbrief over digitale inclusie</title>
<style>p { color: red }</style><script>alert('x')</script></head>
<body><nav><a href="/">Home</a> | <a href="/over">Over ons</a></nav>
<main><h1>Kamerbrief over digitale inclusie</h1>
<p>Het kabinet wil dat iedereen mee kan doen.<br>Daarom komen er <b>meer</b> informatiepunten.</p>
<h2>Maatregelen</h2><ul><li>Informatiepunten in elke bibliotheek</li><li>Cursussen voor &eacute;&eacute;n euro</li></ul>
<table><tr><th>Jaar</th><th>Budget</th></tr><tr><td>2025</td><td>12 miljoen</td></tr></table>
<h2>Vervolg</h2><p>De Kamer krijgt in 2026 een voortgangsbrief.</p></main>
<footer>© Rijksoverheid</footer><img src=x onerror="alert(1)"></body></html>"""


def test_a_web_page_keeps_its_content_and_drops_the_rest(tmp_path):
    path = tmp_path / "brief.html"
    path.write_text(PAGE, encoding="utf-8")
    text = read(path, path.read_bytes()).text
    assert text.startswith("# Kamerbrief over digitale inclusie")
    assert "## Maatregelen" in text and "- Cursussen voor één euro" in text
    assert "Jaar | Budget" in text and "2025 | 12 miljoen" in text
    assert "Het kabinet wil dat iedereen mee kan doen.\nDaarom komen er meer informatiepunten." in text
    for gone in ("alert", "Home", "Over ons", "Rijksoverheid", "color: red", "<"):
        assert gone not in text
    doc = parse_document("brief.html", text)
    assert [s.title for s in doc.sections] == ["Kamerbrief over digitale inclusie", "Maatregelen", "Vervolg"]


def test_a_web_page_without_main_keeps_its_body_and_gets_its_title(tmp_path):
    path = tmp_path / "kaal.htm"
    path.write_bytes(
        "<html><head><title>Nota</title></head><body><p>Tekst van de nota, in cp1252: caf\xe9.</p></body></html>".encode("cp1252")
    )
    assert read(path, path.read_bytes()).text == "# Nota\n\nTekst van de nota, in cp1252: café.\n"


def test_unsupported_and_text_formats(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(Unreadable, match="not UTF-8"):
        read(path, path.read_bytes())
    with pytest.raises(Unreadable, match="unsupported format"):
        read(tmp_path / "x.odt", b"")


def _chunk(text: str) -> Chunk:
    return Chunk(chunk_id="c", document="d.pdf", text=text, embed_text=text)


def test_chunks_are_placed_on_the_page_their_text_starts_on():
    page_texts = [
        "Titel\nEerste pagina met inleiding.",
        "Het model van de ge-\nmeente werkt goed.\nNog een zin",
        " die verder loopt.\nSlot.",
    ]
    placed = pages.place(
        [
            _chunk("Het model van de gemeente werkt goed."),
            _chunk("Nog een zin die verder loopt."),
            _chunk("Slot."),
            _chunk("Niet in het document."),
        ],
        page_texts,
    )
    assert [c.page for c in placed] == [2, 2, 3, 0]


def test_two_text_columns_are_read_column_by_column():
    text = _read("columns.pdf").text
    assert text.startswith("# Twee kolommen\n")
    paragraphs = [p for p in text.split("\n\n") if p.startswith("Alinea")]
    assert [p.split(":")[0] for p in paragraphs] == [f"Alinea {i}" for i in range(1, 9)]
    assert all(p.rstrip().endswith("smalle kolom.") for p in paragraphs)
