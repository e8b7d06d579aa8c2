"""Scanned PDFs: pages without a text layer are recognised with Tesseract (Dutch + English), the
build tells per page how far it is, the collection says which pages came from a scan, a scan
recognised too uncertainly is skipped by name with the reason, and an unchanged scan is not
recognised again. The scans are made here: a text PDF's pages rendered to images and saved as
a PDF of images only."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from rag import store
from rag.build import build
from rag.parse import parse_document
from rag.readers import Unreadable, ocr, read
from rag.retrieve import Retriever

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def scan_of(pdf: Path, dpi: int = 200, pages: list[int] | None = None) -> bytes:
    """The PDF's pages as images only, as a scanner makes them."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    images = [doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in (pages or range(len(doc)))]
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


@pytest.fixture(scope="module")
def scanned_report(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scan") / "datastrategie-scan.pdf"
    path.write_bytes(scan_of(FIXTURES / "datastrategie.pdf"))
    return path


@pytest.fixture(scope="module")
def recognised(scanned_report):
    calls = []
    source = read(scanned_report, scanned_report.read_bytes(), lambda done, total: calls.append((done, total)))
    return source, calls


def test_a_scanned_pdf_is_recognised_page_by_page_into_the_same_sections(recognised):
    assert ocr.available() == ""
    source, calls = recognised
    assert source.recognised == (1, 2, 3) and source.notes == ()
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
    doc = parse_document("datastrategie-scan.pdf", source.text)
    assert [s.title for s in doc.sections] == [
        "Datastrategie van de provincie",
        "Uitgangspunten",
        "Grondwatermeetnet",
        "Bewaartermijnen",
    ]
    assert "412 peilbuizen" in doc.sections[2].text
    assert "Pagina 2" not in source.text  # the running footer is left out, as in a text PDF


def test_a_scan_is_indexed_with_its_pages_and_marked_as_recognised(workspace, fake_encoder, scanned_report, monkeypatch):
    shutil.copy(scanned_report, workspace.data_dir / scanned_report.name)
    stages = []
    report = build(workspace, fake_encoder, progress=lambda stage, done, total: stages.append((stage, done, total)))
    assert report.documents == 2 and report.skipped == {}
    assert ("recognising datastrategie-scan.pdf", 1, 3) in stages
    index = store.load(workspace.index_dir, fake_encoder.model_id)
    assert index.manifest.collection["datastrategie-scan.pdf"]["recognised"] == 3
    hits = Retriever(index, fake_encoder).search("peilbuizen grondwater meetnet", k=3, document="datastrategie-scan.pdf")
    assert hits[0].chunk.section == "Grondwatermeetnet" and hits[0].chunk.page == 2
    # The page's collection view and source cards say the text came from a scan.
    from app import collection_markdown, sources_html

    assert "| PDF (tekst herkend uit scan) |" in collection_markdown(index.manifest)
    card = sources_html(None, tuple(hits), 1, scanned=frozenset({"datastrategie-scan.pdf"}))
    assert card.count("Tekst herkend uit een scan (OCR)") == len(hits)

    # Unchanged, the scan is not recognised again: its extraction is kept under its content hash.
    real = ocr.recognise
    count = []
    monkeypatch.setattr(ocr, "recognise", lambda *a, **k: count.append(1) or real(*a, **k))
    build(workspace, fake_encoder)
    assert count == []


def test_a_scan_recognised_too_uncertainly_is_skipped_by_name_with_the_reason(
    workspace, fake_encoder, scanned_report, monkeypatch
):
    monkeypatch.setattr(ocr, "MIN_CONFIDENCE", 99.9)  # no real page is read this surely
    one = workspace.data_dir / "onzeker.pdf"
    one.write_bytes(scan_of(FIXTURES / "datastrategie.pdf", pages=[0]))
    with pytest.raises(
        Unreadable,
        match=r"^is a scan whose text could not be used: page 1: text recognised from its scan too uncertain \(\d+% < 100%\)$",
    ):
        read(one, one.read_bytes())
    report = build(workspace, fake_encoder)
    assert report.skipped["onzeker.pdf"].startswith("is a scan whose text could not be used: page 1: text recognised")
    assert report.documents == 1


def half_scanned(tmp_path):
    """A PDF whose first page has its text layer and whose second is a scan."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(str(FIXTURES / "datastrategie.pdf")).pages[0])
    writer.add_page(PdfReader(io.BytesIO(scan_of(FIXTURES / "datastrategie.pdf", pages=[2]))).pages[0])
    path = tmp_path / "half.pdf"
    with open(path, "wb") as f:
        writer.write(f)
    return path


def test_only_the_pages_without_text_are_recognised(tmp_path):
    path = half_scanned(tmp_path)
    source = read(path, path.read_bytes())
    assert source.recognised == (2,)
    assert "Uitgangspunten" in source.pages[0] and "twintig jaar bewaard" in source.pages[1]


def test_without_tesseract_a_scan_is_skipped_with_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: "install Tesseract (Debian: apt-get install tesseract-ocr)")
    path = tmp_path / "scan.pdf"
    path.write_bytes(scan_of(FIXTURES / "datastrategie.pdf", pages=[0]))
    with pytest.raises(
        Unreadable, match=r"^has pages without a text layer \(scanned images\?\); to recognise them, install Tesseract"
    ):
        read(path, path.read_bytes())


def test_without_tesseract_the_text_pages_of_a_half_scanned_pdf_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: "install Tesseract")
    path = half_scanned(tmp_path)
    source = read(path, path.read_bytes())
    assert source.recognised == () and source.notes == ("page 2: no text layer; to recognise them, install Tesseract",)
    assert "Uitgangspunten" in source.text
