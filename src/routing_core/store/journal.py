"""The journal: keeps a store in step with an engine's core.

Order of work for each call: under one lock, the core applies the change (validating first, so a
rejected input reaches neither memory nor store), then the store appends it in one transaction, then
the call returns. The lock makes the store's order the core's order, which recovery depends on. When
the append fails, memory is ahead of the store: the journal refuses every further change (StoreError)
until the engine is re-opened from the store, so nothing is acknowledged that is not durable.

What is journaled: each report applied for the first time (a re-sent id is answered from the core's
receipt and changes nothing, so it is not journaled again; within a batch only the first occurrence
of an id is), each close, and each advance that escalated at least one event (one that escalates
nothing changes no state). Steps: ``opened`` + ``routed`` for a new event, ``merged`` (with the
event's routing after the merge) for a duplicate, ``escalated``, ``closed``.
"""

from __future__ import annotations

import hashlib
import threading
import time as _time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import _core
from ..errors import ConfigError, StoreError
from .base import Op, Step, Store

__all__ = ["Journal", "RecoveryStats", "config_digest"]

_REPLAY_BATCH = 4096


@dataclass(frozen=True)
class RecoveryStats:
    """What re-opening a store replayed, and how long it took."""

    reports: int
    closes: int
    advances: int
    seconds: float


def config_digest(*, rules: Path, gazetteer: Path, match: Path, limits: Sequence[int], version: str) -> str:
    """SHA-256 of everything that decides how a journal replays: data files, limits, library version."""
    h = hashlib.sha256()
    for path in (rules, gazetteer, match):
        data = path.read_bytes()
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    h.update(repr(tuple(limits)).encode())
    h.update(version.encode())
    return h.hexdigest()


class Journal:
    """Wires a Store to a core engine; replays the store into the (empty) core on construction."""

    def __init__(self, store: Store, core: _core.Engine, digest: str) -> None:
        self.store = store
        self._core = core
        self._lock = threading.Lock()
        self._failed: str | None = None
        stored = store.get_meta("config")
        if stored is None:
            store.set_meta("config", digest)
        elif stored != digest:
            store.close()
            raise ConfigError(
                f"store {store.url}: written with other rules, gazetteer, match parameters, limits or "
                "library version; its journal would not replay to the same state. Open it with the "
                "configuration that wrote it, or start a new store"
            )
        try:
            self.recovery = self._replay()
        except BaseException:
            store.close()
            raise

    # -- recovery -------------------------------------------------------------------------------

    def _replay(self) -> RecoveryStats:
        start = _time.perf_counter()
        counts = {"report": 0, "close": 0, "advance": 0}
        batch: list[_core.Report] = []

        def flush() -> None:
            if batch:
                self._core.submit_many(batch)
                batch.clear()

        try:
            for op in self.store.ops():
                counts[op.kind] += 1
                if op.kind == "report":
                    assert op.report_id is not None
                    batch.append(
                        _core.Report(
                            id=op.report_id,
                            text=op.text,
                            address=op.address,
                            time=op.time,
                            source=op.source,
                            category=op.category,
                            lat=op.lat,
                            lon=op.lon,
                        )
                    )
                    if len(batch) >= _REPLAY_BATCH:
                        flush()
                    continue
                flush()
                if op.kind == "close":
                    self._core.close(op.event_id, op.time, op.resolution)
                else:
                    self._core.advance(op.time)
            flush()
        except Exception as exc:  # a journal that does not replay is a broken store, say which
            raise StoreError(f"store {self.store.url}: cannot replay the journal: {exc}") from exc
        if self._core.stats().reports != counts["report"]:
            raise StoreError(
                f"store {self.store.url}: replayed {counts['report']} reports but the engine holds "
                f"{self._core.stats().reports}"
            )
        return RecoveryStats(
            counts["report"], counts["close"], counts["advance"], _time.perf_counter() - start
        )

    # -- changes --------------------------------------------------------------------------------

    def _check(self) -> None:
        if self._failed is not None:
            raise StoreError(
                f"store {self.store.url}: a write failed ({self._failed}); the engine is ahead of its store "
                "and refuses changes: open a new Engine on the store to go on from its durable state"
            )

    def _append(self, ops: list[Op], steps: list[Step]) -> None:
        if not ops:
            return
        try:
            self.store.append(ops, steps)
        except StoreError as exc:
            self._failed = str(exc)
            raise

    def submit(self, report: _core.Report) -> _core.Decision:
        with self._lock:
            self._check()
            fresh = not self._core.knows_report(report.id)
            decision = self._core.submit(report)
            if fresh:
                ops: list[Op] = []
                steps: list[Step] = []
                _record(report, decision, ops, steps)
                self._append(ops, steps)
            return decision

    def submit_many(self, reports: list[_core.Report]) -> list[_core.Decision]:
        with self._lock:
            self._check()
            seen: set[str] = set()
            fresh = []
            for r in reports:
                fresh.append(r.id not in seen and not self._core.knows_report(r.id))
                seen.add(r.id)
            decisions = self._core.submit_many(reports)
            ops: list[Op] = []
            steps: list[Step] = []
            for r, d, is_fresh in zip(reports, decisions, fresh, strict=True):
                if is_fresh:
                    _record(r, d, ops, steps)
            self._append(ops, steps)  # one transaction per batch
            return decisions

    def close(self, event_id: str, when: int, resolution: str) -> _core.EventView:
        with self._lock:
            self._check()
            view = self._core.close(event_id, when, resolution)
            self._append(
                [Op("close", when, event_id=event_id, resolution=resolution)],
                [Step(view.id, "closed", when, view.level, view.unit_code, view.deadline, "", resolution)],
            )
            return view

    def advance(self, now: int) -> list[_core.Escalation]:
        with self._lock:
            self._check()
            escalations = self._core.advance(now)
            if escalations:
                self._append(
                    [Op("advance", now)],
                    [
                        Step(
                            e.event_id,
                            "escalated",
                            now,
                            e.to_level,
                            e.unit_code,
                            e.deadline,
                            "",
                            e.from_level,
                        )
                        for e in escalations
                    ],
                )
            return escalations

    def close_store(self) -> None:
        with self._lock:
            self.store.close()
            self._failed = self._failed or "the store was closed"


def _record(r: _core.Report, d: _core.Decision, ops: list[Op], steps: list[Step]) -> None:
    ops.append(Op("report", r.time, r.id, r.text, r.address, r.source, r.category, r.lat, r.lon))
    if d.is_new:
        steps.append(Step(d.event_id, "opened", r.time, d.level, d.unit_code, d.deadline, r.id, d.category))
        steps.append(Step(d.event_id, "routed", r.time, d.level, d.unit_code, d.deadline, r.id, d.platform))
    else:
        steps.append(Step(d.event_id, "merged", r.time, d.level, d.unit_code, d.deadline, r.id, d.platform))
