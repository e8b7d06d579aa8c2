"""Which FAISS structure holds the vectors, chosen by size: exact below a measured threshold,
approximate (HNSW) above it. Owns the threshold, the HNSW parameters, building the structure,
describing it for the manifest and checking a loaded one against that description.

`bench/scale.py` measured the exact path (FAISS flat + every sentence vector): hybrid search
p95 ~5 ms at 10k sentences, ~52 ms at 100k, ~364 ms at 1M on 2 cores. Above ~100k sentences
search needs an approximate index.
"""

from __future__ import annotations

import numpy as np

from .errors import IndexMismatchError

MIN_SENTENCES = 100_000  # from bench/scale.py: where exact hybrid search passes ~50 ms p95
HNSW_M = 32  # links per node
EF_CONSTRUCTION = 80
# Candidates examined per search (`bench/scale.py --size 1000000 --ef-search 512 1024 2048 4096`):
# at 1M sentences (166,666 chunks) chunk recall@10 against exact 0.91 / 0.96 / 0.985 / 0.998 and
# sentence recall@10 0.875 / 0.92 / 0.945 / 0.97, hybrid search p95 7 / 10 / 16 / 32 ms: 4096 is
# the first depth where both pass 0.95 and search stays under 50 ms.
EF_SEARCH = 4096
CANDIDATES = 200  # chunks and sentences taken from each approximate index per query


def use_ann(sentences: int, threshold: int = MIN_SENTENCES) -> bool:
    return sentences >= threshold


def make(vectors: np.ndarray, approximate: bool):
    """A FAISS index over unit vectors (inner product): flat, or HNSW when `approximate`."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if approximate:
        index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = EF_CONSTRUCTION
        index.hnsw.efSearch = EF_SEARCH
    else:
        index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(vectors)
    return index


def describe(approximate: bool) -> dict:
    """What the manifest records about the structure."""
    if approximate:
        return {"type": "hnsw", "m": HNSW_M, "ef_construction": EF_CONSTRUCTION, "ef_search": EF_SEARCH}
    return {"type": "flat"}


def check(index, described: dict, what: str) -> None:
    """A loaded index is the structure the manifest says it is; HNSW gets its search depth."""
    import faiss

    kind = "hnsw" if isinstance(index, faiss.IndexHNSWFlat) else "flat" if isinstance(index, faiss.IndexFlatIP) else "other"
    if kind != described.get("type", "flat"):
        raise IndexMismatchError(
            f"{what} is a {kind} index, the manifest says {described.get('type', 'flat')}; rebuild it with `rag build --full`"
        )
    if kind == "hnsw":
        index.hnsw.efSearch = int(described.get("ef_search", EF_SEARCH))
