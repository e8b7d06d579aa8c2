"""BM25 terms on literal input: compounds in a question count as the words they are made of."""

from rag.lexical import Bm25, query_tokens, split_compound, tokenize

PAGES = [
    "5. Kies voor de cloud\n\nMaak eerst een risicoanalyse voordat je een leverancier kiest.",
    "10. Gebruik data beter\n\nDeel gegevens alleen met een duidelijk doel.",
    "Over deze richtlijn\n\nDe richtlijn wordt samengesteld door een bureau van het ministerie.",
    "Inkoop\n\nLeg de eisen aan de markt vast in het bestek.",
]


def _known(texts: list[str]) -> set[str]:
    return {t for text in texts for t in tokenize(text)}


def test_a_compound_the_index_does_not_have_counts_as_its_two_words():
    known = _known(PAGES)
    assert split_compound("cloudrichtlijn", known) == tokenize("cloud richtlijn")
    assert split_compound("datarichtlijn", known) == tokenize("data richtlijn")
    assert "cloudrichtlijn" not in " ".join(PAGES)
    assert query_tokens("Wat zegt de cloudrichtlijn over risico's?", known)[:2] == tokenize("cloud richtlijn")


def test_a_linking_s_or_e_between_the_parts_is_left_out():
    known = _known(["De leverancier biedt toegankelijkheid.", "Een richtlijn voor het ministerie."])
    assert split_compound("toegankelijkheidsrichtlijn", known) == tokenize("toegankelijkheid richtlijn")
    assert split_compound("ministeriesleverancier", known) == tokenize("ministerie leverancier")


def test_no_split_into_stopwords_short_pieces_or_unknown_words():
    # "overheid" is stemmed "over", so the index knows "over"; the stopword "over" is still no part
    known = _known(["De overheid laat dat aan de markt.", "De wet en het land."])
    assert split_compound("overlaten", known) == ["over", "laat"]
    assert split_compound("overlaten", known, frozenset({"over"})) == []
    assert query_tokens("Mag de overheid dat overlaten?", known) == tokenize("overheid")  # the query's stopwords apply
    assert split_compound("wetland", known) == []  # "wet" has three letters: too short a part
    assert split_compound("zonneschijn", known) == []  # neither part is in the index


def test_a_word_the_index_has_is_never_split():
    known = _known(["Een marktpartij en een markt.", "De partij."])
    assert query_tokens("marktpartij", known) == tokenize("marktpartij")


def test_bm25_finds_the_page_a_compound_in_the_question_names():
    bm25 = Bm25.fit(PAGES)
    scores = bm25.scores("Wat moet je volgens de cloudrichtlijn eerst doen?")
    assert int(scores.argmax()) == 0 and scores[0] > 0
    scores = bm25.scores("Met welk doel deel je gegevens volgens de datarichtlijn?")
    assert int(scores.argmax()) == 1
    assert not bm25.scores("zonneschijnrichtlijnen").any()  # one part unknown: no split, no score
