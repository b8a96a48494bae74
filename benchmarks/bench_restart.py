"""Restart time: full journal replay against snapshot + journal tail, at growing event counts.

Two ways to run it:

* as a script, the figures for benchmarks/RESULTS.md (sizes are reports; each size builds a SQLite
  store from generated days of reports, which takes as long as submitting them):

      python benchmarks/bench_restart.py --sizes 10000,100000 --rounds 3

  For each size N it journals 0.9 N reports, takes a snapshot, journals the last 0.1 N (the tail), and
  then re-opens the store: with the snapshot (load + replay of the tail) and without it (an empty
  snapshot directory: full replay). It prints medians of ``--rounds`` re-opens, snapshot bytes per
  event, load time per event and the write time, and an extrapolation to 1M events.
* under pytest (collected with the other benchmarks): one small size, so that it cannot rot;
  ``pytest benchmarks/bench_restart.py --benchmark-enable --benchmark-only`` times both re-opens.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from routing_core import Engine
from routing_core.store import DEFAULT_SNAPSHOT_EVERY

PER_DAY = 8000  # Ningbo's daily volume


def _reports(n: int, seed: int = 0) -> list[dict[str, Any]]:
    from routing_core.synth import iter_reports

    out = []
    for report, _ in iter_reports(days=n // PER_DAY + 2, reports_per_day=PER_DAY, seed=seed):
        out.append(report)
        if len(out) == n:
            break
    return out


def build(directory: Path, n: int, *, batch: int = 1000) -> dict[str, Any]:
    """A SQLite store of ``n`` reports with one snapshot at 0.9 n; returns what building it measured."""
    reports = _reports(n)
    cut = int(n * 0.9)
    db = directory / "events.sqlite"
    started = time.perf_counter()
    with Engine(store=db, snapshot_every=0) as engine:
        for i in range(0, cut, batch):
            engine.submit_many(reports[i : min(i + batch, cut)])
        written = time.perf_counter()
        snap = engine.snapshot()
        write_seconds = time.perf_counter() - written
        snap_events = engine.stats().events
        for i in range(cut, n, batch):
            engine.submit_many(reports[i : min(i + batch, n)])
        stats = engine.stats()
    return {
        "reports": n,
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


def measure(n: int, rounds: int) -> dict[str, Any]:
    directory = Path(tempfile.mkdtemp(prefix="bench_restart_"))
    try:
        fig = build(directory, n)
        db = Path(fig["db"])
        full = [reopen(db, snapshots=False) for _ in range(rounds)]
        snap = [reopen(db, snapshots=True) for _ in range(rounds)]
        fig["full_replay_s"] = statistics.median(w for w, _ in full)
        fig["snapshot_restart_s"] = statistics.median(w for w, _ in snap)
        fig["snapshot_load_s"] = statistics.median(r.snapshot_seconds for _, r in snap)
        fig["tail_reports"] = snap[0][1].reports
        fig["tail_replay_s"] = statistics.median(r.seconds - r.snapshot_seconds for _, r in snap)
        fig["bytes_per_event"] = fig["snapshot_bytes"] / fig["snapshot_events"]
        fig["load_us_per_event"] = fig["snapshot_load_s"] / fig["snapshot_events"] * 1e6
        fig["write_us_per_event"] = fig["snapshot_write_s"] / fig["snapshot_events"] * 1e6
        fig["replay_reports_per_s"] = n / fig["full_replay_s"]
        fig["tail_reports_per_s"] = (
            fig["tail_reports"] / fig["tail_replay_s"] if fig["tail_replay_s"] else 0.0
        )
        del fig["db"]
        return fig
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def extrapolate(fig: dict[str, Any], events: int = 1_000_000) -> dict[str, float]:
    """Restart time at ``events`` events, linear in what was measured: load per event × events, plus
    a worst-case tail of DEFAULT_SNAPSHOT_EVERY reports at the measured tail replay rate."""
    reports_per_event = fig["reports"] / fig["events"]
    rate = fig["tail_reports_per_s"] or fig["replay_reports_per_s"]
    return {
        "events": events,
        "snapshot_gb": fig["bytes_per_event"] * events / 1e9,
        "load_s": fig["load_us_per_event"] * events / 1e6,
        "worst_tail_s": DEFAULT_SNAPSHOT_EVERY / rate,
        "full_replay_s": events * reports_per_event / fig["replay_reports_per_s"],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,100000", help="reports per store, comma-separated")
    p.add_argument("--rounds", type=int, default=3, help="re-opens per mode (median)")
    p.add_argument("--json", help="also write the figures here")
    args = p.parse_args(argv)
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        fig = measure(n, args.rounds)
        fig["extrapolated_1M"] = extrapolate(fig)
        results.append(fig)
        print(json.dumps(fig, indent=1), flush=True)
    print(f"machine: {platform.platform()}, Python {platform.python_version()}")
    print(
        "| reports | events | full replay | snapshot + tail (tail) | load | B/event | load µs/event | write |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for f in results:
        print(
            f"| {f['reports']:,} | {f['events']:,} | {f['full_replay_s']:.2f} s "
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
