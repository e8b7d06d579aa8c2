"""Splits the project's own question sets into a fit part and a held-out part, once.

Every rule, word list and threshold is fitted on `eval/fit/` only; `eval/held_out/` is for
reporting. A question goes to a part by the SHA-256 of its group id (a twin goes with the
unanswerable question it is the twin of, a conversation turn stands alone), so the split does
not depend on order and a question added later lands in a fixed part.

    python eval/split_sets.py booklet eval/questions/booklet-*.jsonl
    python eval/split_sets.py devcorpus eval/questions/devcorpus.jsonl
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def part(row: dict) -> str:
    """ "fit" or "held_out" for one question, by its group id."""
    group = row.get("twin_of") or row["id"]
    return "held_out" if hashlib.sha256(group.encode()).digest()[0] % 2 else "fit"


def main() -> None:
    name, files = sys.argv[1], sys.argv[2:]
    rows = [json.loads(line) for f in files for line in Path(f).read_text(encoding="utf-8").splitlines() if line.strip()]
    for p in ("fit", "held_out"):
        chosen = [r for r in rows if part(r) == p]
        out = HERE / p / f"{name}.jsonl"
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chosen), encoding="utf-8")
        print(f"{out.relative_to(HERE.parent)}: {len(chosen)} questions")


if __name__ == "__main__":
    main()
