"""Build -> store -> load -> search with a fake encoder; incremental builds and index faults."""

import json
from dataclasses import replace

import numpy as np
import pytest

from rag import store
from rag.build import build, read_corpus, staleness
from rag.chunk import chunk_sentences
from rag.errors import BuildLockedError, CorpusError, IndexCorruptError, IndexMismatchError, IndexMissingError
from rag.retrieve import Retriever


def _retriever(settings, encoder):
    return Retriever(store.load(settings.index_dir, encoder.model_id), encoder)


def test_build_counts_and_round_trip(workspace, fake_encoder):
    report = build(workspace, fake_encoder)
    assert (report.documents, report.contributions, report.experts, report.advices) == (1, 16, 20, 65)
    assert report.embedded == report.chunks and report.reused == 0
    loaded = store.load(workspace.index_dir, fake_encoder.model_id)
    assert len(loaded.chunks) == report.chunks == loaded.vectors.shape[0]
    # Saved vectors are exactly what the encoder gives for the embed texts.
    again = fake_encoder.encode([c.embed_text for c in loaded.chunks], "passage")
    assert np.allclose(again, loaded.vectors)
    # Each chunk's sentences are stored with their own vectors, in order.
    for c in loaded.chunks:
        texts, vectors = loaded.sentences_of(c)
        assert list(texts) == chunk_sentences(c.text)
        assert np.allclose(vectors, fake_encoder.encode(list(texts), "passage"))
    hits = Retriever(loaded, fake_encoder).search("internet boekenwinkels bibliotheken publieke ruimte", k=3)
    assert (hits[0].chunk.experts, hits[0].chunk.advice) == (("Rudy van Belkom",), 4)
    assert [h.rank for h in hits] == [1, 2, 3]


def test_search_groups_by_advice_and_filters_by_expert(workspace, fake_encoder):
    build(workspace, fake_encoder)
    r = _retriever(workspace, fake_encoder)
    hits = r.search("energietransitie bouwstenen data", k=5)
    keys = [h.chunk.advice_key for h in hits]
    assert len(keys) == len(set(keys))
    for h in hits:
        assert all(c.advice_key == h.chunk.advice_key for c in h.context)
    only = r.search("data", k=5, experts=r.resolve_experts("hoff"))
    assert only and all(h.chunk.experts == ("Martin Hoff",) for h in only)


def test_named_expert_comes_first(workspace, fake_encoder):
    build(workspace, fake_encoder)
    hits = _retriever(workspace, fake_encoder).search("Wat zegt Hawre Rahimi over de begroting?", k=5)
    assert hits[0].chunk.experts == ("Hawre Rahimi",)


def test_incremental_build_embeds_only_the_edited_advice(workspace, fake_encoder):
    first = build(workspace, fake_encoder)
    doc = next(workspace.data_dir.glob("*.md"))
    doc.write_text(doc.read_text(encoding="utf-8").replace("maar geen bibliotheken", "maar geen musea"), encoding="utf-8")
    before = fake_encoder.embedded
    second = build(workspace, fake_encoder)
    assert second.chunks == first.chunks
    assert 1 <= second.embedded <= 3
    # the edited chunk(s) and the one edited sentence; everything else comes from the previous version
    assert fake_encoder.embedded - before == second.embedded + 1
    assert second.reused == second.chunks - second.embedded
    assert second.changes.advices_changed == ["Rudy van Belkom: advies 4 (Ontwikkel een online publieke ruimte)"]
    texts = " ".join(c.text for c in store.load(workspace.index_dir).chunks)
    assert "geen musea" in texts and "geen bibliotheken" not in texts


def test_full_build_embeds_everything_again(workspace, fake_encoder):
    build(workspace, fake_encoder)
    report = build(workspace, fake_encoder, full=True)
    assert report.embedded == report.chunks and report.reused == 0


def test_deleted_advice_is_gone_and_reported(workspace, fake_encoder):
    build(workspace, fake_encoder)
    doc = next(workspace.data_dir.glob("*.md"))
    text = doc.read_text(encoding="utf-8")
    start = text.index("### 5 Prioriteer digitalisering en verhoog budgetten")
    end = text.index("# Britt Hoppenbrouwers")
    doc.write_text(text[:start] + text[end:], encoding="utf-8")
    report = build(workspace, fake_encoder)
    assert report.advices == 64 and report.removed >= 1
    assert any("Rudy van Belkom: advies 5" in a for a in report.changes.advices_removed)
    assert any("advice 5" in w for w in report.warnings)  # the TOC still lists it
    chunks = store.load(workspace.index_dir).chunks
    assert not any(c.experts == ("Rudy van Belkom",) and c.advice == 5 for c in chunks)


def test_new_plain_document_is_indexed_and_cited_by_section(workspace, fake_encoder):
    build(workspace, fake_encoder)
    (workspace.data_dir / "notities.md").write_text(
        "# Notities\n\n## Quantumcomputers\n\nQuantumcomputers breken oude encryptie.\n", encoding="utf-8"
    )
    report = build(workspace, fake_encoder)
    assert report.documents == 2 and report.changes.documents_added == ["notities.md"]
    hits = _retriever(workspace, fake_encoder).search("quantumcomputers encryptie", k=1)
    assert hits[0].chunk.document == "notities.md" and hits[0].chunk.section == "Quantumcomputers"
    assert hits[0].to_dict()["experts"] == [] and hits[0].to_dict()["section"] == "Quantumcomputers"


def test_malformed_files_are_skipped_by_name(workspace, fake_encoder):
    (workspace.data_dir / "leeg.md").write_text("   \n", encoding="utf-8")
    (workspace.data_dir / "kapot.md").write_bytes(b"\xff\xfe\x00binary")
    report = build(workspace, fake_encoder)
    assert set(report.skipped) == {"leeg.md", "kapot.md"}
    assert report.documents == 1 and report.advices == 65


def test_empty_corpus_is_a_clear_error_and_keeps_the_index(workspace, fake_encoder, tmp_path):
    build(workspace, fake_encoder)
    version = store.current_version(workspace.index_dir)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CorpusError, match="no usable"):
        build(replace(workspace, data_dir=empty), fake_encoder)
    assert store.current_version(workspace.index_dir) == version
    with pytest.raises(CorpusError, match="does not exist"):
        read_corpus(tmp_path / "nope")


def test_missing_index(workspace):
    with pytest.raises(IndexMissingError, match="rag build"):
        store.load(workspace.index_dir)


def test_corrupt_index_file_is_refused(workspace, fake_encoder):
    build(workspace, fake_encoder)
    version = store.current_version(workspace.index_dir)
    vectors = workspace.index_dir / version / "vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:-100])
    with pytest.raises(IndexCorruptError, match="vectors.npy"):
        store.load(workspace.index_dir)


def test_unreadable_manifest_is_refused(workspace, fake_encoder):
    build(workspace, fake_encoder)
    version = store.current_version(workspace.index_dir)
    (workspace.index_dir / version / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="unreadable"):
        store.load(workspace.index_dir)


def test_model_and_format_mismatch_is_refused(workspace, fake_encoder):
    build(workspace, fake_encoder)
    with pytest.raises(IndexMismatchError, match="fake-hash-64"):
        store.load(workspace.index_dir, embedding_model="another-model")
    with pytest.raises(IndexMismatchError, match="64-dimensional"):
        store.load(workspace.index_dir, dimension=384)
    version = store.current_version(workspace.index_dir)
    path = workspace.index_dir / version / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, "format_version": 999}), encoding="utf-8")
    assert not store.outdated_format(workspace.index_dir)  # newer, not older: no automatic rebuild
    with pytest.raises(IndexMismatchError, match="format 999"):
        store.load(workspace.index_dir)


def test_second_build_is_refused_while_locked(workspace, fake_encoder):
    with store.build_lock(workspace.index_dir):
        with pytest.raises(BuildLockedError, match="another build"):
            build(workspace, fake_encoder)


def test_new_version_replaces_old_and_old_versions_are_cleaned(workspace, fake_encoder):
    versions = []
    for _ in range(4):
        build(workspace, fake_encoder, full=True)
        versions.append(store.current_version(workspace.index_dir))
    assert len(set(versions)) == 4
    on_disk = sorted(p.name for p in workspace.index_dir.glob("v*"))
    assert on_disk == sorted(versions[-store.KEEP_VERSIONS :])


def test_staleness(workspace, fake_encoder):
    build(workspace, fake_encoder)
    _, manifest = store.read_manifest(workspace.index_dir)
    assert staleness(workspace, manifest).up_to_date
    (workspace.data_dir / "nieuw.md").write_text("# Nieuw\n\nTekst.\n", encoding="utf-8")
    stale = staleness(workspace, manifest)
    assert not stale.up_to_date and stale.added == ["nieuw.md"]


def test_build_never_modifies_the_corpus(workspace, fake_encoder):
    before = {p.name: p.read_bytes() for p in workspace.data_dir.iterdir()}
    build(workspace, fake_encoder)
    assert {p.name: p.read_bytes() for p in workspace.data_dir.iterdir()} == before


def test_settings_from_environment():
    from pathlib import Path

    from rag.errors import RagError
    from rag.settings import Settings

    s = Settings.from_env(
        {"RAG_INDEX_DIR": "/tmp/x", "RAG_CHUNK_WORDS": "90", "RAG_FUSION_WEIGHT": "0.3", "RAG_GENERATOR": "extractive"}
    )
    assert (s.index_dir, s.chunk_words, s.fusion_weight, s.generator) == (Path("/tmp/x"), 90, 0.3, "extractive")
    with pytest.raises(RagError, match="RAG_CHUNK_WORDS='veel' is not a valid int"):
        Settings.from_env({"RAG_CHUNK_WORDS": "veel"})


def test_a_chunk_matches_as_well_as_its_best_sentence(workspace, fake_encoder):
    build(workspace, fake_encoder)
    loaded = store.load(workspace.index_dir, fake_encoder.model_id)
    row, chunk = max(enumerate(loaded.chunks), key=lambda rc: len(chunk_sentences(rc[1].text)))
    deep = chunk_sentences(chunk.text)[-1]  # one sentence of many: diluted in the chunk's own vector
    scored = Retriever(loaded, fake_encoder).score(deep)
    assert float(loaded.vectors[row] @ fake_encoder.encode([deep], "query")[0]) < 0.9
    assert scored.dense[row] == pytest.approx(1.0, abs=1e-5)


def test_index_of_an_older_format_is_rebuilt_not_reused(workspace, fake_encoder):
    build(workspace, fake_encoder)
    version = store.current_version(workspace.index_dir)
    path = workspace.index_dir / version / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, "format_version": 1}), encoding="utf-8")
    assert store.outdated_format(workspace.index_dir)
    with pytest.raises(IndexMismatchError, match="format 1"):
        store.load(workspace.index_dir)
    report = build(workspace, fake_encoder)  # what the app does at start for an older format
    assert report.embedded == report.chunks and any("not reused" in w for w in report.warnings)
    assert not store.outdated_format(workspace.index_dir) and store.load(workspace.index_dir).sentences


def test_a_pointer_out_of_the_index_is_refused_and_a_full_build_recovers(workspace, fake_encoder, tmp_path):
    build(workspace, fake_encoder)
    outside = workspace.index_dir.parent / "outside"
    outside.mkdir()
    (outside / "manifest.json").write_text("{not json", encoding="utf-8")  # would give another error if read
    (workspace.index_dir / "CURRENT").write_text("../outside\n", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="not a version of this index.*rag build --full"):
        store.load(workspace.index_dir)
    report = build(workspace, fake_encoder, full=True)
    assert any("previous index not reused" in w for w in report.warnings)
    assert store.load(workspace.index_dir).manifest.counts["advices"] == 65
    assert (outside / "manifest.json").exists()  # nothing outside the index is touched


def test_a_version_replaced_by_a_file_is_named_and_a_full_build_recovers(workspace, fake_encoder):
    build(workspace, fake_encoder)
    version = store.current_version(workspace.index_dir)
    store_dir = workspace.index_dir / version
    import shutil

    shutil.rmtree(store_dir)
    store_dir.write_text("not a directory", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="is a file"):
        store.load(workspace.index_dir)
    report = build(workspace, fake_encoder, full=True)
    assert store.load(workspace.index_dir).manifest.counts["chunks"] > 0
    # The damaged version is moved aside under a name that says so, never deleted.
    aside = [p for p in workspace.index_dir.iterdir() if p.name.startswith(f"damaged-{version}-")]
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8") == "not a directory" and not store_dir.exists()
    assert any("moved aside" in w for w in report.warnings)


def test_an_index_directory_that_is_a_file_is_named_and_a_full_build_moves_it_aside(workspace, fake_encoder):
    workspace.index_dir.write_text("I am a file", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="is a file, not an index directory"):
        store.load(workspace.index_dir)
    with pytest.raises(IndexCorruptError, match="is a file, not an index directory"):
        build(workspace, fake_encoder)  # an incremental build leaves it alone
    assert workspace.index_dir.read_text(encoding="utf-8") == "I am a file"
    report = build(workspace, fake_encoder, full=True)
    assert store.load(workspace.index_dir).manifest.counts["advices"] == 65
    aside = list(workspace.index_dir.parent.glob(f"damaged-{workspace.index_dir.name}-*"))
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8") == "I am a file"
    assert any("moved aside" in w for w in report.warnings)


@pytest.mark.parametrize(
    "manifest,named",
    [
        ("[1, 2, 3]", "a JSON list, not an object"),
        ('"just a string"', "a JSON str, not an object"),
        ('{"format_version": "2", "embedding_model": "m", "dimension": 64}', "'format_version' should be int"),
        ('{"format_version": 2, "embedding_model": "m", "dimension": 64, "files": []}', "'files' should be dict"),
    ],
)
def test_a_manifest_of_the_wrong_shape_or_types_is_named_and_a_full_build_recovers(workspace, fake_encoder, manifest, named):
    build(workspace, fake_encoder)
    path = workspace.index_dir / store.current_version(workspace.index_dir) / "manifest.json"
    path.write_text(manifest, encoding="utf-8")
    with pytest.raises(IndexCorruptError, match=named):
        store.load(workspace.index_dir)
    build(workspace, fake_encoder, full=True)
    assert store.load(workspace.index_dir).manifest.counts["advices"] == 65
    aside = list(workspace.index_dir.glob("damaged-v*"))
    assert len(aside) == 1 and (aside[0] / "manifest.json").read_text(encoding="utf-8") == manifest
    for _ in range(3):  # later builds clean up old versions, never the one set aside
        build(workspace, fake_encoder, full=True)
    assert aside[0].exists()


def test_rag_info_verifies_the_index_and_exits_1_on_damage(workspace, fake_encoder, monkeypatch, capsys):
    from rag import cli

    build(workspace, fake_encoder)
    monkeypatch.setenv("RAG_DATA_DIR", str(workspace.data_dir))
    monkeypatch.setenv("RAG_CALIBRATION_FILE", str(workspace.calibration_file))
    assert cli.main(["info", "--index", str(workspace.index_dir)]) == 0
    vectors = workspace.index_dir / store.current_version(workspace.index_dir) / "vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:100])  # truncated
    assert cli.main(["info", "--index", str(workspace.index_dir)]) == 1
    assert "missing or damaged" in capsys.readouterr().err


def test_a_large_corpus_gets_approximate_indexes_with_the_same_results(workspace, fake_encoder, tmp_path):
    """Above the size threshold chunk and sentence vectors go into HNSW indexes, recorded in the
    manifest and checked on load; on the booklet (forced with a threshold of 1) the top advices
    are those of exact search."""
    from rag.retrieve import Retriever

    build(workspace, fake_encoder)
    exact = Retriever(store.load(workspace.index_dir), fake_encoder)
    approx_settings = replace(workspace, index_dir=tmp_path / "ann-index", ann_min_sentences=1)
    build(approx_settings, fake_encoder)
    loaded = store.load(approx_settings.index_dir)
    assert loaded.manifest.ann["type"] == "hnsw" and loaded.sentence_ann is not None
    assert store.load(workspace.index_dir).manifest.ann == {"type": "flat"}
    approximate = Retriever(loaded, fake_encoder)
    for query in ("cloud en datacenters", "algoritmeregister toeslagenaffaire", "scholen Chrome-books big tech"):
        assert [h.chunk.advice_key for h in approximate.search(query, k=5)] == [
            h.chunk.advice_key for h in exact.search(query, k=5)
        ]
    # An incremental build keeps the approximate indexes.
    build(approx_settings, fake_encoder)
    assert store.load(approx_settings.index_dir).manifest.ann["type"] == "hnsw"


def test_a_vector_index_that_is_not_what_the_manifest_says_is_refused(workspace, fake_encoder):
    build(replace(workspace, ann_min_sentences=1), fake_encoder)
    path = workspace.index_dir / store.current_version(workspace.index_dir) / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, "ann": {"type": "flat"}}), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="hnsw index, the manifest says flat"):
        store.load(workspace.index_dir)


def test_grouping_orders_only_the_best_chunks_on_a_large_corpus_and_all_when_filtered():
    import numpy as np

    from rag.retrieve import _best_first

    scores = np.array([0.1, 0.9, 0.5, 0.9, 0.3, 0.7], dtype=np.float32)
    assert list(_best_first(scores, 3)) == [1, 3, 5]  # ties in index order, as a stable sort
    assert list(_best_first(scores, 10)) == list(np.argsort(-scores, kind="stable"))


def test_an_english_question_ranks_dutch_chunks_on_meaning_alone(workspace, fake_encoder):
    """BM25 counts only in chunks of the query's language: English words matched in Dutch text are chance."""
    (workspace.data_dir / "notes.md").write_text(
        "# Notes\n\n## Cloud\n\nThe cloud is where the data of the government is kept and used.\n", encoding="utf-8"
    )
    build(workspace, fake_encoder)
    retriever = _retriever(workspace, fake_encoder)
    query = "What does the government do with data in the cloud?"
    q = retriever.prepare(query)
    assert q.lang == "en"
    scored = retriever.score(q.text, q.vector, q.lang)
    chunks = retriever.index.chunks
    dutch = np.array([c.document != "notes.md" for c in chunks])
    assert scored.bm25[dutch].max() > 0  # "data", "cloud" occur in the booklet ...
    dense = scored.dense.astype(np.float64)
    share = (1 - retriever.weight) * (dense - dense.min()) / (dense.max() - dense.min())
    assert scored.fused[dutch] == pytest.approx(share[dutch])  # ... and do not count there
    assert (scored.fused[~dutch] > share[~dutch]).all()  # the English document's words do
    same = retriever.score(q.text, q.vector)  # no language given: both scores everywhere
    assert (same.fused[dutch] > share[dutch]).any()


def test_a_named_document_comes_first(workspace, fake_encoder):
    # Two made-up guideline pages whose texts share their words: the question's "de privacyrichtlijn"
    # decides, as "Wat zegt Hawre Rahimi …" does for an expert.
    (workspace.data_dir / "richtlijn-07-privacy.md").write_text(
        "# 7. Maak privacy integraal\n\n## Praktische tips\n\nVerwijder persoonsgegevens na afloop van een privacyproject.\n",
        encoding="utf-8",
    )
    (workspace.data_dir / "richtlijn-10-data.md").write_text(
        "# 10. Maak beter gebruik van data\n\n## Praktische tips\n\nBewaar gegevens zo dat anderen gegevens vinden; bewaar "
        "gegevens over privacy apart.\n",
        encoding="utf-8",
    )
    build(workspace, fake_encoder)
    r = _retriever(workspace, fake_encoder)
    for question, document in [
        ("Hoe bewaar je gegevens volgens de privacyrichtlijn?", "richtlijn-07-privacy.md"),
        ("Wat zegt richtlijn 10 over privacy?", "richtlijn-10-data.md"),
    ]:
        hits = r.search(question, k=3)
        assert hits[0].chunk.document == document, question
        assert len(hits) == 3  # the other places go to the rest of the collection
