"""Evidence selection on literal passages: every part of a question gets its sentence, a
sentence that leans on the one before brings it along, a list item keeps its name, and the
budget holds."""

import numpy as np
import pytest

from rag import evidence
from rag.answer.intent import Part, split_parts
from rag.answer.relevance import has_fact
from rag.types import Chunk, Hit

# One made-up advice about municipal licences, written so that the reason and the amount sit
# in different sentences.
LICENCES = [
    "Gemeenten kopen elk hun eigen softwarelicenties in en dat leidt tot dubbel werk.",
    "Licenties staan op naam van één gemeente, zodat gemeenten de licentiekosten niet kunnen delen.",
    "Een landelijk platform voor burgerzaken zou veel besparen.",
    "Dit geldt vooral voor opslag en beveiliging.",
    "Op die licenties rekent de leverancier een toeslag van 30 procent.",
]
REUSE_TEXT = (
    "4 Functioneel hergebruik\n\nEen paar voorbeelden:\n\nGedeelde loketten\n\n"
    "Gemeenten bouwen samen één digitaal loket dat burgers overal dezelfde dienst geeft."
)
OTHER = ["Gemeenten werken samen aan een gedeeld platform voor burgerzaken en belastingen."]


def _hit(rank, sentences, text=None, contribution=1, experts=("Frauke Wessel",)):
    text = text if text is not None else " ".join(sentences)
    chunk = Chunk(f"c{rank}", "b.md", text, text, contribution=contribution, experts=experts, advice=rank)
    return Hit(rank, 1.0 / rank, chunk)


def _vectors(sentences, close=()):
    """Unit vectors: sentences in `close` point along the query, the rest sideways."""
    out = []
    for i, s in enumerate(sentences):
        v = np.zeros(8, dtype=np.float32)
        v[0] = 0.9 if s in close else 0.1
        v[1 + i % 7] = 0.4
        out.append(v / np.linalg.norm(v))
    return np.stack(out)


QUERY = np.eye(8, dtype=np.float32)[0]


def _store(hits_sentences, close=()):
    table = {h.chunk.chunk_id: (sents, _vectors(sents, close)) for h, sents in hits_sentences}
    return lambda chunk: table[chunk.chunk_id]


IDF = evidence.Idf([Chunk(f"x{i}", "b.md", t, t) for i, t in enumerate([*LICENCES, *OTHER, "De zorg.", "De overheid."])])


def _parts(question, lang="nl"):
    return [evidence.Part(p.text, lambda s, f=p.fact: has_fact(f, s), bool(p.fact)) for p in split_parts(question, lang)]


@pytest.mark.parametrize(
    "question,lang,parts",
    [
        ("Wie koopt de licenties in, en hoeveel procent toeslag rekent de leverancier?", "nl",
         [Part("Wie koopt de licenties in"), Part("hoeveel procent toeslag rekent de leverancier", "percentage")]),
        ("Hoe hoog is de toeslag en waarom?", "nl", [Part("Hoe hoog is de toeslag waarom", "count")]),
        ("Wat is een datakluis en waarom is die nuttig?", "nl", [Part("Wat is een datakluis"), Part("waarom is die nuttig")]),
        ("Wat zegt Van Graft over de cloud? En wat vindt Stikker daarvan?", "nl",
         [Part("Wat zegt Van Graft over de cloud"), Part("En wat vindt Stikker daarvan")]),
        ("What is a sandbox and why does Hoppenbrouwers want one?", "en",
         [Part("What is a sandbox"), Part("why does Hoppenbrouwers want one")]),
        # one question: "en" between nouns, or a tail too short to ask anything
        ("Welke rol spelen gemeenten en provincies bij digitalisering?", "nl", [Part("Welke rol spelen gemeenten en provincies bij digitalisering")]),
        ("Wat moeten Rijk en gemeenten doen, en wie?", "nl", [Part("Wat moeten Rijk en gemeenten doen wie")]),
        ("Hoeveel gemeenten zijn er?", "nl", [Part("Hoeveel gemeenten zijn er", "count")]),
    ],
)  # fmt: skip
def test_a_question_is_split_into_the_questions_it_asks(question, lang, parts):
    assert list(split_parts(question, lang)) == parts


def test_each_part_of_a_two_part_question_gets_its_sentence():
    question = "Waarom delen gemeenten hun licentiekosten niet, en hoeveel procent toeslag rekent de leverancier?"
    hit = _hit(1, LICENCES)
    # The embedding favours the first sentences; only the second part asks for the number.
    sentences_of = _store([(hit, LICENCES)], close=LICENCES[:2])
    alone = evidence.select(question, QUERY, [hit], sentences_of, IDF, word_budget=25)
    both = evidence.select(question, QUERY, [hit], sentences_of, IDF, word_budget=25, parts=_parts(question))
    assert LICENCES[4] not in alone[0].sentences
    assert LICENCES[4] in both[0].sentences and LICENCES[1] in both[0].sentences
    assert list(both[0].sentences) == [s for s in LICENCES if s in both[0].sentences]  # document order


def test_a_part_finds_its_sentence_in_a_later_passage_even_when_the_budget_is_spent():
    question = "Wat zegt Wessel over dubbel werk, en hoeveel procent toeslag rekent de leverancier?"
    first = _hit(1, LICENCES[:2])
    second = _hit(2, LICENCES[4:], contribution=2, experts=("Perry van der Weijden",))
    sentences_of = _store([(first, LICENCES[:2]), (second, LICENCES[4:])], close=LICENCES[:2])
    sources = evidence.select(question, QUERY, [first, second], sentences_of, IDF, word_budget=20, parts=_parts(question))
    assert [s.sentences for s in sources][-1] == (LICENCES[4],)


def test_a_sentence_that_leans_on_the_one_before_brings_it_along():
    hit = _hit(1, LICENCES)
    sentences_of = _store([(hit, LICENCES)], close=[LICENCES[3]])
    sources = evidence.select("Welke functies: opslag en beveiliging?", QUERY, [hit], sentences_of, IDF, word_budget=12)
    assert LICENCES[3] in sources[0].sentences and LICENCES[2] in sources[0].sentences


@pytest.mark.parametrize(
    "sentence,leans",
    [
        ("Dit geldt vooral voor opslag.", True),
        ("En het gaat in tegen de gedachte van een open internet.", True),
        ("Daarom is het belangrijk.", True),
        ("“Dit” zei hij.", True),
        ("Ziekenhuizen beheren hun eigen IT.", False),
        ("Datakluizen zijn nuttig.", False),  # starts with "Dat…", but is not "Dat"
        ("", False),
    ],
)
def test_leaning_back_is_read_from_the_first_word(sentence, leans):
    assert evidence.leans_back(sentence) is leans


def test_a_list_item_keeps_its_name():
    sentence = "Gemeenten bouwen samen één digitaal loket dat burgers overal dezelfde dienst geeft."
    assert evidence.heading(REUSE_TEXT, sentence) == "Gedeelde loketten"
    assert evidence.heading(REUSE_TEXT, "4 Functioneel hergebruik") == ""  # the first line stands under nothing
    assert evidence.heading("Een zin. " + sentence, sentence) == ""  # a sentence before is no heading
    assert evidence.heading("Kortom: de zin.", "de zin.") == ""
    row = "| Meldpunt | Een loket waar burgers fouten melden. |"
    assert evidence.heading(f"| Loket | Doel |\n|---|---|\n{row}", row) == ""  # a table's rule names no row
    assert evidence.heading(f"| Kort | Doel |\n{row}", row) == ""  # nor does another row
    hit = _hit(1, [sentence], text=REUSE_TEXT)
    sources = evidence.select("Welke voorbeelden voor een digitaal loket?", QUERY, [hit], _store([(hit, [sentence])]), IDF)
    assert sources[0].headings == ("Gedeelde loketten",)


def test_the_budget_holds_without_parts():
    hit = _hit(1, LICENCES)
    sources = evidence.select("Wat zegt Wessel over gemeenten?", QUERY, [hit], _store([(hit, LICENCES)]), IDF, word_budget=20)
    words = sum(len(s.split()) for s in sources[0].sentences)
    assert words <= 20 * 1.4 + max(len(s.split()) for s in LICENCES)  # a leaning sentence may bring one more


def test_the_key_sentence_says_what_the_title_says():
    title = "Een landelijke voorziening voor basale functies"
    assert evidence.key_sentence(LICENCES, title, IDF) == LICENCES[2]
    # A sentence that leans on the one before cannot stand alone as the key sentence.
    assert evidence.key_sentence(LICENCES, "Opslag en beveiliging", IDF) != LICENCES[3]
    assert evidence.key_sentence(LICENCES, "Iets heel anders", IDF) == LICENCES[0]  # no shared word: the first
    assert evidence.key_sentence([], "Titel", IDF) == ""


@pytest.mark.parametrize(
    "sentence,says_what_the_text_covers",
    [
        ("Deze pagina beschrijft per fase hoe je gebruikersonderzoek inzet.", True),
        ("In dit hoofdstuk beschrijven we de transactiepatronen in algemene zin.", True),
        ("Deze paragraaf legt zeer beknopt een relatie met de inhoudelijke laag.", True),
        ("De volgende paragrafen gaan verder in op profielen.", True),
        ("This section describes the profiles in detail.", True),
        ("Deze richtlijn zorgt ervoor dat alle burgers gelijke toegang hebben.", False),  # a guideline's content
        ("Dit document wordt voorgelegd aan het Technisch Overleg.", False),  # a fact about the document
        ("Deze pagina is het startpunt voor leveranciers.", False),
        ("Gemeenten beschrijven in dit hoofdstuk hun plannen.", False),
    ],
)
def test_a_signpost_is_read_from_its_opening(sentence, says_what_the_text_covers):
    assert evidence.signpost(sentence) is says_what_the_text_covers


def test_a_signpost_is_not_chosen_as_the_best_sentence_though_it_echoes_the_question():
    signpost = "Deze pagina beschrijft per fase hoe gemeenten licentiekosten delen."
    sentences = [signpost, LICENCES[1]]
    hit = _hit(1, sentences)
    sources = evidence.select(
        "Hoe delen gemeenten licentiekosten?", QUERY, [hit], _store([(hit, sentences)], close=[signpost]), IDF
    )
    assert sources[0].best == LICENCES[1]
    assert evidence.best_sentence(evidence.Part("Hoe delen gemeenten licentiekosten?"), QUERY, sources, IDF)[1] == LICENCES[1]
