"""Shards by city: several engines, one per city, each replayed on a thread of its own at once.

One engine matches its reports in order (each report changes the statistics the next one is scored
with), so ``Engine(threads=2)`` gains only what its workers prepare ahead. Reports of two cities
never fuse, so a province shards by city: one ``Engine`` per city, each called from its own thread.
Every engine call releases the GIL, so the engines run side by side. :func:`replay_shards` measures
that: ``k`` streams through ``k`` engines on ``k`` threads, and their aggregate throughput (all
reports over the wall time until the last thread ends). ``routing-core bench --shards 1,2`` and
``benchmarks/bench_shards.py`` compare shard counts with it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .engine import Engine
from .replay import ReplayResult, replay
from .synth import Batch

__all__ = ["ShardRun", "replay_shards"]


@dataclass
class ShardRun:
    """What :func:`replay_shards` measured: the shards together and each one."""

    shards: int
    reports: int
    wall_s: float
    reports_per_second: float  # all shards' reports over the wall time
    per_shard_reports_per_second: list[float] = field(default_factory=list)  # each over its engine time
    open_events: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def replay_shards(
    streams: Sequence[Sequence[Batch]],
    *,
    days: int,
    per_day: int,
    batch_size: int = 1000,
    api: str = "columns",
    rules: Any = None,
    gazetteer: Any = None,
    match: Any = None,
) -> ShardRun:
    """Replays each stream through a fresh engine of its own (``Engine(rules=rules,
    gazetteer=gazetteer, match=match)``), each on a thread of its own, all at once. Make the streams
    before calling (a list of each stream's day batches): generating them on the threads would be
    timed and would hold the GIL. An error on any thread is raised here once every thread has ended."""
    engines = [Engine(rules=rules, gazetteer=gazetteer, match=match) for _ in streams]
    results: list[ReplayResult | None] = [None] * len(streams)
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            results[k] = replay(days=days, reports_per_day=per_day, batch_size=batch_size, engine=engines[k],
                                stream=streams[k], api=api)
        except BaseException as e:  # re-raised in the calling thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,), name=f"shard-{k}") for k in range(len(streams))]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    done = [r for r in results if r is not None]
    reports = sum(r.reports for r in done)
    return ShardRun(
        shards=len(streams),
        reports=reports,
        wall_s=wall,
        reports_per_second=reports / wall if wall > 0 else 0.0,
        per_shard_reports_per_second=[r.reports_per_second for r in done],
        open_events=[r.open_events for r in done],
    )
