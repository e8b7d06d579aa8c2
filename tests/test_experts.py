"""Recognising expert names in queries."""

from rag.experts import mentioned, resolve, strip_names

KNOWN = (
    "Mariëlle Stoelinga",
    "John Waser",
    "Hawre Rahimi",
    "Bob van Graft",
    "Onno Eric Blom",
    "Alexander Klöpping",
    "Nicole Stolk-Luyten",
    "Marleen Stikker",
    "Perry van der Weijden",
)


def test_resolve_partial_and_misspelled_names():
    assert resolve("Stoeltinga", KNOWN) == ["Mariëlle Stoelinga"]
    assert resolve("hawre rahim", KNOWN) == ["Hawre Rahimi"]
    assert resolve("Van Graft", KNOWN) == ["Bob van Graft"]
    assert resolve("Kloepping", KNOWN) == ["Alexander Klöpping"]
    assert resolve("Stolk - Luyten", KNOWN) == ["Nicole Stolk-Luyten"]
    assert resolve("Jansen", KNOWN) == []


def test_mentioned_in_questions():
    assert mentioned("Welke adviezen geeft Van Graft?", KNOWN) == ["Bob van Graft"]
    assert set(mentioned("Wat vinden Blom en Klöpping?", KNOWN)) == {"Onno Eric Blom", "Alexander Klöpping"}
    assert mentioned("Wat vindt Pieter Post van big tech in de klas?", KNOWN) == []
    assert mentioned("De sticker op de deur", KNOWN) == []


def test_strip_names_removes_the_name_and_its_particles():
    assert strip_names("Wat zegt Perry van der Weijden over data?", ["Perry van der Weijden"]) == "Wat zegt over data?"
    assert strip_names("Wat zegt hawre rahim?", ["Hawre Rahimi"]) == "Wat zegt"
