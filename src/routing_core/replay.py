"""Replaying a generated report stream through an engine, day by day, and measuring it.

What ``routing-core bench`` runs: the labelled generator (:mod:`routing_core.synth`) makes N days of
Ningbo-like reports; each day is submitted in batches through ``Engine.submit_many``, the incidents
the generator closes that day are closed, and overdue events are escalated at the end of the day.
Generation is timed apart from the engine.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from .engine import Engine
from .errors import InvalidReportError

__all__ = ["ReplayResult", "replay"]


@dataclass
class ReplayResult:
    days: int
    reports: int
    events: int
    open_events: int
    seconds_engine: float  # submit_many, close and advance calls
    seconds_generate: float
    reports_per_second: float
    batch_size: int
    # Per-report latency in batch mode: each batch's time divided by its size, weighted by reports.
    latency_us: dict[str, float] = field(default_factory=dict)
    closes: int = 0
    closes_skipped: int = 0  # the generator closed an incident before a later report merged into it
    escalations: int = 0
    peak_rss_bytes: int = 0
    index_bytes: int = 0
    index_bytes_per_open_event: float = 0.0
    machine: dict[str, Any] = field(default_factory=dict)
    per_day: list[dict[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB


def _machine() -> dict[str, Any]:
    from . import __version__

    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "routing_core": __version__,
    }


def _weighted_percentiles(samples: list[tuple[float, int]], quantiles: tuple[float, ...]) -> dict[str, float]:
    """Percentiles of per-report latencies given as (latency, how many reports had it)."""
    if not samples:
        return {}
    ordered = sorted(samples)
    total = sum(n for _, n in ordered)
    out = {}
    for q in quantiles:
        rank, seen = q * total, 0
        for value, n in ordered:
            seen += n
            if seen >= rank:
                out[f"p{q * 100:g}"] = value
                break
    return out


def replay(
    *,
    days: int,
    reports_per_day: int,
    seed: int = 0,
    batch_size: int = 1000,
    engine: Engine | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReplayResult:
    """Replay ``days`` generated days through ``engine`` (a default in-memory one if None)."""
    from .synth import generate

    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size={batch_size!r}: expected a positive int")
    engine = engine or Engine()
    result = ReplayResult(days=days, reports=0, events=0, open_events=0, seconds_engine=0.0,
                          seconds_generate=0.0, reports_per_second=0.0, batch_size=batch_size)
    latencies: list[tuple[float, int]] = []
    engine_event: dict[str, str] = {}  # the generator's incident id -> the engine's event id
    stream = generate(days=days, reports_per_day=reports_per_day, seed=seed)
    for day in range(days):
        started = time.perf_counter()
        batch = next(stream)
        reports = batch.reports()
        result.seconds_generate += time.perf_counter() - started

        day_seconds = 0.0
        for lo in range(0, len(reports), batch_size):
            chunk = reports[lo : lo + batch_size]
            started = time.perf_counter()
            decisions = engine.submit_many(chunk)
            elapsed = time.perf_counter() - started
            day_seconds += elapsed
            latencies.append((elapsed / len(chunk) * 1e6, len(chunk)))
            for d, incident in zip(decisions, batch.event[lo : lo + batch_size], strict=True):
                engine_event.setdefault(incident, d.event_id)
        started = time.perf_counter()
        for incident, when in batch.closes:
            event_id = engine_event.get(incident)
            if event_id is None:
                continue
            try:
                engine.close(event_id, time=when, resolution="已处置")
                result.closes += 1
            except InvalidReportError:  # already closed, or a report merged after the close time
                result.closes_skipped += 1
        if batch.time:
            result.escalations += len(engine.advance(max(batch.time)))
        day_seconds += time.perf_counter() - started

        result.reports += len(reports)
        result.seconds_engine += day_seconds
        stats = engine.stats()
        result.per_day.append({"day": day + 1, "reports": len(reports), "seconds": day_seconds,
                               "open_events": stats.open_events})
        if progress is not None:
            rate = len(reports) / day_seconds if day_seconds else 0.0
            progress(f"day {day + 1}/{days}: {len(reports):,} reports in {day_seconds:.2f} s "
                     f"({rate:,.0f}/s), {stats.open_events:,} open events")

    stats = engine.stats()
    result.events, result.open_events, result.index_bytes = stats.events, stats.open_events, stats.index_bytes
    result.index_bytes_per_open_event = stats.index_bytes / stats.open_events if stats.open_events else 0.0
    result.reports_per_second = result.reports / result.seconds_engine if result.seconds_engine else 0.0
    result.latency_us = _weighted_percentiles(latencies, (0.5, 0.95, 0.99, 0.999))
    result.peak_rss_bytes = _peak_rss_bytes()
    result.machine = _machine()
    return result
