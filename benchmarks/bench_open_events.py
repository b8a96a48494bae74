"""Time per report as open events grow (10k → 1M): batch and single-submit latency at each size.

Run: ``python benchmarks/bench_open_events.py [--sizes 10000,100000,1000000] [--threads 1]``

The generator's stream is replayed at a province-like density (``--per-day``, default 560,000 reports
a day, so that a million events open within the 72-hour match window and all of them stay
candidates: nothing is closed). At each size the engine measures, on the stream's next reports:

* batch: ``submit_columns`` in batches of 1,000, time per report (median of the batches);
* single: ``Engine.submit`` one report at a time from Python, p50 / p99 / p99.9 of the per-call
  wall time, with its explanation (the default) and without it (``explain=False``, the lean
  Decision), the two alternating report by report so that both see the same engine.

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
from pathlib import Path
from typing import Any

import numpy as np

from routing_core import Engine
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


def _stream(per_day: int, seed: int):
    for batch in generate(days=30, reports_per_day=per_day, seed=seed):
        yield from batch.reports()


def _take(stream: Any, n: int) -> list[dict[str, Any]]:
    out = []
    for r in stream:
        out.append(r)
        if len(out) == n:
            break
    return out


def measure(sizes: list[int], *, per_day: int, seed: int, threads: int, probe: int) -> list[dict[str, Any]]:
    engine = Engine(threads=threads)
    stream = _stream(per_day, seed)
    rows = []
    fill_started = time.perf_counter()
    for size in sizes:
        while engine.stats().open_events < size:
            chunk = _take(stream, 1000)
            if not chunk:
                raise SystemExit(f"the stream ran out before {size:,} open events")
            engine.submit_columns(**report_columns(chunk))
        batch_us = []
        for _ in range(max(1, probe // 1000)):
            chunk = _take(stream, 1000)
            started = time.perf_counter()
            engine.submit_columns(**report_columns(chunk))
            batch_us.append((time.perf_counter() - started) / len(chunk) * 1e6)
        single_us: dict[bool, list[float]] = {True: [], False: []}
        for i, r in enumerate(_take(stream, 2 * probe)):
            explain = i % 2 == 0
            started = time.perf_counter()
            engine.submit(r, explain=explain)
            single_us[explain].append((time.perf_counter() - started) * 1e6)
        q = np.percentile(single_us[True], [50, 99, 99.9])
        lean = np.percentile(single_us[False], [50, 99, 99.9])
        stats = engine.stats()
        memory = engine.memory()
        row = {
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
        rows.append(row)
        first = rows[0]
        print(f"{row['open_events']:>10,} open events: batch {row['batch_us_per_report_median']:8.1f} µs/report "
              f"({row['batch_us_per_report_median'] / first['batch_us_per_report_median']:.2f}x); single submit "
              f"p50 {row['single_submit_us_p50']:8.1f} µs, p99 {row['single_submit_us_p99']:8.1f} µs "
              f"({row['single_submit_us_p99'] / first['single_submit_us_p99']:.2f}x), "
              f"p99.9 {row['single_submit_us_p999']:8.1f} µs; "
              f"explain=False p50 {row['lean_submit_us_p50']:8.1f} µs, "
              f"p99 {row['lean_submit_us_p99']:8.1f} µs, p99.9 {row['lean_submit_us_p999']:8.1f} µs; "
              f"index {row['index_bytes_per_open_event']:,.0f} B/open event, engine "
              f"{row['engine_bytes_per_open_event']:,.0f} B/open event; "
              f"{row['elapsed_s']:,.0f} s so far", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,100000", help="open-event counts, comma-separated")
    p.add_argument("--per-day", type=int, default=560_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--probe", type=int, default=2000,
                   help="reports timed at each size (batch, explained single and lean single each)")
    p.add_argument("--json", help="write the rows here")
    args = p.parse_args(argv)
    if argv is None:  # run as a script: malloc asks for huge pages, as the command line's does
        reexec_with_huge_pages(sys.argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    rows = measure(sizes, per_day=args.per_day, seed=args.seed, threads=args.threads, probe=args.probe)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
