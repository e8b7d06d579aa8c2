"""BM25 over Dutch-stemmed tokens (bm25s + PyStemmer), with the stopwords of the text's language.

Owns tokenization for lexical search and the BM25 model's save/load; fusion with
dense scores is left to `retrieve`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np

TOKEN = re.compile(r"\w\w+|\d")
# Question words carry no topic; left in, they match every passage that uses them.
QUESTION_WORDS = frozenset({"welke", "welk", "waarom", "hoeveel", "waaraan", "waarop", "volgens", "zegt", "noemt"})


INFLECTION_PREFIX = 5  # words of 5+ letters that share all but their last two letters (at least 5) are one word


def inflection_stem(word: str) -> str:
    """What a word of 5+ letters shares with its inflections: all but its last two letters, at
    least five ("europ" for "Europa" and "Europese"). The one rule for "the same word"."""
    return word[: max(INFLECTION_PREFIX, len(word) - 2)]


ENGLISH_HINTS = frozenset("the of and are what which does how why who".split())  # words Dutch text does not use


@lru_cache(maxsize=2)
def _stopwords(english: bool) -> frozenset[str]:
    """Dutch stopwords, and English ones too for text with English function words: "it" is an
    English stopword, but "IT" in "IT-systemen" is a word."""
    from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

    return frozenset(STOPWORDS_DUTCH) | (frozenset(STOPWORDS_EN) if english else frozenset()) | QUESTION_WORDS


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("dutch")


def tokenize(text: str) -> list[str]:
    """Lower-cased, stopword-free, Dutch-stemmed tokens. A word in capitals ("IT", "AI") is never
    a stopword; English stopwords apply only to text that has English function words."""
    found = TOKEN.findall(unicodedata.normalize("NFKC", text))
    lowered = [w.lower() for w in found]
    stop = _stopwords(bool(ENGLISH_HINTS.intersection(lowered)))
    words = [w for w, raw in zip(lowered, found) if w not in stop or (raw.isupper() and len(raw) > 1)]
    return _stemmer().stemWords(words)


class Bm25:
    """A BM25 model over a fixed list of texts; scores every text for a query."""

    def __init__(self, model) -> None:
        self._model = model

    @classmethod
    def fit(cls, texts: list[str]) -> Bm25:
        import bm25s

        model = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
        corpus = [tokenize(t) or ["\x00"] for t in texts]
        model.index(_to_ids(corpus), show_progress=False)
        return cls(model)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every indexed text (0 where no query term occurs)."""
        tokens = [t for t in tokenize(query) if t in self._model.vocab_dict]
        n = int(self._model.scores["num_docs"])
        if not tokens:
            return np.zeros(n, dtype=np.float32)
        return np.asarray(self._model.get_scores(tokens), dtype=np.float32)

    def save(self, directory: Path) -> None:
        self._model.save(str(directory), corpus=None)

    @classmethod
    def load(cls, directory: Path) -> Bm25:
        import bm25s

        return cls(bm25s.BM25.load(str(directory), load_corpus=False, show_progress=False, verbosity=0))


def _to_ids(corpus: list[list[str]]):
    """bm25s' own tokenized form (ids + vocabulary) from already-stemmed token lists."""
    from bm25s.tokenization import Tokenized

    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in corpus]
    return Tokenized(ids=ids, vocab=vocab)
