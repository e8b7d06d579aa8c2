"""Hybrid retrieval over a loaded index: BM25 + dense scores, fused, grouped by advice.

Owns scoring, the fusion rule, the optional restriction to experts, and grouping
(the best chunk of an advice ranks it; its other chunks come along as context).
Loading the index belongs to `store`, embedding the query to the encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from . import ann
from .embed import Encoder
from .errors import RagError
from .experts import mentioned, resolve, strip_names
from .language import detect
from .references import document_names, named_documents, titles_of
from .store import StoredIndex
from .types import Hit

Fusion = Literal["hybrid", "bm25", "dense", "rrf"]
RRF_K = 60


@dataclass(frozen=True, slots=True)
class Query:
    """A query made ready for scoring."""

    original: str
    text: str  # what is scored: the query without the expert names it contains
    named: tuple[str, ...]  # experts the query names
    vector: np.ndarray
    lang: str = ""  # the query's language; "" ranks every chunk on both scores
    documents: tuple[str, ...] = ()  # documents the query names ("de cloudrichtlijn", "richtlijn 9")


@dataclass(frozen=True, slots=True)
class Scored:
    """Per-chunk scores of one query, before grouping."""

    fused: np.ndarray
    bm25: np.ndarray
    dense: np.ndarray


def _unit(x: np.ndarray) -> np.ndarray:
    """Scale scores to [0, 1] by their range over the corpus (0 when all are equal)."""
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def _ranks(x: np.ndarray) -> np.ndarray:
    order = np.argsort(-x, kind="stable")
    ranks = np.empty(len(x), dtype=np.float64)
    ranks[order] = np.arange(1, len(x) + 1)
    return ranks


def fuse(bm25: np.ndarray, dense: np.ndarray, method: Fusion, weight: float) -> np.ndarray:
    """One score per chunk. "hybrid": weight * BM25 + (1 - weight) * dense, each range-scaled."""
    if method == "bm25":
        return bm25.astype(np.float64)
    if method == "dense":
        return dense.astype(np.float64)
    if method == "rrf":
        return 1.0 / (RRF_K + _ranks(bm25)) + 1.0 / (RRF_K + _ranks(dense))
    return weight * _unit(bm25.astype(np.float64)) + (1.0 - weight) * _unit(dense.astype(np.float64))


# Chunks of a document read to tell its language: enough words for `language.detect`.
LANGUAGE_SAMPLE = 3


# Chunks ordered before grouping: enough for k advices with their other chunks on a large
# corpus, where sorting every score would cost more than the search (166k chunks: ~15 ms).
GROUP_WINDOW = 2000


def _best_first(scores: np.ndarray, window: int) -> np.ndarray:
    """Indexes of the `window` best scores, best first (ties in index order), or of all."""
    if window >= len(scores):
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, window)[:window]
    return top[np.lexsort((top, -scores[top]))]


class Retriever:
    """Searches one loaded index version."""

    def __init__(
        self, index: StoredIndex, encoder: Encoder, weight: float = 0.5, fusion: Fusion = "hybrid", route_experts: bool = True
    ) -> None:
        self.index = index
        self.encoder = encoder
        self.weight = weight
        self.fusion = fusion
        self.route_experts = route_experts
        self.experts = tuple(sorted({e for c in index.chunks for e in c.experts}))
        self.document_names = document_names(titles_of(index.chunks))
        self._rows: dict[tuple[str, str], np.ndarray] | None = None
        self._languages: np.ndarray | None = None

    def _rows_of(self, key: tuple[str, str]) -> np.ndarray:
        """Rows of the chunks by one expert ("expert", name), in one theme ("theme", name) or of one
        document ("document", file name)."""
        if self._rows is None:
            rows: dict[tuple[str, str], list[int]] = {}
            for i, c in enumerate(self.index.chunks):
                for e in c.experts:
                    rows.setdefault(("expert", e), []).append(i)
                rows.setdefault(("theme", c.theme), []).append(i)
                rows.setdefault(("document", c.document), []).append(i)
            self._rows = {k: np.array(v, dtype=np.int64) for k, v in rows.items()}
        return self._rows.get(key, np.array([], dtype=np.int64))

    def _fuse(self, bm25: np.ndarray, dense: np.ndarray, method: Fusion, lang: str) -> np.ndarray:
        return fuse(bm25 if method == "bm25" else self._lexical(bm25, lang), dense, method, self.weight)

    def _lexical(self, bm25: np.ndarray, lang: str) -> np.ndarray:
        """BM25 counts only for chunks in the query's language: an English question's words
        matched against Dutch text are chance hits ("the", "use" in "gebruikt" do not, but
        "data", "cloud", "open" do, everywhere), and on the fit sets they pushed the right
        passage down (English hit@1: booklet 0.67 dense alone vs 0.53 hybrid, devcorpus 0.43 vs 0.14).
        A document's language is read from its first chunks."""
        if not lang:
            return bm25
        return np.where(self._chunk_languages() == lang, bm25, 0.0)

    def _chunk_languages(self) -> np.ndarray:
        """Each chunk's document's language, read from the document's first chunks, once."""
        if self._languages is None:
            chunks = self.index.chunks
            languages = np.full(len(chunks), "", dtype="<U2")
            for rows in self._documents():
                languages[rows] = detect(" ".join(chunks[i].text for i in rows[:LANGUAGE_SAMPLE]))
            self._languages = languages
        return self._languages

    def document_language(self, document: str) -> str:
        """The language a document is written in, as the lexical ranking reads it ("" if not indexed)."""
        rows = self._rows_of(("document", document))
        return str(self._chunk_languages()[rows[0]]) if len(rows) else ""

    def _documents(self) -> list[np.ndarray]:
        """The rows of each document's chunks (from the same lists as `_rows_of`)."""
        self._rows_of(("document", ""))
        assert self._rows is not None
        return [rows for (kind, _), rows in self._rows.items() if kind == "document"]

    def resolve_experts(self, name: str) -> list[str]:
        """Experts of the index that `name` names; a clear error when there is none."""
        found = resolve(name, self.experts)
        if not found:
            raise RagError(f"no expert named {name!r} in the index; known experts: {', '.join(self.experts)}")
        return found

    def score(self, query: str, query_vector: np.ndarray | None = None, lang: str = "") -> Scored:
        """Per-chunk scores; with the query's `lang`, BM25 only counts in chunks of that language."""
        n = len(self.index.chunks)
        bm25 = self.index.bm25.scores(query)
        if query_vector is None:
            query_vector = self.encoder.encode([query], "query")[0]
        q = np.ascontiguousarray(query_vector.reshape(1, -1), dtype=np.float32)
        if self.index.sentence_ann is not None:
            return self._score_approximate(bm25, q, lang)
        sims, ids = self.index.dense.search(q, n)
        dense = np.zeros(n, dtype=np.float32)
        valid = ids[0] >= 0
        dense[ids[0][valid]] = sims[0][valid]
        # A chunk matches as well as its best sentence does: an answer one sentence deep in a
        # chunk is otherwise diluted by the rest of it (worst for English questions).
        if len(self.index.sentences):
            best = np.full(n, -np.inf, dtype=np.float32)
            np.maximum.at(best, self.index.sentence_owner, self.index.sentence_vectors @ q[0])
            dense = np.maximum(dense, best)
        return Scored(self._fuse(bm25, dense, self.fusion, lang), bm25, dense)

    def _score_approximate(self, bm25: np.ndarray, q: np.ndarray, lang: str) -> Scored:
        """Dense scores from the approximate indexes: the best `ann.CANDIDATES` chunks and
        sentences get their similarity (a chunk its best sentence's, if higher); every other
        chunk the lowest of those, so it ranks on BM25 alone. BM25 stays exact (it is cheap)."""
        n = len(self.index.chunks)
        sims, ids = self.index.dense.search(q, min(ann.CANDIDATES, n))
        ssims, sids = self.index.sentence_ann.search(q, min(ann.CANDIDATES, len(self.index.sentences)))
        found = np.concatenate([sims[0][ids[0] >= 0], ssims[0][sids[0] >= 0]])
        dense = np.full(n, float(found.min()) if len(found) else 0.0, dtype=np.float32)
        np.maximum.at(dense, ids[0][ids[0] >= 0], sims[0][ids[0] >= 0])
        np.maximum.at(dense, self.index.sentence_owner[sids[0][sids[0] >= 0]], ssims[0][sids[0] >= 0])
        return Scored(self._fuse(bm25, dense, self.fusion, lang), bm25, dense)

    def prepare(self, query: str, experts: list[str] | None = None) -> Query:
        """Experts and documents the query names, the text to score (without the expert names) and its vector."""
        if not query.strip():
            raise RagError("the query is empty")
        named = [] if experts or not self.route_experts else mentioned(query, self.experts)
        text = strip_names(query, named) if named else query
        documents = tuple(named_documents(query, self.document_names))
        return Query(query, text, tuple(named), self.encoder.encode([text], "query")[0], detect(query), documents)

    def search(
        self,
        query: str,
        k: int = 5,
        experts: list[str] | None = None,
        fusion: Fusion | None = None,
        prepared: Query | None = None,
        theme: str | None = None,
        document: str | None = None,
    ) -> list[Hit]:
        """Top `k` advices for `query`, best chunk first.

        With `experts`, only their text. Otherwise, when the query names experts, their
        advices come first, ranked on the query without the names (which match every
        chunk of their contribution alike); the remaining places go to the rest. So do the
        sections of the documents a query names, unless a `document` is chosen.
        """
        q = prepared or self.prepare(query, experts)
        scored = self.score(q.text, q.vector, q.lang)
        fused = scored.fused if fusion is None else self._fuse(scored.bm25, scored.dense, fusion, q.lang)
        scoped = q.documents if not document and not q.named else ()
        if (experts or not q.named) and not scoped:
            return self.group(fused, k, experts, theme, document)
        if scoped:
            first, rest_experts = self.group(fused, k, experts, theme, documents=scoped), experts
        else:
            first, rest_experts = self.group(fused, k, list(q.named), theme, document), None
        if len(first) < k:
            seen = {h.chunk.advice_key for h in first}
            rest = [h for h in self.group(fused, k + len(first), rest_experts, theme, document) if h.chunk.advice_key not in seen]
            first += rest[: k - len(first)]
        return [Hit(i, h.score, h.chunk, h.context) for i, h in enumerate(first, start=1)]

    def group(
        self,
        scores: np.ndarray,
        k: int,
        experts: list[str] | None = None,
        theme: str | None = None,
        document: str | None = None,
        documents: Sequence[str] = (),
    ) -> list[Hit]:
        """Rank advices by their best chunk; the advice's other chunks become context. With
        `document`, or `documents`, only their chunks."""
        chunks = self.index.chunks
        allowed = set(experts or ())
        documents = (document,) if document else tuple(documents)
        # Only the chunks the filters allow are ordered (index lists made once per expert, theme and document).
        rows = None
        if allowed or theme or documents:
            masks = [self._rows_of(("expert", e)) for e in allowed] if allowed else [np.arange(len(chunks))]
            rows = np.unique(np.concatenate(masks))
            if theme:
                rows = np.intersect1d(rows, self._rows_of(("theme", theme)))
            if documents:
                rows = np.intersect1d(rows, np.concatenate([self._rows_of(("document", d)) for d in documents]))
        candidates = scores if rows is None else scores[rows]
        window = GROUP_WINDOW
        while True:
            groups: dict[tuple, list[int]] = {}
            order = _best_first(candidates, window)
            for i in order if rows is None else rows[order]:  # `rows` holds exactly the chunks the filters allow
                key = chunks[i].advice_key
                if key not in groups and len(groups) >= k:
                    continue
                groups.setdefault(key, []).append(int(i))
            if len(groups) >= k or window >= len(candidates):
                break
            window = len(candidates)  # too few advices among the best chunks: order them all
        hits = []
        for rank, members in enumerate(groups.values(), start=1):
            best, rest = members[0], sorted(members[1:], key=lambda i: chunks[i].part)
            hits.append(Hit(rank, float(scores[best]), chunks[best], tuple(chunks[i] for i in rest)))
        return hits
