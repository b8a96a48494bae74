"""Scaling by shards: independent engines, one per city, each replayed on its own thread at once.

Run: ``python benchmarks/bench_shards.py [--shards 1,2] [--days 3] [--rounds 3] [--processes]``

See :mod:`routing_core.shards` for why a province shards by city. ``k`` generated city streams
(seeds ``seed .. seed + k - 1``, made before the clock starts) are replayed through
``submit_columns`` by ``k`` engines on ``k`` threads, and the aggregate throughput (all reports over
the wall time until the last thread ends) is compared with one engine on one thread, in the same
run. Shard counts alternate for ``--rounds`` rounds and the medians are printed (``routing-core
bench --shards 1,2`` runs one round of the same); ``--json`` writes every round.

``--processes`` runs each shard in a process of its own instead of a thread (the way a province may
deploy: one process per city). Each process builds its engine and stream, waits at a barrier, and
then replays; the wall time runs from the first start to the last end on the system's monotonic
clock. Set beside the threaded figure, it says how much of the threads' shortfall is the Python
harness holding the GIL between calls and how much is the machine (the cores' shared caches and
memory).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import queue
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from routing_core import Engine
from routing_core.cli_args import at_least, counts
from routing_core.hugepages import reexec_with_huge_pages
from routing_core.replay import replay
from routing_core.shards import replay_shards
from routing_core.synth import generate


def run_shards(streams: list[list[Any]], *, days: int, per_day: int) -> dict[str, Any]:
    """Replays each stream through an engine of its own, each on its own thread, all at once."""
    return replay_shards(streams, days=days, per_day=per_day).to_dict()


def _process_shard(k: int, stream: list[Any], days: int, per_day: int, barrier: Any, out: Any) -> None:
    """One shard in a process of its own: replays after every shard is ready, sends back its times."""
    engine = Engine()
    barrier.wait()
    started = time.monotonic()
    result = replay(days=days, reports_per_day=per_day, engine=engine, stream=stream, api="columns")
    out.put((k, started, time.monotonic(), result.reports, result.reports_per_second, result.open_events))


def run_shard_processes(streams: list[list[Any]], *, days: int, per_day: int) -> dict[str, Any]:
    """Replays each stream through an engine of its own, each in a process of its own, all at once."""
    ctx = multiprocessing.get_context("spawn")  # no fork of a process that holds threads and engines
    barrier = ctx.Barrier(len(streams))
    out = ctx.Queue()
    procs = [ctx.Process(target=_process_shard, args=(k, s, days, per_day, barrier, out))
             for k, s in enumerate(streams)]
    for proc in procs:
        proc.start()
    rows = []
    for _ in procs:
        while True:
            try:
                rows.append(out.get(timeout=5))
                break
            except queue.Empty:  # a shard that died sends nothing
                if any(proc.exitcode not in (None, 0) for proc in procs):
                    for proc in procs:
                        proc.kill()
                    raise RuntimeError("a shard process failed (its traceback is above)") from None
    for proc in procs:
        proc.join()
    rows.sort()
    wall = max(r[2] for r in rows) - min(r[1] for r in rows)
    reports = sum(r[3] for r in rows)
    return {
        "shards": len(streams),
        "reports": reports,
        "wall_s": wall,
        "reports_per_second": reports / wall,
        "per_shard_reports_per_second": [r[4] for r in rows],
        "open_events": [r[5] for r in rows],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shards", type=counts("shard", 1, 64), default=[1, 2],
                   help="shard counts to compare, comma-separated (the first is the base)")
    p.add_argument("--days", type=at_least(1), default=3)
    p.add_argument("--per-day", type=at_least(1), default=10_700)
    p.add_argument("--seed", type=at_least(0), default=0)
    p.add_argument("--rounds", type=at_least(1), default=3, help="alternations of the shard counts")
    p.add_argument("--processes", action="store_true",
                   help="each shard in a process of its own (default: a thread of this process)")
    p.add_argument("--json", help="write every round here")
    args = p.parse_args(argv)
    if argv is None:  # run as a script: malloc asks for huge pages, as the command line's does
        reexec_with_huge_pages(sys.argv)
    shard_counts: list[int] = args.shards
    streams = [list(generate(days=args.days, reports_per_day=args.per_day, seed=args.seed + k))
               for k in range(max(shard_counts))]
    rounds: dict[int, list[dict[str, Any]]] = {k: [] for k in shard_counts}
    for r in range(args.rounds):
        for k in shard_counts:
            run = run_shard_processes if args.processes else run_shards
            row = run(streams[:k], days=args.days, per_day=args.per_day)
            rounds[k].append(row)
            print(f"round {r + 1}: {k} shard(s) {row['reports']:,} reports in {row['wall_s']:.2f} s = "
                  f"{row['reports_per_second']:,.0f} reports/s", file=sys.stderr, flush=True)
    base = statistics.median(row["reports_per_second"] for row in rounds[shard_counts[0]])
    print(f"{args.days} days of {args.per_day:,} reports a day per shard, medians of {args.rounds} rounds:")
    unit = "process(es)" if args.processes else "thread(s)"
    for k in shard_counts:
        rate = statistics.median(row["reports_per_second"] for row in rounds[k])
        print(f"  {k} shard(s) on {k} {unit}: {rate:,.0f} reports/s "
              f"({rate / base:.2f}x {shard_counts[0]} shard(s))")
    if args.json:
        doc = {str(k): v for k, v in rounds.items()}
        Path(args.json).write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
