"""The page's handlers without a browser: fake encoder, scripted generator, tmp index."""

import re
import urllib.parse

import gradio as gr
import pytest
from conftest import Copying

import app
from rag.build import build


@pytest.fixture
def service(workspace, fake_encoder):
    build(workspace, fake_encoder)
    return app.ChatService(workspace, fake_encoder, Copying())


def _content(message) -> str:
    return app._plain(message["content"])


def test_chat_streams_passages_first_then_the_checked_answer(service):
    steps = list(service.chat("Wat mist Rudy van Belkom op het internet, dat wel boekenwinkels heeft?", []))
    first_sources = next(s for _, s in steps if isinstance(s, str) and "source-card" in s)
    assert "Gevonden passages" in first_sources  # shown before the answer exists
    history, sources = steps[-1]
    assert [m["role"] for m in history] == ["user", "assistant"]
    answer = _content(history[-1])
    assert re.search(r"\[\[1\]\]\(#bron-1-1\)", answer) and "**Bronnen**" in answer
    assert 'id="bron-1-1"' in sources and "<mark>" in sources and "Rudy van Belkom" in sources


def test_follow_up_keeps_the_conversation(service):
    history, _ = list(service.chat("Wat zegt Rudy van Belkom over toezicht?", []))[-1]
    history2, sources = list(service.chat("En over budgetten?", history))[-1]
    assert len(history2) == 4 and "Rudy van Belkom" in sources


def test_gradio6_message_parts_are_read_as_text():
    assert app._plain([{"type": "text", "text": "Wat zegt Stikker?"}]) == "Wat zegt Stikker?"
    assert app._plain("plain") == "plain"


def test_empty_question_warns_and_changes_nothing(service):
    with pytest.warns(UserWarning, match="Stel een vraag over de bundel"):  # the collection is the booklet
        steps = list(service.chat("   ", [{"role": "user", "content": "eerder"}]))
    assert steps[-1][0] == [{"role": "user", "content": "eerder"}]


def test_corpus_and_user_text_is_escaped(service, workspace):
    from rag.types import Chunk

    evil = Chunk(
        "x",
        "d.md",
        "<script>alert(1)</script> tekst",
        "",
        experts=("<b>X</b>",),
        advice=1,
        advice_title="<img src=x onerror=alert(1)>",
    )
    card = app._card(evil, "bron-1-1", "[1]", "<script>alert(1)</script> tekst")
    assert "<script>" not in card and "<img" not in card and "&lt;script&gt;" in card
    steps = list(service.chat("<img src=x onerror=alert(1)> Wat zegt Van Graft over de cloud?", []))
    assert all("<img" not in s for _, s in steps if isinstance(s, str))


def test_filters_restrict_the_sources(service):
    experts, themes, _ = service.choices()
    assert "Martin Hoff" in experts and "Centrale regie" in themes
    _, sources = list(service.chat("Wat is belangrijk voor data?", [], app.Filters(expert="Martin Hoff")))[-1]
    names = set(re.findall(r"<h3>(?:\[\d+\] )?([^—<]+) —", sources))
    assert {n.strip() for n in names} == {"Martin Hoff"}


def test_status_and_rebuild_report_changes(service, workspace):
    assert "Bijgewerkt" in service.status()
    doc = next(workspace.data_dir.glob("*.md"))
    doc.write_text(doc.read_text(encoding="utf-8").replace("maar geen bibliotheken", "maar geen musea"), encoding="utf-8")
    assert "Niet bijgewerkt" in service.status()
    report, status = service.rebuild("")
    assert "Adviezen gewijzigd: Rudy van Belkom: advies 4" in report and "Bijgewerkt" in status
    _, sources = list(service.chat("Mist Van Belkom musea op het internet, dat wel boekenwinkels heeft?", []))[-1]
    assert "geen musea" in sources  # served from the new index without a restart


def test_rebuild_needs_the_password_when_set_or_not_local(service, monkeypatch):
    service.admin_password = "geheim"
    with pytest.raises(gr.Error, match="Onjuist"):
        service.rebuild("fout")
    assert "Klaar" in service.rebuild("geheim")[0]
    service.admin_password = ""
    service.host = "0.0.0.0"
    with pytest.raises(gr.Error, match="RAG_ADMIN_PASSWORD"):
        service.rebuild("")


def test_broken_index_is_a_page_error(service, workspace):
    from rag import store

    version = store.current_version(workspace.index_dir)
    (workspace.index_dir / version / "vectors.npy").write_bytes(b"kapot")
    service.pipeline.index._snapshot = None
    with pytest.raises(gr.Error, match="damaged"):
        list(service.chat("Wat zegt Homburg?", []))
    assert "niet bruikbaar" not in service.status()  # the manifest itself is readable


def test_build_app_exposes_chat(service):
    demo = app.build_app(service)
    names = [d.get("api_name") for d in demo.config["dependencies"]]
    assert "chat" in names


@pytest.mark.real_model
def test_the_page_refuses_to_start_on_a_damaged_index_with_one_clear_line(real_settings, tmp_path, monkeypatch, capsys):
    import shutil

    index = tmp_path / "index"
    shutil.copytree(real_settings.index_dir, index)
    version = index / (index / "CURRENT").read_text(encoding="utf-8").strip()
    largest = max((p for p in version.iterdir() if p.is_file()), key=lambda p: p.stat().st_size)
    largest.write_bytes(largest.read_bytes()[: largest.stat().st_size // 2])  # truncated
    monkeypatch.setenv("RAG_DATA_DIR", str(real_settings.data_dir))
    assert app.main(["--index", str(index)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("app: ") and "\n" not in err and "rag build --full" in err


@pytest.fixture
def mixed_service(workspace, fake_encoder):
    import shutil
    from pathlib import Path

    fixtures = Path(__file__).resolve().parent / "fixtures"
    for name in ("datastrategie.pdf", "encrypted.pdf"):
        shutil.copy(fixtures / name, workspace.data_dir / name)
    (workspace.data_dir / "notitie <b>.md").write_text("# Notitie | test\n\nEen notitie over peilbuizen.\n", encoding="utf-8")
    build(workspace, fake_encoder)
    return app.ChatService(workspace, fake_encoder, Copying())


def test_a_pdf_source_card_shows_its_page_and_links_the_file_at_that_page(mixed_service, workspace):
    _, _, documents = mixed_service.choices()
    assert "datastrategie.pdf" in documents
    history, sources = list(
        mixed_service.chat("Hoeveel peilbuizen telt het grondwatermeetnet?", [], app.Filters(document="datastrategie.pdf"))
    )[-1]
    assert "datastrategie.pdf — Grondwatermeetnet (p. 2)" in sources
    target = (workspace.data_dir / "datastrategie.pdf").resolve()
    assert f'href="gradio_api/file={target}#page=2"' in sources and "Open datastrategie.pdf op pagina 2" in sources
    assert "Datastrategie van de provincie" in sources  # the document's own title
    assert set(re.findall(r"<h3>(?:\[\d+\] )?([^—<]+) —", sources)) == {"datastrategie.pdf"}
    assert "Grondwatermeetnet, p. 2" in _content(history[-1])


def test_the_collection_lists_documents_with_their_size_and_what_was_skipped(mixed_service):
    text = mixed_service.collection()
    assert "**3 document(en) in de index**" in text
    assert "| Datastrategie van de provincie (`datastrategie.pdf`) | PDF | 4 secties | 3 |" in text
    assert "65 adviezen van 20 experts" in text
    assert "- `encrypted.pdf`: is encrypted (password-protected); save a copy without the password" in text
    # Names and titles from the corpus are escaped and cannot break the table.
    assert "<b>" not in text and "Notitie &#124; test" in text


def test_every_passage_has_a_link_that_names_it_and_its_advice(service):
    chunks = service.chunks()
    for c in chunks:
        params = dict(urllib.parse.parse_qsl(app.passage_link(c).lstrip("?")))
        found = app.linked_passages(chunks, params)
        assert c in found and all(app.passage_params(f) == app.passage_params(c) for f in found)
    advice = next(c for c in chunks if c.experts == ("Rudy van Belkom",) and c.advice == 4)
    assert app.passage_params(advice) == {"bron": advice.document, "expert": "Rudy van Belkom", "advies": "4"}
    foreword = next(c for c in chunks if not c.experts)
    assert app.passage_params(foreword) == {"bron": foreword.document, "sectie": foreword.section}
    shown = service.shared_passage({"bron": advice.document, "expert": "Rudy van Belkom", "advies": "4"})
    assert "Gedeelde passage" in shown and "boekenwinkels" in shown and "advies 4" in shown
    assert "niet (meer) in de index" in service.shared_passage(
        {"bron": advice.document, "expert": "Rudy van Belkom", "advies": "99"}
    )
    assert "niet (meer) in de index" in service.shared_passage({"bron": "<script>.md", "sectie": "x"})


def test_an_answer_carries_a_link_that_answers_it_again_in_its_conversation(service):
    history, _ = list(service.chat("Wat zegt Rudy van Belkom over toezicht?", []))[-1]
    history, _ = list(service.chat("En over budgetten?", history))[-1]
    link = re.search(r"\[Link naar dit antwoord\]\(([^)]+)\)", _content(history[-1])).group(1)
    params = urllib.parse.parse_qs(link.lstrip("?"))
    assert params == {"q": ["En over budgetten?"], "na": ["Wat zegt Rudy van Belkom over toezicht?"]}
    opened, sources = list(service.from_link([], None, {"q": params["q"][0], "na": params["na"]}))[-1]
    assert [m["role"] for m in opened] == ["user", "assistant"] and "Rudy van Belkom" in sources
    assert _content(opened[-1]).split("[Link naar")[0] == _content(history[-1]).split("[Link naar")[0].replace(
        "bron-2-", "bron-1-"
    )
    assert list(service.from_link([], None, {})) == [(gr.skip(), gr.skip())]
