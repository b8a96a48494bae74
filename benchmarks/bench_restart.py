"""Restart time: full journal replay against snapshot + journal tail, at growing event counts.

Two ways to run it:

* as a script, the figures for benchmarks/RESULTS.md (sizes are reports; each size builds a SQLite
  store from generated days of reports, which takes as long as submitting them):

      python benchmarks/bench_restart.py --sizes 10000,100000 --rounds 3

  For each size N it journals 0.9 N reports, takes a snapshot, journals the last 0.1 N (the tail), and
  then re-opens the store: with the snapshot (load + replay of the tail) and without it (an empty
  snapshot directory: full replay). It prints medians of ``--rounds`` re-opens, snapshot bytes per
  event, load time per event and the write time, and an extrapolation to 1M events.

  The end-to-end figure for #7 (a store of a million events, the snapshot, then the longest tail
  automatic snapshots leave, and a real re-open; the full replay is skipped, it takes most of an hour):

      python benchmarks/bench_restart.py --events 1000000 --per-day 560000 --no-full-replay --rounds 1
* under pytest (collected with the other benchmarks): one small size, so that it cannot rot;
  ``pytest benchmarks/bench_restart.py --benchmark-enable --benchmark-only`` times both re-opens.
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from routing_core import Engine
from routing_core.cli_args import at_least, counts
from routing_core.hugepages import reexec_with_huge_pages
from routing_core.store import DEFAULT_SNAPSHOT_EVERY

PER_DAY = 8000  # Ningbo's daily volume


def _stream(per_day: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """The generator's reports in time order, one day at a time: a 1M-event store is built from more
    reports than are worth holding in memory."""
    from routing_core.synth import generate

    for day in generate(days=100_000, reports_per_day=per_day, seed=seed):
        yield from day.reports()


def _submit(engine: Engine, stream: Iterator[dict[str, Any]], count: int, batch: int) -> int:
    """Journals up to ``count`` reports from ``stream`` in batches; returns how many it sent."""
    sent = 0
    while sent < count:
        chunk = list(itertools.islice(stream, min(batch, count - sent)))
        if not chunk:
            break
        engine.submit_many(chunk)
        sent += len(chunk)
    return sent


def build(
    directory: Path,
    n: int | None = None,
    *,
    events: int | None = None,
    tail: int | None = None,
    per_day: int = PER_DAY,
    batch: int = 1000,
    progress: bool = False,
) -> dict[str, Any]:
    """A SQLite store with one snapshot and a journal tail after it; returns what building it measured.

    Either ``n`` reports, with the snapshot after 0.9 n (``tail`` moves it), or, with ``events``,
    reports until the engine holds that many events, then the snapshot, then ``tail`` more reports
    (default :data:`DEFAULT_SNAPSHOT_EVERY`, the longest tail automatic snapshots leave).
    """
    if (n is None) == (events is None):
        raise ValueError("build: give exactly one of n (reports) and events")
    stream = _stream(per_day)
    db = directory / "events.sqlite"
    started = time.perf_counter()
    with Engine(store=db, snapshot_every=0) as engine:
        if n is not None:
            tail = n - int(n * 0.9) if tail is None else tail
            cut = _submit(engine, stream, n - tail, batch)
        else:
            tail = DEFAULT_SNAPSHOT_EVERY if tail is None else tail
            cut = 0
            while engine.stats().events < events:
                sent = _submit(engine, stream, batch, batch)
                if not sent:
                    raise SystemExit(f"the generator ran out before {events:,} events")
                cut += sent
                if progress and cut % (100 * batch) == 0:
                    print(f"  building: {cut:,} reports, {engine.stats().events:,} events, "
                          f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        written = time.perf_counter()
        snap = engine.snapshot()
        write_seconds = time.perf_counter() - written
        snap_events = engine.stats().events
        tail = _submit(engine, stream, tail, batch)
        stats = engine.stats()
    return {
        "reports": cut + tail,
        "events": stats.events,
        "open_events": stats.open_events,
        "snapshot_reports": cut,
        "snapshot_events": snap_events,
        "snapshot_bytes": snap.stat().st_size,
        "snapshot_write_s": write_seconds,
        "build_s": time.perf_counter() - started,
        "db": str(db),
    }


def reopen(db: Path, *, snapshots: bool) -> tuple[float, Any]:
    """Wall time of opening the store (engine construction + recovery) and its RecoveryStats."""
    empty = db.parent / "no-snapshots"
    empty.mkdir(exist_ok=True)
    started = time.perf_counter()
    engine = Engine(store=db, snapshot_dir=None if snapshots else empty, snapshot_every=0)
    wall = time.perf_counter() - started
    recovery = engine.recovery
    engine.close_store()
    assert recovery is not None and (recovery.snapshot is not None) == snapshots
    return wall, recovery


def measure(
    n: int | None, rounds: int, *, events: int | None = None, tail: int | None = None,
    per_day: int = PER_DAY, full_replay: bool = True, progress: bool = False,
) -> dict[str, Any]:
    directory = Path(tempfile.mkdtemp(prefix="bench_restart_"))
    try:
        fig = build(directory, n, events=events, tail=tail, per_day=per_day, progress=progress)
        db = Path(fig["db"])
        snap = [reopen(db, snapshots=True) for _ in range(rounds)]
        fig["snapshot_restart_s"] = statistics.median(w for w, _ in snap)
        fig["snapshot_load_s"] = statistics.median(r.snapshot_seconds for _, r in snap)
        fig["tail_reports"] = snap[0][1].reports
        fig["tail_replay_s"] = statistics.median(r.seconds - r.snapshot_seconds for _, r in snap)
        fig["bytes_per_event"] = fig["snapshot_bytes"] / fig["snapshot_events"]
        fig["load_us_per_event"] = fig["snapshot_load_s"] / fig["snapshot_events"] * 1e6
        fig["write_us_per_event"] = fig["snapshot_write_s"] / fig["snapshot_events"] * 1e6
        fig["tail_reports_per_s"] = (
            fig["tail_reports"] / fig["tail_replay_s"] if fig["tail_replay_s"] else 0.0
        )
        if full_replay:
            full = [reopen(db, snapshots=False) for _ in range(rounds)]
            fig["full_replay_s"] = statistics.median(w for w, _ in full)
            fig["replay_reports_per_s"] = fig["reports"] / fig["full_replay_s"]
        del fig["db"]
        return fig
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def extrapolate(fig: dict[str, Any], events: int = 1_000_000) -> dict[str, float]:
    """Restart time at ``events`` events, linear in what was measured: load per event × events, plus
    a worst-case tail of DEFAULT_SNAPSHOT_EVERY reports at the measured tail replay rate."""
    rate = fig["tail_reports_per_s"] or fig.get("replay_reports_per_s", 0.0)
    out = {
        "events": events,
        "snapshot_gb": fig["bytes_per_event"] * events / 1e9,
        "load_s": fig["load_us_per_event"] * events / 1e6,
        "worst_tail_s": DEFAULT_SNAPSHOT_EVERY / rate if rate else float("nan"),
    }
    if "full_replay_s" in fig:
        out["full_replay_s"] = events * fig["reports"] / fig["events"] / fig["replay_reports_per_s"]
    return out


def _seconds(fig: dict[str, Any], key: str) -> str:
    return f"{fig[key]:.2f} s" if key in fig else "not run"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=counts("report", 1), default=[10_000, 100_000],
                   help="reports per store, comma-separated")
    p.add_argument(
        "--events", type=at_least(1),
        help="instead of --sizes: build one store of this many events, snapshot it, then journal --tail more",
    )
    p.add_argument(
        "--tail", type=at_least(0),
        help=f"reports journaled after the snapshot (default 0.1 of a size; "
             f"{DEFAULT_SNAPSHOT_EVERY:,} with --events)",
    )
    p.add_argument(
        "--per-day", type=at_least(1), default=PER_DAY,
        help="generated reports per day (560000 keeps a million events open within the match window)",
    )
    p.add_argument("--no-full-replay", action="store_true", help="skip the re-open without snapshots")
    p.add_argument("--rounds", type=at_least(1), default=3, help="re-opens per mode (median)")
    p.add_argument("--json", help="also write the figures here")
    args = p.parse_args(argv)
    if argv is None:  # run as a script: malloc asks for huge pages, as the command line's does
        reexec_with_huge_pages(sys.argv)
    results = []
    plans: list[tuple[int | None, int | None]] = (
        [(None, args.events)] if args.events else [(n, None) for n in args.sizes]
    )
    for n, events in plans:
        fig = measure(
            n, args.rounds, events=events, tail=args.tail, per_day=args.per_day,
            full_replay=not args.no_full_replay, progress=True,
        )
        fig["extrapolated_1M"] = extrapolate(fig)
        results.append(fig)
        print(json.dumps(fig, indent=1), flush=True)
    print(f"machine: {platform.platform()}, Python {platform.python_version()}")
    print(
        "| reports | events (open) | full replay | snapshot + tail (tail) | load | B/event | load µs/event "
        "| write |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for f in results:
        print(
            f"| {f['reports']:,} | {f['events']:,} ({f['open_events']:,}) | {_seconds(f, 'full_replay_s')} "
            f"| {f['snapshot_restart_s']:.2f} s "
            f"({f['tail_reports']:,}) | {f['snapshot_load_s']:.3f} s | {f['bytes_per_event']:,.0f} | "
            f"{f['load_us_per_event']:.1f} | {f['snapshot_write_s']:.3f} s |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


# -- pytest-benchmark: one small size ------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("numpy")
    directory = tmp_path_factory.mktemp("restart")
    build(directory, 1000)
    return directory / "events.sqlite"


@pytest.mark.benchmark(group="restart: 1,000 reports")
def test_restart_full_replay(benchmark: Any, small_store: Path) -> None:
    benchmark.pedantic(lambda: reopen(small_store, snapshots=False), rounds=3)


@pytest.mark.benchmark(group="restart: 1,000 reports")
def test_restart_from_snapshot(benchmark: Any, small_store: Path) -> None:
    _, recovery = benchmark.pedantic(lambda: reopen(small_store, snapshots=True), rounds=3)
    assert recovery.reports == 100  # only the tail after the snapshot at 900


if __name__ == "__main__":
    sys.exit(main())
