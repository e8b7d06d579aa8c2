"""Building from mixed formats: PDF, Word and HTML beside the booklet's markdown, unreadable PDFs
skipped by name with their reason, chunks placed on their PDF page, unchanged files not read
again, and the booklet built from its PDF alone."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from rag import store
from rag.build import build, staleness
from rag.readers import pdf as pdf_reader
from rag.retrieve import Retriever

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BRIEF = """<html><head><title>Kamerbrief digitale inclusie</title></head><body><main>
<h1>Kamerbrief digitale inclusie</h1><p>Elke bibliotheek krijgt een informatiepunt digitale overheid.</p>
<h2>Financiering</h2><p>Het kabinet trekt er jaarlijks twaalf miljoen euro voor uit.</p></main></body></html>"""


@pytest.fixture
def mixed(workspace):
    for name in ("datastrategie.pdf", "open-data.docx", "encrypted.pdf", "scanned.pdf"):
        shutil.copy(FIXTURES / name, workspace.data_dir / name)
    (workspace.data_dir / "kamerbrief.html").write_text(BRIEF, encoding="utf-8")
    return workspace


def test_mixed_formats_are_indexed_and_unreadable_pdfs_skipped_with_their_reason(mixed, fake_encoder):
    report = build(mixed, fake_encoder)
    assert report.documents == 4 and report.advices == 65
    assert report.skipped == {
        "encrypted.pdf": "is encrypted (password-protected); save a copy without the password",
        "scanned.pdf": "is a scan whose text could not be used: page 1: no text recognised on its scan",
    }
    index = store.load(mixed.index_dir, fake_encoder.model_id)
    by_doc = {}
    for c in index.chunks:
        by_doc.setdefault(c.document, []).append(c)
    assert {c.section for c in by_doc["datastrategie.pdf"]} == {
        "Datastrategie van de provincie",
        "Uitgangspunten",
        "Grondwatermeetnet",
        "Bewaartermijnen",
    }
    assert {c.section for c in by_doc["kamerbrief.html"]} == {"Kamerbrief digitale inclusie", "Financiering"}
    assert {c.section for c in by_doc["open-data.docx"]} == {"Open data bij gemeenten", "Publiceren", "Kwaliteit", "Privacy"}
    assert all(c.page == 0 for d in ("open-data.docx", "kamerbrief.html") for c in by_doc[d])
    pages = {c.section: c.page for c in by_doc["datastrategie.pdf"]}
    assert pages == {"Datastrategie van de provincie": 1, "Uitgangspunten": 1, "Grondwatermeetnet": 2, "Bewaartermijnen": 3}
    assert by_doc["datastrategie.pdf"][0].document_title == "Datastrategie van de provincie"
    assert index.manifest.collection["datastrategie.pdf"] == {
        "title": "Datastrategie van de provincie", "kind": "pdf", "recognised": 0, "pages": 3, "contributions": 0, "experts": 0, "advices": 0, "sections": 4,
    }  # fmt: skip
    assert index.manifest.collection["open-data.docx"]["kind"] == "docx"

    hits = Retriever(index, fake_encoder).search("peilbuizen grondwater meetnet", k=1)
    assert hits[0].chunk.document == "datastrategie.pdf" and hits[0].to_dict()["page"] == 2
    only = Retriever(index, fake_encoder).search("peilbuizen grondwater meetnet", k=3, document="kamerbrief.html")
    assert {h.chunk.document for h in only} == {"kamerbrief.html"}
    assert staleness(mixed, index.manifest).up_to_date


def test_an_unchanged_pdf_is_not_read_again(mixed, fake_encoder, monkeypatch):
    build(mixed, fake_encoder)
    calls = []
    real = pdf_reader.read_pdf
    monkeypatch.setattr(pdf_reader, "read_pdf", lambda raw, *rest: calls.append(len(raw)) or real(raw, *rest))
    report = build(mixed, fake_encoder)
    assert report.embedded == 0
    # Only the encrypted PDF is read again: a skipped file's reason is not cached, except a
    # scan's that OCR could not use (recognising it again would take as long, for the same reason).
    assert calls == [(FIXTURES / "encrypted.pdf").stat().st_size]
    assert report.skipped["scanned.pdf"].startswith("is a scan whose text could not be used")
    shutil.copy(FIXTURES / "booklet.pdf", mixed.data_dir / "datastrategie.pdf")  # the same name, other content
    calls.clear()
    report = build(mixed, fake_encoder)
    assert (FIXTURES / "booklet.pdf").stat().st_size in calls


def test_the_booklet_from_its_pdf_alone(workspace, fake_encoder, tmp_path):
    data = tmp_path / "pdf-only"
    data.mkdir()
    shutil.copy(FIXTURES / "booklet.pdf", data / "booklet.pdf")
    settings = replace(workspace, data_dir=data)
    report = build(settings, fake_encoder)
    assert (report.documents, report.contributions, report.experts, report.advices) == (1, 16, 20, 65)
    assert report.warnings == []
    index = store.load(settings.index_dir, fake_encoder.model_id)
    assert all(c.page > 0 for c in index.chunks)
    # Each advice's first chunk starts on its page as PDFium's own page text shows it (read
    # here without the reader's layout rules).
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(data / "booklet.pdf"))
    texts = [" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]
    firsts = [c for c in index.chunks if c.advice and c.part == 0]
    assert len(firsts) == 65
    for c in firsts:
        opening = " ".join(c.text.split()[:5])
        shown = [i + 1 for i, t in enumerate(texts) if opening in t]
        assert c.page in shown, (c.experts, c.advice, c.page, shown)


def test_word_html_and_pdf_documents_are_answered_with_citations_to_document_section_and_page(mixed, fake_encoder):
    from conftest import Copying

    from rag.pipeline import Pipeline

    build(mixed, fake_encoder)
    pipeline = Pipeline(mixed, fake_encoder, Copying())
    for question, document, section, page in [
        ("Wie beslist bij twijfel over de gegevensbescherming?", "open-data.docx", "Privacy", None),
        ("Hoeveel euro trekt het kabinet jaarlijks uit voor de informatiepunten?", "kamerbrief.html", "Financiering", None),
        ("Hoe lang worden ruwe meetgegevens van de provincie bewaard?", "datastrategie.pdf", "Bewaartermijnen", 3),
    ]:
        answer = pipeline.ask(question)
        assert not answer.refused, (question, answer.text)
        cited = answer.to_dict()["citations"][0]
        assert (cited["document"], cited["section"], cited.get("page")) == (document, section, page), question


def test_a_reader_that_fails_on_one_file_skips_only_that_file(mixed, fake_encoder, monkeypatch):
    def broken(raw, *rest):
        raise IndexError("list index out of range")

    monkeypatch.setattr(pdf_reader, "read_pdf", broken)
    report = build(mixed, fake_encoder)
    assert report.skipped["datastrategie.pdf"] == "could not be read (IndexError: list index out of range)"
    assert report.documents == 3 and report.advices == 65
