"""Embeddings from an OpenAI-compatible server: request format, retries, errors, and — with the
project's own model behind a local server — the same vectors and search results as in-process."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from embedding_server import EmbeddingServer, RawModel

from rag import store
from rag.build import build
from rag.embed import load_encoder
from rag.embed_remote import RETRIES, RemoteEncoder
from rag.errors import IndexMismatchError, ModelUnavailableError
from rag.retrieve import Retriever
from rag.settings import Settings


class Recording:
    """A fake model: records what it was sent; vector i points along axis (len(text) % 8)."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, texts):
        self.texts.extend(texts)
        out = np.zeros((len(texts), 8), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, len(t) % 8] = 3.0  # not normalised: the client normalises
        return out


def test_adds_the_e5_prefixes_and_normalises():
    model = Recording()
    with EmbeddingServer(model) as server:
        encoder = RemoteEncoder(server.url, "e5")
        q = encoder.encode(["Wat is DigiD?"], "query")
        p = encoder.encode(["DigiD is een inlogmiddel."], "passage")
    assert model.texts == ["query: Wat is DigiD?", "passage: DigiD is een inlogmiddel."]
    assert np.allclose(np.linalg.norm(q, axis=1), 1.0) and np.allclose(np.linalg.norm(p, axis=1), 1.0)
    assert encoder.dimension == 8


def test_no_prefixes_when_asked():
    model = Recording()
    with EmbeddingServer(model) as server:
        RemoteEncoder(server.url, "other", prefixes=("", "")).encode(["tekst"], "passage")
    assert model.texts == ["tekst"]


def test_batches_go_concurrently_and_keep_their_order():
    model = Recording()
    texts = [f"zin {'x' * i}" for i in range(70)]
    with EmbeddingServer(model) as server:
        encoder = RemoteEncoder(server.url, "e5", batch_size=8, concurrency=4)
        vectors = encoder.encode(texts, "passage")
        assert sorted(server.requests) == [6] + [8] * 8
    assert encoder.batch_size == 32
    expected = [len("passage: " + t) % 8 for t in texts]
    assert [int(np.argmax(v)) for v in vectors] == expected


def test_a_busy_server_is_retried():
    waits = []
    with EmbeddingServer(Recording(), fail_first=2) as server:
        vectors = RemoteEncoder(server.url, "e5", sleep=waits.append).encode(["a"], "query")
    assert vectors.shape == (1, 8)
    assert waits == [0.5, 1.0]


def test_a_server_that_stays_down_is_a_clear_error():
    waits = []
    with EmbeddingServer(Recording(), fail_first=99) as server:
        with pytest.raises(ModelUnavailableError, match="answered 503"):
            RemoteEncoder(server.url, "e5", sleep=waits.append).encode(["a"], "query")
    assert len(waits) == RETRIES


def test_a_wrong_key_is_not_retried():
    waits = []
    with EmbeddingServer(Recording(), api_key="geheim") as server:
        with pytest.raises(ModelUnavailableError, match="401.*invalid api key"):
            RemoteEncoder(server.url, "e5", api_key="fout", sleep=waits.append).encode(["a"], "query")
        assert RemoteEncoder(server.url, "e5", api_key="geheim").encode(["a"], "query").shape == (1, 8)
    assert waits == []


def test_no_server_is_a_clear_error():
    with EmbeddingServer(Recording()) as server:
        url = server.url
    with pytest.raises(ModelUnavailableError, match="cannot reach the embedding server"):
        RemoteEncoder(url, "e5", sleep=lambda s: None).encode(["a"], "query")


def test_settings_choose_the_server():
    settings = Settings.from_env(
        {"RAG_EMBEDDING_URL": "http://127.0.0.1:9/v1", "RAG_EMBEDDING_MODEL": "intfloat/multilingual-e5-small"}
    )
    encoder = load_encoder(settings)
    assert isinstance(encoder, RemoteEncoder)
    assert encoder.url == "http://127.0.0.1:9/v1/embeddings"
    assert encoder.model_id == "intfloat/multilingual-e5-small (OpenAI-compatible server)"
    with pytest.raises(ModelUnavailableError, match="RAG_EMBEDDING_PREFIXES"):
        load_encoder(replace(settings, embedding_url="http://127.0.0.1:10/v1", embedding_prefixes="e6"))


DOCUMENT = """# Beheer van open data

## Publiceren

Gemeenten publiceren hun datasets op een centraal portaal, met een vaste licentie en een
contactpersoon per dataset. Wie data publiceert, beschrijft ook hoe vaak die wordt bijgewerkt.

## Kwaliteit

Een dataset zonder beschrijving van de velden is voor hergebruikers vrijwel waardeloos.
Controleer daarom bij elke publicatie of de metadata volledig zijn.

## Privacy

Persoonsgegevens horen nooit in een open dataset. Anonimiseer vooraf en laat een tweede
medewerker de controle herhalen.
"""


@pytest.mark.real_model
def test_the_served_model_gives_the_in_process_vectors_and_results(tmp_path):
    local_settings = replace(Settings.from_env(), embedding_backend="torch")  # the server runs the same fp32 directory
    local = load_encoder(local_settings)
    local.encode(["warm"], "query")
    with EmbeddingServer(RawModel(local.path)) as server:
        remote = RemoteEncoder(server.url, "intfloat/multilingual-e5-small")
        questions = ["Hoe vaak wordt een dataset bijgewerkt?", "Mogen persoonsgegevens in open data?", "Who checks the metadata?"]
        cos = np.sum(remote.encode(questions, "query") * local.encode(questions, "query"), axis=1)
        assert cos.min() > 0.9999

        (tmp_path / "data").mkdir()
        (tmp_path / "data" / "open-data.md").write_text(DOCUMENT, encoding="utf-8")
        settings = replace(local_settings, data_dir=tmp_path / "data")
        served = replace(settings, index_dir=tmp_path / "served", embedding_url=server.url)
        progress = []
        build(served, remote, progress=lambda stage, done, total: progress.append((stage, done, total)))
        build(replace(settings, index_dir=tmp_path / "local"), local)

        a = store.load(tmp_path / "served", remote.model_id)
        b = store.load(tmp_path / "local", local.model_id)
        assert a.manifest.embedding_model == remote.model_id
        assert np.min(np.sum(a.vectors * b.vectors, axis=1)) > 0.9999
        for q in questions:
            assert [h.chunk.chunk_id for h in Retriever(a, remote).search(q, k=3)] == [
                h.chunk.chunk_id for h in Retriever(b, local).search(q, k=3)
            ]
    assert ("embedding", 0, len(a.chunks) + len(a.sentences)) in progress
    # The served model's vectors are never mixed with the in-process model's.
    with pytest.raises(IndexMismatchError, match="OpenAI-compatible server"):
        store.load(tmp_path / "served", local.model_id)
