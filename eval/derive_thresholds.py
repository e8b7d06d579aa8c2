"""Derives the answerability thresholds from the fit part of the project's own question sets
(`eval/fit/booklet.jsonl` on the booklet, `eval/fit/devcorpus.jsonl` on the devcorpus), never
from the held-out part (`eval/held_out/`) nor from the dev set.

For every question that the pipeline grades (an open question, not one answered from the
structure), it reads the sentences of the passages the pipeline would retrieve, as
`rag.answer.grade` reads them, and derives:

- `grade.WORDS_ON_TOPIC` (words): the share of the question's words that at most 2% of the fit
  questions reach in a sentence of the *other* corpus (the booklet's questions asked of the
  devcorpus and the other way round: off the topic by construction);
- `on_topic` (the embedding model's cosine, stored in rag/calibration.json): the highest value
  that leaves at most 2% of the answerable questions that the words do not already put on the
  question below it, so that "no" is said only when nothing is close;
- `fact_on_topic` (cosine): the same, for the fact-holding sentence of answerable fact questions;
- `relevance.ANSWER_COVERAGE` and `FACT_COVERAGE` (words), from `eval/boundary.jsonl` (our older set
  of unanswerable near-misses and their answerable twins, disjoint from `eval/held_out/`, reported
  on nowhere): the best coverage of the question by a sentence of the 3 best passages (for a
  number, percentage or date only sentences holding one), halfway between the lowest value that
  keeps 95% of the twins and the highest unanswerable value below it. (The same criterion
  "no fit unanswerable question's quoted sentence reaches it" on `eval/fit/` gave 0.38 and 0.62,
  and lost a quarter of the devcorpus's held-out declines: docs/MEASURED.md.)
- `references.MAX_NAMED` and `SHARED_PREFIX` (how a question names a document: "de cloudrichtlijn"),
  from both fit devcorpus files: the tightest setting that still scopes 95% of the questions the
  loosest one scopes to their gold document (`naming_limits`).

    python eval/derive_thresholds.py [--index index/] [--devcorpus-index DIR] [--write]

Without --write it prints the values and the fit-part figures; with it, the embedding thresholds
are stored in rag/calibration.json for the model in use (the word thresholds are constants in
code: change them by hand). `tests/test_thresholds.py` re-derives all seven.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rag import calibration, references
from rag.answer import grade, relevance
from rag.answer.intent import analyze, renamed
from rag.answer.lookup import CorpusLookup
from rag.build import build
from rag.embed import load_encoder
from rag.live import LiveIndex, Snapshot
from rag.settings import Settings

HERE = Path(__file__).resolve().parent
DEVCORPUS = HERE.parent.parent / "shared" / "corpora" / "devcorpus" / "data"
MAX_REFUSED = 0.02  # share of answerable questions "no" may be said to (the target is 5%, on unseen questions)
MAX_OFF_TOPIC = 0.02  # share of questions about the other corpus that its words may put on the question
MAX_TWIN_LOSS = 0.05  # share of answerable twins a coverage threshold may put below it
MAX_NAMED_GRID = range(1, 6)  # documents one name word may name, tried by `naming_limits`
PREFIX_GRID = range(3, 8)  # shared word starts tried ("inkoop" in "inkoopstrategie")


@dataclass(frozen=True, slots=True)
class Row:
    answerable: bool
    fact: bool  # asks a number, percentage or date
    words: float  # best coverage of the question by one sentence
    dense: float  # best cosine of the question and one sentence
    fact_words: float  # the same over sentences holding the asked kind of fact (-1: none)
    fact_dense: float


def rows_of(snap: Snapshot, questions: Sequence[dict]) -> list[Row]:
    """The grade's inputs for every graded question."""
    r = snap.retriever
    lookup = CorpusLookup(r.index.chunks)
    out = []
    for q in questions:
        intent = analyze(q["question"], q.get("history") or [], r.experts)
        intent = renamed(intent, lookup.corpus_names(q["question"], intent.lang))
        if intent.kind != "open" or not intent.query or intent.premise:
            continue  # answered from the structure, instructions only, or a claim to check
        prepared = r.prepare(intent.query)
        hits = r.search(intent.query, k=5, prepared=prepared)
        found = grade.sentences(prepared.text, prepared.vector, hits, r.index.sentences_of, snap.idf, intent.part_texts)
        fact = "" if intent.compound else intent.fact
        asks = relevance.asks_fact(fact)
        holding = [f for f in found if asks and relevance.has_fact(fact, f.sentence)]
        out.append(
            Row(
                bool(q.get("gold")),
                asks,
                max((f.words for f in found), default=0.0),
                max((f.dense for f in found), default=0.0),
                max((f.words for f in holding), default=-1.0),
                max((f.dense for f in holding), default=-1.0),
            )
        )
    return out


def best_coverage(snap: Snapshot, question: str) -> tuple[float, bool] | None:
    """The best coverage of a Dutch open question by one sentence of its 3 best passages (only
    sentences holding the asked kind of fact, for a fact question), and whether it asks a fact."""
    r = snap.retriever
    intent = analyze(question, [], r.experts)
    if intent.kind != "open" or not intent.query or intent.lang != "nl":
        return None
    prepared = r.prepare(intent.query)
    best = 0.0
    for h in r.search(intent.query, k=3, prepared=prepared):
        for sentence in r.index.sentences_of(h.chunk)[0]:
            if relevance.has_fact(intent.fact, sentence):
                best = max(best, relevance.coverage(prepared.text, sentence, relevance.label(h.chunk), snap.idf))
    return best, relevance.asks_fact(intent.fact)


def coverage_threshold(twins: list[float], unanswerable: list[float]) -> float:
    """Halfway between the lowest twin value kept (at most MAX_TWIN_LOSS of twins below) and the highest unanswerable value below it."""
    twins = sorted(twins)
    lowest_kept = twins[int(MAX_TWIN_LOSS * len(twins))] if twins else 1.0
    below = [u for u in unanswerable if u < lowest_kept]
    return round((max(below, default=0.0) + lowest_kept) / 2, 2)


def coverage_thresholds(snap: Snapshot) -> dict[str, float]:
    """ANSWER_COVERAGE and FACT_COVERAGE from eval/boundary.jsonl on the booklet."""
    groups: dict[tuple[bool, bool], list[float]] = {}
    for line in (HERE / "boundary.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        found = best_coverage(snap, row["question"])
        if found is not None:
            groups.setdefault((found[1], row["type"] == "twin"), []).append(found[0])
    return {
        f"{name}_coverage": coverage_threshold(groups.get((fact, True), []), groups.get((fact, False), []))
        for name, fact in (("answer", False), ("fact", True))
    }


def naming_limits(names: Sequence[references.DocumentName], questions: Sequence[dict]) -> dict[str, int]:
    """`references.MAX_NAMED` and `SHARED_PREFIX` from the fit devcorpus questions (both fit files):
    of the settings that scope a question to documents it names, the tightest (fewest documents
    per name word, then the longest shared start of a word) that still scopes at least 1 -
    MAX_TWIN_LOSS of the questions the loosest setting scopes to their gold document."""

    def scoped(max_named: int, prefix: int) -> int:
        found = 0
        for q in questions:
            gold = {g["document"] for g in q.get("gold", []) if g.get("document")}
            found += bool(gold & set(references.named_documents(q["question"], names, max_named, prefix)))
        return found

    grid = [(m, p) for m in MAX_NAMED_GRID for p in reversed(PREFIX_GRID)]  # tightest first
    best = max(scoped(m, p) for m, p in grid)
    m, p = next((m, p) for m, p in grid if scoped(m, p) >= (1 - MAX_TWIN_LOSS) * best)
    return {"max_named": m, "shared_prefix": p}


def ceiling(values: list[float], share: float) -> float:
    """The value that at most `share` of `values` reach: just above the highest one within bounds, rounded up."""
    values = sorted(values, reverse=True)
    allowed = int(share * len(values))
    return math.ceil((values[allowed] + 0.005) * 100) / 100 if allowed < len(values) else 0.0


def floor_threshold(values: list[float], total: int) -> float:
    """The highest cosine that leaves at most MAX_REFUSED of `total` questions (of which `values`
    are the ones the words do not save) below it: halfway between two neighbouring values, rounded down."""
    values = sorted(values)
    allowed = int(MAX_REFUSED * total)
    if allowed >= len(values):
        return 1.0
    below = values[allowed - 1] if allowed else values[0] - 0.01
    return math.floor((below + values[allowed]) / 2 * 1000) / 1000


def derive(rows: Sequence[Row], off_topic: Sequence[Row]) -> dict[str, float]:
    """The four thresholds from the fit questions (`rows`) and the same questions asked of the other
    corpus (`off_topic`: the booklet's questions of the devcorpus and the other way round)."""
    ans = [r for r in rows if r.answerable]
    words = ceiling([r.words for r in off_topic], MAX_OFF_TOPIC)
    on_topic = floor_threshold([r.dense for r in ans if r.words < words], len(ans))
    fact_ans = [r for r in ans if r.fact]
    fact_on_topic = floor_threshold([r.fact_dense for r in fact_ans if r.fact_words < words and r.fact_dense >= 0], len(fact_ans))
    return {"words_on_topic": words, "on_topic": on_topic, "fact_on_topic": fact_on_topic}


def load_fit(name: str) -> list[dict]:
    return [json.loads(x) for x in (HERE / "fit" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]


def snapshots(settings: Settings, devcorpus_index: Path) -> list[tuple[str, Snapshot]]:
    """The booklet's index and the devcorpus's (built when missing), with the same encoder."""
    encoder = load_encoder(settings)
    if not (devcorpus_index / "CURRENT").exists():
        build(replace(settings, data_dir=DEVCORPUS, index_dir=devcorpus_index), encoder)
    return [
        ("booklet", LiveIndex(settings, encoder).current()),
        ("devcorpus", LiveIndex(replace(settings, index_dir=devcorpus_index), encoder).current()),
    ]


def fit_rows(snaps: Sequence[tuple[str, Snapshot]]) -> tuple[list[Row], list[Row]]:
    """The fit questions on their own corpus, and asked of the other one (off the topic)."""
    rows, off = [], []
    for name, snap in snaps:
        rows += rows_of(snap, load_fit(name))
        for other, _ in snaps:
            if other != name:
                off += rows_of(snap, load_fit(other))
    return rows, off


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default="index")
    ap.add_argument("--devcorpus-index", default=str(Path(tempfile.gettempdir()) / "vraag-devcorpus-index"))
    ap.add_argument("--write", action="store_true", help="store the embedding thresholds in rag/calibration.json")
    args = ap.parse_args()
    settings = replace(Settings.from_env(), index_dir=Path(args.index))
    snaps = snapshots(settings, Path(args.devcorpus_index))
    derived = derive(*fit_rows(snaps)) | coverage_thresholds(snaps[0][1])
    naming = naming_limits(snaps[1][1].retriever.document_names, load_fit("devcorpus") + load_fit("devcorpus-extra"))
    print(json.dumps(derived | naming))
    print(
        f"in code: words_on_topic {grade.WORDS_ON_TOPIC}, answer_coverage {relevance.ANSWER_COVERAGE},"
        f" fact_coverage {relevance.FACT_COVERAGE}, max_named {references.MAX_NAMED}, shared_prefix {references.SHARED_PREFIX}"
    )
    if args.write:
        encoder = load_encoder(settings)
        known = calibration.load(encoder.model_id, settings.calibration_file)
        calibration.save(
            replace(known, on_topic=derived["on_topic"], fact_on_topic=derived["fact_on_topic"]), settings.calibration_file
        )
        print(f"stored on_topic and fact_on_topic for {encoder.model_id}")


if __name__ == "__main__":
    main()
