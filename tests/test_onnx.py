"""The ONNX exports of the default model (rag.onnx_export, embed.OnnxEncoder) against the
sentence-transformers model they must agree with, on real weights; damaged exports; the cold path."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rag import onnx_export, store
from rag.embed import DEFAULT_MODEL_ID, INT8_MODEL_ID, OnnxEncoder, load_encoder
from rag.errors import IndexMismatchError, ModelUnavailableError
from rag.settings import Settings

pytestmark = pytest.mark.real_model

ROOT = Path(__file__).resolve().parents[1]

# Our own texts: Dutch and English, a question, long passages, odd characters, numbers.
QUERIES = [
    "Waarom zou de overheid terughoudend moeten zijn met chatbots?",
    "Wie betaalt er voor een publiek internet?",
    "Which expert warns about dependence on American cloud providers?",
    "Hoeveel procent meer betalen gemeenten voor licenties?",
    "Wat is het nut van open standaarden voor de burger?",
    "How should new government IT systems be introduced?",
]
PASSAGES = [
    "Chatbots geven burgers vaak een verkeerd of onvolledig antwoord; een mens aan de telefoon kan doorvragen.",
    "Een publiek internet vraagt om publieke financiering, net zoals bibliotheken en omroepen die krijgen.",
    "Many public bodies run their e-mail and documents in the clouds of a few American companies.",
    "De licentiekosten stegen in één jaar met 9%; in 2024 ging het om ruim €2,5 miljard.",
    "Open standaarden zorgen dat systemen van verschillende leveranciers met elkaar kunnen praten.",
    "Introduce a new system in phases, with a small group of users first, and keep the old one running.",
    "Café, naïeve coöperatie en ‘Hollandse Luchten’ — met accenten: à, é, ü, ñ.\tTab\nen nieuwe regels.",
    " ".join(["De gemeente publiceert haar besluiten als open data zodat iedereen ze kan hergebruiken."] * 60),  # > 512 tokens
]


@pytest.fixture(scope="module")
def reference():
    """Today's sentence-transformers model (fp32 torch): what the exports must agree with."""
    return load_encoder(replace(Settings.from_env(), embedding_backend="torch"))


@pytest.fixture(scope="module")
def exports():
    s = Settings.from_env()
    return {b: load_encoder(replace(s, embedding_backend=b)) for b in ("onnx-fp32", "onnx-int8")}


def test_the_default_backend_is_onnx_fp32_with_torchs_model_id_and_int8_has_its_own():
    encoder = load_encoder(Settings.from_env())
    assert isinstance(encoder, OnnxEncoder) and encoder.model_id == DEFAULT_MODEL_ID
    assert load_encoder(replace(Settings.from_env(), embedding_backend="onnx-int8")).model_id == INT8_MODEL_ID != DEFAULT_MODEL_ID


def test_fp32_export_gives_the_reference_vectors(reference, exports):
    for kind, texts in (("query", QUERIES), ("passage", PASSAGES)):
        ours, ref = exports["onnx-fp32"].encode(texts, kind), reference.encode(texts, kind)
        assert ours.shape == ref.shape == (len(texts), 384) and ours.dtype == np.float32
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        assert (ours * ref).sum(axis=1).min() >= 0.99999  # the same model at the same precision: shares its id


def test_int8_export_agrees_with_the_reference_within_tolerance(reference, exports):
    int8 = exports["onnx-int8"]
    for kind, texts in (("query", QUERIES), ("passage", PASSAGES)):
        cos = (int8.encode(texts, kind) * reference.encode(texts, kind)).sum(axis=1)
        assert cos.min() >= 0.99 and cos.mean() >= 0.995, f"{kind}: cosines {np.round(cos, 4)}"
    # Every query finds its own passage first, as with the reference, and no query-passage score moves
    # by more than 0.025 (E5's scores bunch: unrelated passages further down may swap places).
    ours = int8.encode(QUERIES, "query") @ int8.encode(PASSAGES, "passage").T
    ref = reference.encode(QUERIES, "query") @ reference.encode(PASSAGES, "passage").T
    assert (ours.argmax(axis=1) == np.arange(len(QUERIES))).all() and (ref.argmax(axis=1) == np.arange(len(QUERIES))).all()
    assert np.abs(ours - ref).max() <= 0.025, np.abs(ours - ref).max()


def test_a_texts_vector_does_not_depend_on_the_others_in_its_call(exports):
    """What an incremental build relies on: a vector reused from the last build is the one a fresh
    embedding would give (int8 runs one text at a time; fp32 batches, which moves only float noise)."""
    for backend, tolerance in (("onnx-int8", 0.0), ("onnx-fp32", 1e-5)):
        enc = exports[backend]
        together = enc.encode(PASSAGES[::-1], "passage")[::-1]
        alone = np.vstack([enc.encode([p], "passage") for p in PASSAGES])
        assert np.abs(together - alone).max() <= tolerance, backend
        assert enc.encode([], "query").shape == (0, 384)


def test_queries_get_the_full_tokenizers_ids_without_loading_it(exports):
    """The lean query tokenizer (a Unigram over the pieces that occur in the text) against the full one,
    on every chunk and sentence of the booklet, our own questions, and odd input."""
    from rag.chunk import ChunkParams, chunk_document, chunk_sentences
    from rag.parse import parse_document

    booklet = (ROOT / "data" / "ongefilterde-expertadviezen-digitale-overheid.md").read_text(encoding="utf-8")
    chunks = chunk_document(parse_document("b.md", booklet), ChunkParams())
    texts = [c.embed_text for c in chunks] + [s for c in chunks for s in chunk_sentences(c.text)] + QUERIES + PASSAGES
    texts += [
        "<mask> en <s> of </s>",
        "日本語 and Ελληνικά, العربية ✓",
        "\x00\x01 vreemd \u200b teken",
        "😀🚀",
        "   ",
        "",
        "ſ ﬁ ½ ²",
    ]
    lean = OnnxEncoder(exports["onnx-int8"].path, "lean")
    lean.encode(["warm-up"], "query")
    assert lean._tokenizer is None and lean._lean is not None  # the query path never loads the full tokenizer
    full = exports["onnx-int8"]
    full.encode(["warm-up"], "passage")
    prefixed = ["query: " + t for t in texts]
    assert [lean._tokenize([t], "query")[0] for t in prefixed] == full._tokenize(prefixed, "passage")
    assert len(lean._tokenize(["query: " + PASSAGES[-1]], "query")[0]) == 512  # truncated alike


def _copy_export(exports, tmp_path: Path) -> Path:
    source = exports["onnx-fp32"].path
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def test_a_truncated_or_missing_file_is_a_clear_error_and_never_loaded(exports, tmp_path):
    target = _copy_export(exports, tmp_path)
    with open(target / "model.onnx", "r+b") as f:
        f.truncate(1000)
    with pytest.raises(ModelUnavailableError, match=r"is damaged \(model.onnx has the wrong size\)"):
        OnnxEncoder(target, "x").encode(["test"], "query")
    (target / "tokenizer.json").unlink()
    with pytest.raises(ModelUnavailableError, match=r"is incomplete \(tokenizer.json missing\)"):
        onnx_export.read_export(target)


def test_a_corrupt_model_of_the_right_size_is_a_clear_error(exports, tmp_path):
    target = _copy_export(exports, tmp_path)
    size = (target / "model.onnx").stat().st_size
    (target / "model.onnx").write_bytes(b"\0garbage" * (size // 8) + b"\0" * (size % 8))
    with pytest.raises(
        ModelUnavailableError, match=r"cannot load the ONNX embedding model in .* \(model.onnx\): .*remove that"
    ) as e:
        OnnxEncoder(target, "x").encode(["test"], "query")
    assert "\n" not in str(e.value)


@pytest.mark.slow
def test_a_damaged_export_is_exported_again(exports, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    target = _copy_export(exports, cache)
    (target / "export.json").write_text("{not json", encoding="utf-8")
    assert onnx_export.ensure_exported(cache, "fp32") == target
    info = onnx_export.read_export(target)
    assert info["precision"] == "fp32" and not [p for p in cache.iterdir() if p.name.startswith(".")]
    again = OnnxEncoder(target, "x").encode(QUERIES, "query")
    assert (again * exports["onnx-fp32"].encode(QUERIES, "query")).sum(axis=1).min() >= 0.99999


def test_an_unknown_backend_is_a_clear_error():
    with pytest.raises(
        ModelUnavailableError, match="RAG_EMBEDDING_BACKEND must be one of onnx-int8, onnx-fp32, torch, not 'onnx'"
    ):
        load_encoder(replace(Settings.from_env(), embedding_backend="onnx"))


def test_an_index_of_the_torch_model_is_refused_by_the_int8_model(real_settings):
    """The int8 vectors are never mixed into an index built with the fp32 ones (and the other way round)."""
    built = store.read_manifest(real_settings.index_dir)[1].embedding_model
    assert built == DEFAULT_MODEL_ID  # the default, fp32 ONNX, shares torch's id
    with pytest.raises(IndexMismatchError, match=r"was built with embedding model .*but this run uses .*int8.*; rebuild"):
        store.load(real_settings.index_dir, INT8_MODEL_ID)


def test_rag_search_from_a_cold_process_imports_neither_torch_nor_sentence_transformers(real_settings):
    code = (
        "import sys\n"
        "from rag.cli import main\n"
        f"code = main(['search', 'Wie waarschuwt voor afhankelijkheid van de cloud?', '--json', '--index', {str(real_settings.index_dir)!r}])\n"
        "heavy = sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules)\n"
        "print(heavy, code)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    lines = out.stdout.strip().splitlines()
    assert lines[-1] == "[] 0", out.stderr
    assert len(json.loads(lines[0])["hits"]) == 5


def test_rag_search_on_a_corrupt_export_prints_one_line_and_exits_1(exports, real_settings, tmp_path, monkeypatch, capsys):
    from rag import cli

    models = tmp_path / "cache" / "models"
    models.mkdir(parents=True)
    source = exports["onnx-fp32"].path  # the default backend's export
    target = models / source.name
    shutil.copytree(source, target)
    size = (target / "model.onnx").stat().st_size
    (target / "model.onnx").write_bytes(b"\x07" * size)  # the size recorded, the bytes not a model
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path / "cache"))
    assert cli.main(["search", "Wat is een publiek internet?", "--index", str(real_settings.index_dir)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("rag: cannot load the ONNX embedding model") and "\n" not in err and "export it again" in err
