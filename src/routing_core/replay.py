"""Replaying a generated report stream through an engine, day by day, and measuring it.

What ``routing-core bench`` runs: the labelled generator (:mod:`routing_core.synth`) makes N days of
Ningbo-like reports; each day is submitted in batches through ``Engine.submit_columns`` (or
``submit_many``). Before each batch, the events opened by the incidents the generator closed since
the batch before are closed in one ``Engine.close_many`` call; at the end of the day, the rest of
the day's closes, and overdue events are escalated.
Generation is timed apart from the engine.

Memory stays flat over a long replay (``--days 365``): one day's batch is alive at a time, the
incident → events map forgets an incident when the generator closes it (no report of an incident
comes after its close), and per-batch figures are kept in flat arrays (24 bytes per batch).
"""

from __future__ import annotations

import heapq
import os
import platform
import resource
import sys
import time
from array import array
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta, timezone, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .arguments import require_int
from .engine import Engine
from .errors import InvalidReportError
from .jsonl import json_lines
from .times import to_epoch

if TYPE_CHECKING:
    from .synth import Batch

__all__ = ["APIS", "API_CALLS", "DayProgress", "ReplayResult", "Timeline", "read_stream", "replay"]

# What a replay can time, and the call each one names.
API_CALLS = {
    "many": "submit_many",
    "many-lean": "submit_many(explain=False)",
    "columns": "submit_columns",
}
APIS = tuple(API_CALLS)


@dataclass
class Timeline:
    """Per ``submit_many`` call: reports submitted so far (after the call), the per-report latency of
    the call in µs (its time / its size) and the engine's open events after it. Flat arrays: a year in
    batches of 1,000 is ~3,900 rows."""

    reports: array[int] = field(default_factory=lambda: array("q"))
    latency_us: array[float] = field(default_factory=lambda: array("d"))
    open_events: array[int] = field(default_factory=lambda: array("q"))

    def __len__(self) -> int:
        return len(self.reports)

    def size(self, i: int) -> int:
        """Call ``i``'s reports."""
        return self.reports[i] - (self.reports[i - 1] if i else 0)

    def call_ms(self, i: int) -> float:
        """Call ``i``'s whole time in ms (its per-report latency times its size)."""
        return self.latency_us[i] * self.size(i) / 1000

    def slowest(self, k: int = 5) -> list[tuple[int, int, float]]:
        """The ``k`` longest calls, longest first (ties: the earlier first), each as (reports submitted
        after it, its size, its time in ms): where in the stream the pauses were. Ranked by the call's
        time, not per report: the last batch of a day may hold one report, whose time per report is
        the whole call's overhead."""
        rows = heapq.nlargest(k, range(len(self)), key=lambda i: (self.call_ms(i), -i))
        return [(self.reports[i], self.size(i), self.call_ms(i)) for i in rows]

    def to_dict(self, max_points: int = 2000) -> dict[str, list[Any]]:
        """At most ``max_points`` evenly spaced rows (for JSON output), and the 10 slowest calls (which
        the spacing would mostly skip)."""
        step = max(1, -(-len(self) // max_points))
        return {
            "reports": list(self.reports[::step]),
            "latency_us": list(self.latency_us[::step]),
            "open_events": list(self.open_events[::step]),
            "slowest": [list(row) for row in self.slowest(10)],
        }


@dataclass(frozen=True)
class DayProgress:
    """What the replay reports after each day (``str()`` is the one-line summary)."""

    day: int
    days: int
    reports: int  # this day's
    seconds: float  # this day's engine time
    total_reports: int
    total_seconds: float
    open_events: int

    def __str__(self) -> str:
        rate = self.reports / self.seconds if self.seconds else 0.0
        return (
            f"day {self.day}/{self.days}: {self.reports:,} reports in {self.seconds:.2f} s "
            f"({rate:,.0f}/s), {self.open_events:,} open events"
        )


@dataclass
class ReplayResult:
    days: int
    reports: int
    events: int
    open_events: int
    seconds_engine: float  # submit_many, close and advance calls (wall)
    seconds_generate: float
    reports_per_second: float
    batch_size: int
    # Per-report latency in batch mode: each batch's time divided by its size, weighted by reports.
    latency_us: dict[str, float] = field(default_factory=dict)
    closes: int = 0  # events closed: each with the incident of the report that opened it
    # Closes the engine refused: a report merged into the event after the close time (closes are
    # made between batches, so a later report of the batch the close time fell in may be in it).
    closes_skipped: int = 0
    escalations: int = 0
    peak_rss_bytes: int = 0
    purged_events: int = 0  # events that could no longer match, their match data dropped (history kept)
    index_bytes: int = 0
    index_bytes_per_open_event: float = 0.0
    # The engine's whole state at the end (Engine.memory(): events, histories, match data, receipts,
    # index), by part and in all, and that total per open event.
    engine_bytes: dict[str, int] = field(default_factory=dict)
    engine_bytes_per_open_event: float = 0.0
    # The same state in two kinds. Matching: match data and candidate index, which scale with the
    # events that can still match (open, or closed within the recurrence period: not purged). History:
    # every event's fixed part, its steps and report list, report ids and receipts, the flat arrays by
    # event, which scale with everything ever submitted. Over a long replay history dominates, and the
    # total per open event says little: these say what a matchable event and a report cost.
    matchable_events: int = 0
    matching_bytes: int = 0
    matching_bytes_per_matchable_event: float = 0.0
    history_bytes: int = 0
    history_bytes_per_report: float = 0.0
    generated_per_second: float = 0.0
    cpu_seconds_engine: float = 0.0  # the same calls' process CPU time (all threads)
    machine: dict[str, Any] = field(default_factory=dict)
    per_day: list[dict[str, float]] = field(default_factory=list)
    timeline: Timeline = field(default_factory=Timeline)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["timeline"] = self.timeline.to_dict()
        return d


# The parts of Engine.memory() that belong to matching (see ReplayResult.matching_bytes); the others
# are history.
MATCHING_PARTS = ("match_data", "index")


def _peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB


def _machine() -> dict[str, Any]:
    from . import __version__
    from .hugepages import describe_huge_pages

    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu or platform.processor(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "routing_core": __version__,
        "huge_pages": describe_huge_pages(),
    }


def _weighted_percentiles(
    samples: Sequence[tuple[float, int]], quantiles: tuple[float, ...]
) -> dict[str, float]:
    """Percentiles of per-report latencies given as (latency, how many reports had it): the smallest
    latency whose cumulative report count reaches ``q`` × total."""
    return _percentiles([v for v, _ in samples], [n for _, n in samples], quantiles)


def _percentiles(
    values: Sequence[float], weights: Sequence[int], quantiles: tuple[float, ...]
) -> dict[str, float]:
    if not len(values):
        return {}
    import numpy as np

    v = np.asarray(values, dtype=np.float64)
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(np.asarray(weights, dtype=np.int64)[order])
    total = int(cum[-1])
    out = {}
    for q in quantiles:
        i = int(np.searchsorted(cum, q * total, side="left"))
        out[f"p{q * 100:g}"] = float(v[order[min(i, len(v) - 1)]])
    return out


def _columns(batch: Batch) -> tuple[Any, ...]:
    """The batch as ``submit_columns`` takes it (times as an int64 array, "" for no category hint,
    positions as float64 arrays with NaN for none)."""
    import numpy as np

    def position(values: list[float | None]) -> Any:
        if not values:
            return np.full(len(batch), np.nan)
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

    return (batch.id, batch.text, batch.address, np.asarray(batch.time, dtype=np.int64), batch.source,
            [c or "" for c in batch.category_hint], position(batch.lat), position(batch.lon))


def replay(
    *,
    days: int,
    reports_per_day: int,
    seed: int = 0,
    batch_size: int = 1000,
    engine: Engine | None = None,
    progress: Callable[[DayProgress], None] | None = None,
    stream: Iterable[Batch] | None = None,
    observe: Callable[[Batch, list[str]], None] | None = None,
    api: str = "many",
) -> ReplayResult:
    """Replay ``days`` generated days through ``engine`` (a default in-memory one if None).

    ``stream`` replays these batches instead of generating (``days`` of them at most; ``seed`` and
    ``reports_per_day`` are then only labels); ``observe`` is called after each day with the day's batch
    and the engine's event id for each of its reports (outside the timed sections), e.g. to score the
    clustering. ``api`` is what is timed: ``"many"`` (``submit_many`` on report dicts, explained
    Decision objects back), ``"many-lean"`` (the same with ``explain=False``: lean Decisions) or
    ``"columns"`` (``submit_columns`` on the batch's columns, arrays back; the columns are cut before
    the clock starts).
    """
    require_int("batch_size", batch_size, 1)
    if api not in APIS:
        raise ValueError(f"api={api!r}: expected one of {', '.join(APIS)}")
    if stream is None:
        from .synth import generate

        stream = generate(days=days, reports_per_day=reports_per_day, seed=seed)
    engine = engine or Engine()
    result = ReplayResult(days=0, reports=0, events=0, open_events=0, seconds_engine=0.0,
                          seconds_generate=0.0, reports_per_second=0.0, batch_size=batch_size)
    latencies = array("d")
    weights = array("q")
    timeline = result.timeline
    # The generator's incident id -> the engine events its reports opened, until the incident closes.
    # Each event closes with the incident of the report that opened it (as `evaluate` closes them), so
    # the events a missed duplicate split off close too, rather than staying open for good.
    opened_by: dict[str, list[str]] = {}
    open_events = engine.stats().open_events
    batches = iter(stream)
    for day in range(days):
        started = time.perf_counter()
        batch = next(batches, None)
        if batch is None:
            break
        reports = batch.reports() if api != "columns" else []
        columns_in = _columns(batch) if api == "columns" else None
        result.seconds_generate += time.perf_counter() - started

        day_seconds = 0.0
        day_events: list[str] = []
        closes = batch.closes  # in time order, as the reports are
        closes_done = 0

        def close_until(until: int | None) -> None:
            """Closes the events of the day's incidents closed at or before `until` (None: the rest)."""
            nonlocal closes_done, open_events, day_seconds
            first = closes_done
            while closes_done < len(closes) and (until is None or closes[closes_done][1] <= until):
                closes_done += 1
            closing = [(event_id, when) for incident, when in closes[first:closes_done]
                       for event_id in opened_by.pop(incident, ())]
            if not closing:
                return
            started, cpu = time.perf_counter(), time.process_time()
            # Passed over: an event that merged a report after its close time (one of the batch the
            # close fell in).
            closed = int(engine.close_many([c[0] for c in closing], [c[1] for c in closing], "已处置",
                                           skip_invalid=True).sum())
            day_seconds += time.perf_counter() - started
            result.cpu_seconds_engine += time.process_time() - cpu
            result.closes += closed
            result.closes_skipped += len(closing) - closed
            open_events -= closed

        for lo in range(0, len(batch), batch_size):
            hi = min(lo + batch_size, len(batch))
            close_until(int(batch.time[lo]))  # what was handled before this batch's first report
            if api != "columns":
                chunk = reports[lo:hi]
                started, cpu = time.perf_counter(), time.process_time()
                decisions = engine.submit_many(chunk, explain=api == "many")
                elapsed = time.perf_counter() - started
                result.cpu_seconds_engine += time.process_time() - cpu
                event_ids = [d.event_id for d in decisions]
                is_new = [d.is_new for d in decisions]
            else:
                assert columns_in is not None
                ids, texts, addresses, times, sources, categories, lat, lon = (c[lo:hi] for c in columns_in)
                started, cpu = time.perf_counter(), time.process_time()
                columns = engine.submit_columns(
                    ids, texts, addresses, times, sources, categories=categories, lat=lat, lon=lon
                )
                elapsed = time.perf_counter() - started
                result.cpu_seconds_engine += time.process_time() - cpu
                event_ids = columns.event_ids()
                is_new = columns.is_new.tolist()
            n = hi - lo
            day_seconds += elapsed
            latencies.append(elapsed / n * 1e6)
            weights.append(n)
            for event_id, incident, new in zip(event_ids, batch.event[lo:hi], is_new, strict=True):
                if new:
                    events = opened_by.setdefault(incident, [])
                    if event_id not in events:  # (a report id twice in a batch: answered, not applied)
                        events.append(event_id)
                        open_events += 1
            timeline.reports.append(result.reports + hi)
            timeline.latency_us.append(elapsed / n * 1e6)
            timeline.open_events.append(open_events)
            if observe is not None:
                day_events += event_ids
        close_until(None)
        started, cpu = time.perf_counter(), time.process_time()
        if batch.time:
            result.escalations += len(engine.advance(max(batch.time)))
        day_seconds += time.perf_counter() - started
        result.cpu_seconds_engine += time.process_time() - cpu

        if observe is not None:
            observe(batch, day_events)
        result.days += 1
        result.reports += len(batch)
        result.seconds_engine += day_seconds
        result.per_day.append({"day": day + 1, "reports": len(batch), "seconds": day_seconds,
                               "open_events": open_events})
        if progress is not None:
            progress(DayProgress(day + 1, days, len(batch), day_seconds, result.reports,
                                 result.seconds_engine, open_events))

    close = getattr(batches, "close", None)
    if close is not None:  # a generator left before its end (--days shorter than a file) closes its file now
        close()
    stats = engine.stats()
    result.events, result.open_events, result.index_bytes = stats.events, stats.open_events, stats.index_bytes
    result.purged_events = stats.purged_events
    result.index_bytes_per_open_event = stats.index_bytes / stats.open_events if stats.open_events else 0.0
    result.engine_bytes = engine.memory()
    total = result.engine_bytes["total"]
    result.engine_bytes_per_open_event = total / stats.open_events if stats.open_events else 0.0
    result.matchable_events = stats.events - stats.purged_events
    result.matching_bytes = sum(result.engine_bytes.get(part, 0) for part in MATCHING_PARTS)
    result.history_bytes = total - result.matching_bytes
    if result.matchable_events:
        result.matching_bytes_per_matchable_event = result.matching_bytes / result.matchable_events
    result.history_bytes_per_report = result.history_bytes / result.reports if result.reports else 0.0
    result.reports_per_second = result.reports / result.seconds_engine if result.seconds_engine else 0.0
    result.generated_per_second = result.reports / result.seconds_generate if result.seconds_generate else 0.0
    result.latency_us = _percentiles(latencies, weights, (0.5, 0.95, 0.99, 0.999))
    if latencies:
        # The slowest batch's, per report (with --batch 1, call's). A day's last batch can hold a few
        # reports, whose time per report is mostly the call's overhead: Timeline.slowest ranks whole calls.
        result.latency_us["max"] = max(latencies)
    result.peak_rss_bytes = _peak_rss_bytes()
    result.machine = _machine()
    return result


def read_stream(
    reports: str | Path, truth: str | Path | None = None, *, tz: tzinfo = timezone(timedelta(hours=8))
) -> Iterator[Batch]:
    """Batches of a JSON Lines report file, one per calendar day in ``tz`` (a new batch whenever the
    day of a report differs from the one before), for :func:`replay`.

    The reports go to the engine as they are in the file (``routing-core route``'s input form: ``id``,
    ``text``, ``address``, ``time``, ``source``, optional ``lat``, ``lon``, ``category``), so a city's
    own history replays as well as ``routing-core synth`` output. With the truth file that
    ``routing-core synth --truth`` writes (read in step with the reports), each report carries its
    incident and each day the incidents closed that day; without it there are no closes. One day is
    held at a time. The file must be clean (``routing-core route`` is the tool for a dirty one): a bad
    line raises :class:`InvalidReportError` naming the file and line.
    """
    file_batch = _file_batch_type()
    shift = int((tz.utcoffset(None) or timedelta(0)).total_seconds())
    truth_rows = _Truth(Path(truth), tz) if truth is not None else None
    try:
        yield from _days(Path(reports), truth, truth_rows, file_batch, shift, tz)
    finally:
        if truth_rows is not None:
            truth_rows.rows.close()


def _days(
    reports: Path, truth: Any, truth_rows: _Truth | None, file_batch: Any, shift: int, tz: tzinfo
) -> Iterator[Batch]:
    batch: Any = None
    day = None
    for lineno, record in _jsonl(reports):
        epoch = to_epoch(record.get("time"), f"{reports}:{lineno}: time", tz)
        key = (epoch + shift) // 86400
        if key != day:
            if batch is not None:
                if truth_rows is not None:
                    truth_rows.closes(batch.closes)
                yield batch
            batch, day = file_batch(day=0 if batch is None else batch.day + 1), key
        rid = record.get("id")
        incident = str(rid)
        if truth_rows is not None:
            row = truth_rows.next_report(batch.closes)
            got = None if row is None else row.get("id")
            if got != rid:
                raise InvalidReportError(
                    f"{truth}: the truth row for report {rid!r} ({reports}:{lineno}) is for {got!r}: "
                    "expected the truth file written with this reports file",
                    "truth",
                    repr(got),
                )
            incident = str(row.get("event"))  # type: ignore[union-attr]
        batch.raw.append(record)
        batch.id.append(str(rid))
        batch.time.append(epoch)
        batch.event.append(incident)
        batch.text.append(record.get("text"))
        batch.address.append(record.get("address"))
        batch.source.append(record.get("source"))
        batch.category_hint.append(record.get("category"))
        batch.lat.append(record.get("lat"))
        batch.lon.append(record.get("lon"))
    if batch is not None:
        if truth_rows is not None:
            truth_rows.closes(batch.closes)
        yield batch


class _Truth:
    """The truth file of ``routing-core synth --truth``: report rows, each day followed by its close rows."""

    def __init__(self, path: Path, tz: tzinfo) -> None:
        self.path, self.tz = path, tz
        self.rows = _jsonl(path)
        self.ahead: dict[str, Any] | None = None

    def closes(self, out: list[tuple[str, int]]) -> None:
        """Close rows up to the next report row (kept for :meth:`next_report`) go to ``out``."""
        if self.ahead is not None:
            return
        for lineno, row in self.rows:
            if "close" not in row:
                self.ahead = row
                return
            out.append((str(row["close"]), to_epoch(row.get("time"), f"{self.path}:{lineno}: time", self.tz)))

    def next_report(self, closes: list[tuple[str, int]]) -> dict[str, Any] | None:
        self.closes(closes)
        row, self.ahead = self.ahead, None
        return row


def _jsonl(path: Path) -> Generator[tuple[int, dict[str, Any]], None, None]:
    for lineno, record, problem in json_lines(path):
        if record is None:
            raise InvalidReportError(f"{path}:{lineno}: not a JSON line ({problem})", "line", str(lineno))
        yield lineno, record


@lru_cache(maxsize=1)
def _file_batch_type() -> type[Any]:
    from .synth import Batch

    @dataclass
    class FileBatch(Batch):
        """A day read from a file: ``reports()`` gives the reports as they were written."""

        raw: list[dict[str, Any]] = field(default_factory=list)

        def reports(self) -> list[dict[str, Any]]:
            return self.raw

    return FileBatch
