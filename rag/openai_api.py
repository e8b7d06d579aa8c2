"""An OpenAI-compatible edge on the running app: `POST /v1/chat/completions` (streamed as
server-sent events or not) and `GET /v1/models`, for chat front ends that speak that API.

Owns reading a request (`parse`), the response shapes, OpenAI's error shape and the routes'
admission (bounded like the page's queue: `Gate`). Answering is `rag.pipeline`'s; the text is
`rag.cited`'s. The content is the checked answer with its numbered sources under it; the
structured citations, `answered` and the hits travel in the extra field `rag`.
"""

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Protocol

from . import cited
from .conversation import capped, plain, turns
from .errors import InvalidQuestionError, RagError
from .pipeline import Final, Pipeline, Retrieved, validate
from .settings import Settings
from .types import Answer, Turn

MODEL = "vraag-de-experts"
MAX_BODY_BYTES = 1_000_000  # a conversation is capped at 60,000 characters anyway
ROLES = {"system", "developer", "user", "assistant", "tool", "function"}
PATHS = ("/v1/chat/completions", "/v1/models", f"/v1/models/{MODEL}")


@dataclass(frozen=True, slots=True)
class ApiError(Exception):
    """A request the endpoint refuses, as OpenAI's clients expect it."""

    status: int
    message: str
    type: str = "invalid_request_error"
    param: str | None = None
    code: str | None = None

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


@dataclass(frozen=True, slots=True)
class ChatRequest:
    question: str  # the last user message's text, not yet validated
    history: tuple[Turn, ...]  # the earlier turns with their answers, oldest first (capped like the page's history)
    stream: bool = False


def parse(body: bytes) -> ChatRequest:
    """A chat request from the raw body, or an `ApiError` naming the field that is wrong."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "The request body is not valid JSON.", code="invalid_json") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The request body must be a JSON object.", code="invalid_json")
    model = data.get("model")
    if not isinstance(model, str) or not model:
        raise ApiError(400, f"'model' is required: use {MODEL!r}.", param="model", code="missing_model")
    if model != MODEL:
        raise ApiError(404, f"The model {model[:80]!r} does not exist; use {MODEL!r}.", param="model", code="model_not_found")
    stream = data.get("stream", False)
    if stream is not None and not isinstance(stream, bool):
        raise ApiError(400, "'stream' must be true or false.", param="stream", code="invalid_type")
    n = data.get("n", 1)
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n != 1):
        raise ApiError(400, "'n' must be 1: there is one checked answer per question.", param="n", code="unsupported_value")
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "'messages' must be a non-empty list of messages.", param="messages", code="invalid_type")
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            raise ApiError(
                400, f"messages[{i}] must be an object with a 'role' ({', '.join(sorted(ROLES))}).", param=f"messages[{i}]"
            )
        content = m.get("content")
        if content is not None and not isinstance(content, str | list):
            raise ApiError(
                400, f"messages[{i}].content must be a string or a list of text parts.", param=f"messages[{i}].content"
            )
        if isinstance(content, list) and not all(
            isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str) for p in content
        ):
            raise ApiError(400, f"messages[{i}].content: only text parts are supported.", param=f"messages[{i}].content")
    if messages[-1].get("role") != "user":
        raise ApiError(400, "The last message must be the user's question.", param=f"messages[{len(messages) - 1}].role")
    # Earlier turns are the conversation, as on the page; system prompts from the client are not
    # taken (the answer's rules are the project's, not the caller's).
    history = capped(messages[:-1])
    return ChatRequest(plain(messages[-1].get("content")), tuple(turns(history)), bool(stream))


def extra(answer: Answer) -> dict:
    """What a client that knows this API can render cards from."""
    d = answer.to_dict()
    keys = ("answered", "refused", "citations", "hits", "related", "language", "generator", "timings", "route")
    return {k: d[k] for k in keys}


def completion(answer: Answer, request_id: str, created: int) -> dict:
    return {
        "id": request_id,
        "object": "chat.completion",
        "created": created,
        "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": cited.markdown(answer)}, "finish_reason": "stop"}],
        "usage": None,
        "rag": extra(answer),
    }


def chunk(request_id: str, created: int, delta: dict, finish: str | None = None, **more) -> dict:
    return {
        "id": request_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **more,
    }


def pieces(text: str, words: int = 8) -> Iterator[str]:
    """The checked answer in a few words at a time (whitespace kept), so a client shows it growing."""
    parts = text.split(" ")
    for i in range(0, len(parts), words):
        yield " ".join(parts[i : i + words]) + (" " if i + words < len(parts) else "")


def sse(obj: dict | str) -> str:
    return f"data: {obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)}\n\n"


class QueueFull(Exception):
    pass


class Gate:
    """Admission like the page's queue: `running` answers at once, `waiting` more may wait; beyond
    that a request is refused at once (HTTP 429) instead of waiting in memory."""

    def __init__(self, running: int, waiting: int) -> None:
        self.running = max(1, running)
        self.limit = self.running + max(0, waiting)
        self.admitted = 0
        self._slots: asyncio.Semaphore | None = None

    def admit(self) -> None:
        if self.admitted >= self.limit:
            raise QueueFull
        self.admitted += 1

    def leave(self) -> None:
        self.admitted -= 1

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._slots is None:  # made in the server's event loop
            self._slots = asyncio.Semaphore(self.running)
        async with self._slots:
            yield


class Service(Protocol):
    settings: Settings
    pipeline: Pipeline

    def collection_name(self, lang: str) -> str: ...


def answer_events(service: Service, request: ChatRequest) -> Iterator:
    return service.pipeline.stream(request.question, list(request.history))


def router(service: Service, running: int) -> object:
    """The FastAPI routes, to be added to the app before the page is mounted at "/"."""
    from fastapi import APIRouter, Request  # at run time: FastAPI reads the annotations
    from fastapi.responses import JSONResponse, StreamingResponse
    from starlette.concurrency import iterate_in_threadpool

    routes = APIRouter()
    gate = Gate(running, service.settings.queue_size)

    def error(e: ApiError) -> JSONResponse:
        return JSONResponse(e.body(), status_code=e.status)

    def model_card() -> dict:
        return {"id": MODEL, "object": "model", "created": 0, "owned_by": "vraag-de-experts"}

    @routes.get("/v1/models")
    def models() -> dict:
        return {"object": "list", "data": [model_card()]}

    @routes.get(f"/v1/models/{MODEL}")
    def model() -> dict:
        return model_card()

    async def body_of(request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise ApiError(413, f"The request body is larger than {MAX_BODY_BYTES:,} bytes.", code="request_too_large")
        body = bytearray()
        async for part in request.stream():
            body += part
            if len(body) > MAX_BODY_BYTES:
                raise ApiError(413, f"The request body is larger than {MAX_BODY_BYTES:,} bytes.", code="request_too_large")
        return bytes(body)

    @routes.post("/v1/chat/completions")
    async def chat_completions(request: Request):
        try:
            parsed = parse(await body_of(request))
            question = validate(parsed.question, service.settings.max_question_chars, service.collection_name)
            parsed = ChatRequest(question, parsed.history, parsed.stream)
            gate.admit()
        except ApiError as e:
            return error(e)
        except InvalidQuestionError as e:
            return error(ApiError(400, str(e), param="messages", code="invalid_question"))
        except QueueFull:
            return error(ApiError(429, "The queue is full; try again in a moment.", type="rate_limit_error", code="queue_full"))
        request_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if not parsed.stream:
            try:
                async with gate.slot():
                    final = None
                    async for event in iterate_in_threadpool(answer_events(service, parsed)):
                        if isinstance(event, Final):
                            final = event.answer
            except RagError as e:
                return error(ApiError(503, str(e), type="server_error", code="unavailable"))
            except Exception as e:  # a bug, not the caller's: still OpenAI's shape, one line
                return error(ApiError(500, f"internal error: {type(e).__name__}", type="server_error", code="internal_error"))
            finally:
                gate.leave()
            return JSONResponse(completion(final, request_id, created))
        return StreamingResponse(streamed(parsed, request_id, created), media_type="text/event-stream")

    async def streamed(parsed: ChatRequest, request_id: str, created: int) -> AsyncIterator[str]:
        """Role first, a comment while passages are found and the answer written and checked, then
        the checked answer (never the model's unchecked text) and a last chunk with `rag`."""
        try:
            yield sse(chunk(request_id, created, {"role": "assistant", "content": ""}))
            async with gate.slot():
                last = time.monotonic()
                async for event in iterate_in_threadpool(answer_events(service, parsed)):
                    if isinstance(event, Retrieved):
                        yield f": {len(event.hits)} passages found\n\n"
                    elif isinstance(event, Final):
                        for piece in pieces(cited.markdown(event.answer)):
                            yield sse(chunk(request_id, created, {"content": piece}))
                        yield sse(chunk(request_id, created, {}, "stop", rag=extra(event.answer)))
                    elif time.monotonic() - last > 2:  # keeps proxies and clients from timing out while the model writes
                        last = time.monotonic()
                        yield ": writing\n\n"
            yield sse("[DONE]")
        except RagError as e:
            yield sse(ApiError(503, str(e), type="server_error", code="unavailable").body())
        except Exception as e:  # a bug: the stream still ends with one line in OpenAI's shape
            yield sse(ApiError(500, f"internal error: {type(e).__name__}", type="server_error", code="internal_error").body())
        finally:
            gate.leave()

    @routes.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def unknown(rest: str, request: Request):
        if request.url.path.rstrip("/") in PATHS:
            return error(ApiError(405, f"{request.method} is not allowed on {request.url.path}.", code="method_not_allowed"))
        return error(
            ApiError(404, f"Unknown path {request.url.path[:120]}: the API has {', '.join(PATHS[:2])}.", code="unknown_url")
        )

    return routes
