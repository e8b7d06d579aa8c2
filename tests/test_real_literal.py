"""The literal cases of issue 19 end to end on the booklet: the real embedding model and index, the
extractive backend (the routes, the grade and the checks decide; no model writes). Questions
written for this test (docs/LITERAL_CASES.md), not taken from any evaluation set."""

from dataclasses import replace

import pytest

from rag.answer import routes
from rag.answer.intent import analyze
from rag.conversation import turn
from rag.embed import load_encoder
from rag.generate import load_generator
from rag.pipeline import Pipeline

pytestmark = pytest.mark.real_model


@pytest.fixture(scope="module")
def pipeline(real_settings):
    settings = replace(real_settings, generator="extractive")
    return Pipeline(settings, load_encoder(settings), load_generator(settings))


def cited(answer) -> set[tuple[tuple[str, ...], int]]:
    return {(c.chunk.experts, c.chunk.advice) for c in answer.citations}


def test_a_term_the_booklet_writes_otherwise_is_not_called_absent(pipeline):
    answer = pipeline.ask("Wat moet de Rijksoverheid volgens de experts doen aan digitale inclusie?")
    assert "Rijksoverheid niet" not in answer.text and answer.answered == "yes", answer.text
    assert (("Rudy van Belkom",), 3) in cited(answer)


@pytest.mark.parametrize(
    "question",
    ["What does the booklet say about supervision of the GDPR?", "Wat zeggen de experts over toezicht op de GDPR?"],
)
def test_a_law_by_another_name_is_found(question, pipeline):
    answer = pipeline.ask(question)
    assert answer.answered != "no" and "GDPR" not in answer.text, answer.text
    assert any("AVG" in c.quote for c in answer.citations), answer.text


def test_the_dutch_name_of_the_ai_act_finds_it(pipeline):
    answer = pipeline.ask("Welke gevolgen heeft de Europese AI-verordening volgens de bundel voor het openbaar bestuur?")
    assert "niet in de bundel" not in answer.text and any("AI Act" in c.quote for c in answer.citations), answer.text


def test_an_expert_who_writes_about_it_in_other_words_is_quoted_himself(pipeline):
    answer = pipeline.ask("Wat vindt Nitesh Bharosa van de manier waarop de overheid digitale infrastructuur inkoopt?")
    assert "gaat in de bundel niet in" not in answer.text, answer.text
    assert answer.citations and all(c.chunk.experts == ("Nitesh Bharosa",) for c in answer.citations)


def test_an_announced_list_is_given_with_its_items(pipeline):
    answer = pipeline.ask("Op welke doelen moet de overheid sturen bij de energietransitie?")
    assert answer.answered == "yes" and "FAIR data" in answer.text, answer.text
    assert (("Martin Hoff",), 1) in cited(answer)


def test_a_count_whose_answer_is_none_is_answered(pipeline):
    answer = pipeline.ask("Hoeveel stellingen in de StemWijzer gingen over digitalisering?")
    assert answer.answered == "yes" and "geen over digitalisering" in answer.text, answer.text


def test_a_title_before_a_name_does_not_end_the_quote(pipeline):
    answer = pipeline.ask("Welke werkagenda zette staatssecretaris Van Huffelen in?")
    assert "Mw. Van Huffelen ingezette werkagenda" in answer.text, answer.text


def test_a_possessive_follow_up_finds_its_own_topic(pipeline):
    answer = pipeline.ask(
        "Waarom kunnen ziekenhuizen de btw van hun IT-systemen niet verrekenen?",
        ["Wat zegt Marleen Stikker over de digitale publieke ruimte?"],
    )
    assert "21% BTW" in answer.text and (("Frauke Wessel",), 0) in cited(answer), answer.text


def test_a_short_question_after_an_expert_question_finds_its_topic(pipeline):
    answer = pipeline.ask("Wat is Cumuluz?", ["Welke adviezen geeft Bob van Graft?"])
    assert "Cumuluz" in answer.text and all(c.chunk.experts == ("Nicole Stolk-Luyten",) for c in answer.citations)


def test_an_english_question_on_open_source_is_not_refused(pipeline):
    answer = pipeline.ask("What does the booklet say about open source software?")
    assert not answer.refused and any("open" in c.quote.lower() for c in answer.citations), answer.text


@pytest.mark.parametrize(
    ("first", "follow", "expert"),
    [
        # After the questions only, the first two follow-ups cite others (Blom, Klöpping and Dekker; Rudy van Belkom).
        (
            "Welke expert wil dat scholen hun leerlingen zelf laten programmeren?",
            "Waarom vindt hij dat belangrijk?",
            "Hawre Rahimi",
        ),
        ("Wie wil dat ambtenaren digitaal vaardiger worden?", "Wat stellen ze daarvoor voor?", "Mariëlle Stoelinga"),
        (
            "Welke expert vindt dat de overheid beter bestaande oplossingen kan hergebruiken?",
            "Waarom vindt zij dat?",
            "Britt Hoppenbrouwers",
        ),
    ],
)
def test_a_pronoun_follow_up_refers_to_the_expert_the_previous_answer_cites(first, follow, expert, pipeline):
    before = pipeline.ask(first)
    assert before.citations and all(expert in c.chunk.experts for c in before.citations), before.text
    after = pipeline.ask(follow, [turn(before)])
    assert after.citations and all(expert in c.chunk.experts for c in after.citations), after.text


def test_an_english_premise_over_dutch_sources_is_said_to_be_unchecked(pipeline):
    answer = pipeline.ask("Why does Rudy van Belkom want the algorithm register to replace all supervision?")
    assert answer.answered == "partly" and answer.text.startswith("I cannot check that claim word for word"), answer.text
    assert cited(answer) and all(experts == ("Rudy van Belkom",) for experts, _ in cited(answer)), answer.text


class Translating:
    """A generator that only translates, with a fixed text (what a model might write)."""

    name = "translating"
    after_quotes = True
    writes = True
    translates = True

    def __init__(self, translation: str) -> None:
        self.translation = translation

    def stream(self, messages, max_tokens=160):
        if messages[0]["content"].startswith("Translate"):
            yield self.translation


AIR = "In Nederland hebben ongeveer 70 ziekenhuizen een EPD-systeem (elektronisch patiëntendossier) dat on-premises draait op de eigen infrastructuur."


@pytest.mark.parametrize(
    ("translation", "shown"),
    [
        (
            "In the Netherlands, about 70 hospitals have an EPD system (electronic patient record) that runs on-premises on their own infrastructure.",
            True,
        ),
        (
            "In the Netherlands, about 90 hospitals have an EPD system that runs on-premises on their own infrastructure.",
            False,
        ),  # a number changed
        (
            "In the Netherlands, about 70 hospitals do not have an EPD system that runs on their own infrastructure.",
            False,
        ),  # negated
        (
            "In the Netherlands, about 70 hospitals run the EPD system of Epic on Microsoft Azure.",
            False,
        ),  # names the sentence lacks
    ],
)
def test_a_source_sentence_is_said_in_the_askers_language_only_as_it_stands(real_settings, translation, shown):
    settings = replace(real_settings, generator="extractive")
    encoder = load_encoder(settings)
    snap = Pipeline(settings, encoder, Translating(translation)).index.current()
    hit = snap.retriever.search(AIR, k=1)[0]
    assert AIR in hit.chunk.text
    intent = analyze("How many hospitals keep their patient records on their own servers?", [], snap.retriever.experts)
    ctx = routes.Context(intent, snap, settings, encoder, Translating(translation))
    assert routes.translation(ctx, hit, AIR) == (translation if shown else "")
