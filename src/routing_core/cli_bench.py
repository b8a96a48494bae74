"""``routing-core bench``: replay generated days of reports through a default engine and measure it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["register"]


def _run(args: argparse.Namespace) -> int:
    from .engine import Engine
    from .replay import replay

    if args.days < 1 or args.per_day < 1:
        print("routing-core bench: --days and --per-day must be at least 1", file=sys.stderr)
        return 2
    progress = (lambda line: print(line, file=sys.stderr, flush=True)) if not args.quiet else None
    r = replay(days=args.days, reports_per_day=args.per_day, seed=args.seed, batch_size=args.batch,
               engine=Engine(rules=args.rules), progress=progress)
    lat = ", ".join(f"{k} {v:,.1f} µs" for k, v in r.latency_us.items())
    print(f"routing-core bench: {r.days} days, {r.reports:,} reports (seed {args.seed}), batches of {r.batch_size}")
    print(f"  engine time        {r.seconds_engine:,.2f} s  ({r.reports_per_second:,.0f} reports/s, one thread)")
    print(f"  generation time    {r.seconds_generate:,.2f} s  (not counted above)")
    print(f"  per-report latency {lat}  (batch time / batch size)")
    print(f"  events             {r.events:,} ({r.open_events:,} open); closes {r.closes:,} "
          f"(+{r.closes_skipped:,} skipped); escalations {r.escalations:,}")
    print(f"  memory             peak RSS {r.peak_rss_bytes / 2**20:,.0f} MiB; candidate index "
          f"{r.index_bytes / 2**20:,.1f} MiB = {r.index_bytes_per_open_event:,.0f} B per open event")
    print(f"  machine            {r.machine['platform']}, {r.machine['cpus']} CPUs, Python {r.machine['python']}")
    if args.json:
        Path(args.json).write_text(json.dumps(r.to_dict(), indent=1), encoding="utf-8")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("bench", help="replay generated days of reports through the engine and measure it")
    p.add_argument("--days", type=int, default=7, help="days to replay (default 7)")
    p.add_argument("--per-day", "--rate", dest="per_day", type=int, default=8000,
                   help="mean reports per day (default 8,000: Ningbo's volume)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch", type=int, default=1000, help="reports per submit_many call (default 1,000)")
    p.add_argument("--json", help="also write the figures as JSON here")
    p.add_argument("--quiet", action="store_true", help="no per-day progress lines")
    p.set_defaults(run=_run)
