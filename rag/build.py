"""Builds the index from the corpus: read, parse, chunk, embed what changed, publish.

Owns the build pipeline, the reuse of vectors from the live index (incremental
builds), the change report in the booklet's terms, and the staleness check.
Parsing, chunking, embedding and the on-disk format belong to their own modules.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from . import calibration, pages, readers, store
from .chunk import ChunkParams, chunk_document, chunk_sentences
from .embed import Encoder
from .errors import CorpusError, RagError
from .parse import parse_document
from .readers import Source
from .settings import Database, Settings
from .types import Chunk, ParsedDocument

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
READER_VERSION = 2  # raise when a reader's output changes: cached extractions are then read again
EMBED_BATCH = 16

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True, slots=True)
class Changes:
    advices_added: list[str] = field(default_factory=list)
    advices_changed: list[str] = field(default_factory=list)
    advices_removed: list[str] = field(default_factory=list)
    documents_added: list[str] = field(default_factory=list)
    documents_removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(asdict(self).values())


@dataclass(frozen=True, slots=True)
class BuildReport:
    documents: int
    contributions: int
    experts: int
    advices: int
    chunks: int
    embedded: int
    reused: int
    removed: int
    seconds: float
    embedding_model: str
    index_dir: str
    version: str = ""
    changes: Changes = field(default_factory=Changes)
    warnings: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["seconds"] = round(self.seconds, 2)
        return d


@dataclass(frozen=True, slots=True)
class Corpus:
    documents: list[ParsedDocument]
    hashes: dict[str, str]
    skipped: dict[str, str]
    sources: dict[str, Source] = field(default_factory=dict)  # what each document was read as


def read_corpus(data_dir: Path, extracted: Path | None = None, progress: Progress | None = None) -> Corpus:
    """Parse every document of a supported format; a file that cannot be used is skipped with
    the reason. What a reader extracted from a PDF, Word or HTML file is kept in `extracted`
    under the file's hash, so an unchanged file is not read again."""
    if not data_dir.is_dir():
        raise CorpusError(f"corpus directory {data_dir} does not exist")
    documents: list[ParsedDocument] = []
    hashes: dict[str, str] = {}
    skipped: dict[str, str] = {}
    sources: dict[str, Source] = {}
    paths = corpus_files(data_dir)
    for done, (name, path) in enumerate(paths):
        if progress is not None:
            progress("parsing", done, len(paths))
        try:
            raw = path.read_bytes()
        except OSError as e:
            skipped[name] = f"cannot be read ({e.strerror})"
            continue
        if len(raw) > MAX_DOCUMENT_BYTES:
            skipped[name] = f"larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB"
            continue
        digest = hashlib.sha256(raw).hexdigest()
        try:
            source = _extract(path, raw, digest, extracted, progress)
        except readers.Unreadable as e:
            skipped[name] = str(e)
            continue
        if not source.text.strip():
            skipped[name] = "is empty"
            continue
        doc = parse_document(name, source.text)
        if source.notes:  # pages a scan could not give
            doc = replace(doc, warnings=doc.warnings + source.notes)
        if not doc.contributions and not any(s.text.strip() for s in doc.sections):
            skipped[name] = "has no text to index"
            continue
        documents.append(doc)
        hashes[name] = digest
        sources[name] = source
    if progress is not None:
        progress("parsing", len(paths), len(paths))
    if not documents:
        detail = "; ".join(f"{n} {why}" for n, why in skipped.items())
        kinds = ", ".join(readers.SUFFIXES)
        raise CorpusError(f"no usable documents ({kinds}) in {data_dir}" + (f" ({detail})" if detail else ""))
    return Corpus(documents, hashes, skipped, sources)


def corpus_files(data_dir: Path) -> list[tuple[str, Path]]:
    """(name, path) of every file of a supported format in `data_dir`, hidden ones left out, in name order."""
    found = []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file() and p.suffix.lower() in readers.SUFFIXES):
        rel = path.relative_to(data_dir)
        if not any(part.startswith(".") for part in rel.parts):
            found.append((rel.as_posix(), path))
    return found


def _extract(path: Path, raw: bytes, digest: str, extracted: Path | None, progress: Progress | None = None) -> Source:
    """The reader's output for a file, from the extraction cache when the file is unchanged
    (a scan's lasting reason to skip it too: recognising it again would take as long)."""
    pages = (lambda done, total: progress("recognising " + path.name, done, total)) if progress is not None else None
    if path.suffix.lower() in readers.TEXT_SUFFIXES or extracted is None:
        return readers.read(path, raw, pages)
    cached = extracted / f"{digest}-{READER_VERSION}.json"
    try:
        kept = json.loads(cached.read_text(encoding="utf-8"))
        if "skipped" in kept:
            raise readers.Unreadable(kept["skipped"], lasting=True)
        return Source.from_dict(kept)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        source = readers.read(path, raw, pages)
    except readers.Unreadable as e:
        if e.lasting:
            _keep(cached, {"skipped": str(e)})
        raise
    _keep(cached, source.to_dict())
    return source


def _keep(cached: Path, record: dict) -> None:
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        tmp.replace(cached)
    except OSError:
        pass  # a cache that cannot be written only costs a second reading


def _chunks(doc: ParsedDocument, source: Source | None, params: ChunkParams) -> list[Chunk]:
    chunks = chunk_document(doc, params)
    return pages.place(chunks, source.pages) if source is not None and source.pages else chunks


def vector_key(model_id: str, embed_text: str) -> str:
    return hashlib.sha256(f"{model_id}\x1f{embed_text}".encode("utf-8", "surrogatepass")).hexdigest()


def _advice_label(c: Chunk) -> str:
    if c.contribution:
        who = ", ".join(c.experts)
        return f"{who}: advies {c.advice} ({c.advice_title})" if c.advice else f"{who}: {c.advice_title.lower()}"
    return f"{c.document}: {c.section}"


def _changes(old: tuple[Chunk, ...], new: list[Chunk]) -> Changes:
    def group(chunks) -> dict[tuple, tuple[str, set[str]]]:
        out: dict[tuple, tuple[str, set[str]]] = {}
        for c in chunks:
            key = (
                c.document,
                c.contribution,
                c.advice,
                c.section if not c.contribution else c.advice_title if not c.advice else "",
            )
            label, ids = out.setdefault(key, (_advice_label(c), set()))
            ids.add(c.chunk_id)
        return out

    before, after = group(old), group(new)
    old_docs, new_docs = {c.document for c in old}, {c.document for c in new}
    return Changes(
        advices_added=[after[k][0] for k in after if k not in before and k[0] in old_docs],
        advices_changed=[after[k][0] for k in after if k in before and before[k][1] != after[k][1]],
        advices_removed=[before[k][0] for k in before if k not in after and k[0] in new_docs],
        documents_added=sorted(new_docs - old_docs),
        documents_removed=sorted(old_docs - new_docs),
    )


def _previous(index_dir: Path | Database, model_id: str, warnings: list[str]) -> store.StoredIndex | None:
    """The live index when its vectors can be reused; None when there is none or it is unusable.
    A damaged live version is moved aside under a name that says so (never deleted)."""
    try:
        previous = store.load(index_dir)
    except store.IndexMissingError:
        return None
    except RagError as e:
        warnings.append(f"previous index not reused: {e}")
        version = _live_name(index_dir)
        if isinstance(e, store.IndexCorruptError) and isinstance(index_dir, Path) and version and (index_dir / version).exists():
            warnings.append(f"damaged version moved aside to {store.set_aside(index_dir / version).name}")
        return None
    if previous.manifest.embedding_model != model_id:
        warnings.append(f"previous index used {previous.manifest.embedding_model!r}; everything is embedded again")
    return previous


def _live_name(index_dir: Path | Database) -> str | None:
    """The name CURRENT gives, if it is a plain version name of this index (else nothing is moved)."""
    try:
        return store.current_version(index_dir)
    except RagError:
        return None


def build(settings: Settings, encoder: Encoder, full: bool = False, progress: Progress | None = None) -> BuildReport:
    """Build and publish a new index version from `settings.data_dir`."""
    started = time.perf_counter()
    progress = progress or (lambda stage, done, total: None)
    params = ChunkParams(settings.chunk_words, settings.chunk_overlap_sentences)
    index_dir = settings.index_dir
    set_aside = []
    if full and isinstance(index_dir, Path) and index_dir.exists() and not index_dir.is_dir():
        set_aside.append(f"{index_dir} was a file, not an index directory; moved aside to {store.set_aside(index_dir).name}")
    with store.build_lock(index_dir):
        corpus = read_corpus(settings.data_dir, settings.cache_dir / "extracted", progress)
        warnings = set_aside + [f"{d.name}: {w}" for d in corpus.documents for w in d.warnings]
        chunks = [c for d in corpus.documents for c in _chunks(d, corpus.sources.get(d.name), params)]

        previous = _previous(index_dir, encoder.model_id, warnings)
        cache: dict[str, np.ndarray] = {}
        if previous is not None and not full and previous.manifest.embedding_model == encoder.model_id:
            for text, v in [
                *zip((c.embed_text for c in previous.chunks), previous.vectors),
                *zip(previous.sentences, previous.sentence_vectors),
            ]:
                cache[vector_key(encoder.model_id, text)] = v
        # Each chunk is embedded whole and sentence by sentence (retrieval takes the better match).
        sentence_texts, owner = [], []
        for row, c in enumerate(chunks):
            for s in chunk_sentences(c.text):
                sentence_texts.append(s)
                owner.append(row)
        all_texts = [c.embed_text for c in chunks] + sentence_texts
        all_vectors, todo = _embed(all_texts, cache, encoder, progress)
        vectors, sentence_vectors = all_vectors[: len(chunks)], all_vectors[len(chunks) :]
        embedded = sum(1 for i in todo if i < len(chunks))

        old_chunks = previous.chunks if previous is not None else ()
        new_ids = {c.chunk_id for c in chunks}
        removed = sum(1 for c in old_chunks if c.chunk_id not in new_ids)
        counts = _counts(corpus.documents, chunks)
        found = calibration.find(encoder.model_id, settings.calibration_file)
        if found is None:
            warnings.append(
                f"no calibration for the embedding model {encoder.model_id!r}: search works, answers need `{calibration.SCRIPT}`"
            )
        manifest = store.Manifest(
            format_version=store.FORMAT_VERSION,
            embedding_model=encoder.model_id,
            dimension=encoder.dimension,
            chunking=params.to_dict(),
            documents=corpus.hashes,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            counts=counts,
            warnings=warnings,
            skipped=corpus.skipped,
            calibration=found.to_dict() if found else {},
            collection=collection(corpus),
        )
        progress("writing", 0, 1)
        version = store.write_version(
            index_dir, manifest, chunks, vectors, store.Sentences(sentence_texts, owner, sentence_vectors),
            ann_min_sentences=settings.ann_min_sentences,
        )  # fmt: skip
        store.publish(index_dir, version)
        progress("writing", 1, 1)
    return BuildReport(
        **counts,
        embedded=embedded,
        reused=len(chunks) - embedded,
        removed=removed,
        seconds=time.perf_counter() - started,
        embedding_model=encoder.model_id,
        index_dir=str(index_dir),
        version=version,
        changes=_changes(old_chunks, chunks),
        warnings=warnings,
        skipped=corpus.skipped,
    )


def _embed(texts: list[str], cache: dict[str, np.ndarray], encoder: Encoder, progress: Progress) -> tuple[np.ndarray, list[int]]:
    """Passage vectors of `texts`, from the cache where possible; also which ones were embedded."""
    keys = [vector_key(encoder.model_id, t) for t in texts]
    todo = [i for i, k in enumerate(keys) if k not in cache]
    fresh: dict[int, np.ndarray] = {}
    step = getattr(encoder, "batch_size", EMBED_BATCH)  # a server takes several requests at once
    for start in range(0, len(todo), step):
        progress("embedding", start, len(todo))
        batch = todo[start : start + step]
        fresh.update(zip(batch, encoder.encode([texts[i] for i in batch], "passage")))
    progress("embedding", len(todo), len(todo))
    vectors = np.zeros((len(texts), encoder.dimension), dtype=np.float32)
    for i, k in enumerate(keys):
        vectors[i] = fresh[i] if i in fresh else cache[k]
    return vectors, todo


def collection(corpus: Corpus) -> dict[str, dict]:
    """What the page's collection view shows per document: its title, format and size."""
    out = {}
    for d in corpus.documents:
        source = corpus.sources.get(d.name)
        out[d.name] = {
            "title": d.title,
            "kind": source.kind if source else "text",
            "recognised": len(source.recognised) if source else 0,  # pages whose text came from a scan
            "pages": len(source.pages) if source else 0,
            "contributions": len(d.contributions),
            "experts": len(set(d.experts)),
            "advices": d.advice_count,
            "sections": len(d.sections),
        }
    return out


def _counts(documents: list[ParsedDocument], chunks: list[Chunk]) -> dict[str, int]:
    experts = {n for d in documents for n in d.experts}
    return {
        "documents": len(documents),
        "contributions": sum(len(d.contributions) for d in documents),
        "experts": len(experts),
        "advices": sum(d.advice_count for d in documents),
        "chunks": len(chunks),
    }


@dataclass(frozen=True, slots=True)
class Staleness:
    up_to_date: bool
    added: list[str]
    changed: list[str]
    removed: list[str]
    reason: str = ""


def staleness(settings: Settings, manifest: store.Manifest) -> Staleness:
    """Whether the index matches the documents in the data directory (by content hash)."""
    current: dict[str, str] = {}
    data_dir = settings.data_dir
    if data_dir.is_dir():
        for name, path in corpus_files(data_dir):
            if name in manifest.skipped:
                continue
            try:
                current[name] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                continue
    indexed = manifest.documents
    added = sorted(set(current) - set(indexed))
    removed = sorted(set(indexed) - set(current))
    changed = sorted(n for n in set(current) & set(indexed) if current[n] != indexed[n])
    params = ChunkParams(settings.chunk_words, settings.chunk_overlap_sentences).to_dict()
    reason = "" if manifest.chunking == params else "chunking settings changed"
    return Staleness(not (added or removed or changed or reason), added, changed, removed, reason)
