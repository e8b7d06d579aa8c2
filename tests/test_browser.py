"""The chat page in a real browser (Debian's Chromium via Playwright) with the real models:
a streamed, cited answer with its source card, rebuilding from the page, accessibility
(axe-core), and the /chat endpoint through gradio_client."""

import shutil
import urllib.parse
from pathlib import Path

import pytest
from pagehelper import AXE, BOT, CHROMIUM, DONE, ask, axe_violations, edit_booklet, launch, running_app

pytestmark = [pytest.mark.real_model, pytest.mark.browser]

if not shutil.which(CHROMIUM) or not AXE.exists():
    pytest.skip("needs /usr/bin/chromium (apt-get install chromium) and axe-core (npm install)", allow_module_level=True)


def _has(selector: str, text: str) -> str:
    return f"() => {{ const e = document.querySelector('{selector}'); return !!e && e.innerText.includes('{text}'); }}"


# A document whose ordinary prose carries script: it is indexed and shown like any other.
HOSTILE_DOC = """# Veilige formulieren

De gemeente Voorbeeldstad bewaart ingevulde formulieren in een digitale kluis. <script>window.__xss = 1</script> Medewerkers controleren elke maand wie toegang heeft tot de formulierenkluis.

Bij een storing toont de kluis een afbeelding <img src=x onerror="window.__xss=2"> en een link [open de formulierenkluis](javascript:window.__xss=3) voor beheerders.

Het logo van de formulierenkluis is een tekening <svg onload="window.__xss=4"><circle r="1"></circle></svg> met een slot erop.
"""


FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    # Beside the booklet: the hostile document, a three-page PDF report and a PDF that is skipped.
    extra = {
        "veilige-formulieren.md": HOSTILE_DOC,
        "datastrategie.pdf": FIXTURES / "datastrategie.pdf",
        "encrypted.pdf": FIXTURES / "encrypted.pdf",
    }
    with running_app(tmp_path_factory.mktemp("site"), extra=extra) as (url, data):
        yield url, data


@pytest.fixture
def page(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(site[0])
        page.wait_for_selector("#sources")
        yield page
        browser.close()


def test_question_gets_a_streamed_cited_answer_with_its_source_card(page):
    times = ask(page, "Wat mist Rudy van Belkom op het internet, dat wel boekenwinkels heeft?")
    assert times["passages_s"] <= times["answer_s"]
    link = page.locator('a[href="#bron-1-1"]').first
    assert link.is_visible()
    card = page.locator("#bron-1-1")
    assert "Rudy van Belkom" in card.inner_text() and "advies 4" in card.inner_text()
    assert card.locator("mark").count() >= 1
    assert "bibliotheken" in page.locator("#sources").inner_text().lower()


def test_the_quoted_sentence_is_shown_before_the_model_answer_and_kept(page):
    """Quote first: the source's own sentence, cited, is on the page while the model still
    writes (in English, for an English question over Dutch sources), and the checked answer that
    replaces it still holds it."""
    box = page.get_by_label("Uw vraag")
    box.fill("Which project does Marleen Stikker mention in which citizens measure air quality themselves?")
    box.press("Enter")
    last = f"{BOT}.filter(e => e.innerText.trim()).pop()"
    # The draft state: a quote with its [1] and the note that the model is still writing.
    page.wait_for_function(
        f"() => {{ const t = ({last} || {{innerText: ''}}).innerText; return t.includes('“') && t.includes('[1]') && t.includes('taalmodel vat samen'); }}",
        timeout=120_000,
    )
    draft = page.evaluate(f"() => {last}.innerText")
    quote = draft.split("“", 1)[1].split("”", 1)[0]
    assert "Hollandse Luchten" in quote
    page.wait_for_function(DONE, timeout=120_000)
    final = page.evaluate(f"() => {last}.innerText")
    assert quote in final and "taalmodel vat samen" not in final
    assert page.locator("#bron-1-1").count() == 1


def test_script_in_the_corpus_never_runs_and_stays_readable(page):
    """Script, event handlers, javascript: links and SVG in a document are shown as text in the
    answer and the source cards: nothing runs, none of it becomes an element."""
    ask(page, "Wie controleert volgens de gemeente Voorbeeldstad de toegang tot de formulierenkluis?")
    folded = page.get_by_text("Andere gevonden passages")
    if folded.count():
        folded.first.click()
    assert page.evaluate("() => window.__xss") is None
    injected = page.evaluate(
        """() => [...document.querySelectorAll('[onerror], [onload], img[src="x"], a[href^="javascript"]')].length
        + [...document.querySelectorAll('script')].filter(s => s.textContent.includes('__xss')).length"""
    )
    assert injected == 0
    shown = page.locator("#sources").inner_text()
    assert "Medewerkers controleren elke maand wie toegang heeft" in shown  # the prose stays readable


def test_clear_chat_and_examples(page):
    from playwright.sync_api import expect

    page.get_by_text("Welke adviezen geeft Hawre Rahimi?").first.click()
    expect(page.get_by_label("Uw vraag")).to_have_value("Welke adviezen geeft Hawre Rahimi?", timeout=10_000)
    ask(page, "Welke adviezen geeft Hawre Rahimi?")
    assert page.locator("#bron-1-4").count() == 1
    page.get_by_role("button", name="Wis gesprek").click()
    page.wait_for_function("() => !document.querySelector('#bron-1-1')")


def test_rebuild_from_the_page_reports_the_change(page, site):
    _, data = site
    edit_booklet(data)
    page.get_by_text("Index bijwerken").click()
    page.wait_for_function(_has("#index-status", "Niet bijgewerkt"), timeout=30_000)
    page.locator("#rebuild").click()
    page.wait_for_function(_has("#rebuild-report", "Klaar"), timeout=120_000)
    report = page.locator("#rebuild-report").inner_text()
    assert "Rudy van Belkom: advies 4" in report and "1 opnieuw ingebed" in report

    # A web page added to data/ is in the collection after the next rebuild, without a restart.
    (data / "kamerbrief.html").write_text(
        "<html><head><title>Kamerbrief bibliotheken</title></head><body><p>Elke bibliotheek krijgt een informatiepunt.</p></body></html>",
        encoding="utf-8",
    )
    page.locator("#rebuild").click()
    page.wait_for_function(_has("#rebuild-report", "kamerbrief.html"), timeout=120_000)
    page.get_by_role("button", name="Documenten").click()
    page.wait_for_function(_has("#collection", "Kamerbrief bibliotheken"), timeout=30_000)


def test_no_serious_or_critical_accessibility_violations(page):
    ask(page, "Welke adviezen geeft Hawre Rahimi?")
    assert page.evaluate("document.documentElement.lang") == "nl"
    violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def test_chat_endpoint_through_gradio_client(site):
    from gradio_client import Client

    client = Client(site[0], verbose=False)
    history, sources = client.predict("Welke adviezen geeft Britt Hoppenbrouwers?", [], api_name="/chat")
    text = history[-1]["content"] if isinstance(history[-1]["content"], str) else history[-1]["content"][0]["text"]
    assert "[[3]](#bron-1-3)" in text and 'id="bron-1-3"' in sources
    history2, _ = client.predict("En wat zegt zij over pilots?", history, api_name="/chat")
    assert len(history2) == 4


def test_quotes_and_apostrophes_in_an_answer_are_shown_as_written(page):
    box = page.get_by_label("Uw vraag")
    box.fill('Wat vindt Jan O\'Brien van de "digitale publieke ruimte"?')
    box.press("Enter")
    page.wait_for_function(_has("body", "komt niet voor"), timeout=60_000)
    body = page.inner_text("body")
    assert "Jan O'Brien komt niet voor" in body
    assert "&#x27;" not in body and "&quot;" not in body and "&amp;" not in body


def test_a_pdf_source_opens_at_its_page_and_the_collection_lists_the_documents(page, site):
    ask(page, "Hoeveel peilbuizen telt het meetnet voor grondwater van de provincie?")
    card = page.locator("#sources .source-card", has_text="Grondwatermeetnet").first
    assert "datastrategie.pdf — Grondwatermeetnet (p. 2)" in card.inner_text()
    href = card.locator("a.source-link").get_attribute("href")
    assert href.endswith("datastrategie.pdf#page=2")
    served = page.request.get(urllib.parse.urljoin(site[0], href.split("#")[0]))
    assert served.ok and served.headers["content-type"].startswith("application/pdf")
    assert served.body()[:5] == b"%PDF-"

    page.get_by_role("button", name="Documenten").click()
    collection = page.locator("#collection")
    collection.get_by_text("datastrategie.pdf").wait_for()
    text = collection.inner_text()
    assert "Datastrategie van de provincie" in text and "4 secties" in text
    assert "65 adviezen van 20 experts" in text
    assert "encrypted.pdf" in text and "is encrypted (password-protected)" in text


def test_the_openai_client_streams_a_cited_answer_from_the_app(site):
    """`python app.py` serves the OpenAI-compatible API beside the page: the official client
    streams the checked answer of the real models, its sources under it, the structure beside."""
    import openai

    client = openai.OpenAI(base_url=site[0] + "v1", api_key="niet-nodig", max_retries=0, timeout=300)
    messages = [{"role": "user", "content": "Why is the cloud not always the answer according to Bob van Graft?"}]
    chunks = list(client.chat.completions.create(model="vraag-de-experts", messages=messages, stream=True))
    content = "".join(c.choices[0].delta.content or "" for c in chunks)
    rag = chunks[-1].model_extra["rag"]
    assert rag["answered"] == "yes" and rag["citations"] and "**Sources**" in content  # in the question's language
    assert all(c["label"] in content and "Bob van Graft" in c["experts"] for c in rag["citations"])
    assert rag["generator"].startswith("llama.cpp/")
