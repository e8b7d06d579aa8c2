"""Which documents a question names: literal questions over made-up guideline titles."""

import pytest

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
