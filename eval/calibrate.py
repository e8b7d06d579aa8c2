"""Derives the embedding thresholds of the model in use from eval/calibration_pairs.jsonl
(hand-written pairs from the booklet: paraphrases and same-topic claims in Dutch, English
translations and same-topic English claims, English questions with a Dutch sentence that
does or does not answer them) and stores them under the model's id in rag/calibration.json.

    python eval/calibrate.py [--dry-run]        # RAG_EMBEDDING_MODEL selects the model
"""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import replace
from pathlib import Path

from rag import calibration
from rag.embed import load_encoder
from rag.settings import Settings

PAIRS = Path(__file__).resolve().parent / "calibration_pairs.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dry-run", action="store_true", help="print the thresholds without storing them")
    args = ap.parse_args()
    settings = Settings.from_env()
    encoder = load_encoder(settings)
    pairs = [json.loads(x) for x in PAIRS.read_text(encoding="utf-8").splitlines() if x.strip()]
    for kind, values in sorted(calibration.cosines(encoder, pairs).items()):
        print(f"{kind:12} n={len(values):3} min={min(values):.3f} median={statistics.median(values):.3f} max={max(values):.3f}")
    result = calibration.derive(encoder, pairs)
    known = calibration.find(encoder.model_id, settings.calibration_file)
    if known:  # the thresholds derived from questions (eval/derive_thresholds.py) stay
        result = replace(result, on_topic=known.on_topic, fact_on_topic=known.fact_on_topic)
    print(f"\n{encoder.model_id}: {json.dumps(result.to_dict())}")
    if not args.dry_run:
        calibration.save(result, settings.calibration_file)
        print(f"stored in {settings.calibration_file or calibration.DEFAULT_FILE}")


if __name__ == "__main__":
    main()
