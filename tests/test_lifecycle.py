"""Index lifecycle with real processes and files: kill -9 during a build, a crash between
writing and publishing, and a running pipeline picking up a new version."""

import fcntl
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag import store
from rag.build import build
from rag.live import LiveIndex

ROOT = Path(__file__).resolve().parents[1]


def _lock_held(index_dir: Path) -> bool:
    fd = os.open(index_dir / store.LOCK, os.O_CREAT | os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


@pytest.mark.real_model
def test_kill_9_during_a_build_leaves_the_previous_index_serving(real_settings, tmp_path):
    from rag.embed import load_encoder
    from rag.retrieve import Retriever

    index = tmp_path / "index"
    shutil.copytree(real_settings.index_dir, index)
    before = store.current_version(index)
    env = {**os.environ, "RAG_DATA_DIR": str(real_settings.data_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "rag", "build", "--full", "--index", str(index)], cwd=ROOT, env=env)
    deadline = time.time() + 60
    while not _lock_held(index):
        assert proc.poll() is None and time.time() < deadline, "the build did not start"
        time.sleep(0.1)
    time.sleep(random.uniform(1.0, 6.0))  # somewhere in parsing, embedding or writing
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert store.current_version(index) == before
    encoder = load_encoder(real_settings)
    hits = Retriever(store.load(index, encoder.model_id), encoder).search("cloud", k=1)
    assert hits and hits[0].chunk.experts
    # The next build is not blocked by the dead one and cleans up what it left.
    code = subprocess.run([sys.executable, "-m", "rag", "build", "--index", str(index)], cwd=ROOT, env=env).returncode
    assert code == 0 and not list(index.glob(".tmp-*"))


def test_crash_between_writing_and_publishing_changes_nothing(workspace, fake_encoder):
    build(workspace, fake_encoder)
    live = store.current_version(workspace.index_dir)
    _, manifest = store.read_manifest(workspace.index_dir)
    loaded = store.load(workspace.index_dir)
    sentences = store.Sentences(list(loaded.sentences), loaded.sentence_owner.tolist(), loaded.sentence_vectors)
    orphan = store.write_version(workspace.index_dir, manifest, list(loaded.chunks), loaded.vectors, sentences)  # then "crash"
    assert store.current_version(workspace.index_dir) == live != orphan
    (workspace.index_dir / ".tmp-v1").mkdir()  # a half-written version of an earlier crash
    build(workspace, fake_encoder)
    assert not (workspace.index_dir / ".tmp-v1").exists()


def test_running_pipeline_picks_up_a_new_version_and_in_flight_questions_keep_theirs(workspace, fake_encoder):
    build(workspace, fake_encoder)
    live = LiveIndex(workspace, fake_encoder)
    first = live.current()
    (workspace.data_dir / "nieuw.md").write_text(
        "# Nieuw\n\n## Quantum\n\nQuantumcomputers breken encryptie.\n", encoding="utf-8"
    )
    build(workspace, fake_encoder)
    second = live.current()
    assert second.version != first.version and second is live.current()
    assert second.retriever.search("quantumcomputers encryptie", k=1)[0].chunk.document == "nieuw.md"
    # The old snapshot still answers (it is in memory), but knows nothing of the new document.
    assert first.retriever.search("quantumcomputers encryptie", k=1)[0].chunk.document != "nieuw.md"
