"""`rag mcp`: the index as a Model Context Protocol server over stdio (the official `mcp` SDK),
for AI assistants that call tools: `search` (passages with document, expert, advice, section
and page) and `ask` (the cited answer), and every indexed document as a resource.

Owns the tools' and resources' shapes. Answering is `rag.pipeline`'s, the answer's text
`rag.cited`'s. The models load in the background as the server starts, so listing the tools
is immediate and the first call waits only for what is still loading.
"""

from __future__ import annotations

import threading
import urllib.parse
from pathlib import Path
from typing import Annotated

from pydantic import Field

from . import cited, store
from .errors import RagError
from .settings import Settings
from .types import Chunk

NAME = "vraag-de-experts"
TEXT_KINDS = {".md": "text/markdown", ".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}
MAX_K = 50


def document_uri(name: str) -> str:
    return "rag://documents/" + urllib.parse.quote(name, safe="")


def document_text(name: str, data_dir: Path, chunks: list[Chunk]) -> str:
    """A document as a resource: a text document's own file; a PDF or Word document as the
    text of its indexed passages under their section headings (the words answers quote)."""
    path = data_dir / name
    if path.suffix.lower() in TEXT_KINDS:
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            pass  # changed or gone since the index was built: what the index holds
    parts, heading = [], None
    for c in chunks:
        where = c.section or c.location
        if where != heading:
            parts.append(f"\n## {where}" + (f" (p. {c.page})" if c.page else "") + "\n")
            heading = where
        parts.append(c.text)
    return "\n\n".join(parts).strip() + "\n"


class Models:
    """The pipeline, loaded once in a background thread; callers wait for it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pipeline = None
        self._error: Exception | None = None
        self._ready = threading.Event()
        threading.Thread(target=self._load, daemon=True).start()

    def _load(self) -> None:
        try:
            from .embed import load_encoder
            from .generate import load_generator
            from .pipeline import Pipeline

            pipeline = Pipeline(self.settings, load_encoder(self.settings), load_generator(self.settings))
            pipeline.warm_up()
            self._pipeline = pipeline
        except Exception as e:  # reported to every tool call, one line
            self._error = e
        finally:
            self._ready.set()

    def pipeline(self):
        self._ready.wait()
        if self._error is not None:
            raise RagError(
                str(self._error) if isinstance(self._error, RagError) else f"{type(self._error).__name__}: {self._error}"
            )
        return self._pipeline


def server(settings: Settings):
    """The MCP server over the index in `settings.index_dir` (verified here: a missing or damaged
    index is a `RagError` before anything is served)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.server.mcpserver.resources import FunctionResource

    index = store.load(settings.index_dir)
    manifest = index.manifest
    models = Models(settings)
    mcp = MCPServer(
        name=NAME,
        instructions=(
            "Ask questions about the indexed documents (by default the booklet 'Ongefilterde expertadviezen voor "
            "de digitale overheid'). `ask` gives a checked answer in which every [n] is a cited passage; "
            "`search` gives the passages themselves. Quote answers with their sources."
        ),
        log_level="WARNING",
    )

    @mcp.tool(
        description="Passages of the indexed documents that match a query, best first, each with its document, experts, advice number and title, section and page."
    )
    def search(
        query: Annotated[str, Field(description="What to look for, in Dutch or English", max_length=1000)],
        k: Annotated[int, Field(description="How many passages", ge=1, le=MAX_K)] = 5,
        expert: Annotated[str, Field(description="Only this expert's contribution (partial names work)", max_length=200)] = "",
    ) -> dict:
        if not query.strip():
            raise ToolError("give a query: what to look for")
        try:
            retriever = models.pipeline().index.current().retriever
            experts = retriever.resolve_experts(expert) if expert.strip() else None
            hits = retriever.search(query, k=k, experts=experts)
        except RagError as e:
            raise ToolError(str(e)) from None
        return {"query": query, "hits": [h.to_dict() for h in hits]}

    @mcp.tool(
        description="A checked, cited answer: the answer in markdown with its numbered sources under it, whether the sources answer the question (answered: yes, partly or no) and the structured citations."
    )
    def ask(
        question: Annotated[str, Field(description="The question, in Dutch or English", max_length=4000)],
        history: Annotated[
            list[str], Field(description="Earlier questions of this conversation, oldest first", max_length=20)
        ] = [],  # noqa: B006 - pydantic copies defaults
    ) -> dict:
        try:
            answer = models.pipeline().ask(question, [h[:1000] for h in history])
        except RagError as e:
            raise ToolError(str(e)) from None
        return {
            "answer": cited.markdown(answer),
            "answered": answer.answered,
            "refused": answer.refused,
            "citations": [c.to_dict() for c in answer.citations],
            "language": answer.language,
            "generator": answer.generator,
        }

    by_document: dict[str, list[Chunk]] = {}
    for c in index.chunks:
        by_document.setdefault(c.document, []).append(c)
    for name in sorted(manifest.documents):
        info = manifest.collection.get(name, {})
        suffix = Path(name).suffix.lower()
        mcp.add_resource(
            FunctionResource(
                uri=document_uri(name),
                name=name,
                title=info.get("title") or name,
                description=_describe(info),
                mime_type=TEXT_KINDS.get(suffix, "text/markdown"),
                fn=lambda name=name: document_text(name, settings.data_dir, by_document.get(name, [])),
            )
        )
    return mcp


def _describe(info: dict) -> str:
    if info.get("advices"):
        return f"{info['advices']} advices by {info.get('experts', 0)} experts, {info.get('sections', 0)} sections"
    pages = f", {info['pages']} pages" if info.get("pages") else ""
    return f"{info.get('sections', 0)} sections{pages}" if info else ""


def run(settings: Settings) -> None:
    """Serve over stdio until the client closes the connection."""
    server(settings).run("stdio")
