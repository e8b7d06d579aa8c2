"""Lexical ranking for the PostgreSQL store: the project's own BM25 (`rag.lexical`) against
PostgreSQL's Dutch full-text search (`to_tsvector('dutch', …)`, `ts_rank_cd`), on our own
questions with gold advices (eval/facts.jsonl, eval/boundary.jsonl), alone and fused with the
dense side exactly as `Retriever` fuses BM25.

Full-text search gets the question's words as an OR query (`plainto_tsquery` ANDs every word and
finds nothing for most questions), stemmed and stopped by PostgreSQL's Dutch configuration.

    python bench/lexical.py [--db URL]    # default: a PostgreSQL of its own in a temporary directory
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from rag import store  # noqa: E402
from rag.embed import load_encoder  # noqa: E402
from rag.metrics import Ref, first_match_rank, place  # noqa: E402
from rag.retrieve import Retriever  # noqa: E402
from rag.settings import Settings  # noqa: E402


class DutchFullText:
    """`Bm25.scores` answered by PostgreSQL's Dutch full-text search over the same chunk texts."""

    def __init__(self, conn, texts: list[str]) -> None:
        self.conn, self.n = conn, len(texts)
        conn.execute("DROP TABLE IF EXISTS fts_chunks")
        conn.execute("CREATE TABLE fts_chunks (row int PRIMARY KEY, text text NOT NULL, doc tsvector)")
        with conn.cursor().copy("COPY fts_chunks (row, text) FROM STDIN") as cp:
            for i, t in enumerate(texts):
                cp.write_row((i, t))
        conn.execute("UPDATE fts_chunks SET doc = to_tsvector('dutch', text)")
        conn.execute("CREATE INDEX ON fts_chunks USING gin (doc)")

    def scores(self, query: str) -> np.ndarray:
        words = [w for w in re.findall(r"\w+", query.lower()) if len(w) > 1]
        out = np.zeros(self.n, dtype=np.float32)
        if not words:
            return out
        terms = self.conn.execute("SELECT plainto_tsquery('dutch', w)::text FROM unnest(%s::text[]) w", (words,)).fetchall()
        lexemes = [t for (t,) in terms if t]
        if not lexemes:
            return out
        rows = self.conn.execute(
            "SELECT row, ts_rank_cd(doc, q) FROM fts_chunks, to_tsquery('dutch', %s) q WHERE doc @@ q", (" | ".join(lexemes),)
        ).fetchall()
        for row, score in rows:
            out[row] = score
        return out


def evaluate(retriever: Retriever, questions: list[dict], fusion: str) -> dict:
    ranks = []
    for q in questions:
        hits = retriever.search(q["question"], k=10, fusion=fusion)
        ranks.append(first_match_rank([Ref.from_dict(g) for g in q["gold"]], [place(h.chunk) for h in hits], 10))
    n = len(ranks)
    return {
        "hit@1": round(sum(r == 1 for r in ranks) / n, 3),
        "hit@5": round(sum(r is not None and r <= 5 for r in ranks) / n, 3),
        "mrr@10": round(sum(1 / r for r in ranks if r) / n, 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default="index")
    ap.add_argument("--db", help="database URL (default: a PostgreSQL of its own)")
    args = ap.parse_args()
    import postgres_server
    import psycopg

    settings = Settings.from_env().with_index(args.index)
    index = store.load(settings.index_dir)
    encoder = load_encoder(settings)
    questions = [
        json.loads(line)
        for name in ("facts.jsonl", "boundary.jsonl")
        for line in (ROOT / "eval" / name).read_text(encoding="utf-8").splitlines()
        if line.strip() and json.loads(line).get("gold")
    ]
    with tempfile.TemporaryDirectory(prefix="lexical-pg-") as tmp:
        url = args.db or postgres_server.start(Path(tmp))
        postgres_server.wait_ready(url)
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                fts = DutchFullText(conn, [c.embed_text for c in index.chunks])
                print(
                    f"{len(questions)} questions with gold advices (eval/facts.jsonl, eval/boundary.jsonl); {len(index.chunks)} chunks"
                )
                # With the product's routing (a named expert's advices first) and without it, where
                # the lexical side alone has to find the advice among all 65.
                for route in (True, False):
                    bm25 = Retriever(index, encoder, settings.fusion_weight, route_experts=route)
                    pg = Retriever(replace(index, bm25=fts), encoder, settings.fusion_weight, route_experts=route)
                    for fusion in ("bm25", "hybrid"):
                        for name, retriever in (("project BM25", bm25), ("PostgreSQL Dutch full-text", pg)):
                            scores = evaluate(retriever, questions, fusion)
                            print(json.dumps({"lexical": name, "fusion": fusion, "expert_routing": route, **scores}))
        finally:
            if not args.db:
                postgres_server.stop(Path(tmp), "immediate")


if __name__ == "__main__":
    main()
