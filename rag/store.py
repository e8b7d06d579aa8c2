"""The index on disk: a directory of immutable versions and a pointer to the current one.

Owns the layout, the manifest and its checks, atomic publication and clean-up,
and the build lock. What goes into an index is decided by `build`; how it is
searched by `retrieve`.

    index/
      CURRENT              name of the live version (replaced atomically)
      .build.lock          held (flock) while a build runs
      v<ns>/manifest.json  format, model, dimension, chunking, corpus and file hashes
      v<ns>/chunks.jsonl   one chunk record per line, row i <-> vector i
      v<ns>/vectors.npy    float32 [n, dim], also the cache for incremental builds
      v<ns>/dense.faiss    inner-product index over the vectors
      v<ns>/sentences.jsonl  the chunks' sentences (`chunk.chunk_sentences`), with their chunk's row
      v<ns>/sentence_vectors.npy  float32 [m, dim], row j <-> sentence j
      v<ns>/bm25/          the BM25 model (bm25s files)

An index location that is a `Database` (`--index postgresql://…`) is handed to `pgstore`,
which keeps the same versions, manifest and checks in PostgreSQL + pgvector.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import ann, pgstore
from .errors import BuildLockedError, IndexCorruptError, IndexMismatchError, IndexMissingError
from .lexical import Bm25
from .settings import Database
from .types import Chunk

FORMAT_VERSION = (
    5  # 2: sentence vectors; 3: BM25 keeps words in capitals ("IT"); 4: sentences split after abbreviations ("art. 5");
    # 5: table rows stay lines (a long table is split into chunks), a page title not repeated as its section title
)
POINTER = "CURRENT"
LOCK = ".build.lock"
KEEP_VERSIONS = 2  # the live one and its predecessor, which a reader may still be opening
REBUILD_HINT = "rebuild it with `rag build --full`"


@dataclass(frozen=True, slots=True)
class Manifest:
    format_version: int
    embedding_model: str
    dimension: int
    chunking: dict
    documents: dict[str, str]  # document name -> sha256 of its bytes
    built_at: str
    counts: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    warnings: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # document -> why it was not indexed
    calibration: dict = field(default_factory=dict)  # the embedding model's thresholds (`rag.calibration`)
    ann: dict = field(default_factory=dict)  # the vector structure (`rag.ann.describe`); empty: exact
    # document -> {"title", "kind", "pages", "contributions", "experts", "advices", "sections"}
    collection: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Manifest:
        """The manifest, with its shape and every field's type checked (ValueError names the field)."""
        if not isinstance(d, dict):
            raise ValueError(f"the manifest is a JSON {type(d).__name__}, not an object")
        for name, kind in MANIFEST_FIELDS.items():
            if name in d and not (isinstance(d[name], kind) and not (kind is int and isinstance(d[name], bool))):
                raise ValueError(f"manifest field {name!r} should be {kind.__name__}, not {type(d[name]).__name__}")
        return cls(**{k: v for k, v in d.items() if k in MANIFEST_FIELDS})


MANIFEST_FIELDS: dict[str, type] = {
    "format_version": int,
    "embedding_model": str,
    "dimension": int,
    "chunking": dict,
    "documents": dict,
    "built_at": str,
    "counts": dict,
    "files": dict,
    "warnings": list,
    "skipped": dict,
    "calibration": dict,
    "ann": dict,
    "collection": dict,
}


@dataclass(frozen=True, slots=True)
class StoredIndex:
    """One loaded, verified index version."""

    version: str
    path: Path | None  # the version's directory; None for a version in a database
    manifest: Manifest
    chunks: tuple[Chunk, ...]
    vectors: np.ndarray
    dense: object  # faiss.Index
    bm25: Bm25
    sentences: tuple[str, ...]
    sentence_owner: np.ndarray  # int [m]: the chunk row of each sentence, ascending
    sentence_vectors: np.ndarray  # float32 [m, dim]
    rows: dict[str, int]  # chunk id -> row
    sentence_ann: object | None = None  # an approximate index over `sentence_vectors` (large corpora only)

    def sentences_of(self, chunk: Chunk) -> tuple[tuple[str, ...], np.ndarray]:
        """The sentences of `chunk` (one of this index's) and their passage vectors."""
        row = self.rows[chunk.chunk_id]
        lo, hi = np.searchsorted(self.sentence_owner, [row, row + 1])
        return self.sentences[lo:hi], self.sentence_vectors[lo:hi]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


VERSION_NAME = re.compile(r"v\d+")  # what `write_version` names a version


def current_version(index_dir: Path | Database) -> str | None:
    """Name of the live version, or None when no index has been published."""
    if isinstance(index_dir, Database):
        return pgstore.current_version(index_dir)
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexCorruptError(f"{index_dir} is a file, not an index directory; move it away or choose another --index")
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise IndexCorruptError(f"{index_dir / POINTER} is unreadable ({type(e).__name__}); {REBUILD_HINT}") from None
    # Only a plain name of a version inside this index: never a path that leads out of it.
    if name and not VERSION_NAME.fullmatch(name):
        raise IndexCorruptError(
            f"{index_dir / POINTER} names {name[:60]!r}, which is not a version of this index; {REBUILD_HINT}"
        )
    return name or None


@contextlib.contextmanager
def build_lock(index_dir: Path | Database) -> Iterator[None]:
    """Exclusive build lock; released by the OS (the database) even if the process is killed."""
    if isinstance(index_dir, Database):
        with pgstore.build_lock(index_dir):
            yield
        return
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexCorruptError(f"{index_dir} is a file, not an index directory; move it away or choose another --index")
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLockedError(f"another build of {index_dir} is running; wait for it to finish") from None
        yield
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class Sentences:
    """The chunks' sentences as stored: text, the chunk row each belongs to, and vectors."""

    texts: list[str]
    owner: list[int]
    vectors: np.ndarray


def write_version(
    index_dir: Path | Database,
    manifest: Manifest,
    chunks: list[Chunk],
    vectors: np.ndarray,
    sentences: Sentences,
    ann_min_sentences: int = ann.MIN_SENTENCES,
) -> str:
    """Write a complete new version beside the current one; returns its name (not yet live).
    From `ann_min_sentences` sentences on, chunk and sentence vectors get approximate indexes."""
    import faiss

    if isinstance(index_dir, Database):
        return pgstore.write_version(index_dir, manifest, chunks, vectors, sentences, ann_min_sentences)

    name = f"v{time.time_ns()}"
    tmp = index_dir / f".tmp-{name}"
    tmp.mkdir(parents=True)
    with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as f:
        for c in chunks:
            f.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(chunks), manifest.dimension)
    np.save(tmp / "vectors.npy", vectors)
    approximate = ann.use_ann(len(sentences.texts), ann_min_sentences)
    faiss.write_index(ann.make(vectors, approximate), str(tmp / "dense.faiss"))
    with (tmp / "sentences.jsonl").open("w", encoding="utf-8") as f:
        for row, text in zip(sentences.owner, sentences.texts):
            f.write(json.dumps({"chunk": row, "text": text}, ensure_ascii=False) + "\n")
    sentence_vectors = np.ascontiguousarray(sentences.vectors, dtype=np.float32).reshape(len(sentences.texts), manifest.dimension)
    np.save(tmp / "sentence_vectors.npy", sentence_vectors)
    if approximate:
        faiss.write_index(ann.make(sentence_vectors, True), str(tmp / "sentences.faiss"))
    Bm25.fit([c.embed_text for c in chunks]).save(tmp / "bm25")
    files = {str(p.relative_to(tmp)): sha256_file(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
    final = Manifest(**{**manifest.to_dict(), "files": files, "format_version": FORMAT_VERSION, "ann": ann.describe(approximate)})
    (tmp / "manifest.json").write_text(json.dumps(final.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _fsync_tree(tmp)
    os.rename(tmp, index_dir / name)
    _fsync_dir(index_dir)
    return name


def publish(index_dir: Path | Database, version: str) -> None:
    """Make `version` the live one with one atomic rename, then drop versions nobody needs."""
    if isinstance(index_dir, Database):
        return pgstore.publish(index_dir, version)
    pointer_tmp = index_dir / f".{POINTER}.tmp"
    with pointer_tmp.open("w", encoding="utf-8") as f:
        f.write(version + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(pointer_tmp, index_dir / POINTER)
    _fsync_dir(index_dir)
    cleanup(index_dir)


def set_aside(path: Path) -> Path:
    """Move a damaged index version (or an index path that is a file) out of the way under a name
    that says so, next to where it was; it is never deleted. Returns where it went."""
    target = path.with_name(f"damaged-{path.name}-{time.strftime('%Y%m%d-%H%M%S')}")
    n = 1
    while target.exists():
        target = path.with_name(f"damaged-{path.name}-{time.strftime('%Y%m%d-%H%M%S')}-{n}")
        n += 1
    os.replace(path, target)
    return target


def cleanup(index_dir: Path) -> None:
    """Remove unfinished builds and versions older than the last KEEP_VERSIONS. Call under the lock."""
    live = current_version(index_dir)
    for p in index_dir.glob(".tmp-v*"):
        shutil.rmtree(p, ignore_errors=True)
    versions = sorted(
        (p for p in index_dir.glob("v*") if p.is_dir()), key=lambda p: int(p.name[1:]) if p.name[1:].isdigit() else 0
    )
    keep = {p.name for p in versions[-KEEP_VERSIONS:]} | ({live} if live else set())
    for p in versions:
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)


def outdated_format(index_dir: Path | Database) -> bool:
    """Whether the live version was written by an earlier version of this program (a rebuild upgrades it)."""
    if isinstance(index_dir, Database):
        return pgstore.outdated_format(index_dir)
    version = current_version(index_dir)
    try:
        data = json.loads((index_dir / str(version) / "manifest.json").read_text(encoding="utf-8"))
        return version is not None and int(data["format_version"]) < FORMAT_VERSION
    except (OSError, ValueError, TypeError, KeyError):
        return False  # missing or damaged: loading reports it


def read_manifest(index_dir: Path | Database, version: str | None = None) -> tuple[str, Manifest]:
    """The live (or named) version's manifest, with format checks."""
    if isinstance(index_dir, Database):
        return pgstore.read_manifest(index_dir, version)
    version = version or current_version(index_dir)
    if version is None:
        if index_dir.exists() and any(index_dir.glob("*.faiss")):
            raise IndexMismatchError(f"{index_dir} holds an index in an older layout; {REBUILD_HINT}")
        raise IndexMissingError(f"no index in {index_dir}; build it with `rag build`")
    path = index_dir / version / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = Manifest.from_dict(data)
    except FileNotFoundError:
        raise IndexCorruptError(f"index {index_dir} points to version {version}, which is missing; {REBUILD_HINT}") from None
    except NotADirectoryError:
        raise IndexCorruptError(f"index {index_dir}: version {version} is a file, not a directory; {REBUILD_HINT}") from None
    except (ValueError, TypeError) as e:
        raise IndexCorruptError(f"index manifest {path} is unreadable ({e}); {REBUILD_HINT}") from None
    refuse_format(manifest, index_dir, REBUILD_HINT)
    return version, manifest


def refuse_format(manifest: Manifest, where: object, hint: str) -> None:
    """An index written in another format than this program reads is refused with its format."""
    if manifest.format_version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index {where} has format {manifest.format_version}, this program reads format {FORMAT_VERSION}; {hint}"
        )


def refuse_mismatch(manifest: Manifest, where: object, embedding_model: str | None, dimension: int | None, hint: str) -> None:
    """An index built with another embedding model, or vectors of another dimension, is refused by name."""
    if embedding_model is not None and manifest.embedding_model != embedding_model:
        raise IndexMismatchError(
            f"index {where} was built with embedding model {manifest.embedding_model!r}, "
            f"but this run uses {embedding_model!r}; {hint}"
        )
    if dimension is not None and manifest.dimension != dimension:
        raise IndexMismatchError(
            f"index {where} has {manifest.dimension}-dimensional vectors, the model gives {dimension}; {hint}"
        )


def load(index_dir: Path | Database, embedding_model: str | None = None, dimension: int | None = None) -> StoredIndex:
    """Load and verify the live version; refuses a model/dimension mismatch or damaged files."""
    import faiss

    if isinstance(index_dir, Database):
        return pgstore.load(index_dir, embedding_model, dimension)

    version, manifest = read_manifest(index_dir)
    refuse_mismatch(manifest, index_dir, embedding_model, dimension, REBUILD_HINT)
    root = index_dir / version
    for rel, digest in manifest.files.items():
        p = root / rel
        if not p.is_file() or sha256_file(p) != digest:
            raise IndexCorruptError(f"index file {p} is missing or damaged; {REBUILD_HINT}")
    try:
        chunks = tuple(
            Chunk.from_dict(json.loads(line)) for line in (root / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
        )
        vectors = np.load(root / "vectors.npy", allow_pickle=False)
        dense = faiss.read_index(str(root / "dense.faiss"))
        bm25 = Bm25.load(root / "bm25")
        rows = [json.loads(line) for line in (root / "sentences.jsonl").read_text(encoding="utf-8").splitlines()]
        sentences = tuple(str(r["text"]) for r in rows)
        owner = np.array([int(r["chunk"]) for r in rows], dtype=np.int64)
        sentence_vectors = np.load(root / "sentence_vectors.npy", allow_pickle=False)
        approximate = manifest.ann.get("type") == "hnsw"
        sentence_ann = faiss.read_index(str(root / "sentences.faiss")) if approximate else None
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as e:
        raise IndexCorruptError(f"index {root} cannot be read ({type(e).__name__}); {REBUILD_HINT}") from None
    if not (len(chunks) == vectors.shape[0] == dense.ntotal) or vectors.shape[1] != manifest.dimension:
        raise IndexCorruptError(f"index {root} is inconsistent (chunks, vectors and FAISS disagree); {REBUILD_HINT}")
    if (
        sentence_vectors.shape != (len(sentences), manifest.dimension)
        or np.any(np.diff(owner) < 0)
        or (len(owner) and (owner[0] < 0 or owner[-1] >= len(chunks)))
    ):
        raise IndexCorruptError(f"index {root} is inconsistent (sentences and their vectors disagree); {REBUILD_HINT}")
    ann.check(dense, manifest.ann, f"index {root} (chunk vectors)")
    if sentence_ann is not None:
        ann.check(sentence_ann, manifest.ann, f"index {root} (sentence vectors)")
        if sentence_ann.ntotal != len(sentences):
            raise IndexCorruptError(f"index {root} is inconsistent (sentences and their index disagree); {REBUILD_HINT}")
    rows = {c.chunk_id: i for i, c in enumerate(chunks)}
    return StoredIndex(
        version, root, manifest, chunks, vectors, dense, bm25, sentences, owner, sentence_vectors, rows, sentence_ann
    )


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for p in root.rglob("*"):
        if p.is_file():
            with p.open("rb") as f:
                os.fsync(f.fileno())
    for d in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
        _fsync_dir(d)
