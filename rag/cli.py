"""The `rag` command: subcommands map one-to-one onto library functions.

Owns argument parsing, human and JSON output, and turning `RagError`s into one-line
messages with exit code 1 (argparse gives 2 for bad usage). See ../shared/CONTRACT.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import replace
from pathlib import Path

from .errors import RagError
from .settings import Settings
from .types import Answer


def _settings(args: argparse.Namespace) -> Settings:
    s = Settings.from_env()
    if getattr(args, "data", None):
        s = replace(s, data_dir=Path(args.data))
    if getattr(args, "index", None):
        s = s.with_index(args.index)
    return s


def _print_json(obj: object) -> None:
    print(_json_line(obj))


def _json_line(obj: object) -> str:
    """One JSON line; characters that cannot be written as UTF-8 (lone surrogates) become U+FFFD."""
    return re.sub("[\ud800-\udfff]", "\ufffd", json.dumps(obj, ensure_ascii=False))


def _terminal_progress():
    """A one-line progress display on a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        return None
    state = {"last": ""}

    def show(stage: str, done: int, total: int) -> None:
        line = f"{stage}: {done}/{total}" if total > 1 else f"{stage}…"
        if line != state["last"]:
            sys.stderr.write("\r\033[K" + line)
            sys.stderr.flush()
            state["last"] = line
        if stage == "writing" and done == total:
            sys.stderr.write("\r\033[K")

    return show


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build
    from .embed import load_encoder

    settings = _settings(args)
    report = build(settings, load_encoder(settings), full=args.full, progress=_terminal_progress())
    if args.json:
        _print_json(report.to_dict())
        return 0
    print(
        f"Indexed {report.documents} document(s): {report.contributions} contributions, {report.experts} experts, "
        f"{report.advices} advices in {report.chunks} chunks ({report.embedded} embedded, {report.reused} reused, "
        f"{report.removed} removed) in {report.seconds:.1f} s -> {report.index_dir}"
    )
    ch = report.changes
    for label, items in (
        ("documents added", ch.documents_added),
        ("documents removed", ch.documents_removed),
        ("advices added", ch.advices_added),
        ("advices changed", ch.advices_changed),
        ("advices removed", ch.advices_removed),
    ):
        if items and not (label == "documents added" and report.reused == 0 and not ch.documents_removed):
            print(f"  {label}: " + "; ".join(items))
    for name, why in report.skipped.items():
        print(f"  skipped {name}: {why}", file=sys.stderr)
    for w in report.warnings:
        print(f"  warning: {w}", file=sys.stderr)
    return 0


def _retriever(settings: Settings):
    from .embed import load_encoder
    from .retrieve import Retriever
    from .store import load

    encoder = load_encoder(settings)
    index = load(settings.index_dir, encoder.model_id)
    return Retriever(index, encoder, settings.fusion_weight)


def cmd_search(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.input:
        return _search_batch(args, settings)
    if not args.query:
        raise SystemExit(_usage_error("rag search: give a QUERY or --input FILE"))
    retriever = _retriever(settings)
    experts = retriever.resolve_experts(args.expert) if args.expert else None
    hits = retriever.search(args.query, k=args.k, experts=experts)
    if args.json:
        _print_json({"query": args.query, "hits": [h.to_dict() for h in hits]})
        return 0
    if not hits:
        print("No passages found.")
    for h in hits:
        c = h.chunk
        print(f"{h.rank}. [{h.score:.3f}] {', '.join(c.experts) or c.document} — {c.location}")
        text = c.text if len(c.text) < 300 else c.text[:297] + "…"
        print("   " + text.replace("\n", "\n   "))
    return 0


def _read_jsonl(path: str) -> list[dict]:
    rows = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise RagError(f"cannot read {path}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        line = Path(path).read_bytes()[: e.start].count(b"\n") + 1
        raise RagError(f"{path}:{line} is not UTF-8 text (byte 0x{e.object[e.start]:02x}); save the file as UTF-8") from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise RagError(f"{path}:{n} is not valid JSON") from None
        if not isinstance(row, dict) or "question" not in row:
            raise RagError(f"{path}:{n} needs an object with 'id' and 'question'")
        rows.append(row)
    return rows


def _history(row: dict) -> list[str]:
    """The earlier questions of a batch line's conversation (oldest first); a clear error when malformed."""
    history = row.get("history") or []
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise RagError("'history' must be a list of earlier questions (strings), oldest first")
    return history


def _search_batch(args: argparse.Namespace, settings: Settings) -> int:
    if not args.output:
        raise SystemExit(_usage_error("rag search --input needs --output"))
    rows = _read_jsonl(args.input)
    retriever = _retriever(settings)
    with open(args.output, "w", encoding="utf-8") as out:
        for row in rows:
            hits = retriever.search(str(row["question"]), k=args.k)
            out.write(_json_line({"id": row.get("id"), "query": row["question"], "hits": [h.to_dict() for h in hits]}) + "\n")
    return 0


def _pipeline(settings: Settings):
    from .embed import load_encoder
    from .generate import load_generator
    from .pipeline import Pipeline

    return Pipeline(settings, load_encoder(settings), load_generator(settings))


def _print_answer(answer: Answer) -> None:
    print(answer.text)
    for c in answer.citations:
        print(f"  {c.label} {', '.join(c.chunk.experts) or c.chunk.document} — {c.chunk.location}\n      “{c.quote}”")


def cmd_ask(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.input:
        if not args.output:
            raise SystemExit(_usage_error("rag ask --input needs --output"))
        rows = _read_jsonl(args.input)
        pipeline = _pipeline(settings)
        with open(args.output, "w", encoding="utf-8") as out:
            for row in rows:
                try:
                    answer = pipeline.ask(str(row["question"]), _history(row))
                    result = {"id": row.get("id"), **answer.to_dict()}
                except RagError as e:
                    result = {"id": row.get("id"), "question": row["question"], "error": str(e)}
                except Exception as e:  # one failing line must not lose the rest of the batch
                    result = {
                        "id": row.get("id"),
                        "question": row["question"],
                        "error": f"internal error: {type(e).__name__}: {e}",
                    }
                out.write(_json_line(result) + "\n")
                out.flush()
        return 0
    if not args.question:
        raise SystemExit(_usage_error("rag ask: give a QUESTION or --input FILE"))
    answer = _pipeline(settings).ask(args.question)
    if args.json:
        _print_json(answer.to_dict())
    else:
        _print_answer(answer)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import run, score
    from .metrics import read_gold

    settings = _settings(args)
    try:
        gold = read_gold(args.gold)
    except (OSError, ValueError) as e:
        raise RagError(f"cannot read gold file {args.gold}: {e}") from None
    progress = _terminal_progress()
    pipeline = _pipeline(settings)
    pipeline.warm_up()  # latency figures are per question, not model loading
    rows = run(pipeline, gold, (lambda i, n: progress("asking", i, n)) if progress else None)
    if progress:
        sys.stderr.write("\r\033[K")
    metrics = score(rows)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            for r in rows:
                row = {
                    "id": r.question.get("id"),
                    **(r.answer.to_dict() if r.answer else {"question": r.question["question"], "error": r.error}),
                }
                out.write(_json_line(row) + "\n")
    if args.json:
        _print_json(metrics)
        return 0
    for key, value in metrics.items():
        print(f"{key:<30} {value}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from .build import staleness
    from .store import load

    settings = _settings(args)
    index = load(settings.index_dir)  # the same verification as every reader: format, schema, file hashes
    version, manifest = index.version, index.manifest
    stale = staleness(settings, manifest)
    info = {
        "index_dir": str(settings.index_dir),
        "version": version,
        "built_at": manifest.built_at,
        "embedding_model": manifest.embedding_model,
        "dimension": manifest.dimension,
        "chunking": manifest.chunking,
        **manifest.counts,
        "documents_indexed": sorted(manifest.documents),
        "up_to_date": stale.up_to_date,
        "stale": {"added": stale.added, "changed": stale.changed, "removed": stale.removed, "reason": stale.reason},
        "warnings": manifest.warnings,
        "skipped": manifest.skipped,
    }
    if args.json:
        _print_json(info)
        return 0
    c = manifest.counts
    print(f"Index {settings.index_dir} (version {version}, built {manifest.built_at})")
    print(f"  model: {manifest.embedding_model} ({manifest.dimension} dimensions)")
    print(
        f"  {c['documents']} document(s), {c['contributions']} contributions, {c['experts']} experts, {c['advices']} advices, {c['chunks']} chunks"
    )
    if stale.up_to_date:
        print(f"  up to date with {settings.data_dir}")
    else:
        parts = [
            f"{k}: {', '.join(v)}"
            for k, v in (("added", stale.added), ("changed", stale.changed), ("removed", stale.removed))
            if v
        ]
        parts += [stale.reason] if stale.reason else []
        print(f"  OUT OF DATE with {settings.data_dir} ({'; '.join(parts)}); run `rag build`")
    return 0


def cmd_mcp(args: argparse.Namespace) -> int:
    from .mcp_server import run

    run(_settings(args))  # stdout is the protocol's: nothing else is printed there
    return 0


def _usage_error(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="Vraag de experts: search and ask the booklet of expert advice.")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="parse, chunk, embed and write the index")
    b.add_argument("--data", help="corpus directory (default data/)")
    b.add_argument("--index", help="index directory (default index/) or a PostgreSQL URL, postgresql://…")
    b.add_argument("--full", action="store_true", help="embed everything again instead of reusing unchanged chunks")
    b.add_argument("--json", action="store_true")
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("search", help="retrieve passages for a query")
    s.add_argument("query", nargs="?")
    s.add_argument("--k", type=int, default=5)
    s.add_argument("--expert", help="only this expert's contribution (partial or misspelled names work)")
    s.add_argument("--index")
    s.add_argument("--input", help="JSONL file of {id, question} to search in one run")
    s.add_argument("--output", help="JSONL file for the batch results")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)

    a = sub.add_parser("ask", help="answer a question with cited advices")
    a.add_argument("question", nargs="?")
    a.add_argument("--index")
    a.add_argument("--input", help="JSONL file of {id, question} to answer in one run")
    a.add_argument("--output", help="JSONL file for the batch answers")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_ask)

    e = sub.add_parser("eval", help="score retrieval and answers on a gold file")
    e.add_argument("gold")
    e.add_argument("--index")
    e.add_argument("--output", help="also write every answer to this JSONL file")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_eval)

    i = sub.add_parser("info", help="show the index and whether it matches the corpus")
    i.add_argument("--index")
    i.add_argument("--data")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_info)

    m = sub.add_parser("mcp", help="serve search and ask as a Model Context Protocol server over stdio")
    m.add_argument("--index")
    m.add_argument("--data")
    m.set_defaults(func=cmd_mcp)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        return _usage_error("rag: --k must be at least 1")
    try:
        return int(args.func(args) or 0)
    except RagError as e:
        print(f"rag: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like
        return 0
    except KeyboardInterrupt:
        print("rag: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug, not a user error: still one line unless asked for more
        if os.environ.get("RAG_DEBUG"):
            raise
        print(f"rag: internal error: {type(e).__name__}: {e} (set RAG_DEBUG=1 for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
