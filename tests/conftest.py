"""Shared fixtures: paths to the bundled booklet and shared eval data, a fake encoder,
and (session-scoped, for the real-model tier) one index built with the real model."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rag.calibration import Calibration, save
from rag.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
BOOKLET = ROOT / "data" / "ongefilterde-expertadviezen-digitale-overheid.md"
SHARED = ROOT.parent / "shared"
MANIFEST = SHARED / "eval" / "manifest.json"
EVAL = ROOT / "eval"  # the project's own question sets


class FakeEncoder:
    """Deterministic bag-of-words hashing vectors: similar words -> similar vectors, no model."""

    model_id = "fake-hash-64"
    dimension = 64

    def __init__(self) -> None:
        self.calls: list[int] = []  # batch sizes, to count what was embedded

    def encode(self, texts, kind):
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                h = int(hashlib.md5(w.encode()).hexdigest(), 16)
                out[i, h % self.dimension] += 1.0
            n = np.linalg.norm(out[i])
            out[i] = out[i] / n if n else out[i]
        return out

    @property
    def embedded(self) -> int:
        return sum(self.calls)


@pytest.fixture
def booklet_text() -> str:
    return BOOKLET.read_text(encoding="utf-8")


@pytest.fixture
def manifest() -> list[dict]:
    if not MANIFEST.exists():
        pytest.skip(f"{MANIFEST} not present")
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


# The fake encoder's thresholds: its hashed bag-of-words cosines mean nothing, so dense support
# only counts for near-copies, as with a real model's calibration. Pipeline tests are about the rules.
FAKE_CALIBRATION = Calibration(FakeEncoder.model_id, (0.90, 0.97), (0.80, 0.90), 0.80)


@pytest.fixture
def workspace(tmp_path: Path) -> Settings:
    """Settings with a private copy of the corpus, an empty index directory and the fake encoder's calibration."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(BOOKLET, data / BOOKLET.name)
    save(FAKE_CALIBRATION, tmp_path / "calibration.json")
    return replace(
        Settings(),
        data_dir=data,
        index_dir=tmp_path / "index",
        cache_dir=tmp_path / "cache",
        calibration_file=tmp_path / "calibration.json",
    )


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory) -> Settings:
    """An index of the bundled booklet built once with the real default model."""
    from rag.build import build
    from rag.embed import load_encoder

    base = tmp_path_factory.mktemp("real")
    data = base / "data"
    data.mkdir()
    shutil.copy(BOOKLET, data / BOOKLET.name)
    settings = replace(Settings.from_env(), data_dir=data, index_dir=base / "index")
    build(settings, load_encoder(settings))
    return settings


class Copying:
    """A generator that copies the first evidence sentence, as the real model mostly does;
    `delay` seconds per word, under a lock like the in-process model's."""

    name = "copying"

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.lock = threading.Lock()

    def stream(self, messages, max_tokens=160):
        user = messages[-1]["content"]
        line = next((x for x in user.splitlines() if x.startswith("[1]")), "[1] x: Geen bron.")
        with self.lock:
            for word in re.findall(r"\S+\s*", line.split(": ", 1)[1].split(". ")[0] + "."):
                time.sleep(self.delay)
                yield word
