"""The index in PostgreSQL + pgvector, beside the directory of `store`: the same versions,
manifest checks and atomic publication, for many page processes on one database.

Owns the schema, connections (timeouts, one-line errors, reconnecting), writing a version,
the atomic switch of the live version, dropping old versions, the build lock (an advisory
lock, released by the server when a killed build's connection drops) and loading a version
into the `StoredIndex` that `retrieve` searches. What goes into a version is `build`'s.

    rag_versions (name, manifest jsonb)          one row per complete version
    rag_live (id = 1, name)                      the live version (switched in one transaction)
    rag_chunks_<name> (row, data jsonb, embedding vector(d))          + HNSW (inner product)
    rag_sentences_<name> (row, chunk, text, embedding vector(d))     + HNSW (inner product)

A version is written in one transaction, so a build killed half-way leaves nothing behind and
the old version serving. Chunk texts, BM25 and (below `rag.ann.MIN_SENTENCES`) the vectors are
held in memory as with a directory, so the results are the file store's; from that size on the
dense side asks the HNSW indexes in the database (`PgVectors`), as `rag.ann` would ask FAISS.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Iterator

import numpy as np

from . import ann
from .errors import BuildLockedError, IndexCorruptError, IndexMissingError, IndexUnavailableError
from .lexical import Bm25
from .settings import Database
from .types import Chunk

KEEP_VERSIONS = 2  # the live one and its predecessor, which another process may still be searching
LOCK_KEY = 0x7261675F6275696C  # pg_advisory_lock key of `rag build` ("rag_buil")
# pgvector HNSW, from `bench/scale.py --store postgres --size 100000 --ef-search 200 300 400` (under load):
# with efConstruction 64, efSearch 200 / 400 gave chunk recall@10 0.93 / 1.0 (sentences 0.938 /
# 0.965); with 128, efSearch 200 / 300 / 400 gave 0.975 / 0.98 / 1.0 (sentences 0.963 / 0.978 /
# 0.98) at hybrid p95 18 / 26 / 123 ms. 300 is the first depth past 0.95 on both with room to spare.
HNSW_M = 16
EF_CONSTRUCTION = 128
EF_SEARCH = 300  # candidates per HNSW search (pgvector allows up to 1000); at least ann.CANDIDATES
SCHEMA = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE IF NOT EXISTS rag_versions (name text PRIMARY KEY, manifest jsonb NOT NULL, created timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS rag_live (id int PRIMARY KEY CHECK (id = 1), name text NOT NULL REFERENCES rag_versions (name));
"""


def _hint(db: Database) -> str:
    return f"rebuild it with `rag build --full --index {db}`"


def _unavailable(db: Database, e: Exception) -> IndexUnavailableError:
    first = (str(e).strip().splitlines() or [type(e).__name__])[0]
    if "statement timeout" in first:
        return IndexUnavailableError(f"the index database {db} did not answer within {db.timeout:g} s; try again")
    return IndexUnavailableError(f"the index database {db} cannot be reached ({first}); check that it runs")


def connect(db: Database, statement_timeout: float | None = None):
    """A new autocommit connection with timeouts: `db.timeout` seconds to connect and, unless
    `statement_timeout` says otherwise (0: none, for a build), per statement."""
    import psycopg

    limit = db.timeout if statement_timeout is None else statement_timeout
    try:
        conn = psycopg.connect(
            db.url,
            autocommit=True,
            connect_timeout=max(1, round(db.timeout)),
            options=f"-c statement_timeout={int(limit * 1000)} -c lock_timeout={int(db.timeout * 1000)}",
            # A server that vanishes without closing the connection (a killed host, a cut network)
            # is noticed within the timeout instead of the kernel's minutes.
            tcp_user_timeout=int(db.timeout * 1000),
            keepalives=1,
            keepalives_idle=max(1, round(db.timeout)),
            keepalives_interval=1,
            keepalives_count=3,
        )
    except psycopg.Error as e:
        raise _unavailable(db, e) from None
    try:
        _register(conn)  # without the extension yet (an empty database), `_Readers` registers it later
    except psycopg.Error as e:
        conn.close()
        raise _unavailable(db, e) from None
    return conn


def _register(conn) -> bool:
    """Teach the connection pgvector's type (vectors in and out as numpy); False while the
    database has no vector extension."""
    import psycopg
    from pgvector.psycopg import register_vector

    try:
        register_vector(conn)
        return True
    except psycopg.ProgrammingError:
        return False


class _Readers:
    """One reading connection per database and process, opened again after it was lost."""

    def __init__(self) -> None:
        self._conns: dict[Database, object] = {}
        self._typed: set[int] = set()  # connections that know the vector type
        self.ef_search: dict[int, int] = {}  # the HNSW search depth each connection is set to
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def use(self, db: Database) -> Iterator:
        import psycopg

        with self._lock:
            conn = self._conns.get(db)
            if conn is None or conn.closed or conn.broken:
                conn = self._conns[db] = connect(db)
                self._typed.discard(id(conn))
                self.ef_search.pop(id(conn), None)
            if id(conn) not in self._typed:
                try:
                    if _register(conn):
                        self._typed.add(id(conn))
                except psycopg.Error as e:
                    del self._conns[db]
                    conn.close()
                    raise _unavailable(db, e) from None
        try:
            yield conn
        except (psycopg.OperationalError, psycopg.InterfaceError) as e:
            # A lost connection or a statement timeout: the next call connects again.
            with self._lock:
                if self._conns.get(db) is conn:
                    del self._conns[db]
            with contextlib.suppress(Exception):
                conn.close()
            raise _unavailable(db, e) from None


_readers = _Readers()


LOAD_TIMEOUT_S = 600  # reading a whole version (a million sentences) takes longer than a question's statements


def _query(db: Database, sql, params=(), binary: bool = False, timeout: float | None = None) -> list[tuple]:
    """Rows of one statement, within `db.timeout` seconds (or `timeout`)."""
    import psycopg

    with _readers.use(db) as conn:
        try:
            if timeout is None:
                return conn.execute(sql, params, binary=binary).fetchall()
            with conn.transaction():
                conn.execute(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
                return conn.execute(sql, params, binary=binary).fetchall()
        except psycopg.errors.UndefinedTable:
            raise IndexMissingError(f"no index in {db}; build it with `rag build --index {db}`") from None
        except psycopg.errors.UndefinedObject:  # the vector type: the extension is not installed
            raise IndexMissingError(f"no index in {db}; build it with `rag build --index {db}`") from None


def current_version(db: Database) -> str | None:
    """Name of the live version, or None when none has been published."""
    import psycopg

    try:
        rows = _query(db, "SELECT name FROM rag_live WHERE id = 1")
    except IndexMissingError:
        return None
    except psycopg.Error as e:
        raise _unavailable(db, e) from None
    return rows[0][0] if rows else None


def read_manifest(db: Database, version: str | None = None):
    """The live (or named) version's manifest, with format checks."""
    from .store import Manifest, refuse_format

    if version is None:
        rows = _query(db, "SELECT v.name, v.manifest FROM rag_live l JOIN rag_versions v USING (name) WHERE l.id = 1")
    else:
        rows = _query(db, "SELECT name, manifest FROM rag_versions WHERE name = %s", (version,))
    if not rows:
        raise IndexMissingError(f"no index in {db}; build it with `rag build --index {db}`")
    name, data = rows[0]
    try:
        manifest = Manifest.from_dict(data)
    except (ValueError, TypeError) as e:
        raise IndexCorruptError(f"index manifest of version {name} in {db} is unreadable ({e}); {_hint(db)}") from None
    refuse_format(manifest, db, _hint(db))
    return name, manifest


def outdated_format(db: Database) -> bool:
    """Whether the live version was written by an earlier version of this program."""
    from .store import FORMAT_VERSION

    try:
        rows = _query(db, "SELECT v.manifest FROM rag_live l JOIN rag_versions v USING (name) WHERE l.id = 1")
        return bool(rows) and int(rows[0][0]["format_version"]) < FORMAT_VERSION
    except (IndexMissingError, ValueError, TypeError, KeyError):
        return False


def _tables(name: str) -> tuple:
    from psycopg import sql

    return sql.Identifier(f"rag_chunks_{name}"), sql.Identifier(f"rag_sentences_{name}")


def _chunk_json(c: Chunk) -> str:
    return json.dumps(c.to_dict(), ensure_ascii=False, sort_keys=True)


def _digest(texts: list[str], vectors: np.ndarray) -> str:
    """What the manifest records of a table: its rows' text and vectors, in row order."""
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8", "surrogatepass") + b"\x1e")
    h.update(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
    return h.hexdigest()


class PgVectors:
    """The dense side of a large index in the database: `search` answers like a FAISS index
    (similarities and row ids, best first, -1 where there are fewer) from an HNSW index."""

    def __init__(self, db: Database, table: str, ntotal: int, ef_search: int = EF_SEARCH) -> None:
        self.db, self.table, self.ntotal, self.ef_search = db, table, ntotal, ef_search

    def search(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        from pgvector import Vector
        from psycopg import sql

        v = Vector(np.ascontiguousarray(q[0], dtype=np.float32))
        query = sql.SQL(
            "SELECT row, -(embedding <#> %(v)s) FROM {} ORDER BY embedding <#> %(v)s LIMIT %(k)s"
        ).format(sql.Identifier(self.table))  # fmt: skip
        with _readers.use(self.db) as conn:
            if _readers.ef_search.get(id(conn)) != self.ef_search:  # one round trip per search, not four
                conn.execute(sql.SQL("SET hnsw.ef_search = {}").format(sql.Literal(int(self.ef_search))))
                _readers.ef_search[id(conn)] = self.ef_search
            rows = conn.execute(query, {"v": v, "k": int(k)}).fetchall()
        sims = np.full((1, k), -np.inf, dtype=np.float32)
        ids = np.full((1, k), -1, dtype=np.int64)
        for i, (row, sim) in enumerate(rows):
            ids[0, i], sims[0, i] = row, sim
        return sims, ids


@contextlib.contextmanager
def build_lock(db: Database) -> Iterator[object]:
    """The database's build lock and the connection that holds it (and writes the version); the
    server releases it when that connection ends, also when the build is killed."""
    conn = connect(db, statement_timeout=0)
    try:
        if not conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]:
            raise BuildLockedError(f"another build of {db} is running; wait for it to finish")
        with conn.transaction():
            conn.execute(SCHEMA)
        _register(conn)
        _building[db.url] = conn
        yield conn
    except _operational() as e:
        raise _unavailable(db, e) from None
    finally:
        _building.pop(db.url, None)
        with contextlib.suppress(Exception):
            conn.close()


_building: dict[str, object] = {}


def _operational():
    import psycopg

    return psycopg.OperationalError


def _writer(db: Database):
    conn = _building.get(db.url)
    if conn is None:
        raise RuntimeError("pgstore: writing needs the build lock (`store.build_lock`)")
    return conn


def write_version(db: Database, manifest, chunks: list[Chunk], vectors: np.ndarray, sentences, ann_min_sentences: int) -> str:
    """Write a complete new version in one transaction; returns its name (not yet live)."""
    from psycopg import sql
    from psycopg.types.json import Jsonb

    from .store import FORMAT_VERSION, Manifest

    conn = _writer(db)
    name = f"v{time.time_ns()}"
    dim = manifest.dimension
    vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(chunks), dim)
    sentence_vectors = np.ascontiguousarray(sentences.vectors, dtype=np.float32).reshape(len(sentences.texts), dim)
    chunk_rows = [_chunk_json(c) for c in chunks]
    chunks_t, sentences_t = _tables(name)
    approximate = ann.use_ann(len(sentences.texts), ann_min_sentences)
    described = (
        {"type": "pgvector-hnsw", "m": HNSW_M, "ef_construction": EF_CONSTRUCTION, "ef_search": EF_SEARCH}
        if approximate
        else ann.describe(False)
    )
    files = {
        "chunks": _digest(chunk_rows, vectors),
        "sentences": _digest([f"{o}\x1f{t}" for o, t in zip(sentences.owner, sentences.texts)], sentence_vectors),
    }
    final = Manifest(**{**manifest.to_dict(), "files": files, "format_version": FORMAT_VERSION, "ann": described})
    try:
        with conn.transaction():
            # pgvector builds HNSW fast only while the graph fits in maintenance_work_mem.
            graph_mb = int((len(chunks) + len(sentence_vectors)) * (dim * 4 + 400) * 1.3 / 2**20)
            conn.execute(f"SET LOCAL maintenance_work_mem = '{min(max(graph_mb, 64), 8192)}MB'")
            conn.execute(
                sql.SQL("CREATE TABLE {} (row int PRIMARY KEY, data jsonb NOT NULL, embedding vector({}) NOT NULL)").format(
                    chunks_t, sql.Literal(dim)
                )
            )
            conn.execute(
                sql.SQL(
                    "CREATE TABLE {} (row int PRIMARY KEY, chunk int NOT NULL, text text NOT NULL, embedding vector({}) NOT NULL)"
                ).format(sentences_t, sql.Literal(dim))
            )
            with conn.cursor().copy(
                sql.SQL("COPY {} (row, data, embedding) FROM STDIN WITH (FORMAT BINARY)").format(chunks_t)
            ) as cp:
                cp.set_types(["int4", "jsonb", "vector"])
                for i, (c, v) in enumerate(zip(chunks, vectors)):
                    cp.write_row((i, Jsonb(c.to_dict()), v))
            copy_sql = sql.SQL("COPY {} (row, chunk, text, embedding) FROM STDIN WITH (FORMAT BINARY)").format(sentences_t)
            with conn.cursor().copy(copy_sql) as cp:
                cp.set_types(["int4", "int4", "text", "vector"])
                for i, (owner, text, v) in enumerate(zip(sentences.owner, sentences.texts, sentence_vectors)):
                    cp.write_row((i, int(owner), text, v))
            for table in (chunks_t, sentences_t):
                conn.execute(
                    sql.SQL("CREATE INDEX ON {} USING hnsw (embedding vector_ip_ops) WITH (m = {}, ef_construction = {})").format(
                        table, sql.Literal(HNSW_M), sql.Literal(EF_CONSTRUCTION)
                    )
                )
            conn.execute(
                "INSERT INTO rag_versions (name, manifest) VALUES (%s, %s)",
                (name, json.dumps(final.to_dict(), ensure_ascii=False)),
            )
    except _operational() as e:
        raise _unavailable(db, e) from None
    return name


def publish(db: Database, version: str) -> None:
    """Make `version` the live one (one transaction), then drop the versions nobody needs."""
    conn = _writer(db)
    try:
        with conn.transaction():
            conn.execute(
                "INSERT INTO rag_live (id, name) VALUES (1, %s) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name", (version,)
            )
    except _operational() as e:
        raise _unavailable(db, e) from None
    cleanup(db)


def cleanup(db: Database) -> None:
    """Drop versions older than the last KEEP_VERSIONS (never the live one) and tables of no version."""
    from psycopg import sql

    conn = _writer(db)
    with conn.transaction():
        live = conn.execute("SELECT name FROM rag_live WHERE id = 1").fetchone()
        names = [r[0] for r in conn.execute("SELECT name FROM rag_versions").fetchall()]
        names.sort(key=lambda n: int(n[1:]) if n[1:].isdigit() else 0)
        keep = set(names[-KEEP_VERSIONS:]) | ({live[0]} if live else set())
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename ~ '^rag_(chunks|sentences)_v[0-9]+$'"
            ).fetchall()
        ]
        for table in tables:
            if table.rsplit("_", 1)[1] not in keep:
                conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(table)))
        conn.execute("DELETE FROM rag_versions WHERE NOT (name = ANY(%s))", (list(keep),))


def load(db: Database, embedding_model: str | None = None, dimension: int | None = None):
    """Load and verify the live version; refuses a model/dimension mismatch or damaged rows."""
    import psycopg
    from psycopg import sql

    from .store import StoredIndex, refuse_mismatch

    version, manifest = read_manifest(db)
    refuse_mismatch(manifest, db, embedding_model, dimension, _hint(db))
    chunks_t, sentences_t = _tables(version)
    try:
        slow = max(db.timeout, LOAD_TIMEOUT_S)
        crows = _query(db, sql.SQL("SELECT data, embedding FROM {} ORDER BY row").format(chunks_t), binary=True, timeout=slow)
        srows = _query(
            db, sql.SQL("SELECT chunk, text, embedding FROM {} ORDER BY row").format(sentences_t), binary=True, timeout=slow
        )
    except IndexMissingError:
        raise IndexCorruptError(f"index {db}: the tables of version {version} are missing; {_hint(db)}") from None
    except psycopg.Error as e:
        raise IndexCorruptError(f"index {db}, version {version} cannot be read ({type(e).__name__}); {_hint(db)}") from None
    dim = manifest.dimension
    try:
        chunks = tuple(Chunk.from_dict(d) for d, _ in crows)
        vectors = _matrix([v for _, v in crows], dim)
        owner = np.array([int(o) for o, _, _ in srows], dtype=np.int64)
        sentences = tuple(str(t) for _, t, _ in srows)
        sentence_vectors = _matrix([v for _, _, v in srows], dim)
    except (ValueError, TypeError, KeyError) as e:
        raise IndexCorruptError(f"index {db}, version {version} cannot be read ({type(e).__name__}); {_hint(db)}") from None
    digests = {
        "chunks": _digest([_chunk_json(c) for c in chunks], vectors),
        "sentences": _digest([f"{o}\x1f{t}" for o, t in zip(owner, sentences)], sentence_vectors),
    }
    if digests != manifest.files:
        raise IndexCorruptError(f"index {db}: the rows of version {version} do not match its manifest; {_hint(db)}")
    if np.any(np.diff(owner) < 0) or (len(owner) and (owner[0] < 0 or owner[-1] >= len(chunks))):
        raise IndexCorruptError(f"index {db} is inconsistent (sentences and their chunks disagree); {_hint(db)}")
    approximate = manifest.ann.get("type") == "pgvector-hnsw"
    if approximate:
        ef = int(manifest.ann.get("ef_search", EF_SEARCH))
        dense = PgVectors(db, f"rag_chunks_{version}", len(chunks), ef)
        sentence_ann = PgVectors(db, f"rag_sentences_{version}", len(sentences), ef)
    else:
        dense, sentence_ann = ann.make(vectors, False), None
    rows = {c.chunk_id: i for i, c in enumerate(chunks)}
    bm25 = Bm25.fit([c.embed_text for c in chunks])
    return StoredIndex(
        version, None, manifest, chunks, vectors, dense, bm25, sentences, owner, sentence_vectors, rows, sentence_ann
    )


def _matrix(vectors: list, dim: int) -> np.ndarray:
    """float32 [n, dim] from pgvector's values."""
    out = np.empty((len(vectors), dim), dtype=np.float32)
    for i, v in enumerate(vectors):
        out[i] = v.to_numpy() if hasattr(v, "to_numpy") else v
    return out


def size_bytes(db: Database, version: str | None = None) -> int:
    """Bytes the database holds for one version (its tables and indexes), or the whole database."""
    if version is None:
        return int(_query(db, "SELECT pg_database_size(current_database())")[0][0])
    return int(
        _query(
            db,
            "SELECT pg_total_relation_size(%s::regclass) + pg_total_relation_size(%s::regclass)",
            (f"rag_chunks_{version}", f"rag_sentences_{version}"),
        )[0][0]
    )
