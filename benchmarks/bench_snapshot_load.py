"""Snapshot size, write and load time of an in-memory engine with N events (no store involved).

Run: ``python benchmarks/bench_snapshot_load.py [--events 1000000] [--rounds 3]``

bench_restart.py measures the whole restart (store + snapshot + journal tail) but builds its stores
through the journal, which is too slow for a million events here; this one fills an engine through
``submit_columns`` (the generated stream at a province-like 560,000 reports a day, nothing closed)
until it holds ``--events`` events, writes a snapshot, and loads it into fresh engines. A restart
is this load plus the replay of the journal tail after the snapshot (at most ``snapshot_every``
reports; bench_restart.py measures that replay speed).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from routing_core import Engine
from routing_core.cli_args import at_least
from routing_core.hugepages import reexec_with_huge_pages
from routing_core.synth import generate


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=at_least(1), default=1_000_000)
    p.add_argument("--per-day", type=at_least(1), default=560_000)
    p.add_argument("--rounds", type=at_least(1), default=3)
    args = p.parse_args(argv)
    if argv is None:  # run as a script: malloc asks for huge pages, as the command line's does
        reexec_with_huge_pages(sys.argv)
    engine = Engine()
    started = time.perf_counter()
    for batch in generate(days=60, reports_per_day=args.per_day, seed=11):
        reports = batch.reports()
        for lo in range(0, len(reports), 5000):
            chunk = reports[lo : lo + 5000]
            engine.submit_columns(
                ids=[r["id"] for r in chunk], texts=[r["text"] for r in chunk],
                addresses=[r.get("address") or "" for r in chunk],
                times=np.array([r["time"] for r in chunk], dtype=np.int64), sources=[r["source"] for r in chunk],
                categories=[r.get("category") or "" for r in chunk],
            )
            if engine.stats().events >= args.events:
                break
        if engine.stats().events >= args.events:
            break
    stats = engine.stats()
    print(f"filled: {stats.events:,} events from {stats.reports:,} reports in {time.perf_counter() - started:,.0f} s",
          flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "state.rcsnap"
        started = time.perf_counter()
        engine._core.save_snapshot(str(path))
        write_s = time.perf_counter() - started
        size = path.stat().st_size
        loads = []
        for _ in range(args.rounds):
            fresh = Engine()
            started = time.perf_counter()
            fresh._core.load_snapshot(str(path))
            loads.append(time.perf_counter() - started)
            assert fresh.stats().events == stats.events
            del fresh
    load_s = statistics.median(loads)
    print(f"snapshot: {size / 2**30:.2f} GiB ({size / stats.events:,.0f} B/event); write {write_s:.1f} s; "
          f"load median {load_s:.1f} s of {args.rounds} ({load_s / stats.events * 1e6:.1f} µs/event)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
