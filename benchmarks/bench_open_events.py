"""Time per report as open events grow (10k → 1M): batch and single-submit latency at each size.

Run: ``python benchmarks/bench_open_events.py [--sizes 10000,100000,1000000] [--threads 1]``

The generator's stream is replayed at a province-like density (``--per-day``, default 560,000 reports
a day, so that a million events open within the 72-hour match window and all of them stay
candidates: nothing is closed). At each size the engine measures, on the stream's next reports:

* batch: ``submit_columns`` in batches of 1,000, time per report (median of the batches);
* single: ``Engine.submit`` one report at a time from Python, p50 / p99 / p99.9 of the per-call
  wall time, with its explanation (the default) and without it (``explain=False``, the lean
  Decision), the two alternating report by report so that both see the same engine.

With ``--twins``, two engines are filled with the same stream and every timed report goes to both
(in turn first), so that each report is timed twice on the same state. On a shared host a call's time
includes whatever else ran then, and the slowest calls of one run are mostly not those of an identical
run (benchmarks/RESULTS.md, stop 29). The twins' line gives, beside the first engine's own
percentiles, those of each report's faster call: the engine's cost with most of the host's noise
taken out. It needs twice the memory and filling time.

Sizes are open events, measured with ``Engine.stats()``; memory is the candidate index's and the
engine's whole state's (``Engine.memory()``) per open event. Prints one line per size and the ratio
of each to the first, and writes JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from routing_core import Engine
from routing_core.cli_args import at_least, counts
from routing_core.hugepages import reexec_with_huge_pages
from routing_core.synth import generate


def report_columns(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Generated reports as the keyword arguments of ``Engine.submit_columns``."""
    return {
        "ids": [r["id"] for r in reports],
        "texts": [r["text"] for r in reports],
        "addresses": [r.get("address") or "" for r in reports],
        "times": np.array([r["time"] for r in reports], dtype=np.int64),
        "sources": [r["source"] for r in reports],
        "categories": [r.get("category") or "" for r in reports],
        # GPS positions where the generator gives one (NaN: none), so that geo cells are indexed too
        "lat": np.array([r.get("lat", np.nan) for r in reports], dtype=np.float64),
        "lon": np.array([r.get("lon", np.nan) for r in reports], dtype=np.float64),
    }


def _stream(per_day: int, seed: int) -> Iterator[dict[str, Any]]:
    for batch in generate(days=30, reports_per_day=per_day, seed=seed):
        yield from batch.reports()


def _take(stream: Any, n: int) -> list[dict[str, Any]]:
    out = []
    for r in stream:
        out.append(r)
        if len(out) == n:
            break
    return out


def measure(sizes: list[int], *, per_day: int, seed: int, threads: int, probe: int,
            twins: bool = False) -> list[dict[str, Any]]:
    engines = [Engine(threads=threads) for _ in range(2 if twins else 1)]
    engine = engines[0]  # the one whose batches, memory and own call times are reported
    stream = _stream(per_day, seed)
    rows = []
    fill_started = time.perf_counter()
    for size in sizes:
        while engine.stats().open_events < size:
            chunk = _take(stream, 1000)
            if not chunk:
                raise SystemExit(f"the stream ran out before {size:,} open events")
            columns = report_columns(chunk)
            for e in engines:
                e.submit_columns(**columns)
        batch_us = []
        for _ in range(max(1, probe // 1000)):
            columns = report_columns(_take(stream, 1000))
            started = time.perf_counter()
            engine.submit_columns(**columns)
            batch_us.append((time.perf_counter() - started) / len(columns["ids"]) * 1e6)
            for e in engines[1:]:
                e.submit_columns(**columns)
        single_us: dict[bool, list[float]] = {True: [], False: []}
        faster_us: dict[bool, list[float]] = {True: [], False: []}  # twins: each report's faster call
        for i, r in enumerate(_take(stream, 2 * probe)):
            explain = i % 2 == 0
            call_us = [0.0] * len(engines)
            # Twins take turns at going first, so that neither always follows the other's cache traffic.
            for k in (range(len(engines)) if i % 4 < 2 else reversed(range(len(engines)))):
                started = time.perf_counter()
                engines[k].submit(r, explain=explain)
                call_us[k] = (time.perf_counter() - started) * 1e6
            single_us[explain].append(call_us[0])
            faster_us[explain].append(min(call_us))
        q = np.percentile(single_us[True], [50, 99, 99.9])
        lean = np.percentile(single_us[False], [50, 99, 99.9])
        stats = engine.stats()
        if twins and engines[1].stats() != stats:  # the premise: one state, timed twice
            raise SystemExit(f"the twin engines diverged: {stats} and {engines[1].stats()}")
        memory = engine.memory()
        row: dict[str, Any] = {
            "open_events": stats.open_events,
            "batch_us_per_report_median": statistics.median(batch_us),
            "single_submit_us_p50": float(q[0]),
            "single_submit_us_p99": float(q[1]),
            "single_submit_us_p999": float(q[2]),
            "lean_submit_us_p50": float(lean[0]),
            "lean_submit_us_p99": float(lean[1]),
            "lean_submit_us_p999": float(lean[2]),
            "index_bytes_per_open_event": stats.index_bytes / stats.open_events,
            "engine_bytes_per_open_event": memory["total"] / stats.open_events,
            "engine_bytes": memory,
            "elapsed_s": time.perf_counter() - fill_started,
        }
        if twins:
            for explain, name in ((True, "single_submit"), (False, "lean_submit")):
                f = np.percentile(faster_us[explain], [50, 99, 99.9])
                row[f"{name}_twins_faster_us_p50"] = float(f[0])
                row[f"{name}_twins_faster_us_p99"] = float(f[1])
                row[f"{name}_twins_faster_us_p999"] = float(f[2])
        rows.append(row)
        first = rows[0]
        batch = row["batch_us_per_report_median"]
        print(f"{row['open_events']:>10,} open events: batch {batch:8.1f} µs/report "
              f"({batch / first['batch_us_per_report_median']:.2f}x); single submit "
              f"p50 {row['single_submit_us_p50']:8.1f} µs, p99 {row['single_submit_us_p99']:8.1f} µs "
              f"({row['single_submit_us_p99'] / first['single_submit_us_p99']:.2f}x), "
              f"p99.9 {row['single_submit_us_p999']:8.1f} µs; "
              f"explain=False p50 {row['lean_submit_us_p50']:8.1f} µs, "
              f"p99 {row['lean_submit_us_p99']:8.1f} µs, p99.9 {row['lean_submit_us_p999']:8.1f} µs; "
              f"index {row['index_bytes_per_open_event']:,.0f} B/open event, engine "
              f"{row['engine_bytes_per_open_event']:,.0f} B/open event; "
              f"{row['elapsed_s']:,.0f} s so far", flush=True)
        if twins:
            print(f"{'':>10}   each report's faster call of the twins: submit p50 "
                  f"{row['single_submit_twins_faster_us_p50']:8.1f} µs, p99 "
                  f"{row['single_submit_twins_faster_us_p99']:8.1f} µs, p99.9 "
                  f"{row['single_submit_twins_faster_us_p999']:8.1f} µs; explain=False p50 "
                  f"{row['lean_submit_twins_faster_us_p50']:8.1f} µs, p99 "
                  f"{row['lean_submit_twins_faster_us_p99']:8.1f} µs, p99.9 "
                  f"{row['lean_submit_twins_faster_us_p999']:8.1f} µs", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=counts("open-event", 1), default=[10_000, 100_000],
                   help="open-event counts, comma-separated")
    p.add_argument("--per-day", type=at_least(1), default=560_000)
    p.add_argument("--seed", type=at_least(0), default=7)
    p.add_argument("--threads", type=at_least(0), default=1)
    p.add_argument("--probe", type=at_least(1), default=2000,
                   help="reports timed at each size (batch, explained single and lean single each)")
    p.add_argument("--twins", action="store_true",
                   help="two engines, each timed report sent to both: also the percentiles of each report's "
                        "faster call (the host's noise mostly taken out; twice the memory and filling time)")
    p.add_argument("--json", help="write the rows here")
    args = p.parse_args(argv)
    if argv is None:  # run as a script: malloc asks for huge pages, as the command line's does
        reexec_with_huge_pages(sys.argv)
    sizes = sorted(args.sizes)
    rows = measure(sizes, per_day=args.per_day, seed=args.seed, threads=args.threads, probe=args.probe,
                   twins=args.twins)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
