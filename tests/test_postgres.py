"""The index in a real PostgreSQL + pgvector (`tests/postgres_server.py`, no mock database):
building the booklet, incremental rebuilds, the same search results as the directory store,
manifest checks, the build lock, kill -9 during the write transaction, a stopped database and
a statement that would hang, and two page processes sharing one database."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

import gradio as gr
import numpy as np
import postgres_server
import psycopg
import pytest
from conftest import BOOKLET, Copying

import app
from rag import cli, pgstore, store
from rag.build import build
from rag.errors import BuildLockedError, IndexCorruptError, IndexMismatchError, IndexUnavailableError
from rag.live import LiveIndex
from rag.retrieve import Retriever
from rag.settings import Database, Settings

ROOT = Path(__file__).resolve().parents[1]

# Our own questions on the booklet (not from the eval sets).
QUESTIONS = [
    "Waarom is de cloud niet altijd de oplossing voor de overheid?",
    "Hoe kan de overheid burgers helpen die niet digitaal vaardig zijn?",
    "Wat moet een gemeente doen met Common Ground?",
    "Welke rol spelen algoritmes bij besluiten over burgers?",
    "Hoe koopt de overheid software in zonder afhankelijk te worden van één leverancier?",
    "Wat zeggen de experts over open source?",
    "Waarom moet de overheid voorzichtig zijn met chatbots?",
    "Hoe bescherm je de privacy van burgers bij datadeling?",
    "Wat is de rol van de CIO in een ministerie?",
    "Why should the government own its digital infrastructure?",
    "Hoe voorkom je dat grote ICT-projecten mislukken?",
    "Wat betekent digitale soevereiniteit voor Europa?",
]


def _database(server_url: str) -> Database:
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server_url, autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    return Database(server_url.rsplit("/", 1)[0] + "/" + name)


@contextlib.contextmanager
def _own_server():
    """A PostgreSQL of its own in a directory of its own (not pytest's temporary directories,
    which another pytest run on the machine may clean up while the server runs); its URL."""
    data = Path(tempfile.mkdtemp(prefix="rag-test-pg-"))
    try:
        url = postgres_server.start(data)
        pid = postgres_server.postmaster(data)
        try:
            postgres_server.wait_ready(url)
            yield data, url
        finally:
            postgres_server.stop(data, "immediate", pid)
    finally:
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    with _own_server() as (_, url):
        yield url


@pytest.fixture
def pg(workspace: Settings, pg_server: str) -> Settings:
    """The workspace with its index in a new, empty database of the shared test server."""
    return workspace.with_index(_database(pg_server).url)


def _top(index, encoder, k=5) -> list[list[str]]:
    retriever = Retriever(index, encoder)
    return [[h.chunk.chunk_id for h in retriever.search(q, k=k)] for q in QUESTIONS]


def test_the_booklet_builds_into_postgres_and_rebuilds_incrementally(pg, fake_encoder):
    first = build(pg, fake_encoder)
    assert (first.documents, first.contributions, first.experts, first.advices) == (1, 16, 20, 65)
    assert first.embedded == first.chunks > 100 and first.index_dir == pg.index_dir.url
    assert store.current_version(pg.index_dir) == first.version
    calls = fake_encoder.embedded
    second = build(pg, fake_encoder)
    assert (second.embedded, second.reused) == (0, first.chunks) and fake_encoder.embedded == calls  # nothing embedded again
    assert second.version != first.version and store.current_version(pg.index_dir) == second.version
    # One advice edited: only its chunks are embedded again, and the report names it.
    booklet = pg.data_dir / BOOKLET.name
    text = booklet.read_text(encoding="utf-8")
    booklet.write_text(text.replace("knollen voor citroenen", "appels voor peren", 1), encoding="utf-8")
    third = build(pg, fake_encoder)
    assert 0 < third.embedded < 5 and third.changes.advices_changed
    # Old versions are dropped after the switch: the live one and its predecessor remain.
    with psycopg.connect(pg.index_dir.url) as c:
        versions = {r[0] for r in c.execute("SELECT name FROM rag_versions")}
        tables = {r[0] for r in c.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'rag\\_%\\_v%'")}
    assert versions == {second.version, third.version}
    assert tables == {f"rag_{kind}_{v}" for kind in ("chunks", "sentences") for v in versions}
    _, manifest = store.read_manifest(pg.index_dir)
    assert manifest.counts["advices"] == 65 and manifest.embedding_model == fake_encoder.model_id


def test_search_through_postgres_equals_the_directory_index(pg, fake_encoder):
    files = replace(pg, index_dir=pg.cache_dir.parent / "index")
    build(files, fake_encoder)
    build(pg, fake_encoder)
    expected = _top(store.load(files.index_dir), fake_encoder)
    in_db = store.load(pg.index_dir, fake_encoder.model_id)
    assert in_db.manifest.ann == {"type": "flat"} and in_db.path is None
    assert _top(in_db, fake_encoder) == expected
    # From `ann_min_sentences` on, the dense side asks pgvector's HNSW indexes in the database.
    approximate = replace(pg, ann_min_sentences=1)
    build(approximate, fake_encoder, full=True)
    in_hnsw = store.load(approximate.index_dir)
    assert in_hnsw.manifest.ann["type"] == "pgvector-hnsw" and isinstance(in_hnsw.sentence_ann, pgstore.PgVectors)
    sims, ids = in_hnsw.dense.search(in_hnsw.vectors[:1], 3)
    assert ids[0][0] == 0 and sims[0][0] == pytest.approx(1.0, abs=1e-5)
    same = sum(a == b for a, b in zip(_top(in_hnsw, fake_encoder), expected))
    assert same >= 0.95 * len(QUESTIONS)


def test_loading_refuses_another_model_and_damaged_rows(pg, fake_encoder):
    report = build(pg, fake_encoder)
    with pytest.raises(IndexMismatchError, match="embedding model"):
        store.load(pg.index_dir, "another-model")
    with psycopg.connect(pg.index_dir.url) as c:
        c.execute(f"UPDATE rag_sentences_{report.version} SET text = text || ' (gewijzigd)' WHERE row = 3")
    with pytest.raises(IndexCorruptError, match="do not match its manifest"):
        store.load(pg.index_dir)
    with psycopg.connect(pg.index_dir.url) as c:
        c.execute(f"DROP TABLE rag_chunks_{report.version}")
    with pytest.raises(IndexCorruptError, match="tables of version .* are missing"):
        store.load(pg.index_dir)
    rebuilt = build(pg, fake_encoder)  # the damaged version is not reused; the new one is whole
    assert rebuilt.embedded == rebuilt.chunks and store.load(pg.index_dir).version == rebuilt.version


def test_an_empty_database_is_a_missing_index_and_a_second_build_waits_for_the_first(pg, fake_encoder, capsys):
    assert store.current_version(pg.index_dir) is None
    assert cli.main(["info", "--index", pg.index_dir.url]) == 1
    assert "no index in" in capsys.readouterr().err
    with psycopg.connect(pg.index_dir.url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (pgstore.LOCK_KEY,))
        with pytest.raises(BuildLockedError, match="another build"):
            build(pg, fake_encoder)
    assert build(pg, fake_encoder).advices == 65  # the lock went with the connection that held it


SLOW_BUILD = """
import sys, shutil
sys.path.insert(0, "tests")
from conftest import FakeEncoder
from rag.build import build
from rag.settings import Settings
build(Settings.from_env(), FakeEncoder(), full=True)
"""


def test_kill_9_inside_the_write_transaction_leaves_the_old_version_serving(pg, fake_encoder):
    before = build(pg, fake_encoder).version
    for i in range(12):  # a corpus whose writing takes long enough to be caught in the act
        shutil.copy(BOOKLET, pg.data_dir / f"kopie-{i}.md")
    env = {**os.environ, "RAG_INDEX_DIR": pg.index_dir.url, "RAG_DATA_DIR": str(pg.data_dir), "RAG_CACHE_DIR": str(pg.cache_dir)}
    proc = subprocess.Popen([sys.executable, "-c", SLOW_BUILD], cwd=ROOT, env=env)
    try:
        with psycopg.connect(pg.index_dir.url, autocommit=True) as watch:
            deadline = time.time() + 120
            while not watch.execute(
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'"
                " AND (query LIKE 'COPY%%' OR query LIKE 'CREATE INDEX%%')"
            ).fetchall():
                assert proc.poll() is None and time.time() < deadline, "the build never reached its write transaction"
                time.sleep(0.02)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            assert proc.returncode == -signal.SIGKILL
            # The server ends the dead build's session: its transaction is rolled back, its lock released.
            deadline = time.time() + 30
            while watch.execute(
                "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = %s", (pgstore.LOCK_KEY & 0xFFFFFFFF,)
            ).fetchall():
                assert time.time() < deadline
                time.sleep(0.1)
            tables = {r[0] for r in watch.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'rag\\_%\\_v%'")}
    finally:
        proc.kill()
    assert tables == {f"rag_chunks_{before}", f"rag_sentences_{before}"}  # nothing of the killed build is left
    assert store.current_version(pg.index_dir) == before
    index = store.load(pg.index_dir)
    assert {c.document for c in index.chunks} == {BOOKLET.name}
    assert Retriever(index, fake_encoder).search("cloud datacenters", k=1)
    assert build(pg, fake_encoder).documents == 13  # the next build is not blocked by the dead one


def test_a_stopped_database_is_one_clear_line_and_serving_recovers_when_it_is_back(workspace, fake_encoder, capsys):
    with _own_server() as (data, url):  # its own server: this test stops it
        settings = workspace.with_index(url)
        build(settings, fake_encoder)
        live = LiveIndex(settings, fake_encoder)
        version = live.current().version
        postgres_server.stop(data)
        started = time.monotonic()
        with pytest.raises(IndexUnavailableError, match="cannot be reached") as e:
            live.current()
        assert "\n" not in str(e.value) and time.monotonic() - started < settings.db_timeout
        page = app.ChatService(settings, fake_encoder, Copying())
        with pytest.raises(gr.Error, match="cannot be reached"):  # the page: one line, no traceback
            list(page.chat("Wat zeggen de experts over de cloud?", []))
        assert cli.main(["info", "--index", url]) == 1
        err = capsys.readouterr().err
        assert err.startswith("rag: the index database") and err.count("\n") == 1 and "Traceback" not in err
        postgres_server.start(data)
        postgres_server.wait_ready(url)
        assert live.current().version == version  # the same process, connected again
        assert live.current().retriever.search("cloud", k=1)
        *_, (history, _) = page.chat("Wat zeggen de experts over de cloud?", [])
        assert history[-1]["content"]


def test_a_statement_that_would_hang_times_out(pg, fake_encoder):
    build(pg, fake_encoder)
    quick = replace(pg.index_dir, timeout=1.0)
    with psycopg.connect(pg.index_dir.url) as holder:
        holder.execute("LOCK TABLE rag_live IN ACCESS EXCLUSIVE MODE")  # held until this block ends
        started = time.monotonic()
        with pytest.raises(IndexUnavailableError, match="did not answer within 1 s"):
            store.current_version(quick)
        assert time.monotonic() - started < 5
    assert store.current_version(quick) is not None  # and the next question is answered


class Page:
    """One page process (`tests/pg_page.py`) on the index in `env`."""

    def __init__(self, env: dict) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "pg_page.py")],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert json.loads(self.proc.stdout.readline()) == {"ready": True}

    def send(self, line: str) -> dict:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def test_two_page_processes_share_one_database_and_see_each_others_rebuild(pg, fake_encoder):
    first = build(pg, fake_encoder)
    env = {
        **os.environ,
        "RAG_INDEX_DIR": pg.index_dir.url,
        "RAG_DATA_DIR": str(pg.data_dir),
        "RAG_CACHE_DIR": str(pg.cache_dir),
        "RAG_CALIBRATION_FILE": str(pg.calibration_file),
    }
    a, b = Page(env), Page(env)
    try:
        question = "Waarom moet de overheid voorzichtig zijn met chatbots?"
        answer_a, answer_b = a.send(f"ask {question}"), b.send(f"ask {question}")
        assert answer_a == answer_b and answer_a["version"] == first.version and answer_a["answer"]
        (pg.data_dir / "quantum.md").write_text(
            "# Quantum\n\n## Quantumveilige versleuteling\n\nQuantumcomputers breken de versleuteling van vandaag; "
            "de overheid stapt tijdig over op quantumveilige cryptografie.\n",
            encoding="utf-8",
        )
        rebuilt = a.send("rebuild")
        assert rebuilt["version"] != first.version and "Klaar" in rebuilt["report"]
        seen = b.send("ask Wanneer stapt de overheid over op quantumveilige cryptografie?")  # b was not restarted
        assert seen["version"] == rebuilt["version"] and "quantum.md" in seen["sources"]
        assert a.send(f"ask {question}") == b.send(f"ask {question}")
    finally:
        a.close()
        b.close()


def test_the_settings_read_a_database_url_and_hide_its_password():
    settings = Settings.from_env({"RAG_INDEX_DIR": "postgresql://rag:geheim@db.example:5432/rag", "RAG_DB_TIMEOUT": "3"})
    assert settings.index_dir == Database("postgresql://rag:geheim@db.example:5432/rag", 3.0)
    assert str(settings.index_dir) == "postgresql://rag:***@db.example:5432/rag"
    assert Settings.from_env({"RAG_INDEX_DIR": "elders/index"}).index_dir == Path("elders/index")
    assert np.isclose(settings.db_timeout, 3.0)


@pytest.fixture(scope="module")
def real_pg(real_settings, pg_server) -> Settings:
    """The real-model index of the booklet (`real_settings`) written into a database by the
    store's own write and publish, the way `rag build` does (its vectors, not embedded twice)."""
    db = _database(pg_server)
    settings = real_settings.with_index(db.url)
    loaded = store.load(real_settings.index_dir)
    _, manifest = store.read_manifest(real_settings.index_dir)
    sentences = store.Sentences(list(loaded.sentences), loaded.sentence_owner.tolist(), loaded.sentence_vectors)
    with store.build_lock(db):
        store.publish(
            db, store.write_version(db, manifest, list(loaded.chunks), loaded.vectors, sentences, settings.ann_min_sentences)
        )
    return settings


def _batch(capsys, tmp_path, command: str, index: str, name: str, asked: list[str] = QUESTIONS) -> list[dict]:
    questions, out = tmp_path / "questions.jsonl", tmp_path / f"{name}.jsonl"
    questions.write_text(
        "".join(json.dumps({"id": f"q{i}", "question": q}) + "\n" for i, q in enumerate(asked)), encoding="utf-8"
    )
    code = cli.main([command, "--input", str(questions), "--output", str(out), "--index", index])
    assert code == 0, capsys.readouterr().err
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.mark.real_model
def test_real_search_and_ask_through_postgres_equal_the_directory_index(real_settings, real_pg, capsys, tmp_path, monkeypatch):
    directory = _batch(capsys, tmp_path, "search", str(real_settings.index_dir), "files")
    database = _batch(capsys, tmp_path, "search", real_pg.index_dir.url, "db")
    top = [[h["chunk_id"] for h in r["hits"][:5]] for r in directory]
    assert top == [[h["chunk_id"] for h in r["hits"][:5]] for r in database]
    assert all(len(t) == 5 for t in top)
    monkeypatch.setenv("RAG_GENERATOR", "extractive")  # the answer's composition without a generator's timing
    indexes = ((str(real_settings.index_dir), "ask-files"), (real_pg.index_dir.url, "ask-db"))
    answers = [_batch(capsys, tmp_path, "ask", index, name, QUESTIONS[:4]) for index, name in indexes]
    for a, b in zip(*answers):
        assert "error" not in a and (a["answer"], a["answered"], a["citations"]) == (b["answer"], b["answered"], b["citations"])
        assert [h["chunk_id"] for h in a["hits"]] == [h["chunk_id"] for h in b["hits"]]
