"""Which language a text is in, by its function words."""

import pytest

from rag.language import decided, detect


@pytest.mark.parametrize(
    "text,language",
    [
        ("Gemeenten moeten hun data delen met het Rijk.", "nl"),
        ("Municipalities should share their data with the state.", "en"),
        ("Henry Mintzberg", None),  # a name tells nothing
        ("2025", None),
    ],
)
def test_a_text_is_decided_by_its_function_words_or_not_at_all(text, language):
    assert decided(text) == language
    assert detect(text) == (language or "nl")  # undecided reads as the booklet's language
