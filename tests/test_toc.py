"""The table-of-contents reader on literal inputs."""

from rag.toc import read_toc, split_experts

TWO_COLUMNS = [
    "Voorwoord\t3\t<b>Vincent Homburg</b>\t<b>16</b>",
    "Samenvatting\t4\tInternationale beleving\t",
    "\t\t1 Maak belevingswereld leidend\t16",
    "<b>Mensgericht</b>\t<b>9</b>\t<b>Samenwerking</b>\t<b>18</b>",
    "<b>Marleen Stikker</b>\t<b>10</b>\t<b>Nicole Stolk - Luyten</b>\t<b>19</b>",
    "Waardengedreven digitalisering\t\tEén data-infrastructuur\t",
    "1 Human-centered AI\t10\t1 Gestandaardiseerde infrastructuur\t19",
    "",
    "<b>Hawre Rahimi</b>\t<b>28</b>",
    "1 Informatiewetgeving\t28",
    "## **Realistisch** **32**",
    "<b>Bram Klievink - Bob van Graft</b>\t<b>33</b>",
    "Realisme\t",
    "1 Erken de complexiteit\t33",
]


def test_columns_are_read_left_then_right_then_the_rest():
    toc = read_toc(TWO_COLUMNS)
    assert toc.front == ("Voorwoord", "Samenvatting")
    assert toc.themes == ("Mensgericht", "Samenwerking", "Realistisch")
    people = [(c.theme, c.experts, c.title, c.advices) for c in toc.contributions]
    assert people == [
        ("Mensgericht", ("Marleen Stikker",), "Waardengedreven digitalisering", ((1, "Human-centered AI"),)),
        ("Mensgericht", ("Vincent Homburg",), "Internationale beleving", ((1, "Maak belevingswereld leidend"),)),
        ("Samenwerking", ("Nicole Stolk-Luyten",), "Eén data-infrastructuur", ((1, "Gestandaardiseerde infrastructuur"),)),
        ("Samenwerking", ("Hawre Rahimi",), "", ((1, "Informatiewetgeving"),)),
        ("Realistisch", ("Bram Klievink", "Bob van Graft"), "Realisme", ((1, "Erken de complexiteit"),)),
    ]


def test_split_experts():
    assert split_experts("Onno Eric Blom - Alexander Klöpping - Edial Dekker") == (
        "Onno Eric Blom",
        "Alexander Klöpping",
        "Edial Dekker",
    )
    assert split_experts("Nicole Stolk - Luyten") == ("Nicole Stolk-Luyten",)


def test_entries_a_narrow_column_wrapped_are_joined():
    # One column, as read from a PDF: the page number after the last line of a wrapped entry,
    # or on a line of its own; bold names wrapped onto a second bold line.
    toc = read_toc(
        [
            "**Werk en digitalisering**\t**5**",
            "**Anna de Vries - Bram**",
            "**Jansen**\t**6**",
            "Een titel die over twee regels",
            "doorloopt",
            "1 Een advies dat zo lang is dat het",
            "op de volgende regel verder gaat\t6",
            "2 Kort advies",
            "7",
            "## **Tweede thema** **9**",
            "**Carla Smit**\t**10**",
            "1 Laatste advies\t10",
        ]
    )
    assert toc.themes == ("Werk en digitalisering", "Tweede thema")
    first, second = toc.contributions
    assert first.experts == ("Anna de Vries", "Bram Jansen")
    assert first.title == "Een titel die over twee regels doorloopt"
    assert first.advices == ((1, "Een advies dat zo lang is dat het op de volgende regel verder gaat"), (2, "Kort advies"))
    assert second.experts == ("Carla Smit",) and second.advices == ((1, "Laatste advies"),)


def test_a_lone_number_under_an_entry_with_its_page_is_the_next_advices_number():
    # A word too long for a narrow column pushes the advice's title below its number.
    toc = read_toc(
        [
            "**Carla Smit**\t**10**",
            "1 Eerste advies\t10",
            "2",
            "Informatiehuishouding",
            "op orde\t11",
        ]
    )
    assert toc.contributions[0].advices == ((1, "Eerste advies"), (2, "Informatiehuishouding op orde"))


def test_a_word_tables_cells_are_read_like_a_pdfs_columns():
    toc = read_toc(
        [
            "Voorwoord | 3 | **Vincent Homburg** | **16**",
            "**Thema** | **9** | 1 Maak belevingswereld leidend | 16",
            "**Marleen Stikker** | **10** |  | ",
            "1 Human-centered AI | 10 |  | ",
        ]
    )
    assert [(c.experts, c.advices) for c in toc.contributions] == [
        (("Marleen Stikker",), ((1, "Human-centered AI"),)),
        (("Vincent Homburg",), ((1, "Maak belevingswereld leidend"),)),
    ]
