"""The page's API edge, called as any script would with `gradio_client`, on the real Gradio
server in this process (fake encoder, scripted generator): the rebuild endpoint checks its
password on the server, history sent over the API is capped, the queue is bounded."""

import re
from dataclasses import replace

import pytest
from conftest import Copying
from pagehelper import served

import app
from rag.build import build


@pytest.fixture
def make_service(workspace, fake_encoder):
    build(workspace, fake_encoder)

    def _make(delay=0.0, queue_size=64, password=""):
        service = app.ChatService(replace(workspace, queue_size=queue_size), fake_encoder, Copying(delay))
        service.admin_password = password
        return service

    return _make


def _text(message) -> str:
    return app._plain(message["content"])


def test_the_rebuild_endpoint_checks_the_password_on_the_server(make_service):
    from gradio_client import Client

    with served(make_service(password="geheim")) as url:
        client = Client(url, verbose=False)
        for wrong in ("", "fout"):
            with pytest.raises(Exception, match="wachtwoord"):
                client.predict(wrong, api_name="/rebuild")
        report, status = client.predict("geheim", api_name="/rebuild")
        assert report.startswith("**Klaar**") and "Bijgewerkt" in status


def test_history_sent_over_the_api_is_capped_and_malformed_history_refused(make_service):
    from gradio_client import Client

    long_history = []
    for i in range(300):
        long_history += [
            {"role": "user", "content": [{"type": "text", "text": f"Vraag {i}"}]},
            {"role": "assistant", "content": [{"type": "text", "text": "x" * 2000}]},
        ]
    with served(make_service()) as url:
        client = Client(url, verbose=False)
        # Malformed history is refused by the page's chat component before it reaches the handler.
        with pytest.raises(Exception):  # noqa: B017 - gradio_client's AppError, the reason stays on the server
            client.predict("Welke adviezen geeft Hawre Rahimi?", ["geen bericht", 42], api_name="/chat")
        history, sources = client.predict("Welke adviezen geeft Hawre Rahimi?", long_history, api_name="/chat")
        assert len(history) <= app.MAX_HISTORY_MESSAGES + 2
        assert sum(len(_text(m)) for m in history[:-1]) <= app.MAX_HISTORY_CHARS
        assert history[0]["role"] == "user" and not any(m["role"] == "system" for m in history)
        assert "Hawre Rahimi geeft 4 adviezen" in _text(history[-1]) and 'id="bron-' in sources


def test_capped_keeps_the_latest_turns_and_starts_with_a_question():
    history = [{"role": "assistant", "content": "los"}] + [
        {"role": r, "content": f"{r} {i}"} for i in range(50) for r in ("user", "assistant")
    ]
    kept = app.capped(history)
    assert len(kept) == app.MAX_HISTORY_MESSAGES and kept[0] == {"role": "user", "content": "user 30"}
    assert kept[-1] == {"role": "assistant", "content": "assistant 49"}
    assert app.capped(None) == [] and app.capped([{"role": "assistant", "content": "a"}]) == []


def test_a_full_queue_refuses_at_once_and_the_page_keeps_serving(make_service):
    from gradio_client import Client

    with served(make_service(delay=0.15, queue_size=1)) as url:
        clients = [Client(url, verbose=False) for _ in range(6)]
        jobs = [c.submit("Wat mist Rudy van Belkom op het internet?", [], api_name="/chat") for c in clients]
        outcomes = []
        for job in jobs:
            try:
                job.result(timeout=120)
                outcomes.append("ok")
            except Exception as e:  # gradio_client raises the server's refusal
                outcomes.append(str(e))
        assert "ok" in outcomes
        assert any(re.search("queue is full", o, re.I) for o in outcomes if o != "ok"), outcomes
        history, _ = Client(url, verbose=False).predict("Welke adviezen geeft Hawre Rahimi?", [], api_name="/chat")
        assert "4 adviezen" in _text(history[-1])


def test_a_stratified_sample_of_hostile_questions_through_the_page(make_service):
    """Two questions of every hostile kind through `/chat` on the real server: each leaves the
    conversation as it was (the page asked for a question) or adds an escaped answer; none
    crashes, shows markup as elements, escapes an entity twice or returns the system prompt."""
    from gradio_client import Client
    from test_hostile import HOSTILE

    from rag.prompt import SYSTEM_PROMPT

    sample: dict[str, list[str]] = {}
    for kind, question in HOSTILE:
        if kind == "surrogate":
            continue  # gradio_client cannot encode a lone surrogate; the CLI and pipeline tests send them
        if len(sample.setdefault(kind, [])) < 2:
            sample[kind].append(question)
    with served(make_service()) as url:
        client = Client(url, verbose=False)
        for kind, questions in sample.items():
            for question in questions:
                history, sources = client.predict(question, [], api_name="/chat")
                if not history:
                    continue  # asked for a question about the booklet (a warning on the page)
                shown = _text(history[-1]) + str(sources)
                assert history[-1]["role"] == "assistant" and _text(history[-1]).strip(), (kind, question)
                assert not re.search(r"<(script|img|svg|iframe)\b|<a href=\"javascript", shown, re.I), (kind, question)
                assert "&amp;lt;" not in shown and "&amp;quot;" not in shown, (kind, question)
                assert SYSTEM_PROMPT not in shown and "geen opdracht" not in shown, (kind, question)
    assert len(sample) >= 15
