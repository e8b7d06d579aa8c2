"""Text generators behind one small streaming protocol: `Generator.stream(messages)`.

Owns the backends and their loading: llama.cpp on the packaged GGUF (default), any
OpenAI-compatible chat endpoint, a local transformers causal LM, and an extractive
backend without a model. The prompt is built by `prompt`; what the answer may claim
is decided afterwards by `citations`, never trusted to the model.
"""

from __future__ import annotations

import atexit
import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from . import sentences
from .errors import ModelUnavailableError, RagError
from .settings import Settings

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}
SOURCE_LINE = re.compile(r"^\[(\d+)\] [^:\n]*: (.+)$", re.M)


class GenerationError(RagError):
    """The generator backend failed while answering."""


class Generator(Protocol):
    name: str
    # Whether the model writes once the sources' own sentences, quoted, answer in the question's
    # language: a served model adds what they do not say; the packaged 1.5B model on 2 cores
    # mostly restated them, seconds later (docs/MEASURED.md).
    after_quotes: bool
    # Whether it writes text of its own (a model; not the extractive backend), so that it can be
    # asked to say a source sentence in the asker's language, and whether it does so by default.
    writes: bool
    translates: bool

    def stream(self, messages: list[Message], max_tokens: int = 160) -> Iterator[str]:
        """Yield the answer text piece by piece."""
        ...


def prompt_budget(generator: Generator, max_tokens: int) -> tuple[Callable[[list[Message]], int] | None, int]:
    """How to count a prompt's tokens and how many it may have, for a generator with a fixed
    context window (llama.cpp): the window less the answer and the chat template's few tokens.
    (None, 0) for backends that do not say (a server budgets its own context)."""
    count = getattr(generator, "count_tokens", None)
    context = getattr(generator, "context", 0)
    return (count, context - max_tokens - TEMPLATE_TOKENS) if count and context else (None, 0)


def writes(generator: Generator) -> bool:
    """Whether the backend writes text of its own: any but one that says it does not (extractive,
    which copies its first source's first sentence)."""
    return getattr(generator, "writes", True)


def translates(settings: Settings, generator: Generator) -> bool:
    """Whether a quote in another language than the question's is said in the question's by the
    model (`Settings.translate_quotes`; "auto": the backend's default, not the packaged model,
    whose translations misstated 2 of the 5 held-out sentences it passed the checks with; a
    served one yes). Never a generator that does not write (extractive)."""
    if not writes(generator):
        return False
    if settings.translate_quotes == "auto":
        return getattr(generator, "translates", False)
    return settings.translate_quotes == "yes"


def writes_after_quotes(settings: Settings, generator: Generator) -> bool:
    """Whether the model writes once the sources' own sentences answer (`Settings.model_after_quotes`;
    "auto": the backend's own default)."""
    if settings.model_after_quotes == "auto":
        return getattr(generator, "after_quotes", True)
    return settings.model_after_quotes == "yes"


TEMPLATE_TOKENS = 32  # the chat template's role markers around the messages


class LlamaCppGenerator:
    """llama.cpp via llama-cpp-python; the fixed system prompt stays in its prefix cache."""

    after_quotes = False
    writes = True
    translates = False  # its translations misstated 2 of 5 held-out sentences (docs/MEASURED.md)

    def __init__(self, model_path: Path, threads: int = 2, context: int = 2048, lookup: int = 0) -> None:
        self.model_path = model_path
        self.threads = threads
        self.context = context
        self.lookup = lookup  # tokens drafted from the prompt per step (prompt-lookup decoding); 0: off
        self.name = f"llama.cpp/{model_path.name}"
        self._llm = None
        self._lock = threading.Lock()  # one generation at a time: 2 cores, one KV cache

    def _load(self):
        if self._llm is None:
            try:
                from llama_cpp import Llama
                from llama_cpp.llama_speculative import LlamaPromptLookupDecoding
            except ImportError:
                raise ModelUnavailableError("the llama.cpp backend needs llama-cpp-python: pip install -e '.[llm]'") from None
            self._llm = Llama(
                model_path=str(self.model_path),
                n_ctx=self.context,
                n_threads=self.threads,
                n_threads_batch=self.threads,
                n_batch=512,
                draft_model=LlamaPromptLookupDecoding(num_pred_tokens=self.lookup) if self.lookup else None,
                verbose=False,
            )
            # Free the model while the interpreter is intact: left to garbage collection at exit,
            # llama-cpp-python's destructor can run after its own module is torn down and print a traceback.
            atexit.register(self._llm.close)
        return self._llm

    def count_tokens(self, messages: list[Message]) -> int:
        """Tokens of the messages' contents as this model reads them (the chat template adds a few)."""
        llm = self._load()
        return sum(len(llm.tokenize(m["content"].encode("utf-8"), add_bos=False)) for m in messages)

    def warm_up(self, messages: list[Message]) -> None:
        """Evaluate the prompt prefix once so the first question starts from the cache."""
        list(self.stream(messages, max_tokens=1))

    def stream(self, messages: list[Message], max_tokens: int = 160) -> Iterator[str]:
        with self._lock:
            llm = self._load()
            try:
                for part in llm.create_chat_completion(
                    messages=messages, stream=True, max_tokens=max_tokens, temperature=0.0, repeat_penalty=1.05
                ):
                    text = part["choices"][0].get("delta", {}).get("content")
                    if text:
                        yield text
            except (RuntimeError, ValueError) as e:
                raise GenerationError(f"llama.cpp failed: {e}") from None


class OpenAICompatibleGenerator:
    """Any server with an OpenAI-style /chat/completions endpoint (vLLM, llama.cpp server, TGI…)."""

    after_quotes = True
    writes = True
    translates = True

    def __init__(self, base_url: str, model: str, api_key: str = "", timeout: float = 120.0, concurrency: int = 4) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.name = f"openai-compatible/{model}@{base_url}"
        # The server batches requests (vLLM, llama.cpp server): up to `concurrency` answers are
        # written at once; more wait here. No global lock, unlike the in-process model.
        self.concurrency = max(1, concurrency)
        self._slots = threading.BoundedSemaphore(self.concurrency)

    def stream(self, messages: list[Message], max_tokens: int = 160) -> Iterator[str]:
        with self._slots:
            yield from self._stream(messages, max_tokens)

    def _stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        body = json.dumps(
            {"model": self.model, "messages": messages, "stream": True, "max_tokens": max_tokens, "temperature": 0.0}
        ).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                for raw in response:
                    line = raw.decode("utf-8").strip()
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    choice = (json.loads(data).get("choices") or [{}])[0]
                    text = (choice.get("delta") or {}).get("content") or (choice.get("message") or {}).get("content")
                    if text:
                        yield text
        except urllib.error.HTTPError as e:
            raise GenerationError(f"generator endpoint {self.url} answered HTTP {e.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise GenerationError(f"generator endpoint {self.url} is unreachable ({reason})") from None
        except ValueError:
            raise GenerationError(f"generator endpoint {self.url} sent a malformed stream") from None


class TransformersGenerator:
    """A local Hugging Face causal LM directory (for machines with a GPU or time to spare)."""

    after_quotes = True
    writes = True
    translates = True

    def __init__(self, path: str, threads: int = 2) -> None:
        self.path = path
        self.threads = threads
        self.name = f"transformers/{Path(path).name}"
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def _load(self):
        if self._model is None:
            try:
                import torch
                from transformers import AutoModelForCausalLM, AutoTokenizer
            except ImportError:
                raise ModelUnavailableError("the transformers backend needs torch and transformers: pip install -e .") from None
            torch.set_num_threads(self.threads)
            try:
                self._tokenizer = AutoTokenizer.from_pretrained(self.path)
                self._model = AutoModelForCausalLM.from_pretrained(self.path)
            except OSError as e:
                raise ModelUnavailableError(f"cannot load generator model {self.path!r}: {e}") from None
            self._model.eval()
        return self._model, self._tokenizer

    def stream(self, messages: list[Message], max_tokens: int = 160) -> Iterator[str]:
        from transformers import TextIteratorStreamer

        with self._lock:
            model, tok = self._load()
            if getattr(tok, "chat_template", None):
                prompt = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            else:
                prompt = "\n\n".join(f"{m['role']}: {m['content']}" for m in messages) + "\n\nassistant:"
            inputs = tok(prompt, return_tensors="pt")
            streamer = TextIteratorStreamer(tok, skip_prompt=True, skip_special_tokens=True)
            kwargs = dict(**inputs, streamer=streamer, max_new_tokens=max_tokens, do_sample=False)
            if tok.pad_token_id is None:
                kwargs["pad_token_id"] = tok.eos_token_id
            errors: list[BaseException] = []

            def run() -> None:
                try:
                    model.generate(**kwargs)
                except Exception as e:  # surfaced below, in the caller's thread
                    errors.append(e)
                    streamer.end()

            worker = threading.Thread(target=run, daemon=True)
            worker.start()
            yield from (t for t in streamer if t)
            worker.join()
            if errors:
                raise GenerationError(f"transformers generation failed: {errors[0]}")


class ExtractiveGenerator:
    """No model: the answer is the first evidence sentence of the first source, cited. The further
    sources' first sentences are not added: on the fit questions they were another passage's
    opening, off the question, in most answers (citation precision booklet 0.722 -> 0.755,
    devcorpus 0.350 -> 0.452 without them; also with only those sharing words with the question)."""

    name = "extractive"
    after_quotes = True  # no model to wait for: its sentence costs nothing
    writes = False
    translates = False

    def stream(self, messages: list[Message], max_tokens: int = 160) -> Iterator[str]:
        user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
        sources = SOURCE_LINE.findall(user.split("\n\nVraag:")[0])
        if sources:
            number, text = sources[0]
            yield f"{(sentences.split(text) or [text.strip()])[0]} [{number}]"


_cache: dict[tuple, Generator] = {}
_cache_lock = threading.Lock()


def load_generator(settings: Settings) -> Generator:
    """The backend the settings choose, created once per process (models load lazily)."""
    key = (settings.generator, settings.generator_model, settings.generator_url, str(settings.cache_dir), settings.llama_lookup)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = make_generator(settings)
        return _cache[key]


def make_generator(settings: Settings) -> Generator:
    """A new generator for the settings (`load_generator` shares one per process)."""
    kind = settings.generator
    if kind == "llama":
        from .gguf import DEFAULT, PACKAGED, ensure_gguf

        packaged = PACKAGED.get(settings.generator_model or DEFAULT.name)
        if packaged:
            path = ensure_gguf(settings.cache_dir / "models", packaged)
        else:
            path = Path(settings.generator_model)
            if not path.is_file():
                names = ", ".join(PACKAGED)
                raise ModelUnavailableError(f"GGUF file {path} does not exist (or name a packaged model: {names})")
        return LlamaCppGenerator(path, settings.threads, lookup=settings.llama_lookup)
    if kind == "openai":
        if not settings.generator_url or not settings.generator_model:
            raise RagError("the openai backend needs RAG_GENERATOR_URL and RAG_GENERATOR_MODEL")
        return OpenAICompatibleGenerator(
            settings.generator_url,
            settings.generator_model,
            settings.generator_api_key,
            concurrency=settings.generator_concurrency,
        )
    if kind == "transformers":
        if not settings.generator_model:
            raise RagError("the transformers backend needs RAG_GENERATOR_MODEL (a local model directory)")
        return TransformersGenerator(settings.generator_model, settings.threads)
    if kind == "extractive":
        return ExtractiveGenerator()
    raise RagError(f"unknown generator {kind!r}; choose llama, openai, transformers or extractive")
