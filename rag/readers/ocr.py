"""Text of a scanned page, recognised by Tesseract (Debian's `tesseract-ocr` with the Dutch and
English data), as the PDF reader's lines: the page is rendered at 300 dpi, Tesseract's words
come back with their boxes and confidences (its TSV output), and each word becomes one
"character" of the line with that box, so the PDF reader's layout rules (columns, headings by
size, the table of contents) apply to it unchanged.

What Tesseract does not tell is measured on the image: a word's size in points from its box
height and which of its letters rise or descend, its weight from the thickness of its strokes
(a word whose strokes are clearly thicker than the page's usual ones is bold).
A page whose words are recognised with a mean confidence below MIN_CONFIDENCE is not used.
Tesseract runs with one thread per page (OMP_THREAD_LIMIT=1).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import statistics
import subprocess
from dataclasses import dataclass

DPI = 300
LANGUAGES = "nld+eng"
MIN_CONFIDENCE = 60.0  # mean word confidence (0-100) below which a page's text is not used
BOLD_STROKE = 1.3  # strokes this much thicker than the page's usual ones are bold
TIMEOUT = 300  # seconds for one page
ASCENDERS = set("bdfhklt0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÄÈÉÊËÌÍÎÏÒÓÔÖÙÚÛÜ'\"!?/()[]{}|%&$#@ij")
DESCENDERS = set("gjpqy(),;[]{}|")


class OcrUnavailable(Exception):
    """Tesseract (or its Dutch data) is not installed."""


@dataclass(frozen=True, slots=True)
class Recognised:
    words: list  # (text, size, bold, box (x0, bottom, x1, top) in points, line key)
    confidence: float  # mean word confidence, 0-100
    width: float
    height: float


def available() -> str:
    """ "" when Tesseract with Dutch can run, else what to install."""
    if shutil.which("tesseract") is None:
        return "install Tesseract (Debian: apt-get install tesseract-ocr tesseract-ocr-nld tesseract-ocr-eng)"
    try:
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return "Tesseract does not run"
    missing = [x for x in LANGUAGES.split("+") if x not in langs]
    return (
        f"install Tesseract's language data: apt-get install {' '.join('tesseract-ocr-' + x for x in missing)}" if missing else ""
    )


def recognise(page, as_block=None) -> Recognised:
    """The words on a pypdfium2 page, recognised from its rendering. Tesseract first finds the
    page's own layout (columns, blocks); when `as_block(lines)` says the lines it found are a
    table of contents, the page is read again as one block, which keeps the page numbers that
    stand alone in a column."""
    import numpy as np

    width, height = page.get_size()
    image = page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    ink = np.asarray(image) < 140
    found = _words(_tesseract(buffer.getvalue(), 3), ink, height)
    if as_block is not None and as_block(_line_texts(found[0])):
        found = _words(_tesseract(buffer.getvalue(), 6), ink, height)
    words, mean = found
    return Recognised(words, mean, width, height)


def _tesseract(png: bytes, psm: int) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one thread per page: no faster on two cores, and fair
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", LANGUAGES, "--psm", str(psm), "--dpi", str(DPI), "tsv"],
            input=png,
            capture_output=True,
            timeout=TIMEOUT,
            env=env,
        )
    except FileNotFoundError as e:
        raise OcrUnavailable(available() or "Tesseract is missing") from e
    except subprocess.TimeoutExpired:
        raise OcrUnavailable(f"Tesseract took longer than {TIMEOUT} s for a page") from None
    if done.returncode != 0:
        raise OcrUnavailable(f"Tesseract failed ({done.stderr.decode(errors='replace').strip()[:80]})")
    return done.stdout.decode("utf-8", errors="replace")


def _line_texts(words: list) -> list[tuple[str, float]]:
    lines: dict = {}
    for text, size, _, _, key in words:
        lines.setdefault(key, []).append((text, size))
    return [(" ".join(t for t, _ in ws), statistics.median(s for _, s in ws)) for ws in lines.values()]


def _words(tsv: str, ink, height: float) -> tuple[list, float]:
    """Tesseract's words as (text, size, bold, box, line key), and their mean confidence. A run
    of words in a line without a wide gap is bold when its strokes are clearly thicker than the
    page's usual ones."""
    rows = list(csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE))
    scale = 72 / DPI
    words, confidences = [], []
    for r in rows:
        text = (r.get("text") or "").strip()
        if r.get("level") != "5" or not text:
            continue
        conf = float(r["conf"])
        left, top, w, h = (int(r[k]) for k in ("left", "top", "width", "height"))
        if conf < 0 or w <= 0 or h <= 0:
            continue
        size = _size(text, h * scale)
        key = (int(r["block_num"]), int(r["par_num"]), int(r["line_num"]))
        box = (left * scale, height - (top + h) * scale, (left + w) * scale, height - top * scale)
        words.append([text, size, _stroke(ink[top : top + h, left : left + w]) / max(size / scale, 1e-6), box, key])
        confidences.append((conf, len(text)))
    runs: list[list] = []
    for word in words:
        last = runs[-1][-1] if runs else None
        if last is not None and last[4] == word[4] and word[3][0] - last[3][2] < 1.0 * word[1]:
            runs[-1].append(word)
        else:
            runs.append([word])
    weights = [(sum(w[2] * len(w[0]) for w in run) / sum(len(w[0]) for w in run), sum(len(w[0]) for w in run)) for run in runs]
    spread = [k for k, n in weights for _ in range(n)]
    usual = statistics.median(spread) if spread else 0.0
    out = [(w[0], w[1], usual > 0 and k > BOLD_STROKE * usual, w[3], w[4]) for run, (k, _) in zip(runs, weights) for w in run]
    total = sum(n for _, n in confidences)
    return out, (sum(c * n for c, n in confidences) / total if total else 0.0)


def _size(text: str, height: float) -> float:
    """The font size a word of `text` set `height` points high has (ascenders, x-height and
    descenders of a common typeface)."""
    rises = any(ch in ASCENDERS or ch.isupper() for ch in text)
    descends = any(ch in DESCENDERS for ch in text)
    span = (0.74 if rises else 0.53) + (0.22 if descends else 0.0)
    return height / span


def _stroke(ink) -> float:
    """Mean width of the horizontal runs of ink in a word's box: its stroke thickness in pixels."""
    if ink.size == 0:
        return 0.0
    starts = int((ink[:, 1:] & ~ink[:, :-1]).sum() + ink[:, 0].sum())
    return float(ink.sum()) / starts if starts else 0.0
