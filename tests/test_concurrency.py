"""Concurrency: submit from 8 threads at once, with closes and advances interleaved, then check the
invariants; with a store, the journal's order must be the order the engine applied things in, which
re-opening the store proves by rebuilding the very same state."""

from __future__ import annotations

import random
import threading
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from routing_core import Decision, Engine
from routing_core.times import to_epoch
from store_helpers import events, fresh_database, postgres_url  # noqa: F401  (postgres_url: fixture)

THREADS = 8
TZ = ZoneInfo("Asia/Shanghai")


def _reports(sample: list[dict[str, Any]], copies: int) -> list[dict[str, Any]]:
    return [
        {**r, "id": f"{r['id']}-{k}", "time": to_epoch(r["time"], "time", TZ) + k * 7 * 86400}
        for k in range(copies)
        for r in sample
    ]


def _hammer(engine: Engine, reports: list[dict[str, Any]]) -> tuple[list[Decision], int]:
    """8 threads: each submits its slice (singles and batches, re-sending some), closes events it
    saw opened and advances the clock. Returns every decision and the number of successful closes."""
    decisions: list[Decision] = []
    closes = 0
    lock = threading.Lock()
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)
    last_time = max(r["time"] for r in reports)
    close_time = last_time + 365 * 86400

    def work(k: int) -> None:
        nonlocal closes
        rng = random.Random(k)
        mine = reports[k::THREADS]
        barrier.wait()
        try:
            i = 0
            while i < len(mine):
                if rng.random() < 0.5:
                    got = engine.submit_many(mine[i : i + 4])
                    i += 4
                else:
                    got = [engine.submit(mine[i])]
                    i += 1
                i = min(i, len(mine))  # a last batch of fewer than 4 (a re-send drew past the end before)
                if rng.random() < 0.1:  # a re-send: answered, not applied
                    again = engine.submit(mine[rng.randrange(i)])
                    assert again.report_id in {r["id"] for r in mine[:i]}
                with lock:
                    decisions.extend(got)
                new = [d.event_id for d in got if d.is_new]
                if new and rng.random() < 0.2:
                    # Each thread closes only events it opened, after every report and escalation.
                    engine.close(rng.choice(new), time=close_time, resolution="已处置")
                    with lock:
                        closes += 1
                if rng.random() < 0.05:
                    engine.advance(min(int(got[-1].deadline.timestamp()), last_time))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return decisions, closes


def _check_invariants(
    engine: Engine, reports: list[dict[str, Any]], decisions: list[Decision], closes: int
) -> None:
    ids = [r["id"] for r in reports]
    assert sorted(d.report_id for d in decisions) == sorted(ids)  # each decision once
    all_events = events(engine)
    placed = [rid for e in all_events for rid in e.report_ids]
    assert sorted(placed) == sorted(ids)  # each report in exactly one event
    owner = {rid: e.id for e in all_events for rid in e.report_ids}
    assert all(owner[d.report_id] == d.event_id for d in decisions)
    stats = engine.stats()
    assert stats.reports == len(ids)
    assert stats.events == len(all_events) == sum(d.is_new for d in decisions)
    closed = [e for e in all_events if e.status == "closed"]
    assert len(closed) == closes
    assert stats.open_events == stats.events - closes
    for e in all_events:  # every report of an event has its opened/merged step
        assert [s.report_id for s in e.history if s.kind in ("opened", "merged")] == list(e.report_ids)


def test_eight_threads_in_memory(sample_reports: list[dict[str, Any]]) -> None:
    engine = Engine()
    reports = _reports(sample_reports, 3)
    decisions, closes = _hammer(engine, reports)
    _check_invariants(engine, reports, decisions, closes)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_eight_threads_with_a_store_journal_in_applied_order(
    backend: str, tmp_path: Path, sample_reports: list[dict[str, Any]], request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        spec = str(tmp_path / "events.sqlite")
    else:
        spec = fresh_database(request.getfixturevalue("postgres_url"))
    reports = _reports(sample_reports, 2)
    with Engine(store=spec) as engine:
        decisions, closes = _hammer(engine, reports)
        _check_invariants(engine, reports, decisions, closes)
        final = events(engine)
        assert engine.store is not None
        assert engine.store.counts()["report"] == len(reports)
        assert engine.store.counts()["close"] == closes
    with Engine(store=spec) as reopened:
        assert events(reopened) == final


def test_engines_on_their_own_threads_decide_as_each_alone() -> None:
    # Sharding by city (benchmarks/bench_shards.py): engines share nothing, so two replayed at once on
    # two threads (each call releasing the GIL) decide exactly as each replayed alone.
    from routing_core.replay import _columns
    from routing_core.synth import generate

    streams = [[_columns(b) for b in generate(days=2, reports_per_day=1500, seed=20 + k)] for k in range(2)]

    def run(k: int, engine: Engine, out: list[Any]) -> None:
        for ids, texts, addresses, times, sources, categories, lat, lon in streams[k]:
            for lo in range(0, len(ids), 250):
                part = slice(lo, lo + 250)
                d = engine.submit_columns(ids[part], texts[part], addresses[part], times[part], sources[part],
                                          categories=categories[part], lat=lat[part], lon=lon[part])
                out.append((d.event.tolist(), d.score.tolist(), d.category.tolist(), d.level.tolist()))

    alone: list[list[Any]] = [[], []]
    for k in range(2):
        run(k, Engine(), alone[k])
    together: list[list[Any]] = [[], []]
    threads = [threading.Thread(target=run, args=(k, Engine(), together[k])) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert together == alone and len(alone[0]) >= 12
