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
