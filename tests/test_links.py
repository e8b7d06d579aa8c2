"""Shared links in a real browser (Debian's Chromium via Playwright) on the real server in this
process (fake encoder, a generator that copies the first evidence sentence): `/?q=` answers on
opening, and an answer's link and a source card's passage link, taken from one browser, work in
fresh browser contexts (no cookies, no storage, no history)."""

import shutil
import urllib.parse

import pytest
from conftest import Copying
from pagehelper import BOT, CHROMIUM, DONE, launch, served

import app
from rag.build import build

pytestmark = [pytest.mark.browser]

if not shutil.which(CHROMIUM):
    pytest.skip("needs /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)


@pytest.fixture
def site(workspace, fake_encoder):
    build(workspace, fake_encoder)
    with served(app.ChatService(workspace, fake_encoder, Copying())) as url:
        yield url


def _last_answer(page) -> str:
    return page.evaluate(f"() => {BOT}.filter(e => e.innerText.trim()).pop().innerText")


def test_a_shared_link_answers_in_a_fresh_browser_and_a_passage_link_opens_the_passage(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            first = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            first.goto(site + "?" + urllib.parse.urlencode({"q": "Welke adviezen geeft Hawre Rahimi?"}))
            first.wait_for_selector("#bron-1-4", timeout=60_000)
            first.wait_for_function(DONE, timeout=60_000)
            answer = _last_answer(first)
            assert "Hawre Rahimi geeft 4 adviezen" in answer and "[1]" in answer
            shared = first.get_by_role("link", name="Link naar dit antwoord").last.get_attribute("href")
            passage = first.locator("#bron-1-2 a.passage-link").get_attribute("href")
            heading = first.locator("#bron-1-2 h3").inner_text().removeprefix("[2] ")  # "Hawre Rahimi — advies 2: …"
            assert shared.startswith(site + "?q=") and passage.startswith("?bron=")
            first.context.close()

            again = browser.new_context().new_page()
            again.goto(shared)
            again.wait_for_selector("#bron-1-4", timeout=60_000)
            again.wait_for_function(DONE, timeout=60_000)
            assert _last_answer(again).split("Link naar")[0] == answer.split("Link naar")[0]
            again.context.close()

            card = browser.new_context().new_page()
            card.goto(urllib.parse.urljoin(site, passage))
            card.wait_for_selector("#sources .source-card", timeout=60_000)
            shown = card.locator("#sources").inner_text()
            assert "Gedeelde passage" in shown and heading in shown and heading.startswith("Hawre Rahimi — advies 2")
            assert not card.evaluate(f"() => {BOT}.filter(e => e.innerText.trim()).length")  # nothing was asked
            card.context.close()

            gone = browser.new_context().new_page()
            gone.goto(site + "?" + urllib.parse.urlencode({"bron": "bestaat-niet.md", "sectie": "<script>x</script>"}))
            gone.wait_for_function(
                "() => (document.querySelector('#sources') || {innerText: ''}).innerText.includes('niet (meer) in de index')",
                timeout=60_000,
            )
        finally:
            browser.close()


def test_a_follow_up_answer_link_carries_its_conversation(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            page.goto(site)
            box = page.get_by_label("Uw vraag")
            for question in ("Wat zegt Rudy van Belkom over toezicht?", "En over budgetten?"):
                box.fill(question)
                box.press("Enter")
                page.wait_for_function(
                    f"() => document.querySelectorAll('a[href*=\"q=\"]').length >= {1 if 'toezicht' in question else 2}",
                    timeout=60_000,
                )
                page.wait_for_function(DONE, timeout=60_000)
            shared = page.get_by_role("link", name="Link naar dit antwoord").last.get_attribute("href")
            query = urllib.parse.parse_qs(urllib.parse.urlparse(shared).query)
            assert query == {"q": ["En over budgetten?"], "na": ["Wat zegt Rudy van Belkom over toezicht?"]}
            fresh = browser.new_context().new_page()
            fresh.goto(shared)
            fresh.wait_for_selector("#bron-1-1", timeout=60_000)
            assert "Rudy van Belkom" in fresh.locator("#sources").inner_text()
        finally:
            browser.close()
