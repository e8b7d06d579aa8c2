"""Every question-side word list and pattern, one lexicon per language, each with its reason.

Owns the words; deciding what a question asks is `intent`'s job. Nothing here is here
because one evaluation question needed it: each entry names the rule it serves. A
question is matched against both lexicons (a Dutch question may quote an English term
and the other way round; the words of the two hardly overlap), its language decides
only the language of the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Lexicon:
    lang: str
    # Language detection: frequent function words; the two languages share few.
    function_words: frozenset[str]
    # Verbs and nouns that frame a question ("wat vindt X", "volgens de bundel") without naming its topic.
    frame_words: frozenset[str]
    # Praise and size words: "goed beleid" and "goed ingebed" share no subject.
    generic_words: frozenset[str]
    # A question that opens with one of these continues the previous one ("En over budgetten?").
    connectives: frozenset[str]
    # Personal pronouns that, as the subject near the start of a question, need an antecedent
    # in the conversation ("Wat vindt hij van …"). Possessives and demonstratives (zijn, hun,
    # haar, die, dat) are left out: they are as often verbs, articles or relative pronouns.
    subject_pronouns: frozenset[str]
    # A person named by a pronoun after a frame word ("volgens haar") is the one asked about before.
    person_back: re.Pattern[str]
    # Pronominal adverbs point back at the previous topic ("Wat vindt Rahimi daarvan?").
    pointing_back: frozenset[str]
    # Negations: a claim and a source sentence that differ in them say opposite things.
    negations: frozenset[str]
    # Words that stop, lower or hold back what follows count as a negation: "meer leunen op"
    # against "stoppen met het leunen op", "big tech meer ruimte geven" against "terughoudend met big tech".
    reversals: frozenset[str]
    # Where a second question starts inside one: "…, en hoe lang al?", "… en waarom?",
    # "…? Welke …". Each part needs its own evidence and its own answer.
    next_question: re.Pattern[str]
    # The question asks for a count or an amount: the answer needs a number from a source.
    quantity: re.Pattern[str]
    # The question asks for a percentage: the answer needs a percentage from a source.
    percentage: re.Pattern[str]
    # The question asks for a point in time: the answer needs a year or date from a source.
    date: re.Pattern[str]
    # The question asks which version: the answer needs a version number ("2.0", "versie 3") from a source.
    version: re.Pattern[str]
    # A booklet cannot report what happened after it was published (reactions, later events).
    after_publication: re.Pattern[str]
    # "Welke experts …?": one quote per expert, from several contributions.
    which_experts: re.Pattern[str]
    # "Welke adviezen geeft X?": the advice titles from the structure.
    listing: re.Pattern[str]
    # A listing with a purpose ("welke maatregelen … om … te …") asks about a topic, not for all titles.
    purpose: re.Pattern[str]
    # "Welke thema's …?": the booklet's themes from the structure.
    themes: re.Pattern[str]
    # "advies 3 van X": one advice by its number.
    advice_number: re.Pattern[str]
    # "volgens X", "wat vindt X": a person whose views are asked about.
    person_frame: re.Pattern[str]
    # A claim the question takes for granted: "X schrijft dat <claim>", "klopt het dat <claim>".
    premise: re.Pattern[str]
    # A law or regulation by its name ("Wet digitale overheid", "Digital Services Act").
    law_name: re.Pattern[str]
    # A sentence that tries to instruct the system; it is dropped, never followed. Role-play only
    # as a command at the start of a sentence: "act as" and "doe" also occur in real questions.
    instructions: re.Pattern[str]


_NAME = r"((?:[A-Z][\w'’-]+)(?:\s+(?:van|der|den|de|ter|ten|[A-Z][\w'’-]+)){1,3})"

NL = Lexicon(
    lang="nl",
    function_words=frozenset(
        "de het een en van in is dat die op te zijn voor met niet aan er om ook als bij of wat wie waarom hoe welke welk "
        "moet moeten kan kunnen wordt worden volgens zegt vindt geeft hun haar zij hij we wij je jij u onze over naar "
        "door nog al meer dan deze dit waar wanneer hoeveel noemt vergelijkt staan staat".split()
    ),
    frame_words=frozenset(
        "vindt vinden zegt zeggen denkt stelt meent schrijft schreef schreven schrijven noemt noemen bedoelt adviseert "
        "adviseren pleit pleiten benadrukt benadrukken wijst wijzen verwijst verwijzen waarschuwt waarschuwen bespreekt "
        "bespreken beschrijft beschrijven volgens expert experts bundel boekje klopt waar staat staan vaak document "
        "documenten nota richtlijn".split()
    ),
    generic_words=frozenset("goed goede beter betere best beste groot grote groter grotere belangrijk belangrijke".split()),
    connectives=frozenset("en maar ook dan verder daarnaast bovendien".split()),
    subject_pronouns=frozenset("hij zij ze".split()),
    # "volgens haar", "van hem"; not the possessive "de uitgaven van hun IT-begroting" ("van haar/hun" only at a clause's end).
    person_back=re.compile(
        r"\b(volgens|vindt|zegt|schrijft) (hem|haar|hen|hun)\b|\bvan (hem|hen)\b|\bvan (haar|hun)(?=\s*(?:[?.!,;]|$))", re.I
    ),
    pointing_back=frozenset(
        "daarvan daarover daarmee daarbij daarin daarop daardoor daarom hiervan hierover hiermee hierbij hierin".split()
    ),
    negations=frozenset("niet geen nooit niets nergens niemand".split()),
    reversals=frozenset("stoppen stop stopt ophouden minder verminderen afbouwen beperken terughoudend tegen".split()),
    next_question=re.compile(
        r",\s*(?:en|maar)\s+(?=\w)|\s(?:en|maar)\s+(?=(?:wat|wie|waarom|hoe|welke|welk|waar|wanneer|hoeveel|waardoor|waarmee)\b)"
        r"|\?\s+(?=\w)",
        re.I,
    ),
    quantity=re.compile(r"\b(hoeveel|hoe hoog|hoe groot|hoe veel|welk bedrag|welk budget|wat kost|wat kosten|hoe lang)\b", re.I),
    percentage=re.compile(r"\b(welk percentage|hoeveel procent|welk deel|welk aandeel)\b", re.I),
    date=re.compile(
        r"\b(in welk jaar|welk jaar|op welke datum|welke datum|sinds wanneer|tot wanneer|vanaf wanneer)\b"
        r"|\bwanneer\b.{0,60}\b(verscheen|verschijnt|gepubliceerd|uitgebracht|begon|begint|startte|ingevoerd|opgericht"
        r"|aangenomen|geschreven|beschikbaar|van kracht|in werking)\b",
        re.I,
    ),
    version=re.compile(r"\b(welke versie|welk versienummer|welke release)\b", re.I),
    after_publication=re.compile(
        r"\b(reageerden?|reacties?|reageren)\b.{0,60}\b(bundel|boekje|publicatie|verschijnen|verschijning|uitgave)\b"
        # "sinds het verschijnen (van de bundel)"; not "na publicatie van het besluit", not "sindsdien".
        r"|\b(na|sinds|sinds de|na de|na het|sinds het) (publicatie|verschijnen|verschijning)\b"
        r"(?!\s+van\s+(?!(?:de|deze|dit|het)\s+(?:bundel|boekje|boek)\b))",
        re.I,
    ),
    which_experts=re.compile(r"\b(welke experts|wie van de experts|welke deskundigen)\b", re.I),
    listing=re.compile(
        r"\b(welke|wat zijn|noem|geef|hoeveel)\b.{0,40}\b(adviezen|maatregelen|pijlers|aanbevelingen|voorstellen)\b", re.I
    ),
    purpose=re.compile(r"\b(om|zodat|waarmee|tegen|voor het|voor de|over|bij|rond|op het gebied van)\b.{3,}", re.I),
    themes=re.compile(r"\b(welke|wat zijn|noem)\b.{0,40}\bthema'?s\b", re.I),
    advice_number=re.compile(r"\b(?:advies|aanbeveling|pijler)\s*(?:nr\.?|nummer)?\s*(\d{1,3})\b", re.I),
    person_frame=re.compile(r"\b(?:volgens|vindt|vinden|zegt|zeggen|denkt|stelt|meent|schrijft)\s+" + _NAME),
    premise=re.compile(
        r"\b(?:klopt het|is het waar|is het zo|het klopt toch)\s*,?\s*dat\s+(?P<claim>[^?]+)"
        r"|(?P<who>[\w'’-]+(?:\s+[\w'’-]+){0,3})\s+(?:schrijft|schreef|schrijven|schreven|zegt|zeggen|stelt|stellen|beweert|beweren|meent|menen|betoogt|betogen|staat)"
        r"\s+(?P<mid>\w+\s+)?dat\s+(?P<claim2>[^?.!]+)"
        r"|\bwaarom\s+(?:is|zijn|pleit|pleiten)\s+(?P<who3>(?:[\w'’-]+\s+){1,4}?)(?P<stance>tegen|voor)\s+(?P<claim4>[^?.!]+)"
        # "Waarom wil X dat …", "Waarom adviseert X …": the question takes X's view for granted.
        r"|\bwaarom\s+(?:wil|wilt|willen|adviseert|adviseren|vraagt|vragen|ziet|zien|vindt|vinden|pleit|pleiten)\s+"
        r"(?P<claim5>(?P<who4>(?:[\w'’-]+\s+){1,3})[^?.!]+)"
        r"|\b(?:schrijft|schreef|schrijven|zegt|zeggen|stelt|stellen|beweert|beweren|vindt|vinden|meent|menen|betoogt|wil|willen)\s+(?P<who2>(?:[\w'’-]+\s+){1,4}?)dat\s+(?P<claim3>[^?.!]+)",
        re.I,
    ),
    instructions=re.compile(
        r"\b(negeer|vergeet|overrule)\b.{0,40}\b(instructie|instructies|regels|opdracht|prompt|instructions?|rules)\b"
        r"|\b(systeemprompt|systeem-prompt|je prompt|je instructies|jailbreak|developer mode)\b"
        r"|^\W*(je bent nu|doe alsof|vanaf nu ben je)\b"
        # A fake message header ("SYSTEEMMELDING VOOR DE ASSISTENT: …") or words addressed to the assistant.
        r"|^\W*(systeem|system|beheerder|admin|assistent|assistant)\w*\b[^:.?!]{0,40}:"
        r"|\b(voor|aan) de (assistent|chatbot|ai)\b",
        re.I,
    ),
    law_name=re.compile(
        r"\b((?:Wet|Besluit|Regeling|Verordening)(?:\s+(?!(?:in|de|het|een|van|voor|over|op|en|of|te|is|wordt|moet|bij|met|die|dat)\b)[a-zà-ÿ][\w-]*){1,4})"
    ),
)

EN = Lexicon(
    lang="en",
    function_words=frozenset(
        "the a an and of in is that to are for with not on be as by or what who why how which should must can could "
        "does do did according says say think their his her they we you our about from more than this these where when "
        "many much mention mentions compare reveal consider".split()
    ),
    frame_words=frozenset(
        "says say think thinks mean means advise advises according write writes wrote mention mentions emphasize "
        "emphasizes emphasise emphasises warn warns refer refers argue argues discuss discusses expert experts booklet "
        "true correct often document documents guideline".split()
    ),
    generic_words=frozenset("good better best large big larger important".split()),
    connectives=frozenset("and but also then".split()),
    subject_pronouns=frozenset("he she they him them".split()),
    person_back=re.compile(r"\b(according to|by|of) (him|her|them)\b", re.I),
    pointing_back=frozenset("that's thereby therein".split()),
    negations=frozenset("not no never nothing none nobody".split()),
    reversals=frozenset("stop stopping less fewer reduce limit reluctant against".split()),
    next_question=re.compile(
        r",\s*(?:and|but)\s+(?=\w)|\s(?:and|but)\s+(?=(?:what|who|why|how|which|where|when)\b)|\?\s+(?=\w)", re.I
    ),
    quantity=re.compile(r"\b(how many|how much|how high|how large|what amount|what budget|which budget|how long)\b", re.I),
    percentage=re.compile(r"\b(what percentage|which percentage|what share|what proportion)\b", re.I),
    date=re.compile(
        r"\b(in what year|in which year|what year|which year|on what date|what date|since when|until when)\b"
        r"|\bwhen (was|were|did|will)\b",
        re.I,
    ),
    version=re.compile(r"\b(which version|what version|which release|what release)\b", re.I),
    after_publication=re.compile(
        r"\b(react|reacted|reaction|reactions|response)\b.{0,60}\b(booklet|publication|published)\b"
        r"|\b(after|since) (its |the )?(publication|release)\b",
        re.I,
    ),
    which_experts=re.compile(r"\b(which experts|what experts|which of the experts)\b", re.I),
    listing=re.compile(
        r"\b(which|what|list|name|how many)\b.{0,40}\b(advices|advice|recommendations|measures|pillars|proposals)\b", re.I
    ),
    purpose=re.compile(r"\b(to|so that|in order to|against|for the|about|on|regarding)\b.{3,}", re.I),
    themes=re.compile(r"\b(which|what are|list)\b.{0,40}\bthemes\b", re.I),
    advice_number=re.compile(r"\b(?:advice|recommendation|pillar)\s*(?:number|no\.?|nr\.?)?\s*(\d{1,3})\b", re.I),
    person_frame=re.compile(r"\b(?:[Aa]ccording to|does|did|says|thinks?)\s+" + _NAME),
    premise=re.compile(
        r"\b(?:is it true|is it correct|is it right)\s*,?\s*that\s+(?P<claim>[^?]+)"
        r"|(?P<who>[\w'’-]+(?:\s+[\w'’-]+){0,3})\s+(?:writes|wrote|write|says|say|states|state|claims|claim|argues|argue)\s+that\s+(?P<claim2>[^?.!]+)"
        r"|\b(?:does|did|do)\s+(?P<who2>(?:[\w'’-]+\s+){1,4}?)(?:think|say|write|claim|argue)\s+that\s+(?P<claim3>[^?.!]+)"
        # "Why does X want …", "Why does X prefer …": the question takes X's view for granted.
        r"|\bwhy\s+(?:does|do|did|would)\s+(?P<claim5>(?P<who4>(?:[\w'’-]+\s+){1,4}?)"
        r"(?:want|prefer|propose|advocate|favou?r|oppose|reject|insist on|argue for)\s+[^?.!]+)",
        re.I,
    ),
    instructions=re.compile(
        r"\b(ignore|forget|disregard|overrule)\b.{0,40}\b(instructie|instructies|regels|opdracht|prompt|instructions?|rules)\b"
        r"|\b(system ?prompt|your prompt|your instructions|jailbreak|developer mode)\b"
        r"|^\W*(you are now|pretend to be|act as|from now on you)\b"
        r"|^\W*(system|admin|assistant)\w*\b[^:.?!]{0,40}:"
        r"|\bto the (assistant|chatbot|ai|model)\b",
        re.I,
    ),
    law_name=re.compile(
        r"\b((?:(?!(?:The|What|How|Why|Does|Did|Is|Do|Which|Under|In)\b)[A-Z][\w-]*\s+){1,3}(?:Act|Regulation|Directive))\b"
    ),
)

LEXICONS = {"nl": NL, "en": EN}
BOTH = (NL, EN)

# Who a premise may be attributed to besides the experts: the booklet itself.
BOOKLET_WORDS = frozenset("bundel boekje boek publicatie booklet book publication".split())
# What the booklet is called; said of another collection it names something that is not there.
BOOKLET_NAMES = frozenset("bundel boekje booklet".split())


NEGATIONS = frozenset(w for lex in BOTH for w in lex.negations)
REVERSALS = frozenset(w for lex in BOTH for w in lex.reversals)
# Where one clause of a sentence ends and the next begins, for comparing claims clause by clause.
CLAUSE = re.compile(r"[,;:()]|\s(?:en|maar|terwijl|omdat|want|dus|and|but|while|because)\s", re.I)


def negated(text: str) -> bool:
    """Whether a clause says the opposite of its plain words: one negation or reversal word (not two)."""
    words = re.findall(r"\w+", text.lower())
    return sum(w in NEGATIONS or w in REVERSALS for w in words) % 2 == 1


# English names of places and bodies whose Dutch name differs ("the Netherlands", "Nederland"):
# an English answer over Dutch sources may use them without inventing a name.
ENGLISH_NAMES = {
    "netherlands": "nederland", "dutch": "nederland", "holland": "nederland", "europe": "europa",
    "european": "europ", "eu": "europ", "denmark": "denemarken", "danish": "deens", "estonia": "estland",
    "estonian": "estland", "finland": "finland", "finnish": "fins", "germany": "duitsland", "german": "duits",
    "belgium": "belgi", "france": "frankrijk", "french": "frans", "sweden": "zweden", "norway": "noorwegen",
    "united": "verenigd", "states": "staten", "america": "amerika", "american": "amerika", "us": "amerika",
    "usa": "amerika", "uk": "verenigd koninkrijk", "britain": "brit", "british": "brit", "china": "china",
    "chinese": "chin", "brussels": "brussel", "hague": "den haag", "parliament": "kamer", "house": "kamer",
    "senate": "eerste kamer", "government": "overheid", "cabinet": "kabinet", "ministry": "ministerie",
    "minister": "minister", "state": "staat", "secretary": "staatssecretaris", "court": "rechter",
    "council": "raad", "municipalities": "gemeente", "municipality": "gemeente", "i": "",
}  # fmt: skip


# One law or regulation by each of its names: the Dutch and English names and the abbreviation.
# A question may use one name and the corpus another ("AI-verordening", "AI Act"; "GDPR", "AVG"):
# the question then also searches the others, and the law is absent only when all of them are.
LAW_NAMES = (
    ("AVG", "GDPR", "Algemene verordening gegevensbescherming", "General Data Protection Regulation"),
    ("AI Act", "AI-verordening", "Artificial Intelligence Act", "AI-wet"),
    ("Digital Services Act", "DSA", "digitaledienstenverordening"),
    ("Digital Markets Act", "DMA", "digitalemarktenverordening"),
    ("Data Act", "dataverordening"),
    ("Data Governance Act", "datagovernanceverordening"),
    ("Cyber Resilience Act", "cyberweerbaarheidsverordening"),
    ("NIS2", "NIS2-richtlijn", "NIS2 Directive"),
    ("eIDAS", "eIDAS-verordening", "eIDAS Regulation"),
    ("European Health Data Space", "EHDS", "Europese ruimte voor gezondheidsgegevens"),
    ("Interoperable Europe Act", "Verordening Interoperabel Europa"),
    ("Wet open overheid", "Woo", "Open Government Act"),
    ("Wet openbaarheid van bestuur", "Wob"),
    ("Wet digitale overheid", "Wdo", "Digital Government Act"),
    ("Wet elektronische gegevensuitwisseling in de zorg", "Wegiz"),
)


# The Dutch names among them: an English question about a law the corpus does not name as the
# question does also searches the Dutch name (a Dutch corpus is read by meaning across languages).
DUTCH_LAW_NAMES = frozenset(
    (
        "AVG", "Algemene verordening gegevensbescherming", "AI-verordening", "AI-wet", "digitaledienstenverordening",
        "digitalemarktenverordening", "dataverordening", "datagovernanceverordening", "cyberweerbaarheidsverordening",
        "NIS2-richtlijn", "eIDAS-verordening", "Europese ruimte voor gezondheidsgegevens", "Verordening Interoperabel Europa",
        "Wet open overheid", "Woo", "Wet openbaarheid van bestuur", "Wob", "Wet digitale overheid", "Wdo",
        "Wet elektronische gegevensuitwisseling in de zorg", "Wegiz",
    )
)  # fmt: skip


def _law_pattern(name: str) -> re.Pattern[str]:
    """A law's name in running text: hyphen or space alike; an abbreviation ("AVG", "Woo") in its own case."""
    body = r"[\s-]+".join(map(re.escape, re.split(r"[\s-]+", name)))
    exact = len(name) <= 5 or any(ch.isupper() for ch in name[1:]) and " " not in name
    return re.compile(rf"(?<![\w-]){body}(?![\w])", 0 if exact else re.I)


_LAW_PATTERNS = tuple(tuple((n, _law_pattern(n)) for n in group) for group in LAW_NAMES)


def laws_named(text: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """For each law `text` (a question, or one term) names: the names it uses, and the law's other names."""
    out = []
    for group in _LAW_PATTERNS:
        used = tuple(n for n, p in group if p.search(text))
        if used:
            out.append((used, tuple(n for n, _ in group if n not in used)))
    return out


def law_aliases(text: str) -> tuple[str, ...]:
    """The other names of the laws `text` names, those it does not use itself."""
    return tuple(n for _, others in laws_named(text) for n in others)
