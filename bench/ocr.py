"""OCR on the booklet as a scan: its PDF's pages rendered to images by poppler's `pdftoppm`,
saved as a PDF of images only, read back by the project's reader (Tesseract), then parsed and
indexed with the real default model. Prints the structure found against the manifest, the
character accuracy of each page's recognised text against the PDF's own text layer, hit@1/hit@5
on `bench/layout_questions.jsonl` beside the markdown's, and the seconds per page.

    python bench/ocr.py [--pdf tests/fixtures/booklet.pdf] [--dpi 200] [--pages N] [--structure-only] [--save out.md]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's rag

from rag.build import build  # noqa: E402
from rag.embed import load_encoder  # noqa: E402
from rag.metrics import read_gold, retrieval_scores  # noqa: E402
from rag.parse import parse_document  # noqa: E402
from rag.readers import read  # noqa: E402
from rag.retrieve import Retriever  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.store import load  # noqa: E402

MANIFEST = ROOT.parent / "shared" / "eval" / "manifest.json"


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one row at a time with numpy (insertions along the row by a running minimum)."""
    if not a or not b:
        return max(len(a), len(b))
    bs = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    idx = np.arange(len(b) + 1)
    prev = idx.copy()
    for i, ch in enumerate(np.frombuffer(a.encode("utf-32-le"), dtype=np.uint32), start=1):
        cost = (bs != ch).astype(np.int64)
        t = np.empty(len(b) + 1, dtype=np.int64)
        t[0] = i
        t[1:] = np.minimum(prev[1:] + 1, prev[:-1] + cost)
        prev = np.minimum.accumulate(t - idx) + idx
    return int(prev[-1])


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xad", "").replace("\x02", "-")).strip()


def scan(pdf: Path, target: Path, dpi: int, pages: int | None) -> int:
    from PIL import Image

    with tempfile.TemporaryDirectory() as d:
        cmd = ["pdftoppm", "-r", str(dpi), "-gray", "-png"] + (["-l", str(pages)] if pages else []) + [str(pdf), f"{d}/p"]
        subprocess.run(cmd, check=True)
        images = [Image.open(p).convert("L") for p in sorted(Path(d).glob("p*.png"))]
        images[0].save(target, save_all=True, append_images=images[1:], resolution=dpi)
        return len(images)


def hits(settings: Settings, encoder, data: Path, path: Path, gold: list[dict]):
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir()
    shutil.copy(path, data / path.name)
    report = build(replace(settings, data_dir=data), encoder)
    index = load(settings.index_dir, encoder.model_id)
    retriever = Retriever(index, encoder, settings.fusion_weight)
    rows = [(q, [(h.chunk.experts, h.chunk.advice) for h in retriever.search(q["question"], k=10)]) for q in gold]
    firsts = [c for c in index.chunks if c.advice and c.part == 0]
    return report, retrieval_scores(rows), firsts


def main() -> None:
    import pypdfium2 as pdfium

    ap = argparse.ArgumentParser()
    ap.add_argument("--pdf", default=str(ROOT / "tests" / "fixtures" / "booklet.pdf"))
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--pages", type=int, help="only the first N pages (structure and retrieval then partial)")
    ap.add_argument("--gold", default=str(ROOT / "bench" / "layout_questions.jsonl"))
    ap.add_argument("--manifest", default=str(MANIFEST))
    ap.add_argument("--save", help="write the recognised markdown here")
    ap.add_argument("--structure-only", action="store_true", help="stop before indexing")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    try:
        scanned = work / "booklet-scan.pdf"
        n = scan(Path(args.pdf), scanned, args.dpi, args.pages)
        print(f"{args.pdf}: {n} pages rendered by pdftoppm at {args.dpi} dpi into an image-only PDF")
        started = time.perf_counter()
        times: list[float] = []
        last = [started]

        def tick(done: int, total: int) -> None:
            now = time.perf_counter()
            if done:
                times.append(now - last[0])
            last[0] = now

        source = read(scanned, scanned.read_bytes(), tick)
        seconds = time.perf_counter() - started
        print(f"recognised {len(source.recognised)}/{n} pages in {seconds:.0f} s: {seconds / n:.1f} s per page "
              f"(median {statistics.median(times):.1f} s, max {max(times):.1f} s; Tesseract, one thread per page)")  # fmt: skip
        for note in source.notes:
            print(f"  left out: {note}")

        original = pdfium.PdfDocument(args.pdf)
        scores = []
        for i, text in enumerate(source.pages):
            ref = flat(original[i].get_textpage().get_text_range())
            hyp = flat(text)
            if ref:
                scores.append(max(0.0, 1 - edit_distance(ref, hyp) / len(ref)))
        print(f"character accuracy against the text layer: mean {statistics.mean(scores):.3f}, "
              f"median {statistics.median(scores):.3f}, worst page {min(scores):.3f}")  # fmt: skip

        doc = parse_document(scanned.name, source.text)
        manifest = json.loads(Path(args.manifest).read_text(encoding="utf-8")) if Path(args.manifest).exists() else []
        want = [(tuple(c["experts"]), [(a["number"], a["title"]) for a in c["advices"]]) for c in manifest]
        got = [(c.expert_names, [(a.number, a.title) for a in c.advices]) for c in doc.contributions]
        experts_equal = [g[0] for g in got] == [w[0] for w in want]
        print(f"structure: {len(doc.contributions)}/{len(set(doc.experts))}/{doc.advice_count} "
              f"(manifest {len(manifest)}/{len({e for c in manifest for e in c['experts']})}/{sum(len(c['advices']) for c in manifest)}); "
              f"experts equal to the manifest: {experts_equal}; advices and titles equal: {got == want}; "
              f"{len(doc.warnings)} warnings")  # fmt: skip
        for w in doc.warnings[:8]:
            print(f"  warning: {w}")
        for g, w in zip(got, want):
            if g != w:
                print(
                    f"  differs: {g[0]} {[t for t in g[1] if t not in w[1]]} | manifest {w[0]} {[t for t in w[1] if t not in g[1]]}"
                )
        if args.save:
            Path(args.save).write_text(source.text, encoding="utf-8")

        if args.structure_only:
            return
        gold = read_gold(args.gold)
        base = Settings.from_env()
        encoder = load_encoder(base)
        settings = replace(base, index_dir=work / "index", cache_dir=work / "cache")
        _, reference, _ = hits(
            settings, encoder, work / "data", base.data_dir / "ongefilterde-expertadviezen-digitale-overheid.md", gold
        )
        report, m, firsts = hits(settings, encoder, work / "data", scanned, gold)
        paged = sum(c.page > 0 for c in firsts)
        print(f"retrieval on {len(gold)} questions: markdown hit@1 {reference.hit_at_1:.3f} hit@5 {reference.hit_at_5:.3f}; "
              f"scan hit@1 {m.hit_at_1:.3f} hit@5 {m.hit_at_5:.3f} (Δhit@5 {m.hit_at_5 - reference.hit_at_5:+.3f}); "
              f"index {report.contributions}/{report.experts}/{report.advices}, {paged}/{len(firsts)} advices' first chunks on a page")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
