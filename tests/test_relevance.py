"""Answerability on literal evidence: the asked kind of fact, topic coverage, and claims the
sources state, contradict or do not contain."""

import numpy as np
import pytest

from rag.answer import relevance
from rag.evidence import Idf, Source
from rag.types import Chunk, Hit


def _source(number, sentences, experts=("Rudy van Belkom",), advice=1, title="Stel strikte toetsingseisen voor algoritmen in"):
    chunk = Chunk(
        f"c{number}", "b.md", " ".join(sentences), " ".join(sentences), experts=experts, advice=advice, advice_title=title
    )
    return Source(number, Hit(number, 1.0, chunk), tuple(sentences))


REGISTER = [
    "Er is nu een algoritmeregister, wat op zich een goed initiatief is.",
    "Dit register heeft slechts een registrerende functie en zou de toeslagenaffaire niet hebben kunnen voorkomen.",
]
CLOUD = [
    "Cloud is het codewoord, maar niet altijd de oplossing.",
    "In 2022 bundelden 12 overheden hun datacenters.",
]
IDF = Idf([Chunk(f"x{i}", "b.md", t, t) for i, t in enumerate([*REGISTER, *CLOUD, "De zorg.", "Het onderwijs.", "De overheid."])])


@pytest.mark.parametrize(
    "fact,sentence,holds",
    [
        ("count", "In 2022 bundelden 12 overheden hun datacenters.", True),
        ("count", "Veel overheden bundelen hun datacenters.", False),
        ("count", "Zij hebben recht op twee keer kinderbijslag.", True),
        ("count", "Niet eens de helft van de fracties was aanwezig.", True),
        ("count", "Een van de grootste problemen is het uitvoeren.", False),  # "een" is an article, not a count
        ("percentage", "Zo'n 75% gaat naar het instandhouden van systemen.", True),
        ("percentage", "Twintig procent van de burgers komt niet mee.", True),
        ("percentage", "In 2022 bundelden 12 overheden hun datacenters.", False),
        ("date", "In juli 2024 veroorzaakte een update wereldwijde chaos.", True),
        ("date", "Het register heeft een registrerende functie.", False),
        ("version", "Voor de karakterset beperkt het stelsel zich tot Unicode 2.0.", True),
        ("version", "Het profiel volgt versie 3 van de standaard.", True),
        ("version", "Voor het beschrijven van de koppeling is een OAS-beschrijving verplicht.", False),
        ("version", "De regels zijn in 2020 opgesteld.", False),  # a year is not a version
        ("", "Elke zin.", True),
        ("after_publication", "Elke zin.", False),
    ],
)
def test_the_asked_kind_of_fact_must_be_in_the_sentence(fact, sentence, holds):
    assert relevance.has_fact(fact, sentence) is holds


def test_a_claim_stated_in_a_clause_without_negation_is_stated():
    check = relevance.check_claim(
        "het register slechts een registrerende functie heeft", [_source(1, REGISTER)], lambda s: s.sentences, IDF, []
    )
    assert check.stated and check.stated[1] == REGISTER[1] and check.stated[2] >= relevance.PREMISE_SUPPORTED
    assert not check.contradicted or check.contradicted[2] < check.stated[2]


def test_a_claim_whose_clause_in_the_source_is_negated_is_contradicted():
    claim = "het algoritmeregister de toeslagenaffaire had kunnen voorkomen"
    check = relevance.check_claim(claim, [_source(1, REGISTER)], lambda s: s.sentences, IDF, [])
    assert check.contradicted and check.contradicted[1] == REGISTER[1]
    assert check.contradicted[2] >= relevance.PREMISE_SUPPORTED


def test_a_claim_the_sources_do_not_speak_of_has_no_support():
    check = relevance.check_claim("de overheid kernenergie moet inzetten", [_source(1, REGISTER)], lambda s: s.sentences, IDF, [])
    assert max(x[2] if x else 0.0 for x in (check.stated, check.contradicted)) < relevance.PREMISE_ABOUT


def test_coverage_is_the_share_of_the_topic_a_sentence_holds():
    assert relevance.coverage("Hoeveel overheden bundelden hun datacenters?", CLOUD[1], "", IDF) == 1.0
    assert relevance.coverage("Wat zegt de bundel over kernenergie en datacenters?", CLOUD[1], "", IDF) < 0.5


def test_a_sentence_is_about_the_question_by_a_distinctive_word_or_a_compound_part():
    vec = np.zeros(4, dtype=np.float32)
    about = relevance.About("Wat zegt Van Belkom over het algoritmeregister?", "nl", vec, [], IDF, ["Rudy van Belkom"])
    assert about(REGISTER[0]) and not about(CLOUD[0])
    onderwijs = relevance.About("Welke experts schrijven over onderwijs?", "nl", vec, [], IDF)
    assert onderwijs("Veel onderwijsinstellingen gebruiken sociale media.")


@pytest.mark.parametrize(
    "clause,opposite",
    [
        ("de overheid moet meer leunen op grote consultancybedrijven", False),
        ("de overheid moet stoppen met het leunen op grote consultancybedrijven", True),
        ("terughoudend zijn met de inzet van de cloud", True),
        ("het register zou de affaire niet hebben kunnen voorkomen", True),
        ("het is niet minder belangrijk", False),  # two reversals cancel
        ("the government should stop relying on consultants", True),
    ],
)
def test_a_negation_or_a_reversal_word_turns_a_clause_around(clause, opposite):
    assert relevance.negated(clause) is opposite


def test_a_claim_with_more_against_a_source_that_says_stop_is_contradicted():
    source = _source(1, ["Daarnaast moet de overheid stoppen met het leunen op grote consultancybedrijven."], ("X",), 0, "Slot")
    check = relevance.check_claim(
        "de overheid meer moet leunen op grote consultancybedrijven", [source], lambda s: s.sentences, IDF, []
    )
    assert check.contradicted and not check.stated


def test_a_claim_of_two_clauses_is_compared_clause_by_clause():
    # "wel …, maar geen …": one negation in the claim, the same in the source, clause for clause.
    sentence = "Het internet heeft wel boekenwinkels, maar geen bibliotheken."
    source = _source(1, [sentence], ("X",), 4, "Internet")
    check = relevance.check_claim(
        "het internet wel boekenwinkels heeft, maar geen bibliotheken", [source], lambda s: s.sentences, IDF, []
    )
    assert check.stated and not check.contradicted
    flipped = relevance.check_claim(
        "het internet wel bibliotheken heeft, maar geen boekenwinkels", [source], lambda s: s.sentences, IDF, []
    )
    assert flipped.contradicted


LIST = [
    "Wat levert een gedeeld schoolplatform op?",
    "- Eenvoud: leerlingen en docenten kunnen overal met hetzelfde account werken.",
    "Zo wordt het schoolplatform gedeeld.",
]


def test_the_quoted_answer_is_a_statement_that_covers_most_of_the_question():
    idf = Idf([Chunk(f"l{i}", "b.md", t, t) for i, t in enumerate([*LIST, *REGISTER, *CLOUD, "De zorg."])])
    question = "Wat levert een gedeeld schoolplatform op?"
    # The source's own question repeats every word of the user's, but announces the answer; it is never quoted.
    sentence, covered = relevance.answering_sentence(question, LIST, LIST[0], "", idf, comparable=True)
    assert sentence == LIST[2] and covered > 0
    assert relevance.answering_sentence(question, LIST[:1], LIST[0], "", idf, comparable=True) == ("", 0.0)
    # Across languages the best-scored sentence stands, unless it is a question.
    assert relevance.answering_sentence("What does it bring?", LIST, LIST[1], "", idf, comparable=False)[0] == LIST[1]
    assert relevance.answering_sentence("What does it bring?", LIST, LIST[0], "", idf, comparable=False)[0] == ""


@pytest.mark.parametrize(
    "sentence,question",
    [
        ("Wat levert dit op?", True),
        ("“Waar optimaliseer je voor?”", True),
        ('- "Wie betaalt de rekening?"', True),
        ("Dit levert veel op.", False),
        ("", False),
        # A statement that ends by citing a question states what the question is.
        ("Het model is ontwikkeld met als centrale vraag “Wie beslist er mee?”", False),
        ('De gemeente stelt bij elk project de vraag "Wat kost het?"', False),
    ],
)
def test_a_question_in_a_source_is_recognised(sentence, question):
    assert relevance.is_question(sentence) is question


def test_a_question_in_a_source_never_stands_for_the_models_sentence():
    def always(sentence):
        return True

    assert relevance.quotable("Dit register heeft slechts een registrerende functie.", always)
    assert not relevance.quotable("Wat levert dit op?", always)
    assert not relevance.quotable("Dit register heeft slechts een registrerende functie.", lambda s: False)
