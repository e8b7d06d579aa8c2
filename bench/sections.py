"""Section-level retrieval hit@1 and hit@5 of a `rag search --input` hits file against its gold file.

    python -m rag search --index DIR --input GOLD.jsonl --output HITS.jsonl --k 5
    python bench/sections.py GOLD.jsonl HITS.jsonl [--misses]

A hit matches a gold reference (or one in `also_ok`) by `rag.metrics.matches`: for a document
without experts the same document and section, for the booklet the same advice and expert.
Unanswerable questions (empty `gold`) are skipped. `--misses` lists each miss with its top hit.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rag.metrics import Ref, matches, read_gold


def _where(hit: dict) -> tuple[tuple[str, ...], int, str, str]:
    return (tuple(hit.get("experts", ())), int(hit.get("advice", 0)), hit.get("document", ""), hit.get("section", ""))


def rank_of(question: dict, hits: list[dict]) -> int | None:
    """1-based rank of the first hit matching the question's gold or also_ok references."""
    refs = [Ref.from_dict(g) for g in question.get("gold", []) + question.get("also_ok", [])]
    for rank, hit in enumerate(hits, start=1):
        if any(matches(r, *_where(hit)) for r in refs):
            return rank
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("hits")
    ap.add_argument("--misses", action="store_true", help="list the questions whose first hit is wrong")
    args = ap.parse_args()
    gold = {q["id"]: q for q in read_gold(args.gold)}
    results = {r["id"]: r["hits"] for r in map(json.loads, Path(args.hits).read_text(encoding="utf-8").splitlines())}
    answerable = [q for q in gold.values() if q.get("gold")]
    missing = [q["id"] for q in answerable if q["id"] not in results]
    if missing:
        raise SystemExit(f"{args.hits} has no hits for {len(missing)} gold question(s), e.g. {missing[0]}")
    ranks = {q["id"]: rank_of(q, results[q["id"]]) for q in answerable}
    n = max(len(ranks), 1)
    h1 = sum(r == 1 for r in ranks.values()) / n
    h5 = sum(r is not None and r <= 5 for r in ranks.values()) / n
    print(f"{Path(args.gold).name}: {len(ranks)} answerable questions, hit@1 {h1:.3f}, hit@5 {h5:.3f}")
    if args.misses:
        for q in answerable:
            r = ranks[q["id"]]
            if r != 1:
                top = results[q["id"]][0] if results[q["id"]] else {}
                want = "; ".join(_label(g) for g in q["gold"])
                print(f"- {q['id']} rank {r}: {q['question']}\n    gold {want}\n    top  {_label(top) if top else '-'}")


def _label(ref: dict) -> str:
    """A reference or hit as people name it: "document / section", or "experts, advice n"."""
    if ref.get("experts"):
        return f"{', '.join(ref['experts'])}, advice {ref.get('advice', 0)}"
    return f"{ref.get('document', '')} / {ref.get('section', '')}"


if __name__ == "__main__":
    main()
