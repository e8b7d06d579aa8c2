"""Known-answer searches with the real model on the bundled booklet (questions written for
these tests, not taken from the eval set), and the CLI contract."""

import json

import pytest

from rag import cli
from rag.embed import load_encoder
from rag.retrieve import Retriever
from rag.store import load

pytestmark = pytest.mark.real_model

KNOWN = [
    ("Waarom is de cloud niet altijd de oplossing voor de datacenters van de overheid?", ("Bob van Graft",), 2),
    ("Achter welke voorziening zou een beveiligde datakluis met de informatie van burgers komen?", ("Perry van der Weijden",), 2),
    ("Waarom moeten alle gemeenten op een gelijke manier werken met Common Ground?", ("Hawre Rahimi",), 2),
    (
        "Why should new government ICT systems be launched in phases?",
        ("Onno Eric Blom", "Alexander Klöpping", "Edial Dekker"),
        5,
    ),
    ("Wanneer verkoopt een softwarebedrijf knollen voor citroenen?", ("Bram Klievink",), 1),
]


@pytest.fixture(scope="module")
def retriever(real_settings):
    encoder = load_encoder(real_settings)
    return Retriever(load(real_settings.index_dir, encoder.model_id), encoder)


@pytest.mark.parametrize("question,experts,advice", KNOWN)
def test_known_answers_rank_first_or_second(retriever, question, experts, advice):
    hits = retriever.search(question, k=5)
    top = [(h.chunk.experts, h.chunk.advice) for h in hits[:2]]
    assert (experts, advice) in top, top


def _run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_search_json_contract(real_settings, capsys):
    query = "internet met boekenwinkels maar geen bibliotheken"
    code, out, err = _run(capsys, "search", query, "--k", "3", "--json", "--index", str(real_settings.index_dir))
    assert code == 0, err
    data = json.loads(out)
    assert data["query"] == query and len(data["hits"]) == 3
    hit = data["hits"][0]
    assert set(hit) >= {"rank", "score", "chunk_id", "document", "theme", "experts", "advice", "advice_title", "text"}
    assert hit["rank"] == 1 and hit["experts"] == ["Rudy van Belkom"] and hit["advice"] == 4


def test_cli_search_expert_filter_and_batch(real_settings, capsys, tmp_path):
    code, out, _ = _run(capsys, "search", "data", "--expert", "Stoeltinga", "--json", "--index", str(real_settings.index_dir))
    assert code == 0 and all(h["experts"] == ["Mariëlle Stoelinga", "John Waser"] for h in json.loads(out)["hits"])
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "a", "question": "digitale publieke ruimte"}\n{"id": "b", "question": "hackathon"}\n', encoding="utf-8"
    )
    results = tmp_path / "hits.jsonl"
    code, _, err = _run(
        capsys, "search", "--input", str(questions), "--output", str(results), "--k", "2", "--index", str(real_settings.index_dir)
    )
    assert code == 0, err
    rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"] and all(len(r["hits"]) == 2 for r in rows)


def test_cli_info_and_errors(real_settings, capsys, tmp_path):
    code, out, _ = _run(capsys, "info", "--json", "--index", str(real_settings.index_dir), "--data", str(real_settings.data_dir))
    info = json.loads(out)
    assert code == 0 and info["up_to_date"] and info["advices"] == 65
    code, _, err = _run(capsys, "search", "x", "--index", str(tmp_path / "none"))
    assert code == 1 and err.count("\n") == 1 and "rag build" in err and "Traceback" not in err
    code, _, err = _run(capsys, "search", "x", "--expert", "Jansen", "--index", str(real_settings.index_dir))
    assert code == 1 and "no expert named 'Jansen'" in err
    with pytest.raises(SystemExit) as bad:
        cli.main(["search", "--k", "notanumber"])
    assert bad.value.code == 2


def test_cli_build_json_contract(real_settings, capsys, tmp_path):
    index = tmp_path / "index"
    code, out, err = _run(capsys, "build", "--json", "--data", str(real_settings.data_dir), "--index", str(index))
    assert code == 0, err
    report = json.loads(out)
    for key in (
        "documents",
        "contributions",
        "experts",
        "advices",
        "chunks",
        "embedded",
        "reused",
        "removed",
        "seconds",
        "embedding_model",
        "index_dir",
    ):
        assert key in report
    assert (report["contributions"], report["experts"], report["advices"]) == (16, 20, 65)
    code, out, _ = _run(capsys, "build", "--json", "--data", str(real_settings.data_dir), "--index", str(index))
    again = json.loads(out)
    assert again["embedded"] == 0 and again["reused"] == again["chunks"]
