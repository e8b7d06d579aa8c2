"""Cleaning rules on small literal inputs."""

from rag.clean import (
    Block,
    clean_blocks,
    finish_text,
    is_footer,
    join_split_words,
    merge_continuations,
    normalize_name,
    strip_markup,
    to_blocks,
    vocabulary,
)

TITLE = "Ongefilterde expertadviezen voor de digitale overheid"


def test_page_footer_is_dropped():
    assert is_footer("12 - Ongefilterde expertadviezen voor de digitale overheid", TITLE)
    assert not is_footer("12 - Iets anders", TITLE)
    blocks = to_blocks(["Eerste zin.", "", f"12 - {TITLE}", "", "Tweede zin."], doc_title=TITLE)
    assert [b.text for b in blocks] == ["Eerste zin.", "Tweede zin."]


def test_word_split_across_page_break_is_joined():
    lines = ["Denen zien geen individu-", "", "", "", "ele diensten, maar één identiteit."]
    blocks = clean_blocks(lines, vocabulary(" ".join(lines)))
    assert [b.text for b in blocks] == ["Denen zien geen individuele diensten, maar één identiteit."]


def test_hyphen_kept_when_the_document_writes_the_compound():
    vocab = vocabulary("één data-infrastructuur van en voor de zorg")
    assert join_split_words("Eén data-\ninfrastructuur", vocab) == "Eén data-infrastructuur"
    assert join_split_words("informatie- wetgeving", vocab) == "informatiewetgeving"


def test_hyphen_before_conjunction_is_an_elision_not_a_break():
    assert join_split_words("ontwerp- en ontwikkeltraject", frozenset()) == "ontwerp- en ontwikkeltraject"
    assert join_split_words("wet- en regelgeving", frozenset()) == "wet- en regelgeving"


def test_pull_quote_is_removed_but_italic_role_is_kept():
    lines = ["*Hoogleraar Universiteit Twente*", "", "*“Dit herhaalt de tekst”*", "", "Gewone tekst."]
    blocks = clean_blocks(lines, frozenset())
    assert [(b.text, b.italic) for b in blocks] == [("Hoogleraar Universiteit Twente", True), ("Gewone tekst.", False)]


def test_paragraph_cut_by_page_break_is_merged_only_when_it_continues():
    a = Block("text", "Dit is een zin die doorloopt naar de", 1)
    b = Block("text", "volgende pagina.", 3)
    c = Block("text", "Nieuwe alinea.", 5)
    merged = merge_continuations([a, b, c])
    assert [m.text for m in merged] == ["Dit is een zin die doorloopt naar de volgende pagina.", "Nieuwe alinea."]


def test_prose_cut_before_a_capital_is_merged_but_names_and_titles_are_not():
    prose = " ".join(["woord"] * 40)
    cut = Block("text", f"{prose} We kunnen leren van de buurlanden (België, Duitsland,", 1)
    rest = Block("text", "Frankrijk, Luxemburg) die de stap al hebben gezet.", 3)
    mid = Block("text", f"{prose} zo'n 75% gaat van de jaarlijkse", 5)
    rest2 = Block("text", "Rijksuitgaven aan IT naar beheer.", 7)
    name = Block("text", "Mariëlle Stoelinga", 9)
    bio = Block("text", "Hoogleraar Universiteit Twente", 11)
    merged = merge_continuations([cut, rest, mid, rest2, name, bio])
    assert [m.text for m in merged] == [
        f"{prose} We kunnen leren van de buurlanden (België, Duitsland, Frankrijk, Luxemburg) die de stap al hebben gezet.",
        f"{prose} zo'n 75% gaat van de jaarlijkse Rijksuitgaven aan IT naar beheer.",
        "Mariëlle Stoelinga",
        "Hoogleraar Universiteit Twente",
    ]


def test_hard_breaks_join_and_bullets_keep_their_lines():
    lines = ["Vincent  ", "Homburg", "", "- **Eén:** eerste", "- **Twee:** tweede"]
    blocks = clean_blocks(lines, frozenset())
    assert blocks[0].text == "Vincent Homburg"
    assert blocks[1].text == "- Eén: eerste\n- Twee: tweede"


def test_headings_are_blocks_with_levels():
    blocks = to_blocks(["#### 4 Stimuleer de digitale publieke ruimte", "tekst"])
    assert (blocks[0].kind, blocks[0].level, blocks[0].text) == ("heading", 4, "4 Stimuleer de digitale publieke ruimte")


def test_normalize_name_joins_double_surnames():
    assert normalize_name("Nicole Stolk - Luyten") == "Nicole Stolk-Luyten"


def test_link_addresses_and_task_boxes_go_their_words_stay():
    text = "Het [OBDO](https://example.nl/obdo_(2023)/) heeft Digikoppeling op de [lijst](https://example.nl/verplicht) gezet."
    assert strip_markup(text) == "Het OBDO heeft Digikoppeling op de lijst gezet."
    assert strip_markup("- [ ] Je hebt een DPIA uitgevoerd\n- [x] Het team is gevormd") == (
        "- Je hebt een DPIA uitgevoerd\n- Het team is gevormd"
    )
    assert strip_markup("Een lege lijst [ ] midden in de zin blijft.") == "Een lege lijst [ ] midden in de zin blijft."
    assert finish_text("Zie ![schema](schema.png) en [de wet](https://wetten.nl/BWBR1).", frozenset()) == "Zie schema en de wet."


def test_table_rows_keep_their_lines_and_a_caption_after_them_its_own():
    lines = [
        "| Term | Betekenis |",
        "|------|-----------|",
        "| OIN | Organisatie-identificatienummer. Uniek. |",
        "Tabel 2: begrippen",
    ]
    assert clean_blocks(lines, frozenset())[0].text == (
        "| Term | Betekenis |\n|------|-----------|\n| OIN | Organisatie-identificatienummer. Uniek. |\nTabel 2: begrippen"
    )
    # the Word and HTML readers write a row as cells with " | " between them
    assert clean_blocks(["Naam | Rol", "Anna | hoogleraar"], frozenset())[0].text == "Naam | Rol\nAnna | hoogleraar"
    assert clean_blocks(["Een regel die", "doorloopt."], frozenset())[0].text == "Een regel die doorloopt."


def test_indented_bullets_keep_their_lines():
    lines = ["De standaarden ondersteunen:", "   - synchrone uitwisseling;", "   - grote berichten;"]
    assert (
        clean_blocks(lines, frozenset())[0].text == "De standaarden ondersteunen:\n- synchrone uitwisseling;\n- grote berichten;"
    )


def test_inline_html_tags_go_and_their_words_stay_but_a_placeholder_in_angle_brackets_stays():
    text = '<sup><a name="f19"><dfn>19</dfn></a>: Versleuteling op berichtniveau.</sup> Vul <OIN> in.<br>Let op: a < b.'
    assert strip_markup(text) == "19: Versleuteling op berichtniveau. Vul <OIN> in. Let op: a < b."


def test_an_image_or_link_with_a_title_keeps_only_its_words():
    text = 'Zie ![Niet-transparante intermediair](media/nti.png "Niet-transparante intermediair") en [de site](https://x.nl/a "Site").'
    assert strip_markup(text) == "Zie Niet-transparante intermediair en de site."
