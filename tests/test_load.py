"""Load during a rebuild: 8 users ask through the page's API while the corpus is edited and the
index rebuilt from the page, on the real index (real embedding model, extractive generator so
the test measures the system, not the language model). No query fails, every answer cites only
its own passages, and the edited text is found after the swap without a restart."""

import re
import shutil
import threading
from dataclasses import replace

import pytest
from pagehelper import edit_booklet, served

import app
from rag.embed import load_encoder
from rag.generate import ExtractiveGenerator

pytestmark = [pytest.mark.real_model, pytest.mark.slow]

USERS = 8
# Our own questions (none from the evaluation sets), each about a different advice.
QUESTIONS = [
    "Wat mist Rudy van Belkom op het internet, dat wel boekenwinkels heeft?",
    "Welk project noemt Marleen Stikker waarbij burgers zelf de luchtkwaliteit meten?",
    "Welke adviezen geeft Hawre Rahimi?",
    "Waarom is de cloud volgens Bob van Graft niet altijd de oplossing?",
    "Why does Kees Verhoeven call a central committee for data sharing a good initiative?",
    "Waarom pleit Frauke Wessel voor een landelijke centrale voorziening voor basale IT-functies?",
]


def _text(message) -> str:
    return app._plain(message["content"])


def _cites_only_its_own_passages(answer: str, sources: str) -> bool:
    """Every [n] link of the answer has its source card in the same response."""
    return all(f'id="bron-1-{n}"' in sources for n in re.findall(r"\(#bron-1-(\d+)\)", answer))


@pytest.fixture
def live(real_settings, tmp_path):
    """A private copy of the real index and corpus, served by the page in this process."""
    data, index = tmp_path / "data", tmp_path / "index"
    shutil.copytree(real_settings.data_dir, data)
    shutil.copytree(real_settings.index_dir, index)
    settings = replace(real_settings, data_dir=data, index_dir=index)
    service = app.ChatService(settings, load_encoder(settings), ExtractiveGenerator())
    service.admin_password = "beheer"
    with served(service) as url:
        yield url, data


def test_eight_users_during_an_edit_and_a_rebuild_from_the_page(live):
    from gradio_client import Client

    url, data = live
    failures: list[str] = []
    answered: list[tuple[str, str, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(USERS + 1)
    rebuilt = threading.Event()

    def user(i: int) -> None:
        """Asks until the rebuild is done, and two more after it: every user is busy across the swap."""
        client = Client(url, verbose=False)
        start.wait()
        k, after = 0, 0
        while after < 2:
            after += rebuilt.is_set()
            question = QUESTIONS[(i + k) % len(QUESTIONS)]
            k += 1
            try:
                history, sources = client.predict(question, [], api_name="/chat")
                with lock:
                    answered.append((question, _text(history[-1]), sources))
            except Exception as e:  # any failure of any query fails the test
                with lock:
                    failures.append(f"{question}: {e}")

    threads = [threading.Thread(target=user, args=(i,)) for i in range(USERS)]
    for t in threads:
        t.start()
    start.wait()
    edit_booklet(data)
    report, _ = Client(url, verbose=False).predict("beheer", api_name="/rebuild")
    rebuilt.set()
    for t in threads:
        t.join(timeout=600)

    assert failures == []
    assert len(answered) >= USERS * 2
    assert all(_cites_only_its_own_passages(answer, sources) for _, answer, sources in answered)
    assert all(answer.strip() for _, answer, _ in answered)
    assert report.startswith("**Klaar**") and "1 opnieuw ingebed" in report
    # The new text is served after the swap, without a restart.
    _, sources = Client(url, verbose=False).predict(QUESTIONS[0].replace("Wat mist", "Welk gebouw mist"), [], api_name="/chat")
    assert "geen musea" in sources and "geen bibliotheken" not in sources
