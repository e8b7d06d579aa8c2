"""The structure parser: exact agreement with the manifest, and the tricky rules on literal input."""

import pytest

from rag.parse import parse_document

MINI = """\
GARBLED HEADER | 1 IETS

# Mini bundel

## Voorwoord

Welkom bij de bundel.

# Samenvatting

## Thema Een

Over thema een.

# Inhoud

<b>Thema Een</b>\t<b>3</b>
<b>Anna de Vries</b>\t<b>4</b>
Goede digitale diensten\t
1 Begin bij de burger\t4
2 Meet wat werkt\t5
<b>Bert Jansen - Carla Smit</b>\t<b>6</b>
Samen sneller\t
1 Deel de data\t6

# Anna de Vries

## Goede digitale diensten

*Hoogleraar digitale overheid*

De inleiding van Anna.

### 1 Begin bij de burger

Burgers eerst. De zin loopt door op de

volgende pagina.

*“Burgers eerst”*

7 - Mini bundel

## 2 Meet wat werkt

Meten is weten. Dit zijn zes bouwstenen:

### 1 Data

Eerste bouwsteen.

### 2 Analyse

Tweede bouwsteen.

### 3 Rapportage

Derde bouwsteen.

Tot slot: dit is de afsluiting.

Bert  
Jansen

*Directeur Stichting*

## Carla Smit

*Onderzoeker*

## Samen sneller

Inleiding van Bert en Carla.

## 1 Deel de data

Deel alles veilig.

## Colofon

Een uitgave van niemand.
"""


def test_bundled_booklet_equals_the_manifest(booklet_text, manifest):
    doc = parse_document("booklet.md", booklet_text)
    assert doc.warnings == ()
    assert len(doc.contributions) == 16 and len(set(doc.experts)) == 20 and doc.advice_count == 65
    for c, m in zip(doc.contributions, manifest, strict=True):
        assert c.number == m["contribution"]
        assert c.theme == m["theme"]
        assert c.title == m["title"]
        assert list(c.expert_names) == m["experts"]
        assert [(a.number, a.title, a.line) for a in c.advices] == [
            (a["number"], a["title"], a["source_line"]) for a in m["advices"]
        ]
        assert all(e.role for e in c.experts), f"missing role in contribution {c.number}"


def test_sub_items_are_not_advices_and_names_need_not_be_headings(booklet_text):
    doc = parse_document("booklet.md", booklet_text)
    hoff = next(c for c in doc.contributions if c.expert_names == ("Martin Hoff",))
    assert [a.number for a in hoff.advices] == [1, 2]
    assert "6 Technologische Innovatie" in hoff.advices[1].text
    homburg = next(c for c in doc.contributions if c.expert_names == ("Vincent Homburg",))
    assert "individuele diensten" in homburg.advices[0].text
    assert "Universiteit van Tartu" in homburg.experts[0].role


def test_pull_quotes_footers_and_closing_text_stay_out_of_advices(booklet_text):
    doc = parse_document("booklet.md", booklet_text)
    stoelinga = doc.contributions[1]
    assert "Ongefilterde expertadviezen" not in stoelinga.advices[3].text
    assert stoelinga.closing.startswith("Daarnaast moet de overheid stoppen")
    assert "beroepsregister" not in stoelinga.advices[3].text.lower()
    all_text = " ".join(a.text for c in doc.contributions for a in c.advices)
    assert "“Human-centered AI is niet langer een luxe, maar een noodzaak”" not in all_text


def test_front_and_back_matter_are_sections(booklet_text):
    doc = parse_document("booklet.md", booklet_text)
    titles = [s.title for s in doc.sections]
    assert titles[:2] == ["Voorwoord", "Samenvatting"]
    assert "Colofon" in titles
    assert any(s.theme == "Centrale regie" for s in doc.sections)


def test_mini_booklet_structure():
    doc = parse_document("mini.md", MINI)
    assert doc.title == "Mini bundel"
    assert doc.warnings == ()
    anna, duo = doc.contributions
    assert anna.theme == "Thema Een" and anna.title == "Goede digitale diensten"
    assert anna.experts[0].role == "Hoogleraar digitale overheid"
    assert anna.intro == "De inleiding van Anna."
    assert [a.number for a in anna.advices] == [1, 2]
    assert anna.advices[0].text == "Burgers eerst. De zin loopt door op de volgende pagina."
    assert "3 Rapportage" in anna.advices[1].text
    assert anna.closing == "Tot slot: dit is de afsluiting."
    assert duo.expert_names == ("Bert Jansen", "Carla Smit")
    assert [e.role for e in duo.experts] == ["Directeur Stichting", "Onderzoeker"]
    assert duo.intro == "Inleiding van Bert en Carla."
    assert [s.title for s in doc.sections] == ["Voorwoord", "Samenvatting: Thema Een", "Colofon"]


def test_disagreement_with_the_table_of_contents_is_a_warning():
    changed = MINI.replace("## 2 Meet wat werkt", "## 2 Tel alle knikkers")
    doc = parse_document("mini.md", changed)
    assert any("advice 2" in w and "Tel alle knikkers" in w for w in doc.warnings)
    missing = MINI.replace("## 1 Deel de data\n\nDeel alles veilig.\n", "")
    doc = parse_document("mini.md", missing)
    assert any("Deel de data" in w and "not in the text" in w for w in doc.warnings)


def test_edited_advice_text_is_parsed_from_the_document(booklet_text):
    edited = booklet_text.replace("wel boekenwinkels, maar geen bibliotheken", "wel boekenwinkels, maar geen musea")
    doc = parse_document("booklet.md", edited)
    van_belkom = next(c for c in doc.contributions if c.expert_names == ("Rudy van Belkom",))
    assert "geen musea" in van_belkom.advices[3].text and "bibliotheken" not in van_belkom.advices[3].text


def test_plain_document_is_split_by_headings():
    doc = parse_document("notes.md", "# Notities\n\nIntro.\n\n## Eerste\n\nTekst een.\n\n## Tweede\n\nTekst twee.\n")
    assert doc.contributions == ()
    assert [(s.title, s.text) for s in doc.sections] == [
        ("Notities", "Intro."),
        ("Eerste", "Tekst een."),
        ("Tweede", "Tekst twee."),
    ]


NOTE_WITH_CHAPTERS = """\
# Nota digitale werkplekken

# Inhoud

**Hoofdstuk 1 Toepassingsgebied**
1 Voor wie de nota geldt
2 Welke apparaten eronder vallen

**Hoofdstuk 2 Beheer**
1 Updates en onderhoud

# Hoofdstuk 1 Toepassingsgebied

## 1 Voor wie de nota geldt

Deze nota geldt voor alle medewerkers van de gemeente.

## 2 Welke apparaten eronder vallen

De nota geldt voor laptops en telefoons van de gemeente.

# Hoofdstuk 2 Beheer

## 1 Updates en onderhoud

De afdeling ICT installeert updates binnen vijf werkdagen.
"""


def test_chapters_over_numbered_entries_are_never_experts():
    """A contents page with bold chapter lines over numbered entries is no booklet: the note is
    read by its headings, without experts or advices."""
    doc = parse_document("nota.md", NOTE_WITH_CHAPTERS)
    assert doc.contributions == () and not doc.warnings
    assert "1 Updates en onderhoud" in [s.title for s in doc.sections]
    assert all(
        "Inhoud" not in s.title and "Toepassingsgebied 1" not in s.text for s in doc.sections
    )  # the contents are no passage
    assert any("vijf werkdagen" in s.text for s in doc.sections)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Marleen Stikker", True),
        ("Perry van der Weijden", True),
        ("Nicole Stolk-Luyten", True),
        ("MARIËLLE STOELINGA", True),
        ("Hoofdstuk 1 Toepassingsgebied", False),
        ("Hoofdstuk Beheer", False),
        ("Bijlage Begrippen", False),
        ("Chapter Two", False),
        ("Inleiding", False),
        ("Samenwerking en afsprakenstelsels", False),
        ("Artikel 5", False),
    ],
)
def test_what_reads_as_a_persons_name(line, name):
    from rag.experts import looks_like_name

    assert looks_like_name(line) is name
