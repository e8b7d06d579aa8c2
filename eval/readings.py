"""Summarise rubric readings of answers (`../shared/eval/RUBRIC.md`), one JSONL file per set and backend.

    python eval/readings.py eval/readings/*.jsonl

Each line is a reader's judgment of one answer: verdict, faithful, redundant, on_point, fluency
(1-3), and for English questions `english` (the answer states its point in English, not only a
Dutch quote under an English lead-in). Prints per file: how many were read, the verdicts, and
the shares the project reports (correct among all, correct among answerable, faithful, redundant,
mean fluency, English answered in English).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

ANSWERABLE = ("correct", "partial", "wrong", "false_refusal")


def summary(rows: list[dict]) -> dict:
    verdicts = Counter(r["verdict"] for r in rows)
    answerable = sum(verdicts[v] for v in ANSWERABLE)
    english = [r["english"] for r in rows if r.get("english") is not None]
    n = len(rows) or 1
    return {
        "read": len(rows),
        "verdicts": dict(verdicts.most_common()),
        "correct": round(verdicts["correct"] / n, 3),
        "correct_answerable": round(verdicts["correct"] / max(answerable, 1), 3),
        "right_on_unanswerable": round(verdicts["right_refusal"] / max(n - answerable, 1), 3),
        "faithful": round(sum(bool(r["faithful"]) for r in rows) / n, 3),
        "redundant": round(sum(bool(r["redundant"]) for r in rows) / n, 3),
        "fluency": round(sum(r["fluency"] for r in rows) / n, 2),
        "english_in_english": f"{sum(english)}/{len(english)}",
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+", type=Path)
    for path in ap.parse_args().files:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        print(f"{path.name}: {json.dumps(summary(rows), ensure_ascii=False)}")


if __name__ == "__main__":
    main()
