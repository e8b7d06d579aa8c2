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


def _words(text: str) -> tuple[list[str], frozenset[str]]:
    """The lower-cased words of `text` that are not stopwords, and the stopwords that applied. A word
    in capitals ("IT", "AI") is never a stopword; English stopwords apply only to text that has
    English function words."""
    found = TOKEN.findall(unicodedata.normalize("NFKC", text))
    lowered = [w.lower() for w in found]
    stop = _stopwords(bool(ENGLISH_HINTS.intersection(lowered)))
    return [w for w, raw in zip(lowered, found) if w not in stop or (raw.isupper() and len(raw) > 1)], stop


def tokenize(text: str) -> list[str]:
    """Lower-cased, stopword-free, Dutch-stemmed tokens (see `_words`)."""
    return _stemmer().stemWords(_words(text)[0])


# A part of a compound has at least this many letters ("data", "cloud"); with three, words split
# into chance pieces ("buit" + "land"), and fewer questions found their passage on the fit sets.
COMPOUND_PART = 4
LINKS = ("s", "e", "en")  # what Dutch puts between a compound's parts: "toegankelijkheid-s-richtlijn"


def split_compound(word: str, known, stop: frozenset[str] = frozenset()) -> list[str]:
    """The stems of the two `known` words that `word` is made of ("cloudrichtlijn": "cloud",
    "richtlijn"), the longest first part first, a linking "s", "e" or "en" left out; [] if none.
    No part is a stopword ("voorziet" is not "voor" + "ziet")."""
    stem = _stemmer().stemWord
    for cut in range(len(word) - COMPOUND_PART, COMPOUND_PART - 1, -1):
        head, tail = word[:cut], word[cut:]
        if tail in stop or stem(tail) not in known:
            continue
        for link in (*LINKS, ""):
            first = head[: len(head) - len(link)] if head.endswith(link) else ""
            if len(first) >= COMPOUND_PART and first not in stop and stem(first) in known:
                return [stem(first), stem(tail)]
    return []


def query_tokens(query: str, known) -> list[str]:
    """The query's tokens that occur in an index whose stems are `known`. A word the index does not
    have counts as the two words it is compounded of, when the index has those: a question says
    "de cloudrichtlijn" of a page titled "cloud-gedreven strategie"."""
    words, stop = _words(query)
    stem = _stemmer().stemWord
    out: list[str] = []
    for w in words:
        s = stem(w)
        out.extend([s] if s in known else split_compound(w, known, stop))
    return out


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
        tokens = query_tokens(query, self._model.vocab_dict)
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
