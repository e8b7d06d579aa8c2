"""What a model's sentence may add to its sources, on literal inputs: no negation of the source,
no invented name, word or number, no expert cited for another expert's words."""

import numpy as np

from rag.answer.routes import _completed
from rag.calibration import Calibration
from rag.citations import (
    SUPPORTED,
    Sentence,
    Verified,
    contradicts,
    finished,
    invented,
    render,
    source_words,
    split_answer,
    support_matrix,
    verify,
)
from rag.evidence import Idf, Source
from rag.types import Chunk, Hit

CAL = Calibration("test", (0.90, 0.97), (0.80, 0.90), 0.80)

SOURCE = "Gemeenten moeten hun data delen met het Rijk, zodat burgers niet steeds opnieuw gegevens aanleveren."
OTHER = "Ziekenhuizen kunnen hun servers beter samen laten beheren door een regionale organisatie."


def _source(number: int, sentence: str, experts: tuple[str, ...] = ("Anna de Vries",)) -> Source:
    chunk = Chunk(f"id{number}", "d.md", sentence, sentence, experts=experts, advice=number, advice_title="T", contribution=1)
    return Source(number, Hit(number, 1.0, chunk), (sentence,))


IDF = Idf([Chunk(f"c{i}", "d.md", t, t) for i, t in enumerate((SOURCE, OTHER, "Een andere zin over onderwijs."))])


def _support(sentence: str, sources: list[Source], question: str = "", people: tuple[str, ...] = ()) -> np.ndarray:
    score, _ = support_matrix([sentence], sources, IDF, None, [None] * len(sources), question, calibration=CAL, people=people)
    return score[0]


def test_a_sentence_that_repeats_its_source_is_supported():
    assert _support("Gemeenten moeten hun data delen met het Rijk.", [_source(1, SOURCE)])[0] >= SUPPORTED


def test_a_negated_sentence_is_not_supported_by_the_sentence_it_negates():
    assert contradicts("Gemeenten moeten hun data niet delen met het Rijk.", SOURCE)
    assert contradicts("Burgers moeten steeds opnieuw gegevens aanleveren.", SOURCE)
    assert not contradicts("Gemeenten moeten data delen met het Rijk.", SOURCE)
    assert _support("Gemeenten moeten hun data niet delen met het Rijk.", [_source(1, SOURCE)])[0] == 0.0
    # A translation shares no words: the whole sentences are compared.
    assert contradicts("Municipalities need not share their data.", "Gemeenten moeten data delen.")
    assert not contradicts("Citizens should not have to supply data again.", "Burgers hoeven niet opnieuw te leveren.")


def test_an_invented_name_makes_a_sentence_unsupported():
    sources = [_source(1, SOURCE)]
    assert (
        invented("Gemeenten moeten hun data delen met het Rijk en met Microsoft.", source_words(sources, ""), IDF, True)
        == "Microsoft"
    )
    assert _support("Gemeenten moeten hun data delen met het Rijk en met Microsoft.", sources)[0] == 0.0
    # A name the question or the passage's label holds is not invented; nor the English name of a Dutch place.
    assert not invented("Volgens Anna de Vries moeten gemeenten data delen.", source_words(sources, ""), IDF, True)
    assert not invented("Gemeenten delen met Microsoft.", source_words(sources, "Wat zegt ze over Microsoft?"), IDF, True)
    netherlands = _source(2, "In Nederland delen gemeenten weinig data.")
    assert not invented("Municipalities in the Netherlands share little data.", source_words([netherlands], ""), IDF, False)
    assert invented("Municipalities in Belgium share little data.", source_words([netherlands], ""), IDF, False) == "Belgium"
    # Apostrophes do not make a name: "CIOs" is the passage's "CIO's".
    cios = _source(3, "Een stuurgroep van de rijks CIO's en twee CEO's.")
    assert not invented("The group consists of the CIOs and two CEOs.", source_words([cios], ""), IDF, False)


def test_an_invented_word_makes_a_sentence_unsupported_within_the_sources_language():
    sources = [_source(1, SOURCE)]
    assert (
        invented("Gemeenten moeten hun data via blockchainregisters delen.", source_words(sources, ""), IDF, True)
        == "blockchainregisters"
    )
    # Inflections and compounds of the passage's words are the passage's.
    assert not invented("Gemeentelijke data worden gedeeld met het Rijk.", source_words(sources, ""), IDF, True)
    assert not invented("Gegevensaanlevering door burgers moet eenmalig.", source_words(sources, ""), IDF, True)
    # Across languages every word is new: only names count.
    assert not invented("Municipalities should share their data.", source_words(sources, ""), IDF, False)


def test_an_invented_number_makes_a_sentence_unsupported():
    assert _support("Gemeenten moeten 40 keer hun data delen met het Rijk.", [_source(1, SOURCE)])[0] == 0.0


def test_a_sentence_naming_an_expert_is_supported_only_by_that_experts_passage():
    people = ("Anna de Vries", "Bert Jansen")
    sources = [_source(1, SOURCE, ("Anna de Vries",)), _source(2, SOURCE, ("Bert Jansen",))]
    score = _support("Bert Jansen vindt dat gemeenten hun data moeten delen met het Rijk.", sources, people=people)
    assert score[0] == 0.0 and score[1] >= SUPPORTED
    # Cited to the other expert alone, it is dropped.
    only_anna = sources[:1]
    score = _support("Bert Jansen vindt dat gemeenten hun data moeten delen met het Rijk.", only_anna, people=people)
    assert score[0] == 0.0
    kept = verify([Sentence("Bert Jansen vindt dat gemeenten hun data moeten delen met het Rijk.", (1,))], only_anna,
                  score[None], np.zeros((1, 1), dtype=int))  # fmt: skip
    assert kept == []


def _quote(number: int, text: str) -> Verified:
    return Verified(text, (number,), (text,), quoted=True)


def _model(text: str, number: int, drawn_on: str) -> Verified:
    return Verified(text, (number,), (drawn_on,))


def test_a_model_sentence_that_restates_the_quote_is_dropped():
    quote = _quote(1, SOURCE)
    restating = _model("Gemeenten delen hun data met het Rijk, zodat burgers niets opnieuw hoeven aan te leveren.", 1, SOURCE)
    new = _model("Ziekenhuizen laten hun servers samen beheren.", 2, OTHER)
    again = _model("Een regionale organisatie beheert de servers van ziekenhuizen.", 2, OTHER)
    assert _completed([restating, new, again], [quote], "nl") == [quote, new]
    # Without anything new from the model, the quote stands alone.
    assert _completed([restating], [quote], "nl") == [quote]
    # A sentence that holds the quote word for word keeps only what it adds (a copied list's other items).
    holding = Verified(f"Tips: - {SOURCE} - {OTHER}", (1, 2), (SOURCE, OTHER))
    assert [v.text for v in _completed([holding], [quote], "nl")] == [SOURCE, f"Tips: - {OTHER}"]
    fragment = Verified(f"Tips: - {SOURCE}", (1,), (SOURCE,))
    assert _completed([fragment], [quote], "nl") == [quote]


def test_the_direct_answer_comes_before_the_quote_it_rests_on():
    quote = _quote(1, SOURCE)
    english = _model("Municipalities should share their data with central government.", 1, SOURCE)
    assert _completed([english], [quote], "en") == [english, quote]
    yes = _model("Ja, gemeenten moeten hun data delen met het Rijk.", 1, SOURCE)
    assert _completed([yes], [quote], "nl") == [yes, quote]
    # When the model's sentences do not answer, only the rendering of the quote is kept.
    other = _model("Hospitals should manage servers together.", 2, OTHER)
    assert _completed([english, other], [quote], "en", extend=False) == [english, quote]


def test_a_source_sentence_copied_in_its_own_language_is_no_direct_answer_to_an_english_question():
    # It says the Dutch quote again, in Dutch: not the quoted fact in the asker's language.
    quote = _quote(1, SOURCE)
    copied = _model(SOURCE, 1, SOURCE)
    assert _completed([copied], [quote], "en") == [quote]
    # A name has no language: drawn from the quote, it is the direct answer, before it.
    name = _model("Gemeenten [1].", 1, SOURCE)
    assert _completed([name], [quote], "en") == [name, quote]


def test_an_english_answer_announces_the_dutch_quote_where_it_starts():
    sources = [_source(1, SOURCE)]
    english = _model("Municipalities should share their data with central government.", 1, SOURCE)
    text, cites = render([english, _quote(1, SOURCE)], sources, "en")
    assert text.startswith("Municipalities should share their data with central government [1]. The source puts it this way")
    assert len(cites) == 1


def test_a_sentence_the_model_left_unfinished_is_dropped():
    raw = "Gemeenten moeten data delen [1]. Daarnaast moeten zij de gegevens van burgers"
    assert [s.text for s in finished(split_answer(raw), raw)] == ["Gemeenten moeten data delen."]
    for done in ("Gemeenten moeten data delen [1]. Ook het Rijk [2].", "Eén. Twee [1]", "Eén. “Twee.”"):
        assert len(finished(split_answer(done), done)) == 2
    assert len(finished(split_answer("Gemeenten moeten"), "Gemeenten moeten")) == 1  # all there is


def test_a_quoted_sentence_brings_the_next_one_when_that_leans_on_it():
    from rag.evidence import continued

    first = "Er is nu een register van algoritmen."
    second = "Dit register heeft slechts een registrerende functie."
    third = "Gemeenten doen mee."
    text = f"{first} {second}\n\n{third}"
    assert continued(text, [first, second, third], first) == f"{first} {second}"
    assert continued(text, [first, second, third], second) == second  # "Gemeenten …" stands alone
    assert continued(text, [first, third], first) == first  # only a sentence that follows it directly


def test_an_english_partly_answer_states_the_point_in_english_after_the_dutch_quote():
    from rag.answer import render
    from rag.answer.routes import _rendering

    english = _model("Municipalities should share their data with central government.", 1, SOURCE)
    assert _rendering([english], SOURCE, "en") == english.text
    assert _rendering([english], OTHER, "en") == ""  # drawn on another sentence
    assert _rendering([_model("Gemeenten delen data met het Rijk.", 1, SOURCE)], SOURCE, "nl") == ""  # same language
    body, cites = render.partly("", _source(1, SOURCE), SOURCE, "en", english.text)
    assert body.startswith("The closest to an answer is Anna de Vries (advice 1, quoted in Dutch): “Gemeenten")
    assert body.endswith("In English: Municipalities should share their data with central government [1].")
    assert len(cites) == 1


def test_a_sentence_that_announces_a_list_brings_its_items():
    from rag.evidence import announces, continued

    lead = "De volgende drie bouwstenen dragen hieraan bij:"
    items = ["- Data-integratie: gegevens uit verschillende bronnen.", "- Open standaarden.", "- Een centrale organisatie."]
    after = "Daarmee is het plan compleet."
    text = "\n".join([lead, *items, "", after])
    assert continued(text, [lead, *items, after], lead) == " ".join([lead, *items])
    # Not more than the word budget of items, and never past a sentence that does not follow directly.
    long_items = [f"- Bouwsteen {n} met een uitleg van een flink aantal woorden erbij." for n in range(12)]
    text = "\n".join([lead, *long_items])
    assert 1 < len(continued(text, [lead, *long_items], lead).split(" - ")) < 12
    assert continued(f"{lead} Iets anders.", [lead, "Nog iets."], lead) == lead
    # Without its items (they stand in the next passage) the sentence says nothing yet: it is no answer.
    assert announces(lead) and not announces(" ".join([lead, *items])) and not announces("Zo staat het er.")


def test_a_list_after_a_blank_line_and_into_the_next_chunk_is_brought_along():
    """Markdown puts a blank line between "De volgende onderdelen …:" and its list, items may be too
    short to be sentences ("- de virusscanner;"), and numbered items may run on into the advice's
    next chunk: all are the announced items."""
    from rag.evidence import announces, continued, passage_text
    from rag.types import Chunk, Hit

    lead = "De volgende onderdelen worden jaarlijks gecontroleerd:"
    text = f"Laptops gaan vier jaar mee. {lead}\n\n- de versleuteling van de schijf;\n- de virusscanner;\n- de back-up."
    assert continued(text, ["Laptops gaan vier jaar mee.", lead], lead) == (
        f"{lead} - de versleuteling van de schijf; - de virusscanner; - de back-up."
    )
    lead = "De volgende drie bouwstenen dragen hieraan bij:"
    first = Chunk("a", "b.md", f"{lead}\n\n1 Gegevensbeheer\n\n- Monitoring: gegevens verzamelen.", "", part=0)
    second = Chunk("b", "b.md", "- Monitoring: gegevens verzamelen.\n\n2 Analyse\n\n- Trends.\n\n3 Transparantie", "", part=1)
    quoted = continued(passage_text(Hit(1, 1.0, first, (second,))), [lead], lead)
    assert quoted == f"{lead} 1 Gegevensbeheer 2 Analyse 3 Transparantie" and not announces(quoted)
    # A heading that announces a paragraph, not a list, stays an announcement: no answer on its own.
    assert announces(
        continued("Dit zeggen de experts:\n\nStikker wijst op AI.", ["Dit zeggen de experts:"], "Dit zeggen de experts:")
    )
