"""Search at scale: synthetic corpora of 10k, 100k and 1M sentence vectors (chunks at 1/6 of
that) built from the booklet's own index, searched with the project's `Retriever` as it is.

Each synthetic chunk is a booklet chunk whose text has words dropped and swapped with words of
other chunks (a realistic BM25 side: the booklet's vocabulary and word frequencies), and whose
chunk and sentence vectors are the booklet's vectors moved towards another passage's plus
Gaussian noise (clustered around the booklet's topics, not copies of its 143 passages). Queries are our own
questions (eval/facts.jsonl), embedded once; times exclude the query embedding, which is printed
separately.

Prints per size: build time of the search structures, RSS after loading, and p50/p95 of the
dense side, the BM25 side and the whole hybrid `Retriever.search`, and dense recall@10 against
exact search. From `rag.ann.MIN_SENTENCES` on the vectors are in HNSW indexes, as the product
builds them; `--exact` measures the exact structures at every size.

    python bench/scale.py                 # 10k and 100k
    python bench/scale.py --size 1000000 --json
    python bench/scale.py --size 1000000 --ef-search 512 1024 2048    # the sweep behind rag.ann.EF_SEARCH
    python bench/scale.py --store postgres --size 100000 --json       # the same index in PostgreSQL + pgvector

With `--store postgres` the synthetic index is written into a database (`--db URL`, or a
PostgreSQL of its own from tests/postgres_server.py in a temporary directory) by the store's own
write and publish, then loaded as the product loads it: build time is the write (rows and pgvector
HNSW indexes), the dense side asks the database, and the database's size is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag import ann, pgstore, store  # noqa: E402
from rag.embed import load_encoder  # noqa: E402
from rag.evaluate import percentile  # noqa: E402
from rag.lexical import Bm25  # noqa: E402
from rag.retrieve import Query, Retriever  # noqa: E402
from rag.settings import Database, Settings, index_location  # noqa: E402

SENTENCES_PER_CHUNK = 6
NOISE = 0.35  # per-dimension noise relative to 1/sqrt(d): cosine to the source passage ~0.9


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _noisy(vectors: np.ndarray, pick: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each picked vector moved a third of the way towards another passage's, plus noise: the
    synthetic passages spread between the booklet's topics instead of piling up as ~1,000
    noisy copies of each of its 143 passages (which no real collection looks like)."""
    other = vectors[rng.integers(0, len(vectors), len(pick))]
    x = 0.7 * vectors[pick] + 0.3 * other
    x = x + rng.normal(0.0, NOISE / np.sqrt(x.shape[1]), x.shape).astype(np.float32)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def synthetic(real: store.StoredIndex, sentences: int, approximate: bool, seed: int = 0) -> store.StoredIndex:
    """An index of about `sentences` sentence vectors made from the booklet's index, with the
    vector structures the product would choose (`rag.ann`) or exact ones."""
    rng = np.random.default_rng(seed)
    n_chunks = max(sentences // SENTENCES_PER_CHUNK, 1)
    source = rng.integers(0, len(real.chunks), n_chunks)
    words = [c.text.split() for c in real.chunks]
    pool = [w for ws in words for w in ws]
    chunks = []
    for i, j in enumerate(source):
        ws = [w for w in words[j] if rng.random() > 0.2]  # drop a fifth of the words
        for k in rng.integers(0, max(len(ws), 1), max(len(ws) // 10, 1)):
            if ws:
                ws[k] = pool[rng.integers(0, len(pool))]  # swap a tenth with words of other passages
        text = " ".join(ws)
        chunks.append(replace(real.chunks[j], chunk_id=f"s{i}", text=text, embed_text=text, part=0, advice=i + 1))
    vectors = _noisy(real.vectors, source, rng)
    owner = np.repeat(np.arange(n_chunks), SENTENCES_PER_CHUNK)
    pick = rng.integers(0, len(real.sentence_vectors), len(owner))
    sentence_vectors = _noisy(real.sentence_vectors, pick, rng)
    return replace(
        real,
        manifest=replace(real.manifest, ann=ann.describe(approximate)),
        chunks=tuple(chunks),
        vectors=vectors,
        dense=ann.make(vectors, approximate),
        sentence_ann=ann.make(sentence_vectors, True) if approximate else None,
        bm25=Bm25.fit([c.embed_text for c in chunks]),
        sentences=tuple(real.sentences[p] for p in pick),
        sentence_owner=owner,
        sentence_vectors=sentence_vectors,
        rows={c.chunk_id: i for i, c in enumerate(chunks)},
    )


def timed(fn, queries) -> tuple[list[float], list]:
    times, results = [], []
    for q in queries:
        t = time.perf_counter()
        results.append(fn(q))
        times.append((time.perf_counter() - t) * 1000)
    return times, results


def deepen(index: store.StoredIndex, ef_search: int) -> None:
    """Set the HNSW search depth of both approximate indexes (how `rag.ann.EF_SEARCH` was chosen)."""
    for structure in (index.dense, index.sentence_ann):
        if hasattr(structure, "hnsw"):
            structure.hnsw.efSearch = ef_search
        elif isinstance(structure, pgstore.PgVectors):
            structure.ef_search = ef_search


def into_database(index: store.StoredIndex, db: Database, approximate: bool) -> tuple[store.StoredIndex, dict]:
    """`index` written into `db` as `rag build` writes a version (pgvector HNSW when `approximate`),
    and loaded back as a reader loads it."""
    t = time.perf_counter()
    sentences = store.Sentences(list(index.sentences), index.sentence_owner.tolist(), index.sentence_vectors)
    with store.build_lock(db):
        threshold = 1 if approximate else len(sentences.texts) + 1
        version = store.write_version(db, index.manifest, list(index.chunks), index.vectors, sentences, threshold)
        store.publish(db, version)
    written = time.perf_counter() - t
    t = time.perf_counter()
    loaded = store.load(db)
    return loaded, {
        "write_s": round(written, 1),
        "load_s": round(time.perf_counter() - t, 1),
        "database_mb": round(pgstore.size_bytes(db, version) / 2**20),
    }


def measure(
    real: store.StoredIndex,
    encoder,
    size: int,
    questions: list[str],
    exact: bool = False,
    depths=(None,),
    db: Database | None = None,
) -> list[dict]:
    """One row per HNSW search depth in `depths` (None: the product's), on one built index
    (in memory, or written into and loaded from the database `db`)."""
    t = time.perf_counter()
    approximate = not exact and ann.use_ann(size)
    index = synthetic(real, size, approximate and db is None)
    build_s = time.perf_counter() - t
    stored = {}
    if db is not None:
        index, stored = into_database(index, db, approximate)
        build_s += stored["write_s"]
    retriever = Retriever(index, encoder)
    t = time.perf_counter()
    prepared = [retriever.prepare(q) for q in questions]
    embed_ms = (time.perf_counter() - t) * 1000 / len(questions)
    rows = []
    for depth in depths:
        deepen(index, depth or int(index.manifest.ann.get("ef_search", ann.EF_SEARCH)))
        rows.append(
            _searches(index, retriever, prepared, approximate)
            | {"size": size, "build_s": round(build_s, 1), "query_embedding_ms": round(embed_ms, 1)}
            | ({"store": "postgres"} | stored if db is not None else {"store": "files"})
        )
        if depth:
            rows[-1]["index"] = rows[-1]["index"] | {"ef_search": depth}
    return rows


def _searches(index: store.StoredIndex, retriever: Retriever, prepared: list[Query], approximate: bool) -> dict:
    n = len(index.chunks)

    def dense(q: Query) -> tuple[np.ndarray, np.ndarray]:
        """The dense side as `Retriever.score` runs it: chunk search, and every sentence (exact)
        or the best sentences (approximate)."""
        v = np.ascontiguousarray(q.vector.reshape(1, -1), dtype=np.float32)
        _, ids = index.dense.search(v, ann.CANDIDATES if approximate else 10)
        if approximate:
            _, sids = index.sentence_ann.search(v, ann.CANDIDATES)
            return ids[0][:10], sids[0][:10]
        return ids[0][:10], np.argsort(-(index.sentence_vectors @ v[0]))[:10]

    exact_ids = [np.argsort(-(index.vectors @ q.vector))[:10] for q in prepared]
    exact_sids = [np.argsort(-(index.sentence_vectors @ q.vector))[:10] for q in prepared]
    dense_ms, found = timed(dense, prepared)
    bm25_ms, _ = timed(lambda q: index.bm25.scores(q.text), prepared)
    hybrid_ms, _ = timed(lambda q: retriever.search(q.original, k=5, prepared=q), prepared)
    recall = statistics.mean(len(set(a) & set(b)) / 10 for (a, _), b in zip(found, exact_ids))
    sentence_recall = statistics.mean(len(set(a) & set(b)) / 10 for (_, a), b in zip(found, exact_sids))
    return {
        "chunks": n,
        "rss_mb": round(rss_mb()),
        "dense_p50_ms": round(statistics.median(dense_ms), 1),
        "dense_p95_ms": round(percentile(dense_ms, 0.95), 1),
        "bm25_p50_ms": round(statistics.median(bm25_ms), 1),
        "bm25_p95_ms": round(percentile(bm25_ms, 0.95), 1),
        "hybrid_p50_ms": round(statistics.median(hybrid_ms), 1),
        "hybrid_p95_ms": round(percentile(hybrid_ms, 0.95), 1),
        "dense_recall_at_10": round(recall, 3),
        "sentence_recall_at_10": round(sentence_recall, 3),
        "index": index.manifest.ann,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--json", action="store_true", help="one JSON object per size")
    ap.add_argument("--index", default="index")
    ap.add_argument("--store", choices=["files", "postgres"], default="files", help="where the synthetic index is kept")
    ap.add_argument("--db", help="with --store postgres: the database URL (default: a PostgreSQL of its own)")
    ap.add_argument("--exact", action="store_true", help="exact search at every size (what the product did before rag.ann)")
    ap.add_argument(
        "--ef-search",
        type=int,
        nargs="*",
        default=[None],
        help="HNSW search depths to measure instead of rag.ann.EF_SEARCH (how it was chosen)",
    )
    args = ap.parse_args()
    settings = replace(Settings.from_env(), index_dir=Path(args.index))
    real = store.load(settings.index_dir)
    encoder = load_encoder(settings)
    facts = ROOT / "eval" / "facts.jsonl"
    questions = [json.loads(x)["question"] for x in facts.read_text(encoding="utf-8").splitlines() if x.strip()]
    with _database(args) as db:
        for size in args.size:
            for row in measure(real, encoder, size, questions, args.exact, args.ef_search, db):
                _print(row, args.json)


@contextlib.contextmanager
def _database(args) -> Iterator[Database | None]:
    """The database of `--store postgres`: `--db`, or a PostgreSQL of our own for this run."""
    if args.store != "postgres":
        yield None
        return
    if args.db:
        yield index_location(args.db)
        return
    sys.path.insert(0, str(ROOT / "tests"))
    import postgres_server

    with tempfile.TemporaryDirectory(prefix="scale-pg-") as tmp:
        url = postgres_server.start(Path(tmp))
        postgres_server.wait_ready(url)
        try:
            yield index_location(url, timeout=60.0)
        finally:
            postgres_server.stop(Path(tmp), "immediate")


def _print(row: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(row), flush=True)
    else:
        print(
            f"{row['size']:>9,} sentences ({row['chunks']:,} chunks): build {row['build_s']} s, RSS {row['rss_mb']} MB; "
            f"dense p50/p95 {row['dense_p50_ms']}/{row['dense_p95_ms']} ms, BM25 {row['bm25_p50_ms']}/{row['bm25_p95_ms']} ms, "
            f"hybrid {row['hybrid_p50_ms']}/{row['hybrid_p95_ms']} ms (query embedding +{row['query_embedding_ms']} ms); "
            f"dense recall@10 {row['dense_recall_at_10']} (sentences {row['sentence_recall_at_10']}; {row['index']})"
            + (f"; database {row['database_mb']} MB, load {row['load_s']} s" if row["store"] == "postgres" else ""),
            flush=True,
        )


if __name__ == "__main__":
    main()
