"""Evaluation metrics on literal rows: the matching rule, retrieval scores and answer scores."""

from dataclasses import replace

from rag.evaluate import EvalRow, answer_language, mentioned, score
from rag.language import text
from rag.metrics import Ref, found, recall, retrieval_scores
from rag.types import Answer, Chunk, Citation


def _chunk(expert: str, advice: int) -> Chunk:
    return Chunk(f"{expert}-{advice}", "d.md", "t", "t", experts=(expert,), advice=advice, contribution=1)


def _answer(cites: list[tuple[str, int]], refused: bool = False, language: str = "nl", text: str = "t") -> Answer:
    citations = tuple(Citation(f"[{i}]", _chunk(e, a), "q") for i, (e, a) in enumerate(cites, start=1))
    timings = {"first_token_ms": 100.0, "total_ms": 200.0}
    return Answer("v", text, refused, citations, (), language, "g", timings)


def test_found_and_recall_count_gold_references_matched_by_expert_overlap_and_advice():
    gold = [Ref(("A", "B"), 1), Ref(("C",), 2)]
    hits = [(("B",), 1), (("C",), 3), (("C",), 2)]
    assert found(gold, hits) == 2
    assert recall(gold, hits, 2) == 0.5 and recall([], hits, 2) == 0.0


def test_retrieval_scores_skip_unanswerable_questions():
    rows = [
        ({"gold": [{"experts": ["A"], "advice": 1}]}, [(("A",), 1)]),
        ({"gold": [{"experts": ["B"], "advice": 2}]}, [(("A",), 1), (("B",), 2)]),
        ({"gold": []}, [(("A",), 1)]),
    ]
    s = retrieval_scores(rows)
    assert (s.questions, s.hit_at_1, s.hit_at_5, s.mrr_at_10) == (2, 0.5, 1.0, 0.75)


def test_answer_scores_count_citations_gold_hits_and_refusals():
    rows = [
        EvalRow({"gold": [{"experts": ["A"], "advice": 1}]}, _answer([("A", 1), ("B", 2)]), "", []),
        EvalRow(
            {
                "gold": [{"experts": ["C"], "advice": 1}, {"experts": ["D"], "advice": 2}, {"experts": ["E"], "advice": 3}],
                "also_ok": [{"experts": ["C"], "advice": 0}],
                "min_gold_hits": 2,
            },
            _answer([("C", 1), ("C", 0), ("D", 2)]),
            "",
            [],
        ),
        EvalRow({"gold": []}, _answer([], refused=True), "", []),
        EvalRow(
            {"gold": [{"experts": ["A"], "advice": 2}], "lang": "en"},
            _answer([], refused=True, language="en", text="The booklet does not answer this question."),
            "",
            [],
        ),
    ]
    s = score(rows)
    assert s["citation_precision"] == 0.8  # 4 of 5: B 2 is no gold, C 0 is also fine
    assert s["citation_hit_rate"] == 0.667  # the refused English question cites nothing
    assert s["multi_min_gold_hits_rate"] == 1.0
    assert s["refusal_rate_unanswerable"] == 1.0 and s["false_refusals"] == 1
    assert s["english_answered_in_english"] == "1/1"


def test_english_questions_are_judged_by_the_language_of_the_answer_text():
    gold = {"gold": [{"experts": ["A"], "advice": 1}], "lang": "en"}
    english = _answer([("A", 1)], language="en", text="He advises the government to take big tech out of the classroom [1].")
    dutch = _answer([("A", 1)], language="en", text="Hij adviseert de overheid om big tech uit de klas te halen [1].")
    assert score([EvalRow(gold, english, "", []), EvalRow(gold, dutch, "", [])])["english_answered_in_english"] == "1/2"


QUOTE = "“Big tech moet uit de klas verdwijnen, en de overheid moet investeren in alternatieve oplossingen.” [1]"


def test_a_dutch_quote_under_an_english_lead_in_is_not_an_english_answer():
    # The fixed lead-ins only announce the quote: the answer says nothing in English itself.
    assert answer_language(f"{text('en', 'quoted')} {QUOTE}") == "nl"
    assert answer_language(f"The booklet puts it this way (quoted in Dutch): {QUOTE}") == "nl"  # an older wording
    lead = text("en", "lead_expert", who="Rudy van Belkom", where="advice 4")
    assert answer_language(f"{lead} {QUOTE}") == "nl"
    closest = text("en", "closest_expert", who="Rudy van Belkom", where="advice 4")
    assert answer_language(f"{closest} “Big tech moet weg.” [1]") == "nl"  # a long lead-in, a short quote
    # Too few words of its own to state anything: a title or a name before the quote.
    assert answer_language(f"Online public space: {QUOTE}") == "nl"
    assert answer_language("Big tech moet uit de klas verdwijnen [1].") == "nl"


def test_an_english_sentence_before_a_dutch_quote_is_an_english_answer():
    assert answer_language(f"He wants schools to stop depending on big tech companies: {QUOTE}") == "en"
    partly = f"{text('en', 'partly_fact', src='the booklet', fact='percentage')} {text('en', 'lead_expert', who='Rudy van Belkom', where='advice 4')}"
    assert answer_language(f"{partly} {QUOTE}") == "en"
    other = text("en", "premise_other", src="the booklet", who="Rudy van Belkom", where="advice 4")
    assert answer_language(f"{other} {QUOTE}") == "en"  # "The booklet does not put it that way." says something
    # Dutch advice titles and the "van" of a name are the source's words, not the answer's.
    refusal = (
        "I find no answer to this question in the booklet. What comes closest in the booklet: "
        "Perry van der Weijden, advice 3 (Digitale infrastructuur); Rudy van Belkom, advice 4 (Ontwikkel een online publieke ruimte)."
    )
    assert answer_language(refusal) == "en"


def test_evidence_recall_attributes_a_lost_term_to_selection_or_to_generation():
    gold = {"gold": [{"experts": ["A"], "advice": 1}], "must_mention": ["bibliotheken", "boekenwinkel|winkels"]}
    answer = Answer(
        "v", "Geen bibliotheken [1].", False, (Citation("[1]", _chunk("A", 1), "q"),), (), "nl", "g",
        {"first_token_ms": 1.0, "total_ms": 2.0}, (), "generated",
        ("[1] A, advies 1: Op het internet heb je wel boekenwinkels, maar geen bibliotheken.",),
    )  # fmt: skip
    s = score([EvalRow(gold, answer, "", [])])
    # Both terms were in the evidence; the model kept one: the loss is generation's.
    assert s["evidence_recall"] == 1.0 and s["must_mention_rate"] == 0.5
    assert mentioned(["Bibliotheken", "winkels|BOEKENWINKEL"], "geen bibliotheken, wel boekenwinkels") == 1.0


def test_the_eval_names_the_backend_that_wrote_answers_not_the_rules():
    gold = {"gold": [{"experts": ["A"], "advice": 1}]}
    quoted = replace(_answer([("A", 1)]), generator="rules")
    written = replace(_answer([("A", 1)]), generator="llama.cpp/m")
    rows = [EvalRow(gold, quoted, "", []), EvalRow(gold, written, "", [])]
    assert score(rows)["generator"] == "llama.cpp/m"
    assert score(rows[:1])["generator"] == "rules"  # only rules wrote them
