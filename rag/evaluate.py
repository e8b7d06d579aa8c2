"""Runs gold questions through the pipeline and scores retrieval and answers.

Owns the answer metrics (citation precision and hit rate, must-mention, refusals,
latency); the matching rule and retrieval metrics live in `metrics`.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .answer.intent import analyze
from .language import TEXTS, detect
from .metrics import Ref, found, matches, place, retrieval_scores
from .pipeline import Pipeline
from .types import Answer


@dataclass(frozen=True, slots=True)
class EvalRow:
    question: dict
    answer: Answer | None
    error: str
    ranked: list[tuple]  # top-10 retrieval as (experts, advice, document, section)
    alone: list[tuple] = field(default_factory=list)  # the same, asked without its history


MODEL_FREE = ("rules", "structure")  # what `Answer.generator` says when no model wrote the answer


def percentile(values: Sequence[float], q: float) -> float:
    """The value at share `q` of the sorted values (nearest rank); 0 for none."""
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def _ranked(retriever, question: str, history: Sequence[str]) -> list[tuple]:
    """Top-10 passages as (experts, advice, document, section) for the question as the pipeline searches it."""
    query = analyze(question, history, retriever.experts).query or question
    return [place(h.chunk) for h in retriever.search(query, k=10)]


def run(pipeline: Pipeline, gold: Sequence[dict], progress: Callable[[int, int], None] | None = None) -> list[EvalRow]:
    """Ask every gold question (as the next turn of its `history`, when it has one) and rank its passages."""
    rows = []
    for i, q in enumerate(gold):
        if progress:
            progress(i, len(gold))
        retriever = pipeline.index.current().retriever
        history = q.get("history") or []
        ranked = _ranked(retriever, q["question"], history)
        alone = _ranked(retriever, q["question"], []) if history else []
        try:
            rows.append(EvalRow(q, pipeline.ask(q["question"], history), "", ranked, alone))
        except Exception as e:  # one failing question must not stop the evaluation
            rows.append(EvalRow(q, None, f"{type(e).__name__}: {e}", ranked, alone))
    return rows


# An answer counts as written in a language by its own words: at least this many outside
# quotations, source titles and the fixed clauses that only announce a quote.
MIN_OWN_WORDS = 6
_PLACEHOLDER = re.compile(r"\{\w+\}")
_NAME = re.compile(r"\b[A-Z][\w'-]*(?:\s+(?:van|der|den|de|ter|ten|te))+\s+[A-Z][\w'-]*")
# A clause that says where a quote comes from and in which language, up to its colon:
# "Rudy van Belkom writes (advice 4, quoted in Dutch):", whatever its wording.
_ANNOUNCES = re.compile(r"[^.:;]*\((?:[^()]*,\s*)?quoted in [^()]*\)\s*:", re.I)


def _own_text(text: str) -> str:
    """The text without quotations (“…”), clauses that announce one, parentheses (advice titles),
    source markers, and the particles of names (the "van der" of "Perry van der Weijden")."""
    text = re.sub(r"“[^”]*”", " ", text)
    text = _ANNOUNCES.sub(" ", text)
    text = re.sub(r"\([^()]*\)", " ", text)
    text = re.sub(r"\[\d+\]", " ", text)
    return _NAME.sub(" ", text)


def _lead_in(template: str) -> re.Pattern | None:
    """The last clause of a fixed English sentence when it announces quotes or titles (it ends in
    a colon: "{who} {verb} {n} pieces of advice:"), as a pattern over `_own_text` text, its
    placeholders within the clause; None when there is none or nothing of it is left there. A
    clause before it that states something ("That is not what {src} says;") stays an answer."""
    clause = re.split(r"(?<=[.;])\s+", template.strip())[-1]
    parts = _PLACEHOLDER.split(_own_text(clause).strip())
    if not clause.endswith(":") or not "".join(parts).strip(" :"):
        return None
    return re.compile(r"[^.:;]*?".join(r"\s*".join(map(re.escape, part.split())) for part in parts), re.I)


LEAD_INS = [p for p in map(_lead_in, TEXTS["en"].values()) if p]


def own_words(answer_text: str) -> list[str]:
    """The words an English answer says itself: outside its quotations and titles, and without
    the clauses that only announce a quote ("The source puts it this way (quoted in its own
    language):") or a list ("Hawre Rahimi gives 4 pieces of advice:")."""
    text = _own_text(answer_text)
    for lead_in in LEAD_INS:
        text = lead_in.sub(" ", text)
    return re.findall(r"[a-zà-ÿ']+", text.lower())


def answer_language(answer_text: str) -> str:
    """The language an answer is written in. English only when its own words (see `own_words`)
    are English and enough of them to state something: a Dutch quote under an English lead-in
    is a Dutch answer, and a quoted Dutch source sentence after an English sentence does not
    make that answer Dutch. With too few words of its own, the answer is in the language of
    what it quotes (or of its whole text, when it quotes nothing)."""
    words = own_words(answer_text)
    if len(words) >= MIN_OWN_WORDS:
        return detect(" ".join(words))
    quoted = " ".join(re.findall(r"“([^”]*)”", answer_text))
    return detect(quoted or answer_text)


def mentioned(terms: Sequence[str], text: str) -> float:
    """Share of must-mention terms (each "a|b" for alternatives) that occur in the text, case-insensitively."""
    low = text.lower()
    return sum(any(alt.lower() in low for alt in t.split("|")) for t in terms) / len(terms)


def by_type(rows: Sequence[EvalRow]) -> dict[str, dict]:
    """Per question type: how many, how many refused, how often the gold passage was retrieved,
    and for conversation turns how often it was retrieved for the question asked alone."""
    out: dict[str, dict] = {}
    for t in sorted({r.question.get("type", "") for r in rows}):
        group = [r for r in rows if r.question.get("type", "") == t]
        with_gold = [r for r in group if r.question.get("gold")]
        d = {"questions": len(group), "refused": sum(bool(r.answer and r.answer.refused) for r in group)}
        d["answered"] = dict(Counter(r.answer.answered for r in group if r.answer).most_common())
        if with_gold:
            d.update({k: v for k, v in retrieval_scores([(r.question, r.ranked) for r in with_gold]).to_dict().items()
                      if k in ("hit@1", "hit@5")})  # fmt: skip
        turns = [r for r in with_gold if r.question.get("history")]
        if turns:
            d["alone_hit@5"] = round(retrieval_scores([(r.question, r.alone) for r in turns]).hit_at_5, 3)
        routes = Counter(r.answer.route for r in group if r.answer)
        d["routes"] = dict(routes.most_common())
        out[t or "untyped"] = d
    return out


def score(rows: Sequence[EvalRow]) -> dict:
    retrieval = retrieval_scores([(r.question, r.ranked) for r in rows]).to_dict()
    answerable = [r for r in rows if r.question.get("gold")]
    unanswerable = [r for r in rows if not r.question.get("gold")]
    cited = correct = hit = 0
    mention_shares: list[float] = []
    evidence_shares: list[float] = []
    multi_ok: list[bool] = []
    false_refusals = 0
    english_in_english = []
    for r in answerable:
        a = r.answer
        if a is None:
            mention_shares.append(0.0)
            evidence_shares.append(0.0)
            continue
        refs = [Ref.from_dict(g) for g in r.question["gold"]] + [Ref.from_dict(g) for g in r.question.get("also_ok", [])]
        gold = [Ref.from_dict(g) for g in r.question["gold"]]
        places = [place(c.chunk) for c in a.citations]
        cited += len(places)
        correct += sum(1 for where in places if any(matches(g, *where) for g in refs))
        gold_found = found(gold, places)
        hit += gold_found > 0
        false_refusals += a.refused
        words = r.question.get("must_mention", [])
        if words:
            mention_shares.append(mentioned(words, a.text))
            evidence_shares.append(mentioned(words, " ".join(a.evidence)))
        if r.question.get("min_gold_hits"):
            multi_ok.append(gold_found >= r.question["min_gold_hits"])
        if r.question.get("lang") == "en":
            english_in_english.append(answer_language(a.text) == "en")
    answers = [r.answer for r in rows if r.answer is not None]
    first = [a.timings.get("first_token_ms", 0.0) for a in answers]
    total = [a.timings.get("total_ms", 0.0) for a in answers]
    retrieval["answerable_questions"] = retrieval.pop("questions")
    return {
        "questions": len(rows),
        "errors": sum(1 for r in rows if r.answer is None),
        **retrieval,
        "citation_precision": round(correct / cited, 3) if cited else 0.0,
        "citation_hit_rate": round(hit / len(answerable), 3) if answerable else 0.0,
        "must_mention_rate": round(statistics.mean(mention_shares), 3) if mention_shares else 0.0,
        # The same terms in what the answer was written from: a term missing there was lost in
        # evidence selection, one present there but not in the answer was lost in generation.
        "evidence_recall": round(statistics.mean(evidence_shares), 3) if evidence_shares else 0.0,
        "multi_min_gold_hits_rate": round(sum(multi_ok) / len(multi_ok), 3) if multi_ok else 0.0,
        "refusal_rate_unanswerable": round(sum(bool(r.answer and r.answer.refused) for r in unanswerable) / len(unanswerable), 3)
        if unanswerable
        else 0.0,
        # Declined: refused, or answered "partly" (the answer says what is missing).
        "declined_rate_unanswerable": round(
            sum(bool(r.answer and r.answer.answered != "yes") for r in unanswerable) / len(unanswerable), 3
        )
        if unanswerable
        else 0.0,
        "false_refusals": false_refusals,
        "false_refusal_rate": round(false_refusals / len(answerable), 3) if answerable else 0.0,
        "english_answered_in_english": f"{sum(english_in_english)}/{len(english_in_english)}",
        "latency_first_token_ms": {"p50": round(percentile(first, 0.5)), "p95": round(percentile(first, 0.95))},
        "latency_total_ms": {"p50": round(percentile(total, 0.5)), "p95": round(percentile(total, 0.95))},
        # The backend that wrote answers; answers made by rules or from the structure name none.
        "generator": next(
            (a.generator for a in answers if a.generator not in MODEL_FREE), answers[0].generator if answers else ""
        ),
        "by_type": by_type(rows),
    }
