"""Chunking along the structure."""

from rag.chunk import ChunkParams, chunk_document, pack, section_prefix, split_sentences
from rag.parse import parse_document
from rag.types import Advice, Contribution, Expert, ParsedDocument


def _doc(text: str) -> ParsedDocument:
    c = Contribution(
        1, "Thema", "Titel", (Expert("Anna de Vries", "hoogleraar"),), (Advice(1, "Eerste", text), Advice(2, "Tweede", "Kort."))
    )
    return ParsedDocument("d.md", "Bundel", (c,))


def test_split_sentences_keeps_bullets_apart():
    assert split_sentences("Een zin. Nog een zin!\n- punt één\n- punt twee") == [
        "Een zin.",
        "Nog een zin!",
        "- punt één",
        "- punt twee",
    ]


def test_short_advice_is_one_chunk_and_long_advice_is_split_with_overlap():
    params = ChunkParams(max_words=30, overlap_sentences=1)
    assert pack("Een korte alinea.", params) == ["Een korte alinea."]
    long = " ".join(f"Zin nummer {i} heeft een paar woorden." for i in range(12))
    pieces = pack(long, params)
    assert len(pieces) > 1
    assert all(len(p.split()) <= 30 + 7 for p in pieces)
    for a, b in zip(pieces, pieces[1:]):
        assert b.startswith(split_sentences(a)[-1])  # one sentence of overlap


def test_chunks_never_span_advices_and_carry_structure():
    long = " ".join(f"Zin {i} over de digitale overheid." for i in range(60))
    chunks = chunk_document(_doc(long), ChunkParams(max_words=50))
    assert {c.advice for c in chunks} == {1, 2}
    assert all("Kort." not in c.text for c in chunks if c.advice == 1)
    first = chunks[0]
    assert first.experts == ("Anna de Vries",) and first.advice_title == "Eerste" and first.contribution_title == "Titel"
    assert first.embed_text.startswith("Anna de Vries (hoogleraar)\nTitel\nAdvies 1: Eerste\n\n")
    assert [c.part for c in chunks if c.advice == 1] == list(range(sum(c.advice == 1 for c in chunks)))


def test_chunk_ids_are_stable_and_follow_content():
    a = chunk_document(_doc("Tekst van het advies."), ChunkParams())
    b = chunk_document(_doc("Tekst van het advies."), ChunkParams())
    c = chunk_document(_doc("Andere tekst van het advies."), ChunkParams())
    assert [x.chunk_id for x in a] == [x.chunk_id for x in b]
    assert a[0].chunk_id != c[0].chunk_id and a[1].chunk_id == c[1].chunk_id
    assert len({x.chunk_id for x in a}) == len(a)


def test_bundled_booklet_chunks(booklet_text):
    chunks = chunk_document(parse_document("b.md", booklet_text), ChunkParams())
    advices = {(c.contribution, c.advice) for c in chunks if c.contribution and c.advice}
    assert len(advices) == 65
    assert all(len(c.text.split()) <= 160 + 40 for c in chunks)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    intro = [c for c in chunks if c.experts == ("Frauke Wessel",) and c.advice == 0]
    assert intro and "ChipSoft" in " ".join(c.text for c in intro)


def test_a_table_row_is_one_unit_and_a_long_table_is_split_between_rows():
    assert split_sentences("| OIN | Een nummer. Uniek per organisatie. |\nEen zin. Nog een.") == [
        "| OIN | Een nummer. Uniek per organisatie. |",
        "Een zin.",
        "Nog een.",
    ]
    rows = [f"| Begrip {i} | Een uitleg van begrip {i} in een paar woorden. Met een tweede zin. |" for i in range(30)]
    pieces = pack("\n".join(rows), ChunkParams(max_words=60, overlap_sentences=0))
    assert len(pieces) > 1 and all(len(p.split()) <= 60 for p in pieces)
    assert [line for p in pieces for line in p.split("\n")] == rows  # whole rows, each on its line, none lost


def test_a_page_title_is_not_repeated_as_the_title_of_its_first_section():
    text = "# Werk samen\n\nDeel code met andere overheden.\n\n## Waarom is het belangrijk?\n\nHet scheelt dubbel werk."
    chunks = chunk_document(parse_document("samen.md", text), ChunkParams())
    assert [c.embed_text for c in chunks] == [
        "Werk samen\n\nDeel code met andere overheden.",
        "Werk samen\nWaarom is het belangrijk?\n\nHet scheelt dubbel werk.",
    ]
    assert [c.section for c in chunks] == ["Werk samen", "Waarom is het belangrijk?"]
    assert section_prefix("Werk samen", "Werk samen") == "Werk samen"
