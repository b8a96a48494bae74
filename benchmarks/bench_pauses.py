"""The longest single submits after weeks of history: what a live back-end calling ``submit`` waits for.

Run: ``python benchmarks/bench_pauses.py [--days 35] [--single-days 10] [--threads 1] [--slow]
[--no-gc-freeze]``

A generated city stream (``--per-day``, default 10,700 reports a day, Ningbo's volume) is replayed in
batches of 1,000 for ``--days`` days (35 by default: past a recurrence period, so that events die and
the purge has work), closing events as ``routing-core bench`` does. The next ``--single-days`` days are
then submitted one report at a time (``submit_columns`` with one row: the lean path, no Python
Decision), closing the events they open as their incidents close and escalating at each day's end,
and each call's wall time is kept.

Prints p50 / p99 / p99.9 / p99.99 / max of those calls and how many took over 1 ms and 10 ms;
``--slow`` also lists each call over 1 ms with the engine's event count when it returned, which tells
the pauses apart: table growth happens at particular sizes, the purge at no size in particular, and
huge-page faults every couple of MB of new heap. ``--json`` writes the figures.

Python's cyclic garbage collector runs within whichever call allocates past its threshold, and a full
collection walks every object the process holds: here the generated days, which made ~2 ms and ~10 ms
calls at the same reports in every run (stop 37, benchmarks/RESULTS.md). A back-end holds no such
stream, so the script generates the single-submit days too before it calls ``gc.freeze()``, which
leaves the objects made so far out of later collections (a service does the same after its start-up);
``--no-gc-freeze`` leaves the collector as it is.

Like the command line, the script restarts itself with glibc's huge-page tunable where that helps
(``routing_core.hugepages``); ``ROUTING_CORE_HUGE_PAGES=0`` runs it without, for the comparison.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from routing_core import Engine
from routing_core.cli_args import at_least
from routing_core.hugepages import describe_huge_pages, reexec_with_huge_pages
from routing_core.replay import _columns, replay
from routing_core.synth import Batch, generate


class _Days:
    """The generator's days, handed out one at a time; unlike the generator itself, replay() cannot
    close it, so the days after the replayed ones are still there."""

    def __init__(self, days: Iterator[Batch]) -> None:
        self._days = days

    def __iter__(self) -> _Days:
        return self

    def __next__(self) -> Batch:
        return next(self._days)


def single_calls(engine: Engine, day: Batch) -> tuple[list[float], list[dict[str, int]]]:
    """Submits the day's reports one by one, closing the events they opened once their incident's close
    time has passed; returns each call's wall time (µs) and, for the calls over 1 ms, when they came."""
    columns = _columns(day)  # the day's columns as replay() passes them
    times: list[float] = []
    slow: list[dict[str, int]] = []
    opened: dict[str, list[str]] = {}
    closes = iter(day.closes)
    pending = next(closes, None)
    for i in range(len(day)):
        while pending is not None and pending[1] <= day.time[i]:
            events = opened.pop(pending[0], [])
            if events:
                engine.close_many(events, [pending[1]] * len(events), "已处置", skip_invalid=True)
            pending = next(closes, None)
        ids, texts, addresses, stamps, sources, categories, lat, lon = (c[i : i + 1] for c in columns)
        started = time.perf_counter()
        out = engine.submit_columns(ids, texts, addresses, stamps, sources, categories=categories,
                                    lat=lat, lon=lon)
        elapsed = (time.perf_counter() - started) * 1e6
        times.append(elapsed)
        if out.is_new[0]:
            opened.setdefault(day.event[i], []).append(out.event_ids()[0])
        if elapsed > 1000:
            stats = engine.stats()
            slow.append({"us": round(elapsed), "events": stats.events, "reports": stats.reports})
    if day.time:
        engine.advance(max(day.time))
    return times, slow


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=at_least(0), default=35,
                        help="days replayed in batches first (default 35)")
    parser.add_argument("--single-days", type=at_least(1), default=10,
                        help="days then submitted one report at a time (default 10)")
    parser.add_argument("--per-day", type=at_least(1), default=10_700)
    parser.add_argument("--seed", type=at_least(0), default=0)
    parser.add_argument("--threads", type=at_least(1), default=1,
                        help="the engine's threads (default 1; with 2 or more, a background thread faults in "
                             "the heap's new pages between calls)")
    parser.add_argument("--slow", action="store_true", help="list every call over 1 ms")
    parser.add_argument("--no-gc-freeze", action="store_true",
                        help="leave Python's garbage collector as it is after the replay "
                             "(default: gc.freeze())")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    days = _Days(generate(days=args.days + args.single_days, reports_per_day=args.per_day, seed=args.seed))
    engine = Engine(threads=args.threads)
    print(f"replaying {args.days} days in batches ...", file=sys.stderr)
    replay(days=args.days, reports_per_day=args.per_day, seed=args.seed, stream=days, engine=engine,
           api="columns")
    single = [next(days) for _ in range(args.single_days)]  # generated before the clock, as the others
    if not args.no_gc_freeze:
        gc.collect()
        gc.freeze()
    times: list[float] = []
    slow: list[dict[str, int]] = []
    for k, day in enumerate(single):
        print(f"day {args.days + k + 1}: one report at a time ...", file=sys.stderr)
        day_times, day_slow = single_calls(engine, day)
        times += day_times
        slow += day_slow
    if not times:
        print(f"no reports in the {args.single_days} single-submit days: nothing to measure", file=sys.stderr)
        return 1
    v = np.asarray(times)
    figures: dict[str, Any] = {
        "days": args.days, "single_days": args.single_days, "per_day": args.per_day, "threads": args.threads,
        "gc_frozen": not args.no_gc_freeze, "calls": len(v),
        **{f"p{q:g}": float(np.percentile(v, q)) for q in (50, 99, 99.9, 99.99)},
        "max": float(v.max()), "over_1ms": int((v > 1000).sum()), "over_10ms": int((v > 10_000).sum()),
        "purged_events": engine.stats().purged_events, "huge_pages": describe_huge_pages(), "slow": slow,
    }
    frozen = "" if args.no_gc_freeze else ", gc frozen"
    print(f"{len(v):,} single submits after {args.days} days, threads={args.threads}{frozen}: "
          f"p50 {figures['p50']:.1f} µs, "
          f"p99 {figures['p99']:.1f}, p99.9 {figures['p99.9']:.1f}, p99.99 {figures['p99.99']:,.1f}, "
          f"max {figures['max']:,.0f} µs; over 1 ms: {figures['over_1ms']}, "
          f"over 10 ms: {figures['over_10ms']}")
    print(f"  huge pages: {figures['huge_pages']}; events purged by the end: {figures['purged_events']:,}")
    if args.slow:
        for s in slow:
            print(f"  {s['us']:>8,} µs  at {s['events']:,} events, {s['reports']:,} reports")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    reexec_with_huge_pages(sys.argv)
    raise SystemExit(main())
