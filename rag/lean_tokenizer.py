"""The E5 unigram tokenizer for a few short texts (queries), without loading the whole
vocabulary into a `tokenizers` model: building the 250,002-piece Unigram takes ~0.85 s, most
of a cold `rag search`.

Owns the trick: a unigram segmentation of a word only ever uses vocabulary pieces that are
substrings of that word, so a `tokenizers` Unigram over just those pieces (plus the unknown
token, `<s>`, `</s>` and the lowest-scoring piece, which fixes the unknown token's score)
finds the same Viterbi path; its ids are mapped back to the full vocabulary's. Normalization,
pre-tokenization and the `<s> … </s>` template are the full tokenizer's (`convert.pipeline`).
The full tokenizer stays the reference and embeds passages; tests/test_onnx.py checks that both
give the same ids.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .convert import pipeline


class LeanTokenizer:
    def __init__(self, pieces: Sequence[str], scores: np.ndarray, unk: int, bos: int, eos: int, max_tokens: int) -> None:
        from tokenizers import Tokenizer, models

        self.pieces, self.scores = list(pieces), scores
        self.ids = dict(zip(self.pieces, range(len(self.pieces))))
        self.unk, self.bos, self.eos, self.max_tokens = unk, bos, eos, max_tokens
        self.always = {unk, bos, eos, int(np.argmin(scores))}
        self.longest = max(map(len, self.pieces))
        self._splitter = Tokenizer(models.Unigram([(self.pieces[unk], 0.0)], unk_id=0, byte_fallback=False))
        pipeline(self._splitter, self.pieces[bos], bos, self.pieces[eos], eos)

    def words(self, text: str) -> list[str]:
        """The text normalized and split into words as the full tokenizer splits it."""
        normalized = self._splitter.normalizer.normalize_str(text)
        return [w for w, _ in self._splitter.pre_tokenizer.pre_tokenize_str(normalized)]

    def vocabulary(self, text: str) -> list[int]:
        """The ids of every piece the segmentation of `text` could use, sorted."""
        found = set(self.always)
        get = self.ids.get
        for w in self.words(text):
            n = len(w)
            for i in range(n):
                for j in range(i + 1, min(n, i + self.longest) + 1):
                    k = get(w[i:j])
                    if k is not None:
                        found.add(k)
        return sorted(found)

    def encode(self, text: str) -> list[int]:
        """Token ids of `text` with `<s>` and `</s>`, truncated like the full tokenizer's."""
        from tokenizers import Tokenizer, models

        sub = self.vocabulary(text)
        local = {k: i for i, k in enumerate(sub)}
        tok = Tokenizer(
            models.Unigram([(self.pieces[k], float(self.scores[k])) for k in sub], unk_id=local[self.unk], byte_fallback=False)
        )
        pipeline(tok, self.pieces[self.bos], local[self.bos], self.pieces[self.eos], local[self.eos])
        tok.enable_truncation(self.max_tokens)
        return [sub[i] for i in tok.encode(text).ids]
