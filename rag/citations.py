"""Citations as data, both directions: parsing what the model wrote, checking every
sentence against the numbered sources, attaching, re-attributing or dropping, and
renumbering the survivors so each `[n]` has exactly one citation pointing at a hit.

Support is a calibrated score per (answer sentence, source): the larger of a lexical
score (the rarity-weighted share of what the sentence adds to the question found in one
source sentence, capped by how much of the question it repeats the passage contains)
and the scaled embedding similarity (strict within a language, looser across languages,
where words cannot match). Numbers in a sentence must occur in the source. A partly
supported sentence is replaced by the source sentence it draws on, quoted. Pure
functions, except that the caller passes in the sentence vectors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import sentences
from .calibration import Calibration
from .clean import fold, is_table_row, row_words
from .evidence import Idf, Source, overlap
from .experts import mentioned
from .language import detect, text
from .lexical import INFLECTION_PREFIX, inflection_stem, tokenize
from .lexicon import BOOKLET_NAMES, CLAUSE, ENGLISH_NAMES, negated
from .types import Citation

MARKER = re.compile(r"\[\s*(\d+)\s*\]")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Cosine between an answer sentence (query-embedded) and a source sentence (passage-embedded) is
# scaled from the model's calibrated low (no support) to high (full support), within one language
# and across languages (`rag.calibration`, derived from labelled pairs per embedding model).
SUPPORTED = 0.5
PARTLY = 0.25  # below SUPPORTED but at least this: the sentence is replaced by the source sentence it draws on
NEAR_BEST = 0.1
MAX_PER_SENTENCE = 3
MIN_CLAIM_STEMS = 1  # a sentence without content words ("Kortom:") is a connective, not a claim


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str  # without markers
    markers: tuple[int, ...]  # source numbers the model gave


@dataclass(frozen=True, slots=True)
class Verified:
    text: str
    sources: tuple[int, ...]  # supporting source numbers, best first
    quotes: tuple[str, ...]  # per source, the supporting source sentence
    quoted: bool = False  # the text is a source sentence, quoted (the model's sentence was only partly supported)
    lead: str = ""  # for a quote: the short line it stands under in the source ("Gedeelde loketten"), shown before it


# Small models imitate the source labels of the prompt: "Homburg advies 2: …".
LABEL_ECHO = re.compile(r"^[A-Z][\w.'’ -]{0,60}?,? (?:advies|advice|inleiding|introduction)(?: \d{1,2})?:\s*")


def split_answer(answer: str) -> list[Sentence]:
    """Sentences of the model's answer with their `[n]` markers (a marker after the full stop
    belongs to the sentence before it); echoed source labels are removed."""
    parts = [LABEL_ECHO.sub("", p) for p in sentences.split(answer)]  # stripped, none empty
    parts = [p[:1].upper() + p[1:] for p in parts if p]
    out: list[Sentence] = []
    for part in parts:
        lead = re.match(r"^((?:\[\s*\d+\s*\]\s*)+)", part)
        if lead and out:
            moved = tuple(int(n) for n in MARKER.findall(lead.group(1)))
            out[-1] = Sentence(out[-1].text, out[-1].markers + moved)
            part = part[lead.end() :].strip()
            if not part:
                continue
        markers = tuple(int(n) for n in MARKER.findall(part))
        text = re.sub(r"\s+([.,;:!?])", r"\1", MARKER.sub("", part)).strip()
        text = re.sub(r"\s{2,}", " ", text)
        if text:
            out.append(Sentence(text, markers))
    return out


# A model that stops by itself ends on a full stop, a closing quote or a source marker.
FINISHED = re.compile(r"(?:[.!?…:;)”\"']|\[\s*\d+\s*\])\s*(?:\[\s*\d+\s*\]\s*)*[.!?]?$")


def finished(sentences: list[Sentence], raw: str) -> list[Sentence]:
    """The sentences without a last one the model left unfinished (it ran out of tokens), unless
    that is all there is."""
    if len(sentences) > 1 and not FINISHED.search(raw.strip()):
        return sentences[:-1]
    return sentences


def numbers_ok(sentence: str, source_text: str) -> bool:
    """Every number the sentence states occurs in the source."""
    wanted = {n.replace(",", ".") for n in NUMBER.findall(sentence)}
    have = {n.replace(",", ".") for n in NUMBER.findall(source_text)}
    return wanted <= have


WORD = re.compile(r"[^\W\d_][\w'’-]*")
NAME = re.compile(r"(?<![\w'’-])(?:[A-Z][\w'’-]*)")
# A word this long that no passage of the corpus holds, in no inflection, derivation or compound,
# is a term of the model's own ("blockchainregisters"); shorter ones are as often plain words a
# small corpus happens to lack ("eenmalig").
RARE_WORD = 10
COMPOUND_PART = 6  # a passage word this long that starts a sentence's word is its compound's first part
ROOT = 7  # words that share their first seven letters are one word's derivations ("gemeente-n", "gemeente-lijke")


def _word(word: str) -> str:
    """A word as names are compared: folded, without apostrophes ("CIO's" and "CIOs" are one)."""
    return fold(re.sub(r"['’]", "", word))


def _words(texts: Sequence[str]) -> set[str]:
    """The folded words of the texts, and the parts of hyphenated ones ("EPD" of "EPD-systeem")."""
    words = {_word(w) for t in texts for w in WORD.findall(t)}
    return words | {part for w in words for part in re.split(r"[\s-]+", w) if part and part != w}


def _present(word: str, words: set[str]) -> bool:
    """A folded word occurs among `words`, inflected ("europ…"), derived ("gemeentelijke" from
    "gemeenten"), as the start of a compound, or with a compound's first part
    ("digitaliseringsbeleid" where a passage has "digitalisering")."""
    if word in words:
        return True
    if len(word) < INFLECTION_PREFIX:
        return False
    stem, root = inflection_stem(word), word[:ROOT]
    return any(
        w.startswith(stem) or (len(w) >= COMPOUND_PART and word.startswith(w)) or (len(word) > ROOT and w.startswith(root))
        for w in words
    )


def source_words(sources: Sequence[Source], question: str) -> set[str]:
    """The words of the shown passages, their labels and the question, as `invented` compares them."""
    texts = [question]
    for src in sources:
        c = src.hit.chunk
        texts += [c.text, *c.experts, *c.roles, c.advice_title, c.contribution_title, c.section, c.theme]
    return _words(texts)


def invented(sentence: str, have: set[str], idf: Idf, same_language: bool) -> str:
    """A name or acronym the sentence states that no shown passage (nor the question) holds (`have`,
    from `source_words`), or, within the passages' language, a long word that no passage of the
    corpus uses: "" when none. English names of Dutch places and bodies count as their Dutch names
    ("Denmark", "Denemarken")."""
    body = sentence.split(None, 1)[1] if " " in sentence else ""  # the first word is capitalised anyway
    for name in NAME.findall(body):
        for part in name.split("-"):
            w = _word(part)
            if len(w) < 2 or _present(w, have):
                continue
            dutch = ENGLISH_NAMES.get(w)
            if dutch is not None and (not dutch or all(_present(d, have) for d in dutch.split())):
                continue
            return name
    if same_language:
        for w in WORD.findall(sentence):
            f = _word(w)
            stems = tokenize(w)
            if len(f) >= RARE_WORD and stems and all(idf.df.get(st, 0) == 0 for st in stems) and not _present(f, have):
                return w
    return ""


NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def dropped(translation: str, source_sentence: str, passage: str) -> str:
    """A name, acronym or number of a source sentence that its translation leaves out ("" when it
    keeps them all): "Digikoppeling" said as "Digital connection" is another name. A Dutch place or
    body said by its English name is kept ("Nederland", "the Netherlands"). A capitalised word that
    starts a sentence or a list item is a name only when the passage also writes it capitalised
    within a sentence ("In Digikoppeling is …"; not "Neem", "Deze")."""
    have = _words([translation])
    english = [dutch for en, dutch in ENGLISH_NAMES.items() if dutch and en in have]
    for m in NAME.finditer(source_sentence):
        name = m.group(0)
        before = source_sentence[: m.start()].rstrip(" “\"'(-–")
        if (not before or before[-1] in ".!?:;") and not re.search(rf"[a-zà-ÿ0-9,)] +{re.escape(name)}(?![\w-])", passage):
            continue  # the capital of a sentence's first word
        for part in name.split("-"):
            w = _word(part)
            if part[:1].isupper() and len(w) >= 2 and not _present(w, have) and not any(w.startswith(d) for d in english):
                return name
    numbers = {n.replace(",", ".") for n in NUMBER.findall(translation)} | set(NUMBER.findall(translation))
    return next((n for n in NUMBER.findall(source_sentence) if n not in numbers and n.replace(",", ".") not in numbers), "")


def contradicts(sentence: str, source_sentence: str) -> bool:
    """Whether a sentence says the opposite of the source sentence it draws on: one of its clauses
    differs in negation from the source's clause that shares most words with it ("moet wel" against
    "moet niet"), or, where no clause shares a word (a translation), the whole sentence does."""
    clauses = [c for c in CLAUSE.split(source_sentence) if c.strip()] or [source_sentence]
    clause_stems = [set(tokenize(c)) for c in clauses]
    aligned = False
    for part in (p for p in CLAUSE.split(sentence) if p.strip()):
        stems = set(tokenize(part))
        shared, closest = max(((len(stems & cs), c) for cs, c in zip(clause_stems, clauses)), key=lambda x: x[0])
        aligned = aligned or bool(shared)
        if shared and negated(part) != negated(closest):
            return True
    # No clause shares a word (a translation): the whole sentences are compared.
    return not aligned and negated(sentence) != negated(source_sentence)


def source_context(source: Source, question: str) -> set[str]:
    """Stems a source backs beyond its sentences: who wrote it (names and roles, "partner bij
    Deloitte") and under which titles, and the question's own words where the source's passage
    contains them (restating the question is no claim)."""
    c = source.hit.chunk
    label = set(tokenize(" ".join([*c.experts, *c.roles, c.advice_title, c.contribution_title, c.section])))
    return label | (set(tokenize(question)) & set(tokenize(c.text)))


def lexical_support(stems: set[str], question_stems: set[str], context: set[str], src_stems: set[str], idf: Idf) -> float:
    """How much of a sentence one source sentence backs, 0..1.

    What the sentence adds to the question (its novel words) must be in the source
    sentence; the question's words it repeats must be in the passage or its label (a
    passage that lacks "voorwoord" says nothing about who wrote the foreword). A sentence
    that only restates the question ("Ja, de overheid mag …") needs words of the source
    sentence too.
    """
    if not stems & src_stems:
        return 0.0
    novel = stems - context - question_stems
    restated = stems & question_stems
    backed = overlap(restated, context | src_stems, idf) if restated else 1.0
    return min(overlap(novel, src_stems, idf), backed) if novel else backed


def support_matrix(
    sentences: Sequence[str],
    sources: Sequence[Source],
    idf: Idf,
    sentence_vectors: np.ndarray | None,
    source_vectors: Sequence[np.ndarray | None],
    question: str = "",
    answer_lang: str | None = None,
    about: Callable[[str], bool] = lambda source_sentence: True,
    *,
    calibration: Calibration,
    people: Sequence[str] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Support of each answer sentence by each source (0..1), and which source sentence gave it.

    Embedding similarity counts for a close paraphrase in the source's language, and
    with a lower band across languages (an English answer to Dutch sources), where
    words cannot match. There embeddings also match claims made up around the topic,
    so a source sentence supports only if it is itself `about` the question.

    Nothing supports a sentence that states a name or a word no passage holds (`invented`),
    nor one that names an expert (of `people`) by another expert's passage; a source sentence
    that the sentence contradicts in negation supports it not at all.
    """
    score = np.zeros((len(sentences), len(sources)))
    best = np.zeros((len(sentences), len(sources)), dtype=int)
    contexts = [source_context(s, question) for s in sources]
    question_stems = set(tokenize(question))
    crossing = [bool(answer_lang) and detect(" ".join(s.sentences)) != answer_lang for s in sources]
    bands = [calibration.dense_cross if cross else calibration.dense_same for cross in crossing]

    same_language = not all(crossing) if sources else True
    have = source_words(sources, question)
    for i, sentence in enumerate(sentences):
        stems = set(tokenize(sentence))
        if invented(sentence, have, idf, same_language):
            continue
        named = set(mentioned(sentence, people)) if people else set()
        for j, source in enumerate(sources):
            c = source.hit.chunk
            if named and not named & set(c.experts):
                continue
            # Numbers may come from anywhere in the passage or its label ("advies 3").
            if not numbers_ok(sentence, f"{c.text} {c.advice} {c.contribution_title} {c.advice_title}"):
                continue
            low, high = bands[j]
            for k, src in enumerate(source.sentences):
                if crossing[j] and not about(src):
                    continue
                lexical = lexical_support(stems, question_stems, contexts[j], set(tokenize(src)), idf)
                dense = 0.0
                vecs = source_vectors[j]
                if sentence_vectors is not None and vecs is not None:
                    cos = float(sentence_vectors[i] @ vecs[k])
                    dense = min(1.0, max(0.0, (cos - low) / (high - low)))
                s = max(lexical, dense)
                if s > score[i, j] and contradicts(sentence, src):
                    continue
                if s > score[i, j]:
                    score[i, j], best[i, j] = s, k
    return score, best


# Words that link or sum up without claiming anything; a sentence of only these may stand uncited.
CONNECTIVES = frozenset(
    "kortom samengevat samenvattend dus ja nee daarnaast bovendien ook verder tot slot in short so yes no also further".split()
)


YES_NO = frozenset("ja nee yes no".split())


def yes_or_no(sentence: str) -> bool:
    """Whether a sentence opens with a yes or a no."""
    first = re.findall(r"\w+", sentence.lower())[:1]
    return bool(first and first[0] in YES_NO)


def adds_to(sentence: str, question: str, yes_no: bool = True) -> bool:
    """Whether a sentence says more than the question: a word the question lacks, or (unless
    `yes_no` is off) a yes or no."""
    return bool(set(tokenize(sentence)) - set(tokenize(question))) or (yes_no and yes_or_no(sentence))


def is_claim(sentence: str) -> bool:
    words = [w for w in re.findall(r"\w+", sentence.lower()) if w not in CONNECTIVES]
    return len(set(tokenize(" ".join(words)))) >= MIN_CLAIM_STEMS


def misnames(sentence: str, quotes: Sequence[str]) -> bool:
    """Whether a model's sentence calls the collection "the booklet" ("de bundel") where its sources
    do not: on a collection that is not the booklet it names something that is not there."""
    said = set(re.findall(r"\w+", sentence.lower())) & BOOKLET_NAMES
    return bool(said - {w for q in quotes for w in re.findall(r"\w+", q.lower())})


def verify(
    sentences: Sequence[Sentence],
    sources: Sequence[Source],
    score: np.ndarray,
    best: np.ndarray,
    quotable: Callable[[str], bool] = lambda quote: True,
) -> list[Verified]:
    """Keep a model's `[n]` only where source n supports the sentence; attach the best supporting
    source where the model gave none or a wrong one; a sentence only partly supported is replaced
    by the source sentence it draws on, quoted; claims nothing supports are dropped."""
    out: list[Verified] = []
    numbers = [s.number for s in sources]
    for i, sentence in enumerate(sentences):
        given = [numbers.index(m) for m in sentence.markers if m in numbers]
        kept = [j for j in given if score[i, j] >= SUPPORTED]
        ranked = sorted(range(len(sources)), key=lambda j: -score[i, j])
        top = score[i, ranked[0]] if ranked else 0.0
        if not kept:
            # Every source that supports the sentence about as well as the best one ("Ierland,
            # Portugal en Frankrijk" may come from three experts), at most MAX_PER_SENTENCE.
            kept = [j for j in ranked[:MAX_PER_SENTENCE] if score[i, j] >= max(SUPPORTED, top - NEAR_BEST)]
        if not kept and top >= PARTLY and is_claim(sentence.text):
            j = ranked[0]
            quote = sources[j].sentences[best[i, j]]
            if quotable(quote) and not any(v.quoted and v.text == quote for v in out):
                out.append(Verified(quote, (numbers[j],), (quote,), quoted=True))
            continue
        if not kept:
            if not is_claim(sentence.text):
                out.append(Verified(sentence.text, (), ()))  # a connective ("Kortom:"), shown uncited
            continue  # an unsupported claim: never shown, cited or not
        kept = list(dict.fromkeys(kept))
        out.append(
            Verified(sentence.text, tuple(numbers[j] for j in kept), tuple(sources[j].sentences[best[i, j]] for j in kept))
        )
    # Connectives only make sense next to claims.
    if not any(v.sources for v in out):
        return []
    return out


def render(verified: Sequence[Verified], sources: Sequence[Source], lang: str = "") -> tuple[str, list[Citation]]:
    """Answer text with labels renumbered 1..n in order of first use, and one citation per label.
    A quote in another language than the answer's (`lang`) is announced as such, where it starts."""
    by_number = {s.number: s for s in sources}
    label_of: dict[int, int] = {}
    quotes: dict[int, list[str]] = {}
    parts: list[str] = []
    announced = False
    for v in verified:
        labels = []
        for number, quote in zip(v.sources, v.quotes):
            label_of.setdefault(number, len(label_of) + 1)
            labels.append(label_of[number])
            q = quotes.setdefault(number, [])
            if quote not in q:
                q.append(quote)
        quote = f"“{in_quotes(v.text).rstrip('.')}”."
        part = _with_labels((f"{v.lead}: {quote}" if v.lead else quote) if v.quoted else v.text, labels)
        if lang and v.quoted and not announced and detect(v.text) != lang:
            part, announced = f"{text(lang, 'quoted')} {part}", True  # the first quote in another language says so
        parts.append(part)
    citations = [
        Citation(f"[{label}]", by_number[number].hit.chunk, " ".join(quotes[number]))
        for number, label in sorted(label_of.items(), key=lambda kv: kv[1])
    ]
    return " ".join(parts), citations


def in_quotes(text: str) -> str:
    """A source sentence as an answer shows it between quotation marks: without a list item's dash,
    and a table row as its cells' words (`clean.row_words`) instead of between pipes. The citation
    keeps the passage's own text."""
    lines = [row_words(line) if is_table_row(line) else line for line in text.split("\n")]
    return _inner_quotes("\n".join(lines).removeprefix("- "))


def _inner_quotes(text: str) -> str:
    """Quotation marks inside a quote become single ones (“… de vraag ‘Wie beslist?’”), so the
    quote's own marks close it once."""
    return re.sub(r'"([^"\n]*)"', r"‘\1’", text).replace("“", "‘").replace("”", "’")


def _with_labels(sentence: str, labels: Sequence[int]) -> str:
    if not labels:
        return sentence
    marks = "".join(f"[{n}]" for n in labels)
    m = re.search(r"[.!?]+$", sentence)
    return f"{sentence[: m.start()]} {marks}{m.group(0)}" if m else f"{sentence} {marks}"
