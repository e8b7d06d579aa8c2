"""The chat page "Vraag de experts": `build_app()` plus handlers that tests call without a
browser; `python app.py` launches it (building the index first if it is missing).

Owns presentation only: chat messages with linked citation markers, the sources
panel, the rebuild panel and turning library errors into page messages. Answering
is `rag.pipeline`'s job, building `rag.build`'s.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import os
import re
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from rag import store
from rag.answer.lookup import CorpusLookup
from rag.build import build, staleness
from rag.conversation import MAX_HISTORY_CHARS, MAX_HISTORY_MESSAGES, capped, turns  # noqa: F401 - app.MAX_HISTORY_*
from rag.conversation import plain as _plain  # noqa: F401 - app._plain, used by the tests
from rag.embed import Encoder, load_encoder
from rag.errors import InvalidQuestionError, RagError
from rag.generate import Generator, load_generator
from rag.pipeline import Draft, Final, Pipeline, Retrieved, Token, validate
from rag.settings import Settings
from rag.types import Answer, Chunk, Citation, Hit, Turn

TITLE = "Vraag de experts"
# The flagship booklet's examples, shown when its experts are in the index; other collections get
# examples made from their own section titles (`examples`).
BOOKLET_EXAMPLES = [
    "Wat zegt Marleen Stikker over de digitale publieke ruimte?",
    "Welke adviezen geeft Hawre Rahimi?",
    "Waarom pleit Frauke Wessel voor een centrale IT-voorziening in de zorg?",
    "Welke experts schrijven over big tech in het onderwijs?",
    "Why is the cloud not always the solution, according to Bob van Graft?",
]
EXAMPLE_COUNT = 4


def intro(chunks: Sequence[Chunk]) -> str:
    """What the page says it answers about, from the index: the booklet with its experts and
    advices, or the documents it holds."""
    lookup = CorpusLookup(chunks)  # whether this is the booklet is decided there, once
    titles = lookup.titles
    experts = {e for c in chunks for e in c.experts}
    advices = {c.advice_key for c in chunks if c.experts and c.advice}
    if lookup.is_booklet:
        return (
            f"Stel een vraag over de bundel *{_esc(titles[0])}*: {len(experts)} experts, {len(advices)} adviezen. "
            "Elk antwoord noemt de expert en het adviesnummer; de bron staat rechts."
        )
    if not titles:
        return "De index is nog leeg: zet documenten in `data/` en werk de index bij."
    named = ", ".join(f"*{_esc(t)}*" for t in titles[:3]) + (f" en {len(titles) - 3} andere" if len(titles) > 3 else "")
    return (
        f"Stel een vraag over {'het document' if len(titles) == 1 else f'de {len(titles)} documenten'} {named}. "
        "Elk antwoord noemt het document en de sectie (en de pagina waar die er is); de bron staat rechts."
    )


def examples(chunks: Sequence[Chunk]) -> list[str]:
    """Example questions that fit the index: the booklet's own when its experts are there, else
    questions about the first sections of the documents."""
    experts = {e for c in chunks for e in c.experts}
    if {"Marleen Stikker", "Hawre Rahimi", "Frauke Wessel"} <= experts:
        return BOOKLET_EXAMPLES
    sections = list(dict.fromkeys(c.section for c in chunks if c.section and len(c.section.split()) >= 2))
    return [f"Wat staat er over “{s}”?" for s in sections[:EXAMPLE_COUNT]]


ALL = "Alle"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
WRITING = "…het taalmodel vat samen"  # under the quoted sentences while the model has not written yet
CHECKING = "…bronnen worden gecontroleerd"  # under the model's text until it is checked
CSS = """
.source-card { border: 1px solid #6b7280; border-radius: 8px; padding: 10px 12px; margin: 0 0 10px 0; }
.source-card h3 { font-size: 1rem; margin: 0 0 4px 0; }
.source-meta { color: #374151; font-size: 0.9rem; margin: 0 0 6px 0; }
.source-card mark { background: #fde68a; color: #111827; }
.dark .source-meta { color: #d1d5db; }
/* WCAG 2.1 AA contrast: Gradio's default orange button and grey footer link fall short. */
button.primary, .primary { background: #154273 !important; border-color: #154273 !important; color: #ffffff !important; }
button.primary:hover { background: #0f2f52 !important; }
.show-api, .show-api * { color: #374151 !important; }
.dark .source-card mark { background: #92400e; color: #ffffff; }
"""
HEAD = '<script>document.documentElement.lang = "nl";</script>'


@dataclass(frozen=True)
class Filters:
    expert: str = ALL
    theme: str = ALL
    document: str = ALL


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


KINDS = {"pdf": "PDF", "docx": "Word", "html": "webpagina", "text": "tekst"}
SCANNED = '<p class="source-meta">Tekst herkend uit een scan (OCR): controleer het origineel.</p>'


def page_label(c: Chunk) -> str:
    return f"p. {c.page}" if c.page else ""


def source_link(c: Chunk, files: Path | None) -> str:
    """A link that opens the original file (a PDF at the passage's page), served from the data
    directory by Gradio; "" for documents that are not PDFs or when no directory is served."""
    if files is None or not c.document.lower().endswith(".pdf"):
        return ""
    path = urllib.parse.quote(str((files / c.document).resolve()))
    at = f"#page={c.page}" if c.page else ""
    where = f"op pagina {c.page}" if c.page else ""
    return (
        f'<p class="source-meta"><a href="gradio_api/file={path}{at}" target="_blank" rel="noopener" class="source-link">'
        f"Open {_esc(c.document)} {where}</a></p>"
    )


MAX_LINKED_QUESTIONS = 5  # earlier questions an answer's link carries (its conversation's context)


def answer_link(question: str, earlier: Sequence[str] = (), base: str = "") -> str:
    """A link that opens the page and answers `question` as the next turn after `earlier`
    (`?q=…&na=…`); relative unless the page's own address is known."""
    params = [("q", question)] + [("na", e) for e in list(earlier)[-MAX_LINKED_QUESTIONS:]]
    return f"{base}?{urllib.parse.urlencode(params)}"


def passage_params(c: Chunk) -> dict[str, str]:
    """What names a passage for a link, in the booklet's terms: document + expert + advice (or the
    contribution's introduction or closing), or document + section. Stable across rebuilds."""
    params = {"bron": c.document}
    if c.experts:
        params["expert"] = c.experts[0]
        if c.advice:
            params["advies"] = str(c.advice)
        else:
            params["sectie"] = c.advice_title
    else:
        params["sectie"] = c.section
    return params


def passage_link(c: Chunk, base: str = "") -> str:
    return f"{base}?{urllib.parse.urlencode(passage_params(c))}"


def linked_passages(chunks: Sequence[Chunk], params: dict) -> list[Chunk]:
    """The passages a link names (every part of that advice or section), in document order."""
    wanted = {k: str(params[k]) for k in ("bron", "expert", "advies", "sectie") if k in params}
    return [c for c in chunks if passage_params(c) == wanted]


def _card(c: Chunk, anchor: str, label: str = "", quote: str = "", files: Path | None = None, scanned: bool = False) -> str:
    """One source passage, everything escaped; the supporting quote highlighted; for a PDF its
    page and a link that opens the file at that page; for a scan, that its text was recognised."""
    body = _esc(c.text)
    for q in [x for x in re.split(r"(?<=[.!?])\s+", quote) if x.strip()]:
        body = body.replace(_esc(q), f"<mark>{_esc(q)}</mark>")
    body = body.replace("\n", "<br>")
    who = ", ".join(f"{_esc(e)} ({_esc(r)})" if r else _esc(e) for e, r in zip(c.experts, c.roles or ("",) * len(c.experts)))
    title = c.document_title if c.document_title and not c.experts else ""
    meta = " · ".join(x for x in [_esc(c.contribution_title), _esc(c.theme), _esc(title)] if x)
    heading = f"{_esc(label)} " if label else ""
    who_line = f'<p class="source-meta">{who}</p>' if who else ""
    page = f" ({page_label(c)})" if c.page else ""
    return (
        f'<section class="source-card" id="{anchor}" aria-label="Bron {_esc(label)}">'
        f"<h3>{heading}{_esc(', '.join(c.experts) or c.document)} — {_esc(c.location)}{page}</h3>"
        f'{who_line}<p class="source-meta">{meta}</p>{source_link(c, files)}{SCANNED if scanned else ""}<p>{body}</p>'
        f'<p class="source-meta"><a class="passage-link" href="{_esc(passage_link(c))}">Link naar deze passage</a></p></section>'
    )


def sources_html(
    answer: Answer | None,
    hits: tuple[Hit, ...],
    turn: int,
    cited: Sequence[Citation] = (),
    files: Path | None = None,
    scanned: frozenset[str] = frozenset(),
) -> str:
    """The sources panel: cited passages first (of the answer, or of the quotes shown before it),
    the other retrieved passages folded below."""
    if not hits:
        return '<p class="source-meta">Nog geen bronnen. Stel een vraag.</p>'
    parts = []
    cited_ids = set()
    citations = answer.citations if answer is not None else tuple(cited)
    if citations:
        parts.append("<h2>Bronnen bij het antwoord</h2>")
        for c in citations:
            n = c.label.strip("[]")
            parts.append(_card(c.chunk, f"bron-{turn}-{n}", c.label, c.quote, files, c.chunk.document in scanned))
            cited_ids.add(c.chunk.chunk_id)
    others = [h for h in hits if h.chunk.chunk_id not in cited_ids]
    if others:
        title = "Gevonden passages" if not citations else "Andere gevonden passages"
        cards = "".join(
            _card(h.chunk, f"passage-{turn}-{h.rank}", files=files, scanned=h.chunk.document in scanned) for h in others
        )
        if not citations:
            parts.append(f"<h2>{title}</h2>{cards}")
        else:
            parts.append(f"<details><summary>{title} ({len(others)})</summary>{cards}</details>")
    return "".join(parts)


def collection_markdown(manifest: store.Manifest) -> str:
    """A table of the indexed documents (title, format, advices or sections, pages) and the skipped files."""
    rows = ["| Document | Formaat | Inhoud | Pagina's |", "| --- | --- | --- | --- |"]
    for name in sorted(manifest.documents):
        d = manifest.collection.get(name, {})
        if d.get("advices"):
            content = f"{d['advices']} adviezen van {d.get('experts', 0)} experts, {d.get('sections', 0)} secties"
        else:
            content = f"{d.get('sections', 0)} secties" if d else ""
        title = d.get("title") or name
        label = _cell(title) + (f" (`{_cell(name)}`)" if title != name else "")
        kind = KINDS.get(d.get("kind", ""), "") + (" (tekst herkend uit scan)" if d.get("recognised") else "")
        rows.append(f"| {label} | {kind} | {content} | {d.get('pages') or '–'} |")
    lines = [f"**{len(manifest.documents)} document(en) in de index**", "", *rows]
    if manifest.skipped:
        lines += ["", "**Overgeslagen**", ""]
        lines += [f"- `{_cell(n)}`: {_esc(why)}" for n, why in sorted(manifest.skipped.items())]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text for a markdown table cell: escaped, no pipes or line breaks."""
    return _esc(text).replace("|", "&#124;").replace("`", "'").replace("\n", " ")


def answer_markdown(answer: Answer, turn: int) -> str:
    """The answer with each [n] linked to its source card, and the citations listed (so a copy keeps them)."""
    return cited_markdown(answer.text, answer.citations, turn)


def cited_markdown(answer_text: str, citations: Sequence[Citation], turn: int) -> str:
    """Text with each [n] linked to its source card, and the citations listed below it."""
    text = _esc(answer_text)
    text = re.sub(r"\[(\d+)\]", lambda m: f"[[{m.group(1)}]](#bron-{turn}-{m.group(1)})", text)
    lines = [text]
    if citations:
        lines.append("\n**Bronnen**")
        for c in citations:
            who = ", ".join(c.chunk.experts) or c.chunk.document
            page = f", {page_label(c.chunk)}" if c.chunk.page else ""
            lines.append(f"- {c.label} {_esc(who)} — {_esc(c.chunk.location)}{page}")
    return "\n".join(lines)


class ChatService:
    """What the page does, callable without a browser."""

    def __init__(
        self,
        settings: Settings,
        encoder: Encoder | None = None,
        generator: Generator | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.settings = settings
        self.encoder = encoder or load_encoder(settings)
        self.generator = generator or load_generator(settings)
        self.pipeline = Pipeline(settings, self.encoder, self.generator)
        self.host = host
        self.admin_password = os.environ.get("RAG_ADMIN_PASSWORD", "")
        self._waiting = 0
        self._waiting_lock = threading.Lock()
        self._rebuild_lock = threading.Lock()

    # --- chat -------------------------------------------------------------------------
    def chat(
        self, message: str, history: list[dict] | None, filters: Filters | None = None, request: gr.Request = None
    ) -> Iterator[tuple[list[dict], str]]:
        """Stream the chat: passages first, then the answer as it is written, then the checked answer."""
        yield from self.answer(message, history, filters, base=page_address(request))

    def answer(
        self, message: str, history: list[dict] | None, filters: Filters | None = None, base: str = "", earlier: Sequence[str] = ()
    ) -> Iterator[tuple[list[dict], str]]:
        """The chat, as the next turn after `history` (or, from a link, after the `earlier` questions)."""
        history = capped(history)
        filters = filters or Filters()
        try:
            question = validate(message or "", self.settings.max_question_chars, self.collection_name)
        except InvalidQuestionError as e:
            gr.Warning(str(e))
            yield history, gr.skip()
            return
        try:
            # The earlier turns with their answers (a link's earlier questions have none); a link carries questions only.
            before = [Turn(e) for e in earlier] + turns(history)
            asked = [t.question for t in before]
            turn = sum(1 for m in history if m.get("role") == "assistant") + 1
            history = history + [{"role": "user", "content": question}, {"role": "assistant", "content": "Passages zoeken…"}]
            files = self.settings.data_dir
            scanned = self.scanned()
            yield history, sources_html(None, (), turn, files=files)
            hits: tuple[Hit, ...] = ()
            raw = ""
            shown = ""  # the quoted source sentences, kept above the model's text while it writes
            experts = [filters.expert] if filters.expert != ALL else None
            theme = filters.theme if filters.theme != ALL else None
            document = filters.document if filters.document != ALL else None
            with self._in_line() as position:
                for event in self.pipeline.stream(question, before, experts=experts, theme=theme, document=document):
                    if isinstance(event, Retrieved):
                        hits = event.hits
                        wait = f" (wachtrij: plaats {position()})" if position() > 1 else ""
                        history[-1] = {"role": "assistant", "content": f"Antwoord wordt geschreven…{wait}"}
                        yield history, sources_html(None, hits, turn, files=files, scanned=scanned)
                    elif isinstance(event, Draft):
                        # The sources' own words first: a cited, true statement before the model has written a word.
                        shown = cited_markdown(event.text, event.citations, turn)
                        history[-1] = {"role": "assistant", "content": f"{shown}\n\n*{WRITING}*"}
                        yield history, sources_html(None, hits, turn, event.citations, files, scanned)
                    elif isinstance(event, Token):
                        raw += event.text
                        above = f"{shown}\n\n" if shown else ""
                        history[-1] = {"role": "assistant", "content": f"{above}{_esc(raw)}\n\n*{CHECKING}*"}
                        yield history, gr.skip()
                    elif isinstance(event, Final):
                        link = answer_link(question, asked, base)
                        shared = f"\n\n[Link naar dit antwoord]({link})"
                        history[-1] = {"role": "assistant", "content": answer_markdown(event.answer, turn) + shared}
                        yield history, sources_html(event.answer, event.answer.hits, turn, files=files, scanned=scanned)
        except RagError as e:
            raise gr.Error(str(e)) from None

    def from_link(self, history: list[dict] | None, filters: Filters | None, params: dict[str, str], base: str = ""):
        """What a shared link opens: `?q=` answers that question (after its `na=` questions), `?bron=`
        shows the passages it names; anything else leaves the page as it is."""
        question = params.get("q", "")
        if question.strip():
            yield from self.answer(question, history, filters, base, earlier=params.get("na", []))
        elif params.get("bron"):
            yield history or [], self.shared_passage(params)
        else:
            yield gr.skip(), gr.skip()

    def shared_passage(self, params: dict[str, str]) -> str:
        """The sources panel for a passage link: the named advice's or section's passages, or why not."""
        found = linked_passages(self.chunks(), params)
        if not found:
            return '<p class="source-meta">Deze passage staat niet (meer) in de index. Stel een vraag om te zoeken.</p>'
        files = self.settings.data_dir
        cards = "".join(_card(c, f"gedeeld-{i}", files=files) for i, c in enumerate(found, start=1))
        return f"<h2>Gedeelde passage</h2>{cards}"

    @contextlib.contextmanager
    def _in_line(self) -> Iterator[Callable[[], int]]:
        """A place among the questions being answered now; generation runs one at a time."""
        with self._waiting_lock:
            self._waiting += 1
            place = self._waiting
        try:
            yield lambda: place
        finally:
            with self._waiting_lock:
                self._waiting -= 1

    # --- index ------------------------------------------------------------------------
    def collection_name(self, lang: str) -> str:
        """What the live index's collection is called ("de bundel"); generic when it cannot be loaded."""
        try:
            return self.pipeline.lookup(self.pipeline.index.current()).collection(lang)
        except RagError:
            return ""

    def chunks(self) -> Sequence[Chunk]:
        """The live index's chunks (none when it cannot be loaded)."""
        try:
            return self.pipeline.index.current().retriever.index.chunks
        except RagError:
            return []

    def choices(self) -> tuple[list[str], list[str], list[str]]:
        """Experts, themes and documents in the live index, for the filters."""
        chunks = self.chunks()
        if not chunks:
            return [ALL], [ALL], [ALL]
        experts = sorted({e for c in chunks for e in c.experts})
        themes = sorted({c.theme for c in chunks if c.theme})
        documents = sorted({c.document for c in chunks})
        return [ALL, *experts], [ALL, *themes], [ALL, *documents]

    def scanned(self) -> frozenset[str]:
        """The indexed documents whose text was (partly) recognised from a scan."""
        try:
            _, manifest = store.read_manifest(self.settings.index_dir)
        except RagError:
            return frozenset()
        return frozenset(name for name, d in manifest.collection.items() if d.get("recognised"))

    def collection(self) -> str:
        """The collection view: every indexed document with its format and size, and what was skipped and why."""
        try:
            _, manifest = store.read_manifest(self.settings.index_dir)
        except RagError as e:
            return f"**Index niet bruikbaar:** {_esc(str(e))}"
        return collection_markdown(manifest)

    def status(self) -> str:
        """Whether the index matches the documents in the data directory."""
        try:
            version, manifest = store.read_manifest(self.settings.index_dir)
        except RagError as e:
            return f"**Index niet bruikbaar:** {_esc(str(e))}"
        stale = staleness(self.settings, manifest)
        c = manifest.counts
        head = f"Index versie `{version}` ({manifest.built_at}): {c['documents']} document(en), {c['advices']} adviezen, {c['chunks']} passages."
        if stale.up_to_date:
            return f"{head}\n\n✅ Bijgewerkt met `{self.settings.data_dir}`."
        changes = [
            f"{label}: {', '.join(v)}"
            for label, v in (("nieuw", stale.added), ("gewijzigd", stale.changed), ("verwijderd", stale.removed))
            if v
        ]
        changes += [stale.reason] if stale.reason else []
        return f"{head}\n\n⚠️ **Niet bijgewerkt** met `{self.settings.data_dir}` ({_esc('; '.join(changes))}). Bouw de index opnieuw op."

    @property
    def concurrency(self) -> int:
        """Handlers run at least 4 at a time (search and quotes do not wait for the model), more when
        an OpenAI-compatible server may write more answers at once (RAG_GENERATOR_CONCURRENCY)."""
        return max(4, getattr(self.generator, "concurrency", 1))

    @property
    def password_required(self) -> bool:
        return bool(self.admin_password) or self.host not in LOCAL_HOSTS

    def rebuild(self, password: str = "", progress=None) -> tuple[str, str]:
        """Rebuild the index (incrementally) while the app keeps serving; returns (report, status)."""
        if self.password_required:
            if not self.admin_password:
                raise gr.Error("Opnieuw opbouwen vanaf de pagina kan alleen met een beheerderswachtwoord (RAG_ADMIN_PASSWORD).")
            if password != self.admin_password:
                raise gr.Error("Onjuist beheerderswachtwoord.")
        if not self._rebuild_lock.acquire(blocking=False):
            raise gr.Error("Er loopt al een herbouw; wacht tot die klaar is.")
        try:
            stages = {"parsing": "Documenten lezen", "embedding": "Passages inbedden", "writing": "Index schrijven"}

            def show(stage: str, done: int, total: int) -> None:
                if progress is not None:
                    desc = stages.get(stage) or stage.replace("recognising ", "Tekst herkennen uit scan: ")
                    progress((done, total) if total > 1 else None, desc=desc)

            report = build(self.settings, self.encoder, progress=show)
        except RagError as e:
            raise gr.Error(str(e)) from None
        finally:
            self._rebuild_lock.release()
        ch = report.changes
        lines = [
            f"**Klaar** in {report.seconds:.1f} s: {report.documents} document(en), {report.advices} adviezen, "
            f"{report.chunks} passages ({report.embedded} opnieuw ingebed, {report.reused} hergebruikt, {report.removed} verwijderd)."
        ]
        for label, items in (
            ("Documenten toegevoegd", ch.documents_added if report.reused else []),
            ("Documenten verwijderd", ch.documents_removed),
            ("Adviezen toegevoegd", ch.advices_added),
            ("Adviezen gewijzigd", ch.advices_changed),
            ("Adviezen verwijderd", ch.advices_removed),
        ):
            if items:
                lines.append(f"- {label}: " + "; ".join(_esc(i) for i in items))
        if ch.empty or (not report.reused and not ch.documents_removed):
            lines.append("- Geen wijzigingen in adviezen." if report.reused else "- Alles opnieuw opgebouwd.")
        lines += [f"- Overgeslagen: {_esc(n)} ({_esc(w)})" for n, w in report.skipped.items()]
        lines += [f"- Waarschuwing: {_esc(w)}" for w in report.warnings]
        return "\n".join(lines), self.status()


def build_app(service: ChatService) -> gr.Blocks:
    """The page. Event `/chat` takes (message, history) and returns (history, sources panel)."""
    experts, themes, documents = service.choices()
    chunks = service.chunks()
    shown_examples = examples(chunks)
    with gr.Blocks(title=TITLE) as demo:
        filters = gr.State(Filters())
        gr.Markdown(f"# {TITLE}\n{intro(chunks)}")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Gesprek",
                    height=520,
                    buttons=["copy", "copy_all"],
                    feedback_options=None,
                    placeholder="Stel hieronder een vraag, of kies een voorbeeld.",
                )
                with gr.Row():
                    message = gr.Textbox(
                        label="Uw vraag",
                        placeholder=f"Bijvoorbeeld: {shown_examples[0]}" if shown_examples else "Stel een vraag",
                        max_length=service.settings.max_question_chars,
                        scale=5,
                        autofocus=True,
                    )
                    ask = gr.Button("Vraag", variant="primary", scale=1)
                with gr.Row():
                    clear = gr.Button("Wis gesprek", variant="secondary")
                if shown_examples:
                    gr.Examples(shown_examples, inputs=message, label="Voorbeeldvragen")
                with gr.Accordion("Filters", open=False):
                    expert = gr.Dropdown(experts, value=ALL, label="Alleen deze expert")
                    theme = gr.Dropdown(themes, value=ALL, label="Alleen dit thema")
                    document = gr.Dropdown(documents, value=ALL, label="Alleen dit document")
            with gr.Column(scale=2):
                sources = gr.HTML(sources_html(None, (), 0), label="Bronnen", elem_id="sources")
                with gr.Accordion("Documenten", open=False, elem_id="collection-panel"):
                    collection = gr.Markdown(service.collection(), elem_id="collection")
                with gr.Accordion("Index bijwerken", open=False):
                    status = gr.Markdown(service.status(), elem_id="index-status")
                    password = gr.Textbox(label="Beheerderswachtwoord", type="password", visible=service.password_required)
                    rebuild = gr.Button("Index opnieuw opbouwen", variant="secondary", elem_id="rebuild")
                    report = gr.Markdown(elem_id="rebuild-report")

        def set_filters(e: str, t: str, d: str) -> Filters:
            return Filters(e or ALL, t or ALL, d or ALL)

        for dropdown in (expert, theme, document):
            dropdown.change(set_filters, [expert, theme, document], filters, api_name=False, queue=False)

        for trigger in (message.submit, ask.click):
            trigger(
                service.chat,
                [message, chatbot, filters],
                [chatbot, sources],
                api_name="chat" if trigger == message.submit else False,
            )
            trigger(lambda: "", None, message, api_name=False, queue=False)
        clear.click(lambda: ([], sources_html(None, (), 0)), None, [chatbot, sources], api_name=False, queue=False)

        def opened(history, chosen, request: gr.Request):
            """A shared link: the page opens answering `?q=` or showing the passage of `?bron=`."""
            yield from service.from_link(history, chosen, link_params(request), page_address(request))

        demo.load(opened, [chatbot, filters], [chatbot, sources], api_name=False)

        def do_rebuild(pw: str, progress=gr.Progress()):  # noqa: B008 - Gradio injects progress this way
            return service.rebuild(pw, progress)

        def refreshed():
            """After a rebuild: the collection and the filters' choices of the new index."""
            choices = service.choices()
            return service.collection(), *(gr.Dropdown(choices=c) for c in choices)

        # Reachable over the API as /rebuild (undocumented): the password is checked here, on the
        # server, however the endpoint is called.
        rebuild.click(
            do_rebuild, [password], [report, status], api_name="rebuild", api_visibility="undocumented", concurrency_limit=1
        ).then(refreshed, None, [collection, expert, theme, document], api_name=False, queue=False)
        gr.Timer(15).tick(
            lambda: (service.status(), service.collection()), None, [status, collection], api_name=False, queue=False
        )
    # A bounded queue: beyond it a request is refused at once ("queue is full") instead of waiting in memory.
    demo.queue(default_concurrency_limit=service.concurrency, max_size=service.settings.queue_size)
    return demo


def asgi(service: ChatService, demo: gr.Blocks | None = None):
    """The whole site as one FastAPI app: the OpenAI-compatible routes under /v1, the page at "/"
    (Gradio mounted on the app, its documented way of sharing a server with other routes)."""
    import fastapi

    from rag import openai_api

    site = fastapi.FastAPI(title=TITLE, docs_url=None, redoc_url=None, openapi_url=None)
    site.include_router(openai_api.router(service, service.concurrency))
    demo = demo or build_app(service)
    return gr.mount_gradio_app(site, demo, path="/", css=CSS, head=HEAD, footer_links=["api"], **served_files(service.settings))


def page_address(request) -> str:
    """The page's own address as the browser reached it ("http://host:port/"), for links that work
    when copied; "" (relative links) when there is no request (tests, scripts)."""
    if request is None:
        return ""
    try:
        return str(request.request.base_url) if hasattr(request, "request") else str(request.base_url)
    except AttributeError:
        return ""


def link_params(request) -> dict:
    """The query of the page's address: `q` and `bron`/`expert`/`advies`/`sectie` single, `na` a list."""
    if request is None:
        return {}
    query = request.query_params
    params = {k: query.get(k) for k in ("q", "bron", "expert", "advies", "sectie") if query.get(k) is not None}
    if query.getlist("na"):
        params["na"] = [str(x) for x in query.getlist("na")][-MAX_LINKED_QUESTIONS:]
    return params


def served_files(settings: Settings) -> dict:
    """Gradio may serve the corpus files (source links open a PDF at its page); nothing else."""
    return {"allowed_paths": [str(settings.data_dir.resolve())]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=f"{TITLE}: the chat page")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=7860)
    ap.add_argument("--index", help="index directory (default index/) or a PostgreSQL URL, postgresql://…")
    args = ap.parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.index:
            settings = settings.with_index(args.index)
        encoder = load_encoder(settings)
        missing = store.current_version(settings.index_dir) is None
        if missing or store.outdated_format(settings.index_dir):
            why = "No index" if missing else "An index in an older format"
            print(f"{why} in {settings.index_dir}; building it from {settings.data_dir} first…", flush=True)
            report = build(settings, encoder)
            print(f"Built: {report.advices} advices, {report.chunks} passages in {report.seconds:.1f} s", flush=True)
        service = ChatService(settings, encoder, host=args.host)
        print("Loading the models…", flush=True)
        service.pipeline.warm_up()
    except RagError as e:
        print(f"app: {e}", file=sys.stderr)
        return 1
    import uvicorn

    site = asgi(service)
    print(f"* Running on http://{args.host}:{args.port} (OpenAI-compatible API: http://{args.host}:{args.port}/v1)", flush=True)
    # Open page connections (event streams) would hold a Ctrl-C for ever: 5 s, then they are closed.
    uvicorn.run(site, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
