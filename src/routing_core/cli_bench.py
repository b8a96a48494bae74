"""``routing-core bench``: replay generated days of reports through a default engine and measure it.

``--peers`` also measures the peer methods of :mod:`routing_core.bench_peers` (a pure-Python +
rapidfuzz implementation of the decision, rapidfuzz cdist brute force, Splink) on a sample of the
same stream (its first ``--peer-days`` days), beside the engine on that sample; off by default, as
fitting the peers' thresholds on a training split takes a while. ``--shards 1,2`` also compares
shards by city (:mod:`routing_core.shards`): one engine per generated city, each on its own thread.
``--plot FILE.png`` draws the replay (needs the ``plot`` extra).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cli_args import at_least, counts, engine_files, engine_from, output_file
from .progress_line import ProgressLine

if TYPE_CHECKING:
    from .replay import DayProgress

__all__ = ["DayProgressLine", "register"]


def _part_label(name: str) -> str:
    """An Engine.memory() part as the summary names it ("per_event 4 MiB" read as each event's share)."""
    return "arrays by event" if name == "per_event" else name.replace("_", " ")


class DayProgressLine(ProgressLine):
    """The replay's progress line: the days done, reports, throughput, open events and the time left."""

    def __call__(self, p: DayProgress) -> None:
        done = p.day / p.days if p.days else 1.0
        eta = self.time_left(done)
        rate = p.total_reports / p.total_seconds if p.total_seconds else 0.0
        self.show(done,
                  f"day {p.day}/{p.days} · {p.total_reports:,} reports · {rate:,.0f}/s · "
                  f"{p.open_events:,} open events · ETA {eta:,.0f} s",
                  last=p.day == p.days)


def _peer_list(value: str) -> list[str]:
    from .bench_peers import PEERS

    names = [v.strip() for v in value.split(",") if v.strip()]
    bad = [n for n in names if n not in PEERS]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"{value!r}: expected a comma-separated list of {', '.join(PEERS)}")
    return names


def _compare_shards(args: argparse.Namespace) -> list[dict[str, Any]]:
    """One engine per generated city on a thread each, for every count of --shards; prints each
    count's aggregate throughput as a ratio to the first count's."""
    from .shards import replay_shards
    from .synth import generate

    days = args.shard_days
    most = max(args.shards)
    if not args.quiet:
        print(f"shards: generating {most} city stream(s) of {days} day(s) (held in memory, before the clock)",
              file=sys.stderr, flush=True)
    streams = [list(generate(days=days, reports_per_day=args.per_day, seed=args.seed + k))
               for k in range(most)]
    runs = []
    for k in args.shards:
        run = replay_shards(streams[:k], days=days, per_day=args.per_day, batch_size=args.batch, api=args.api,
                            **engine_files(args))
        runs.append(run)
        if not args.quiet:
            print(f"shards: {k} engine(s) on {k} thread(s): {run.reports_per_second:,.0f} reports/s",
                  file=sys.stderr, flush=True)
    print(f"  shards by city     {days} day(s) per city (seeds {args.seed}..{args.seed + most - 1}), "
          f"one engine per city, each on its own thread; all reports over the wall time:")
    for run in runs:
        print(f"    {run.shards} engine(s) on {run.shards} thread(s): {run.reports_per_second:,.0f} reports/s "
              f"({run.reports_per_second / runs[0].reports_per_second:.2f}x {args.shards[0]})")
    return [run.to_dict() for run in runs]


def _run(args: argparse.Namespace) -> int:
    from .replay import API_CALLS, MATCHING_PARTS, read_stream, replay

    if args.truth and not args.stream:
        print("routing-core bench: --truth goes with --stream", file=sys.stderr)
        return 2
    if args.stream and args.peers:
        print("routing-core bench: --peers measures on the generated stream, not with --stream",
              file=sys.stderr)
        return 2
    if args.plot:
        from .bench_plot import _pyplot

        _pyplot()  # fail now, naming the extra, not after a long replay
    runs = []
    for threads in args.threads:  # the first run is the one reported in full; the others scale it
        progress = DayProgressLine(sys.stderr) if not args.quiet else None
        engine = engine_from(args, threads=threads)
        stream = read_stream(args.stream, args.truth, tz=engine.rules.timezone) if args.stream else None
        runs.append(replay(days=args.days, reports_per_day=args.per_day, seed=args.seed, batch_size=args.batch,
                           engine=engine, progress=progress, stream=stream, api=args.api))
        if progress is not None:
            progress.close()
    r = runs[0]
    lat = ", ".join(f"{k} {v:,.1f} µs" for k, v in r.latency_us.items())
    source = f"from {args.stream}" if args.stream else f"(seed {args.seed})"
    print(f"routing-core bench: {r.days} days, {r.reports:,} reports {source}, batches of {r.batch_size}")
    print(f"  engine time        {r.seconds_engine:,.2f} s  ({r.reports_per_second:,.0f} reports/s through "
          f"{API_CALLS[args.api]}, threads={args.threads[0]}; CPU {r.cpu_seconds_engine:,.2f} s)")
    what = "read time        " if args.stream else "generation time  "
    print(f"  {what}  {r.seconds_generate:,.2f} s  ({r.generated_per_second:,.0f} reports/s; "
          "not counted above)")
    print(f"  per-report latency {lat}  (batch time / batch size)")
    if len(r.timeline) > 1:
        slow = ", ".join(f"{ms:,.1f} ms ({size:,} reports, to report {at:,})"
                         for at, size, ms in r.timeline.slowest(3))
        print(f"  longest calls      {slow}")
    print(f"  events             {r.events:,} ({r.open_events:,} open); closes {r.closes:,} "
          f"(+{r.closes_skipped:,} skipped); escalations {r.escalations:,}; "
          f"purged {r.purged_events:,}")
    print(f"  memory             peak RSS {r.peak_rss_bytes / 2**20:,.0f} MiB; candidate index "
          f"{r.index_bytes / 2**20:,.1f} MiB = {r.index_bytes_per_open_event:,.0f} B per open event")
    if r.engine_bytes:
        def parts(names: Iterable[str]) -> str:
            return ", ".join(f"{_part_label(name)} {r.engine_bytes[name] / 2**20:,.0f}" for name in names)

        matching = [name for name in MATCHING_PARTS if name in r.engine_bytes]
        history = [name for name in r.engine_bytes if name != "total" and name not in MATCHING_PARTS]
        print(f"  engine state       {r.engine_bytes['total'] / 2**20:,.0f} MiB = "
              f"{r.engine_bytes_per_open_event:,.0f} B per open event, in two kinds:")
        print(f"    matching         {r.matching_bytes / 2**20:,.0f} MiB ({parts(matching)} MiB) for the "
              f"{r.matchable_events:,} events that can still match: "
              f"{r.matching_bytes_per_matchable_event:,.0f} B each")
        print(f"    history          {r.history_bytes / 2**20:,.0f} MiB ({parts(history)} MiB) for "
              f"{r.events:,} events and {r.reports:,} reports: {r.history_bytes_per_report:,.0f} B per report")
    print(f"  machine            {r.machine['cpu'] or r.machine['machine']}, {r.machine['cpus']} CPUs, "
          f"{r.machine['platform']}, Python {r.machine['python']}")
    print(f"  huge pages         {r.machine.get('huge_pages', 'unknown')}")
    for threads, other in zip(args.threads[1:], runs[1:], strict=True):
        print(f"  threads={threads:<11} {other.seconds_engine:,.2f} s  ({other.reports_per_second:,.0f} reports/s, "
              f"{other.reports_per_second / r.reports_per_second:.2f}x threads={args.threads[0]}; "
              f"p50 {other.latency_us.get('p50', 0):,.1f} µs)")
    doc = r.to_dict()
    doc["threads"] = [{"threads": t, **run.to_dict()} for t, run in zip(args.threads, runs, strict=True)]
    if args.shards:
        doc["shards"] = _compare_shards(args)
    peers = []
    if args.peers:
        from .bench_peers import format_peers, run_peers
        from .synth import generate

        per_day = args.peer_per_day or args.per_day
        say = (lambda m: print(m, file=sys.stderr, flush=True)) if not args.quiet else None
        sample = list(generate(days=args.peer_days, reports_per_day=per_day, seed=args.seed))
        train = list(generate(days=1, reports_per_day=per_day, seed=args.train_seed))
        n = sum(len(b) for b in sample)
        label = (f"first {args.peer_days} day(s) of the stream (seed {args.seed}, {per_day:,}/day): "
                 f"{n:,} reports")
        not_run: list[str] = []
        peers = run_peers(sample, train, engine=engine_from(args), batch_size=args.batch,
                          peers=args.peers, splink_max=args.splink_max, sample_label=label, log=say,
                          api=args.api, skipped=not_run)
        print(f"\npeers on a sample of the same stream; thresholds fitted on a training split "
              f"(seed {args.train_seed}, 1 day); one core unless noted")
        print(format_peers(peers))
        for reason in not_run:  # printed even with --quiet: a missing row must not pass unnoticed
            print(f"  {reason}")
        doc["peers"] = [p.to_dict() for p in peers]
        doc["peers_not_run"] = not_run
    if args.json:
        Path(args.json).write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.plot:
        from .bench_plot import plot_replay

        print(f"  plot               {plot_replay(r, args.plot, peers)}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("bench", help="replay generated days of reports through the engine and measure it")
    p.add_argument("--days", type=at_least(1), default=365,
                   help="days to replay (default 365: a simulated Ningbo year, ~4.0M reports at the default "
                   "--per-day; --days 7 for a quick look)")
    p.add_argument("--per-day", "--rate", dest="per_day", type=at_least(1), default=10700,
                   help="mean reports per day (default 10,700: Ningbo's 3.9M a year; the generator realises "
                   "~3%% more)")
    p.add_argument("--seed", type=at_least(0), default=0, help="the generator's seed (default 0)")
    p.add_argument("--batch", type=at_least(1), default=1000, help="reports per submit call (default 1,000)")
    p.add_argument("--api", choices=("columns", "many", "many-lean"), default="columns",  # replay.APIS
                   help="what is timed: submit_columns on columns (default: the throughput path), "
                   "submit_many on report dicts (Decision objects with explanations) or many-lean: "
                   "submit_many(explain=False) (lean Decision objects)")
    p.add_argument("--threads", type=counts("thread", 0, 256), default=[1], metavar="N[,N...]",
                   help="the engine's worker threads (default 1); several counts (e.g. 1,2) replay the stream "
                   "once per count and print each one's throughput as a ratio to the first")
    p.add_argument("--shards", type=counts("shard", 1, 64), default=None, metavar="K[,K...]",
                   help="also compare shards by city: for each count K, K engines (one per generated city, "
                   "seeds --seed.. --seed+K-1) replay --shard-days days at once, each on its own thread; "
                   "prints the aggregate throughput as a ratio to the first count (e.g. 1,2)")
    p.add_argument("--shard-days", type=at_least(1), default=3,
                   help="days per city in the --shards comparison (default 3; the streams are generated "
                   "before the clock and held in memory, about 600 bytes a report: 2.3 GiB per city-year)")
    p.add_argument("--stream", metavar="REPORTS.jsonl",
                   help="replay this JSON Lines file (routing-core synth output or a city's history, one day "
                   "at a time; at most --days days) instead of generating")
    p.add_argument("--truth", metavar="TRUTH.jsonl",
                   help="with --stream: the truth file of routing-core synth --truth (incidents and closes)")
    p.add_argument("--json", type=output_file, help="also write the figures as JSON here")
    p.add_argument("--plot", metavar="FILE.png", type=output_file,
                   help="write latency over the replay and throughput versus open events "
                   "(needs the plot extra)")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    g = p.add_argument_group("peers (need the bench extra)")
    g.add_argument("--peers", nargs="?", const=["python", "cdist", "splink"], default=None, type=_peer_list,
                   metavar="LIST", help="also measure peers on a sample of the same stream: a "
                   "comma-separated list of python, cdist, splink (all when given without a list)")
    g.add_argument("--peer-days", type=at_least(1), default=1,
                   help="the sample: the stream's first N days (default 1)")
    g.add_argument("--peer-per-day", type=at_least(1), default=None,
                   help="reports per day of the sample and training split (default: --per-day); raise it "
                   "to measure at more open events")
    g.add_argument("--train-seed", type=at_least(0), default=1,
                   help="seed of the split peers fit thresholds on")
    g.add_argument("--splink-max", type=at_least(1), default=20000,
                   help="Splink runs on at most this many reports of the sample (default 20,000)")
    p.set_defaults(run=_run)
