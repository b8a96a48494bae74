"""``routing-core synth``: write a labelled stream of synthetic Ningbo reports (see routing_core.synth)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .cli_args import at_least, iso_datetime, output_file
from .progress_line import ProgressLine

if TYPE_CHECKING:
    from .synth import Batch

__all__ = ["register"]


def _shown(batches: Iterator[Batch], days: int, line: ProgressLine) -> Iterator[Batch]:
    """The days as they come, the line redrawn after each is written (a year takes minutes)."""
    reports = 0
    for day, batch in enumerate(batches, start=1):
        yield batch
        reports += len(batch)
        done = day / days
        line.show(done, f"day {day}/{days} · {reports:,} reports · ETA {line.time_left(done):,.0f} s",
                  last=day == days)


def _run(args: argparse.Namespace) -> int:
    from .synth import generate, write_jsonl

    started = time.perf_counter()
    batches = generate(days=args.days, reports_per_day=args.per_day, seed=args.seed, start=args.start)
    if not args.quiet:
        batches = _shown(batches, args.days, ProgressLine(sys.stderr))
    reports, closes = write_jsonl(batches, Path(args.output), Path(args.truth) if args.truth else None)
    print(
        f"wrote {reports:,} reports over {args.days} days (seed {args.seed}) to {args.output}"
        + (f", truth and {closes:,} closings to {args.truth}" if args.truth else "")
        + f" in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "synth", help="write a seeded, labelled stream of synthetic Ningbo reports (JSON Lines)"
    )
    p.add_argument("-o", "--output", required=True, type=output_file, help="reports file (JSON Lines)")
    p.add_argument("--truth", type=output_file,
                   help="ground truth file: one row per report, then the day's closings")
    p.add_argument("--days", type=at_least(0), default=7, help="days of reports (default 7)")
    p.add_argument("--per-day", type=at_least(0), default=2000,
                   help="mean reports per day (default 2,000; Ningbo's volume is 10,700)")
    p.add_argument("--seed", type=at_least(0), default=0,
                   help="the same seed writes the same file (default 0)")
    p.add_argument("--start", default="2026-11-01T00:00:00+08:00", type=iso_datetime,
                   help="first day's midnight (ISO 8601)")
    p.add_argument("--quiet", action="store_true", help="no progress line on stderr")
    p.set_defaults(run=_run)
