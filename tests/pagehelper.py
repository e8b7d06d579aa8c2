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
def running_app(workdir: Path, timeout: float = 300, env: dict[str, str] | None = None) -> Iterator[tuple[str, Path]]:
    """The app on a free local port over a private copy of data/ and a fresh index; yields (url, data dir)."""
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    for doc in (ROOT / "data").glob("*.md"):
        shutil.copy(doc, data / doc.name)
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


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


DONE = (
    "() => !document.body.innerText.includes('bronnen worden gecontroleerd') && !document.body.innerText.includes('Antwoord wordt geschreven')"
    " && !document.body.innerText.includes('taalmodel vat samen') && !document.body.innerText.includes('Passages zoeken')"
)
BOT = "[...document.querySelectorAll('.message, [data-testid=\"bot\"]')]"


def ask(page, question: str, timeout_ms: int = 120_000) -> dict[str, float]:
    """Type a question, press Enter, wait for the checked answer; returns the page's timings in
    seconds: passages shown, first cited words shown (quoted sources or the answer), the model's
    first token shown (or the checked answer, when it came first) and the checked answer."""
    box = page.get_by_label("Uw vraag")
    box.fill(question)
    start = time.perf_counter()
    box.press("Enter")
    page.wait_for_selector("#sources .source-card", timeout=timeout_ms)
    passages = time.perf_counter() - start
    page.wait_for_function(
        f"() => {BOT}.some(e => /\\[\\d\\]|De bundel geeft geen|booklet does not/.test(e.innerText))", timeout=timeout_ms
    )
    cited = time.perf_counter() - start
    page.wait_for_function(
        f"() => {BOT}.some(e => /bronnen worden gecontroleerd/.test(e.innerText)) || ({DONE})()", timeout=timeout_ms
    )
    first_token = time.perf_counter() - start
    page.wait_for_function(DONE, timeout=timeout_ms)
    return {"passages_s": passages, "cited_s": cited, "first_token_s": first_token, "answer_s": time.perf_counter() - start}


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
    )
    return [v for v in result["violations"] if v["impact"] in impacts]
