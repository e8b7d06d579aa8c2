"""The chat page as a user meets it: time from submit to the first passage shown, to the first
cited words shown (the quoted source sentences, or the answer), to the first answer token shown
and to the checked answer, in headless Chromium with the real
models; also saves docs/screenshot.png for the README.

    python bench/page.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from pagehelper import ask, launch, running_app  # noqa: E402

QUESTIONS = [
    "Wat mist Rudy van Belkom op het internet, dat wel boekenwinkels heeft?",
    "Waarom pleit Frauke Wessel voor een landelijke centrale voorziening voor basale IT-functies?",
    "Welk project noemt Marleen Stikker waarbij burgers zelf de luchtkwaliteit meten?",
    "Why does Kees Verhoeven call a central committee for data sharing a good initiative?",
    "Waarom is de cloud volgens Bob van Graft niet altijd de oplossing?",
]


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, running_app(Path(tmp)) as (url, _), sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.wait_for_selector("#sources")
        rows = []
        for q in QUESTIONS:
            page.get_by_role("button", name="Wis gesprek").click()
            rows.append(ask(page, q))
            print(
                f"  passages {rows[-1]['passages_s']:.2f} s, cited words {rows[-1]['cited_s']:.2f} s, "
                f"first token {rows[-1]['first_token_s']:.2f} s, answer {rows[-1]['answer_s']:.2f} s  {q[:60]}"
            )
        for key, label in (
            ("passages_s", "first passage shown"),
            ("cited_s", "first cited words shown"),
            ("first_token_s", "first answer token shown"),
            ("answer_s", "checked answer shown"),
        ):
            values = [r[key] for r in rows]
            print(f"submit -> {label}: median {statistics.median(values):.2f} s, max {max(values):.2f} s (n={len(values)})")
        page.get_by_role("button", name="Wis gesprek").click()
        ask(page, QUESTIONS[0])
        page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))
        print("saved docs/screenshot.png")
        browser.close()


if __name__ == "__main__":
    main()
