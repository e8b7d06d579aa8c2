"""Starting the real app in a subprocess and driving Debian's Chromium with Playwright.
Used by the browser tests and by bench/page.py (which also takes the README screenshot)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(
    workdir: Path, timeout: float = 600, env: dict[str, str] | None = None, extra: dict[str, str | Path] | None = None
) -> Iterator[tuple[str, Path]]:
    """The app on a free local port over a private copy of data/ (plus `extra` documents, name ->
    text) and a fresh index; yields (url, data dir)."""
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    for doc in (ROOT / "data").glob("*.md"):
        shutil.copy(doc, data / doc.name)
    for name, content in (extra or {}).items():  # text, or a file to copy (PDF, Word)
        if isinstance(content, Path):
            shutil.copy(content, data / name)
        else:
            (data / name).write_text(content, encoding="utf-8")
    port = free_port()
    log = (workdir / "app.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--port", str(port), "--index", str(workdir / "index")],
        cwd=ROOT,
        env={**os.environ, "RAG_DATA_DIR": str(data), **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"app exited with {proc.returncode}: {(workdir / 'app.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError(f"app did not start within {timeout} s: {(workdir / 'app.log').read_text()[-2000:]}")
            time.sleep(1)
        yield url, data
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def edit_booklet(data: Path) -> Path:
    """The edit the rebuild tests and benches make to the booklet copy in `data`: one advice changes
    ("maar geen bibliotheken" -> "maar geen musea"). Returns the edited file."""
    doc = next(data.glob("ongefilterde*.md"))
    doc.write_text(doc.read_text(encoding="utf-8").replace("maar geen bibliotheken", "maar geen musea"), encoding="utf-8")
    return doc


@contextlib.contextmanager
def served(service) -> Iterator[str]:
    """The site of a `ChatService` built in this process (models of the caller's choosing): the page
    and the OpenAI-compatible API, on a real uvicorn server on a free local port; yields its URL."""
    import threading

    import uvicorn

    import app

    port = free_port()
    config = uvicorn.Config(app.asgi(service), host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)  # a client (gradio_client's stream) may hold a connection open: 1 s, then closed
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not server.started:
        if not thread.is_alive() or time.time() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


DONE = (
    "() => !document.body.innerText.includes('bronnen worden gecontroleerd') && !document.body.innerText.includes('Antwoord wordt geschreven')"
    " && !document.body.innerText.includes('taalmodel vat samen') && !document.body.innerText.includes('Passages zoeken')"
)
BOT = "[...document.querySelectorAll('.message, [data-testid=\"bot\"]')]"


# Records, in the page, when each stage of an answer first shows: checked every 10 ms from
# submit, so a stage that passes quickly between two Python-side waits is still timed.
WATCH = """() => {
  window.__t0 = performance.now(); window.__seen = {};
  const last = () => { const m = [...document.querySelectorAll('.message, [data-testid="bot"]')].filter(e => e.innerText.trim()).pop(); return m ? m.innerText : ''; };
  const body = () => document.body.innerText;
  const stages = {
    passages: () => !!document.querySelector('#sources .source-card'),
    cited: () => /\\[\\d\\]|De bundel geeft geen|booklet does not/.test(last()),
    token: () => /bronnen worden gecontroleerd/.test(last()),
  };
  window.__timer = setInterval(() => {
    for (const [k, f] of Object.entries(stages)) if (!(k in window.__seen) && f()) window.__seen[k] = performance.now() - window.__t0;
  }, 10);
}"""


def ask(page, question: str, timeout_ms: int = 120_000) -> dict[str, float]:
    """Type a question, press Enter, wait for the checked answer; returns the page's timings in
    seconds: passages shown, first cited words shown (quoted sources or the answer), the model's
    first token shown (or the checked answer, when none was seen before it) and the checked answer."""
    box = page.get_by_label("Uw vraag")
    box.fill(question)
    page.evaluate(WATCH)
    box.press("Enter")
    page.wait_for_selector("#sources .source-card", timeout=timeout_ms)
    page.wait_for_function(f"() => ({DONE})() && 'cited' in window.__seen", timeout=timeout_ms)
    done = page.evaluate("() => performance.now() - window.__t0")
    seen = page.evaluate("() => { clearInterval(window.__timer); return window.__seen; }")
    ms = {k: seen.get(k, done) for k in ("passages", "cited", "token")}
    return {
        "passages_s": ms["passages"] / 1000,
        "cited_s": ms["cited"] / 1000,
        "first_token_s": min(ms["token"], done) / 1000,
        "answer_s": done / 1000,
    }


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
    )
    return [v for v in result["violations"] if v["impact"] in impacts]
