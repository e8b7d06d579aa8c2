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
# Candidates examined per search (`bench/scale.py --ef-search N`): recall@10 at 100k sentences was
# 0.92 at 128, 0.97 at 256, 1.0 at 512 on the first synthetic data; 0.98 at 512 on the current.
EF_SEARCH = 512
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
