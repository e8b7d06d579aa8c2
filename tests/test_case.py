"""Names and titles set in capitals, back in normal case."""

from rag.case import is_capitals, recase, spellings

TEXT = """De overheid zet in op AI en op verantwoorde digitalisering. Het rapport van Marleen Stikker
noemt de public stack. Zij pleit voor ontwerp- en ontwikkeltrajecten met IT-functies."""


def test_capitals_are_told_from_abbreviations_and_normal_text():
    assert is_capitals("HUMAN-CENTERED AI ALS KERNPRINCIPE")
    assert not is_capitals("AI") and not is_capitals("Human-centered AI") and not is_capitals("12")


def test_words_take_the_hints_spelling_then_the_documents():
    known = spellings(TEXT)
    assert recase("VERANTWOORDE AI EN DE PUBLIC STACK", known) == "Verantwoorde AI en de public stack"
    assert recase("DE IT-FUNCTIES", known, hint="De IT-functies op orde") == "De IT-functies"
    assert recase("EEN ONTWERP- EN ONTWIKKELTRAJECT", known) == "Een ontwerp- en ontwikkeltraject"
    assert recase("DATA- INFRASTRUCTUUR", known) == "Datainfrastructuur"
    assert recase("Al in normale tekst", known) == "Al in normale tekst"


def test_names_are_capitalised_with_lower_case_particles():
    known = spellings(TEXT)
    assert recase("MARLEEN STIKKER", known, name=True) == "Marleen Stikker"
    assert recase("KAREN VAN MONSJOU", known, name=True) == "Karen van Monsjou"
    assert recase("NICOLE STOLK-LUYTEN", known, name=True) == "Nicole Stolk-Luyten"
    assert recase("MARIËLLE STOELINGA", known, hint="Mariëlle Stoeltinga", name=True) == "Mariëlle Stoelinga"


def test_accents_a_scan_dropped_come_back_from_the_documents_own_spelling():
    from rag.case import accented, with_accents

    table = accented("Alexander Klöpping schrijft. Creëer inzicht, zegt Mariëlle. Dé vraag is de vraag die de raad stelt.")
    assert with_accents("Alexander Klopping", table) == "Alexander Klöpping"
    assert with_accents("CREEER INZICHT", table) == "CREËER INZICHT"
    assert with_accents("Marielle Stoelinga", table) == "Mariëlle Stoelinga"
    assert with_accents("Kees Verhoeven", table) == "Kees Verhoeven"
    assert with_accents("Stimuleer de digitale ruimte", table) == "Stimuleer de digitale ruimte"  # "de" is more common than "dé"
