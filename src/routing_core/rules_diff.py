"""What a rules change moves: the same reports replayed under two rules files, side by side.

``routing-core rules diff`` is what an operator runs before a rules change, on a month or a year of
history. Both engines take the reports in the file's order, a batch at a time, each engine on a thread
of its own: every engine call releases the GIL, and the two engines share nothing. They decide without
explanations, which gives the same events, categories and routing as ``submit`` does, and no Decision
objects are made: the few fields compared are read from the core's decisions. The reports are read as
the replay goes, and only counts and the reports whose routing changes are kept, with each report's id and
its two events' numbers (for :mod:`routing_core.event_regrouping`): memory grows with the changes and
the report ids, not with the file.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _core
from .arguments import require_int
from .decision import Decision
from .engine import Engine
from .errors import RoutingCoreError
from .event_regrouping import Regrouping, event_number, regroup
from .one_at_a_time import convert_batch, decide_batch

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = ["COUNTED_FIELDS", "ROUTE_FIELDS", "RulesDiff", "diff_rules"]

#: The fields of a decision that a rules change can move, compared report by report.
ROUTE_FIELDS = ("category", "platform", "level", "unit_name")
#: The fields whose values are also counted under each rules file (reports per platform, ...).
COUNTED_FIELDS = ("platform", "level", "category")

#: A report's routing under one rules file: its event, the ROUTE_FIELDS, and its text's first 60 characters.
Route = dict[str, Any]
#: (line number, report) of the reports file.
Record = tuple[int, dict[str, Any]]
#: One engine's answer to a batch: each report's (id, route), None where rejected; the rejections by line.
_Routed = tuple[list[tuple[str, Route] | None], list[tuple[int, RoutingCoreError]]]


def _counters() -> dict[str, Counter[str]]:
    return {f: Counter() for f in COUNTED_FIELDS}


@dataclass
class RulesDiff:
    """What :func:`diff_rules` found. Reports are counted once per id: a re-sent report is the same one."""

    reports: int = 0  # the reports given (re-sent and rejected ones included)
    both: int = 0  # distinct report ids accepted under both rules files
    changed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ROUTE_FIELDS, 0))
    moved: dict[str, tuple[Route, Route]] = field(default_factory=dict)  # id → (old, new), a field differs
    before: dict[str, Counter[str]] = field(default_factory=_counters)  # over `both`, under the old file
    after: dict[str, Counter[str]] = field(default_factory=_counters)  # the same under the new file
    only_old: list[str] = field(default_factory=list)  # ids accepted under the old file alone, sorted
    only_new: list[str] = field(default_factory=list)
    events: Regrouping = field(default_factory=Regrouping)  # which reports fuse differently (at the end)

    def to_dict(self, old: str, new: str) -> dict[str, Any]:
        """The JSON document of ``rules diff --json``: the changed reports in id order."""
        return {
            "old": old,
            "new": new,
            "reports": self.reports,
            "changed": {rid: {"old": a, "new": b} for rid, (a, b) in sorted(self.moved.items())},
            "only_old": self.only_old,
            "only_new": self.only_new,
            "events": self.events.to_dict(),
        }


def diff_rules(
    old: str | Path,
    new: str | Path,
    records: Iterable[Record],
    *,
    batch_size: int = 1000,
    on_error: Callable[[int, str, RoutingCoreError], None] | None = None,
    on_batch: Callable[[RulesDiff], None] | None = None,
    gazetteer: str | Path | None = None,
    match: str | Path | None = None,
) -> RulesDiff:
    """Replays ``records`` ((line number, report) pairs) under both rules files and compares their routing.

    A report that one engine rejects is skipped by that engine alone, after ``on_error(line, which,
    error)`` (``which`` is ``"old"`` or ``"new"``); the others of its batch go through as they would one
    at a time. ``on_batch`` is called with the counts so far after every batch. Both engines load
    ``gazetteer`` and ``match`` (None: the bundled files).
    """
    require_int("batch_size", batch_size, 1)
    engines = tuple(Engine(rules=rules, gazetteer=gazetteer, match=match) for rules in (old, new))
    same_tz = engines[0]._tz == engines[1]._tz
    diff = RulesDiff()
    tally = _Tally(diff)

    def take(batch: list[Record], results: tuple[Future[_Routed], Future[_Routed]]) -> None:
        (old_routes, old_errors), (new_routes, new_errors) = (f.result() for f in results)
        if on_error is not None:
            for which, errors in (("old", old_errors), ("new", new_errors)):
                for lineno, exc in errors:
                    on_error(lineno, which, exc)
        diff.reports += len(batch)
        for a, b in zip(old_routes, new_routes, strict=True):
            tally.add(a, b)
        if on_batch is not None:
            on_batch(diff)

    # One thread per engine, so that each takes its batches in order; this thread reads and converts the
    # next batch (once for both engines when they read times in the same time zone) and tallies the last
    # one meanwhile. The engines hold the GIL only to take the reports and give the decisions.
    with (ThreadPoolExecutor(1, "rules-diff-old") as old_thread,
          ThreadPoolExecutor(1, "rules-diff-new") as new_thread):
        in_flight: list[tuple[list[Record], tuple[Future[_Routed], Future[_Routed]]]] = []
        for batch in _batches(records, batch_size):
            old_cores = convert_batch(engines[0], batch)
            new_cores = old_cores if same_tz else convert_batch(engines[1], batch)
            in_flight.append((batch, (old_thread.submit(_route, engines[0], batch, old_cores),
                                      new_thread.submit(_route, engines[1], batch, new_cores))))
            if len(in_flight) > 1:
                take(*in_flight.pop(0))
        for batch, results in in_flight:
            take(batch, results)
    diff.only_old = sorted(tally.waiting[0])
    diff.only_new = sorted(tally.waiting[1])
    diff.events = regroup(tally.ids, tally.old_events, tally.new_events)
    return diff


def _batches(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _as_route(d: Decision | _core.Decision, report: dict[str, Any]) -> tuple[str, Route]:
    return d.report_id, {
        "event_id": d.event_id,
        "category": d.category,
        "platform": d.platform,
        "level": d.level,
        "unit_name": d.unit_name,
        "text": str(report.get("text", ""))[:60],
    }


def _route(engine: Engine, batch: list[Record], cores: list[_core.Report] | None) -> _Routed:
    """Each report's (id, route), None for a rejected one; and the rejections, by line. ``cores``: the
    batch converted for this engine, None when a report of it does not convert (one at a time then)."""
    reports = [r for _, r in batch]
    # The core's decisions, without Decision objects: only these fields are read.
    decided = decide_batch(engine, batch, cores, explain=False)
    if isinstance(decided, tuple):
        one_by_one, errors = decided
        routes = [None if d is None else _as_route(d, r) for d, r in zip(one_by_one, reports, strict=True)]
        return routes, errors
    return [_as_route(d, r) for d, r in zip(decided, reports, strict=True)], []


class _Tally:
    """Adds each report's two routes to the diff, once per report id.

    A report id's route under a rules file is the one its first acceptance gave (a re-sent report gets
    its original decision). An id accepted under one file only waits in ``waiting`` until the other file
    accepts it too (a later line with the same id), or to the end, where it is reported as such. Each
    counted id is kept in ``ids``, with its event's number under each file.
    """

    def __init__(self, diff: RulesDiff) -> None:
        self.diff = diff
        self.counted: set[str] = set()
        self.waiting: tuple[dict[str, Route], dict[str, Route]] = ({}, {})
        self.ids: list[str] = []
        self.old_events = array("q")
        self.new_events = array("q")

    def add(self, a: tuple[str, Route] | None, b: tuple[str, Route] | None) -> None:
        """One report's (id, route) under the old and the new file, None where that file rejected it."""
        either = a if a is not None else b
        if either is None or either[0] in self.counted:
            return
        rid = either[0]
        old = self.waiting[0].get(rid) or (a[1] if a is not None else None)
        new = self.waiting[1].get(rid) or (b[1] if b is not None else None)
        if old is None or new is None:
            if old is not None:
                self.waiting[0][rid] = old
            if new is not None:
                self.waiting[1][rid] = new
            return
        self.waiting[0].pop(rid, None)
        self.waiting[1].pop(rid, None)
        self.counted.add(rid)
        self._compare(rid, old, new)

    def _compare(self, rid: str, old: Route, new: Route) -> None:
        diff = self.diff
        diff.both += 1
        self.ids.append(rid)
        self.old_events.append(event_number(old["event_id"]))
        self.new_events.append(event_number(new["event_id"]))
        moved = False
        for f in ROUTE_FIELDS:
            if old[f] != new[f]:
                diff.changed[f] += 1
                moved = True
        for f in COUNTED_FIELDS:
            diff.before[f][old[f]] += 1
            diff.after[f][new[f]] += 1
        if moved:
            diff.moved[rid] = (old, new)


def errors_to(
    out: SupportsWrite[str], source: str, names: tuple[str, str]
) -> Callable[[int, str, RoutingCoreError], None]:
    """An ``on_error`` that prints ``source:line: under <rules file>: <error>`` lines to ``out``."""

    def report(lineno: int, which: str, exc: RoutingCoreError) -> None:
        print(f"{source}:{lineno}: under {names[0] if which == 'old' else names[1]}: {exc}", file=out)

    return report
