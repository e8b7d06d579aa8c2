"""Which documents a question names: literal questions over made-up guideline titles."""

import sys

import pytest
from conftest import EVAL

from rag.references import document_names, named_documents

TITLES = {
    "richtlijn-05-cloud.md": "5. Hanteer een cloud-gedreven strategie",
    "richtlijn-05-cloud-fases.md": "Fases en gewenste uitkomsten 5. Hanteer een cloud-gedreven strategie",
    "richtlijn-07-privacy.md": "7. Maak privacy integraal",
    "richtlijn-09-integratie.md": "9. Integreer en pas technologie aan",
    "richtlijn-12-inkoop.md": "12. Definieer je inkoopstrategie",
    "richtlijn-13-duurzaamheid.md": "13. Maak je technologie duurzaam",
    "richtlijnen-overzicht.md": "De richtlijnen",
    "koppeling-architectuur.md": "Koppeling Architectuur",
}
CLOUD = ["richtlijn-05-cloud.md", "richtlijn-05-cloud-fases.md"]


@pytest.mark.parametrize(
    "question,named",
    [
        ("Waar begin je volgens de cloudrichtlijn mee?", CLOUD),
        ("Which practice does the cloud guideline propose?", CLOUD),
        ("Wat zegt de richtlijn over privacy over bewaartermijnen?", ["richtlijn-07-privacy.md"]),
        ("Wat staat er in de privacyrichtlijn over een DPIA?", ["richtlijn-07-privacy.md"]),
        ("Hoe los je volgens richtlijn 9 oude koppelingen op?", ["richtlijn-09-integratie.md"]),
        ("Welke wet noemt de inkooprichtlijn?", ["richtlijn-12-inkoop.md"]),  # "inkoop" of "inkoopstrategie"
        ("Wat raadt de duurzaamheidsrichtlijn aan voor laptops?", ["richtlijn-13-duurzaamheid.md"]),
        ("Hoe vaak moet je een audit laten doen?", []),  # no document named
        ("Welke richtlijn gaat over privacy?", []),  # "richtlijn" with no name word after a link word
        ("Wat zegt richtlijn 42 over data?", []),  # no title carries that number
    ],
)
def test_a_question_names_a_document_by_a_word_with_a_word_for_a_document(question, named):
    assert named_documents(question, document_names(TITLES)) == named


def test_a_name_word_in_many_documents_names_none():
    # "technologie" is in two titles: "de technologierichtlijn" names both; "data" in three names none.
    assert named_documents("Wat zegt de technologierichtlijn?", document_names(TITLES)) == [
        "richtlijn-09-integratie.md",
        "richtlijn-13-duurzaamheid.md",
    ]
    three = {"data-1.md": "Open data", "data-2.md": "Data delen", "data-3.md": "Data bewaren", "cloud.md": "Cloud"}
    assert named_documents("Wat zegt de datarichtlijn over bewaren?", document_names(three)) == []


def test_a_collection_of_one_document_names_nothing():
    assert named_documents("Wat zegt de cloudrichtlijn?", document_names({"richtlijn-05-cloud.md": "5. Cloud"})) == []


def test_the_naming_limits_are_the_tightest_that_keep_what_the_loosest_finds():
    """eval/derive_thresholds.py's rule on literal questions: "de datarichtlijn" names three
    documents, so only a limit of 3 scopes it; when it is one question of twenty that the loosest
    setting scopes, 19 of 20 is enough and the tightest limits that keep them are chosen: 2
    documents, and a shared start of 5 letters ("cloud"); for one question of ten it is 3 and 4 ("data")."""
    sys.path.insert(0, str(EVAL))
    import derive_thresholds

    names = document_names(
        {
            "cloud.md": "5. Hanteer een cloud-gedreven strategie",
            "cloud-fases.md": "Fases 5. Hanteer een cloud-gedreven strategie",
            "data.md": "10. Deel data",
            "data-fases.md": "Fases 10. Deel data",
            "data-register.md": "Het dataregister",
        }
    )
    cloud = [{"question": "Waar begin je volgens de cloudrichtlijn mee?", "gold": [{"document": "cloud.md"}]}] * 19
    data = [{"question": "Wat zegt de datarichtlijn over delen?", "gold": [{"document": "data.md"}]}]
    assert derive_thresholds.naming_limits(names, cloud + data) == {"max_named": 2, "shared_prefix": 5}
    assert derive_thresholds.naming_limits(names, cloud[:9] + data) == {"max_named": 3, "shared_prefix": 4}
