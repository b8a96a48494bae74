"""The ``routing-core`` command line: route, deduplicate and measure grid-governance reports."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

from .cli_args import at_least, engine_from, output_file
from .cli_rules import add_rules_commands
from .decision import Decision
from .engine import Engine
from .errors import RoutingCoreError
from .hugepages import reexec_with_huge_pages
from .jsonl import read_jsonl
from .one_at_a_time import Decided, convert_batch, decide_batch
from .progress_line import Above, FileProgress

__all__ = ["main"]

SAMPLE_REPORTS = Path(__file__).parent / "data" / "sample_reports.jsonl"
LEVEL_LABELS = {"grid": "网格", "community": "村(社区)", "town": "镇(街道)", "county": "区县(市)", "city": "市"}


# Reports per submit_many call of `route`: the batch crosses into the engine once.
ROUTE_BATCH = 1000


def _route(args: argparse.Namespace) -> int:
    with engine_from(args, store=args.store) as engine:  # (closes the store, if any, at the end)
        return _route_with(engine, args)


def _route_with(engine: Engine, args: argparse.Namespace) -> int:
    path = Path(args.file)
    progress = FileProgress(sys.stderr, path.stat().st_size) if args.progress else None
    messages = Above(progress.line) if progress is not None else sys.stderr  # a bad line's, on stderr
    out: IO[str] = sys.stdout if args.output in (None, "-") else open(args.output, "w", encoding="utf-8")
    accepted = rejected = 0

    def show(*, last: bool = False) -> None:
        if progress is not None:
            progress.show(f"{accepted:,} reports routed · {progress.line.rate(accepted):,.0f}/s · "
                          f"{rejected:,} lines rejected", last=last)

    def write(decided: Decided) -> None:
        nonlocal accepted, rejected
        # The core's decisions become Decision objects here, beside the core deciding the next batch. A
        # batch with a bad report was taken one report at a time: each bad one is named with its line.
        decisions: Sequence[Decision | None]
        if isinstance(decided, tuple):
            decisions, errors = decided
        else:
            decisions, errors = engine._decisions(decided, args.explain), []
        for lineno, exc in errors:
            print(f"{args.file}:{lineno}: {exc}", file=messages)
        rejected += len(errors)
        for decision in decisions:
            if decision is None:
                continue
            row = decision.explain() if args.explain else decision.to_dict()  # to_dict(): no explanation
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            accepted += 1
        show()

    # The core decides a batch on a thread of its own (without the GIL) while this one reads and converts
    # the next batch and makes and writes the last one's decisions: the Python of a batch is done beside
    # the core's work, not before or after it. One engine thread keeps the batches in order.
    try:
        with ThreadPoolExecutor(1, "route-engine") as engine_thread:
            deciding: Future[Decided] | None = None
            batch: list[tuple[int, dict[str, Any]]] = []
            for lineno, record in read_jsonl(path, messages, progress.read if progress else None):
                if record is None:
                    rejected += 1
                    continue
                batch.append((lineno, record))
                if len(batch) == ROUTE_BATCH:
                    cores = convert_batch(engine, batch)
                    following = engine_thread.submit(decide_batch, engine, batch, cores, explain=args.explain)
                    batch = []
                    if deciding is not None:
                        write(deciding.result())
                    deciding = following
            if deciding is not None:
                write(deciding.result())
            if batch:
                write(decide_batch(engine, batch, convert_batch(engine, batch), explain=args.explain))
    finally:
        if out is not sys.stdout:
            out.close()
        if progress is not None:
            progress.line.close()
    show(last=True)
    stats = engine.stats()
    print(
        f"routed {accepted:,} reports into {stats.events:,} events; rejected {rejected:,} lines",
        file=sys.stderr,
    )
    return 1 if rejected else 0


def _demo(args: argparse.Namespace) -> int:
    engine = engine_from(args)
    records = [r for _, r in read_jsonl(SAMPLE_REPORTS, sys.stderr) if r is not None]
    decisions = engine.submit_many(records)
    by_event: dict[str, list[int]] = {}
    for i, d in enumerate(decisions):
        by_event.setdefault(d.event_id, []).append(i)
    events = [engine.event(e) for e in by_event]
    rules = engine.rules

    print(f"routing_core demo: {len(records)} sample reports from {SAMPLE_REPORTS.name}")
    print(f"rules: {rules.name} ({rules.version})\n")
    merged = sum(not d.is_new for d in decisions)
    print(f"  events opened      {len(events):5d}")
    print(f"  reports merged     {merged:5d}   (duplicates fused into an open event)")
    print(f"  flagged for review {sum(d.needs_review for d in decisions):5d}")
    print(f"  recurrences        {sum(d.recurrence_of is not None for d in decisions):5d}")
    print(f"  channels           {dict(Counter(r.get('source', 'other') for r in records))}\n")

    print("events per platform (四平台):")
    for code, n in Counter(e.platform for e in events).most_common():
        print(f"  {rules.platform_labels.get(code, code):6s} {code:12s} {n:4d}")
    print("\nevents per level (五级):")
    counts = Counter(e.level for e in events)
    for level, label in LEVEL_LABELS.items():
        print(f"  {label:8s} {level:10s} {counts.get(level, 0):4d}")

    print("\nlargest fused events:")
    largest = sorted(events, key=lambda e: (-len(e.report_ids), e.id))[: args.top]
    for e in largest:
        first = decisions[by_event[e.id][0]]
        text = records[by_event[e.id][0]]["text"]
        print(
            f"  {e.id}  {len(e.report_ids)} reports via {'/'.join(sorted(set(e.sources)))}  "
            f"{rules.category_labels[e.category]} → {rules.platform_labels[e.platform]} · "
            f"{LEVEL_LABELS[e.level]} · {e.unit_name}"
        )
        print(f"      {text[:60]}")
        print(f"      deadline {e.deadline:%Y-%m-%d %H:%M}; rules {', '.join(first.rules_fired)}")
    return 0


def _parse(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    engine = engine_from(args)
    for address in args.address:
        print(json.dumps(asdict(engine.parse_address(address)), ensure_ascii=False, indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="routing-core", description="Route, deduplicate and measure grid-governance reports."
    )
    # The files every command's engines load (rules diff takes its two rules files as arguments).
    parser.add_argument("--rules", help="rules file (TOML); default: the bundled Ningbo rules")
    parser.add_argument("--gazetteer", help="gazetteer (TSV, e.g. from scripts/build_gazetteer.py); "
                        "default: the bundled Ningbo gazetteer")
    parser.add_argument("--match", help="match weights and thresholds (TOML, e.g. from routing-core "
                        "calibrate); default: the bundled calibrated file")
    sub = parser.add_subparsers(dest="command", required=True)

    route = sub.add_parser("route", help="route reports from a JSON Lines file; one decision per line out")
    route.add_argument("file", help="reports, one JSON object per line")
    route.add_argument("-o", "--output", type=output_file,
                       help="write decisions here instead of standard output")
    route.add_argument("--explain", action="store_true", help="write the full explanation per decision")
    route.add_argument("--store", metavar="STORE",
                       help="also journal every decision in this durable store (a SQLite file or a "
                       "postgresql:// URL), created if new: a rerun after an interruption answers the "
                       "reports already routed from it and goes on")
    route.add_argument("--progress", action="store_true",
                       help="show the share of the file routed, the rate and the time left on stderr")
    route.set_defaults(run=_route)

    demo = sub.add_parser("demo", help="route the bundled Ningbo sample and print a summary")
    demo.add_argument("--top", type=at_least(0), default=5, help="how many of the largest events to show")
    demo.set_defaults(run=_demo)

    parse = sub.add_parser("parse-address", help="parse addresses with the gazetteer (--gazetteer)")
    parse.add_argument("address", nargs="+", help="one or more addresses, e.g. 鄞州区百丈东路168号")
    parse.set_defaults(run=_parse)

    add_rules_commands(sub)

    from . import cli_bench, cli_evaluate, cli_synth

    cli_synth.register(sub)
    cli_bench.register(sub)
    cli_evaluate.register(sub)
    return parser


# The commands that replay many reports through an engine: run from a shell, they restart once with
# malloc asking for huge pages (see hugepages.py; ROUTING_CORE_HUGE_PAGES=0 keeps the process).
REPLAYING_COMMANDS = frozenset({"route", "rules", "bench", "evaluate", "calibrate"})


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if argv is None and args.command in REPLAYING_COMMANDS:
            reexec_with_huge_pages(["-m", "routing_core", *sys.argv[1:]])
        return int(args.run(args))
    except BrokenPipeError:
        # The reader went away (routing-core demo | head): stop quietly, as Unix tools do on SIGPIPE,
        # and keep the interpreter from complaining when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except RoutingCoreError as exc:
        print(f"routing-core: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"routing-core: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:  # an optional extra that is not installed
        print(f"routing-core: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
