"""The journal: keeps a store in step with an engine's core.

Order of work for each call: under one lock, the core applies the change (validating first, so a
rejected input reaches neither memory nor store), then the store appends it in one transaction, then
the call returns. The lock makes the store's order the core's order, which recovery depends on. When
the append fails, memory is ahead of the store: the journal refuses every further change (StoreError)
until the engine is re-opened from the store, so nothing is acknowledged that is not durable.

Snapshots (``snapshots.py``): with a snapshot directory, the journal writes the core's whole state
to a file every ``snapshot_every`` journaled reports (and on ``snapshot()``), under the same lock, so
submits wait while it writes. Re-opening loads the newest snapshot that checks out (file checksum,
configuration, engine version, this store's id, the operation it ends with still in the journal) and
replays only the operations after it; a snapshot that does not check out is skipped with a
SnapshotWarning, down to a full replay, which always works: the journal alone holds every operation.
Each replayed report's event is checked against the one its step recorded (``recorded_decisions``),
so a build that decides otherwise stops the recovery instead of holding other events.

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
import uuid
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _core
from ..columns import ReportColumns
from ..errors import ConfigError, RoutingCoreError, StoreError
from ..report import lone_surrogate_at
from . import snapshots as _snapshots
from .base import Op, Step, Store
from .recorded_decisions import RecordedDecisions, steps_at_key
from .snapshots import SnapshotWarning

if TYPE_CHECKING:
    from ..columns import DecisionColumns

__all__ = ["DEFAULT_SNAPSHOT_EVERY", "Journal", "RecoveryStats", "config_digest"]

_REPLAY_BATCH = 4096
#: Journaled reports between two automatic snapshots. A restart loads the snapshot (≈ 8 µs per event)
#: and replays at most this many reports: ≈ 24 s at today's ≈ 840 reports/s on the generated Ningbo
#: stream, so 1M events restart in about 30 s (benchmarks/RESULTS.md). Each snapshot pauses the engine
#: ≈ 20 µs per event (20 s at 1M events): every 2.5 days at Ningbo's 8,000 reports a day.
DEFAULT_SNAPSHOT_EVERY = 20_000


@dataclass(frozen=True)
class RecoveryStats:
    """What re-opening a store replayed, and how long it took.

    ``reports``, ``closes`` and ``advances`` count the operations replayed from the journal: all of
    them, or those after the snapshot that was loaded (``snapshot``, its path; ``snapshot_seconds``,
    the time loading it took, part of ``seconds``). ``skipped_snapshots`` counts snapshots that did
    not check out (each with a SnapshotWarning).
    """

    reports: int
    closes: int
    advances: int
    seconds: float
    snapshot: str | None = None
    snapshot_seconds: float = 0.0
    skipped_snapshots: int = 0


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
    """Wires a Store to a core engine; recovers the store into the (empty) core on construction.

    Parameters
    ----------
    store, core, digest
        The store, an empty core engine, and the configuration digest (``config_digest``).
    new_core : callable, optional
        Makes another empty core like ``core``: recovery needs one when a snapshot loaded but its
        journal tail did not replay. Without it, such a store fails to open (StoreError).
    snapshot_dir : path, optional
        Where snapshots are written and looked for; None: no snapshots (full replay on open).
    snapshot_every : int
        Journaled reports between two automatic snapshots; 0: only explicit ``snapshot()`` calls.

    After construction ``core`` is the recovered core (another object than the one given when a
    fallback needed a fresh one).
    """

    def __init__(
        self,
        store: Store,
        core: _core.Engine,
        digest: str,
        *,
        new_core: Callable[[], _core.Engine] | None = None,
        snapshot_dir: Path | None = None,
        snapshot_every: int = 0,
    ) -> None:
        self.store = store
        self.core = core
        self._new_core = new_core
        self._lock = threading.Lock()
        self._failed: str | None = None
        self.snapshot_dir = snapshot_dir
        self.snapshot_every = snapshot_every
        self._since_snapshot = 0
        try:
            stored = store.get_meta("config")
            if stored is None:
                store.set_meta("config", digest)
            elif stored != digest:
                raise ConfigError(
                    f"store {store.url}: written with other rules, gazetteer, match parameters, limits or "
                    "library version; its journal would not replay to the same state. Open it with the "
                    "configuration that wrote it, or start a new store"
                )
            store_id = store.get_meta("store_id")
            if store_id is None:
                store_id = uuid.uuid4().hex
                store.set_meta("store_id", store_id)
            self._store_id = store_id
            self.recovery = self._recover()
        except BaseException:
            store.close()
            raise

    # -- recovery -------------------------------------------------------------------------------

    def _recover(self) -> RecoveryStats:
        start = _time.perf_counter()
        skipped = 0
        if self.snapshot_dir is not None:
            _snapshots.prune(self.snapshot_dir, self._store_id, temporaries=True)
            last = self.store.last_position()
            for snap in _snapshots.snapshot_files(self.snapshot_dir, self._store_id):
                if snap.position > last:
                    # The journal ends before it (a torn write took its end): the snapshot holds
                    # operations the store lost, and positions past the end may be reused. Never load it.
                    self._skip(snap, f"it ends at journal position {snap.position}, the journal at {last}")
                    snap.path.unlink(missing_ok=True)
                    skipped += 1
                    continue
                first = next(self.store.positioned_ops(snap.position - 1), None)
                if first is None or first[0] != snap.position or _snapshots.op_tag(first[1]) != snap.tag:
                    # The journal was cut back and written again past it: another operation stands at
                    # its position now. It belongs to a history the store no longer has.
                    self._skip(
                        snap,
                        f"the journal's operation at position {snap.position} is not the one it ends with",
                    )
                    snap.path.unlink(missing_ok=True)
                    skipped += 1
                    continue
                loaded = _time.perf_counter()
                try:
                    self.core.load_snapshot(str(snap.path))
                except RoutingCoreError as exc:
                    self._skip(snap, str(exc))
                    skipped += 1
                    continue
                loaded = _time.perf_counter() - loaded
                try:
                    counts = self._replay(after=snap.position)
                except StoreError as exc:
                    self._skip(snap, str(exc))
                    skipped += 1
                    if self._new_core is None:
                        raise
                    self.core = self._new_core()  # the loaded state is not trusted: start again
                    continue
                return RecoveryStats(
                    counts["report"],
                    counts["close"],
                    counts["advance"],
                    _time.perf_counter() - start,
                    str(snap.path),
                    loaded,
                    skipped,
                )
        counts = self._replay()
        return RecoveryStats(
            counts["report"],
            counts["close"],
            counts["advance"],
            _time.perf_counter() - start,
            None,
            0.0,
            skipped,
        )

    def _skip(self, snap: _snapshots.SnapshotFile, reason: str) -> None:
        warnings.warn(
            f"store {self.store.url}: snapshot {snap.path.name} not used ({reason}); "
            "replaying more of the journal instead",
            SnapshotWarning,
            stacklevel=4,
        )

    def _replay(self, after: int = 0) -> dict[str, int]:
        """Replays the operations after position ``after`` into the core, each report's event checked
        against the one the journal recorded for it (see ``recorded_decisions``); returns their counts."""
        counts = {"report": 0, "close": 0, "advance": 0}
        recorded = self._recorded_decisions(after)
        batch: list[Op] = []

        def flush() -> None:
            if batch:
                # The core's columnar submit: the same decisions, none of them built, each one's event.
                ids = [op.report_id or "" for op in batch]  # (a report op always has one)
                events = self.core.submit_columns(*_report_columns(ids, batch).core_args())["event"]
                if recorded is not None:
                    recorded.check(ids, self.core.event_ids(events))
                batch.clear()

        ops = self.store.positioned_ops(after)
        try:
            for _, op in ops:
                counts[op.kind] += 1
                if op.kind == "report":
                    assert op.report_id is not None
                    batch.append(op)
                    if len(batch) >= _REPLAY_BATCH:
                        flush()
                    continue
                flush()
                if op.kind == "close":
                    self.core.close(op.event_id, op.time, op.resolution)
                else:
                    self.core.advance(op.time)
            flush()
        except Exception as exc:  # a journal that does not replay is a broken store, say which
            raise StoreError(f"store {self.store.url}: cannot replay the journal: {exc}") from exc
        expected = counts["report"] if not after else self.store.counts()["report"]
        if self.core.stats().reports != expected:
            raise StoreError(
                f"store {self.store.url}: the journal holds {expected} reports but the engine "
                f"{self.core.stats().reports} after replaying it"
            )
        return counts

    def _recorded_decisions(self, after: int) -> RecordedDecisions | None:
        """The recorded events of the reports after operation position ``after``: all of them from the
        start, or those after the step position recorded with the snapshot taken at ``after``; None
        for a snapshot written before positions were recorded with snapshots (replayed unchecked)."""
        if not after:
            return RecordedDecisions(self.store, 0)
        steps_at = self.store.get_meta(steps_at_key(after))
        return None if steps_at is None else RecordedDecisions(self.store, int(steps_at))

    # -- snapshots ------------------------------------------------------------------------------

    def snapshot(self) -> Path:
        """Write a snapshot now (submits wait until it is written); returns its path."""
        with self._lock:
            self._check()
            return self._snapshot_locked()

    def _snapshot_locked(self) -> Path:
        if self.snapshot_dir is None:
            raise StoreError(
                f"store {self.store.url}: no snapshot directory; open the engine with snapshot_dir=..."
            )
        position = self.store.last_position()
        first = next(self.store.positioned_ops(position - 1), None) if position else None
        if first is None or first[0] != position:
            raise StoreError(f"store {self.store.url}: nothing journaled yet, no snapshot to take")
        try:
            self.snapshot_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"store {self.store.url}: cannot make the snapshot directory {self.snapshot_dir}: {exc}"
            ) from exc
        # Where the steps stand, for checking the replay of the journal's tail after this snapshot;
        # written before the file, so that a snapshot file always has it.
        self.store.set_meta(steps_at_key(position), str(self.store.last_step_position()))
        path = _snapshots.snapshot_path(
            self.snapshot_dir, self._store_id, position, _snapshots.op_tag(first[1])
        )
        try:
            self.core.save_snapshot(str(path))
        except RoutingCoreError as exc:
            raise StoreError(f"store {self.store.url}: {exc}") from exc
        self._since_snapshot = 0
        try:
            _snapshots.prune(self.snapshot_dir, self._store_id)
        except OSError as exc:  # the new snapshot is written: older ones left behind are only disk
            warnings.warn(f"old snapshots not deleted: {exc}", SnapshotWarning, stacklevel=3)
        return path

    def _after_reports(self, journaled: int) -> None:
        """Counts journaled reports; takes the automatic snapshot when ``snapshot_every`` is reached.
        A failed automatic snapshot warns and is tried again ``snapshot_every`` reports later: the
        reports themselves are durable already."""
        if not journaled or not self.snapshot_every or self.snapshot_dir is None:
            return
        self._since_snapshot += journaled
        if self._since_snapshot < self.snapshot_every:
            return
        try:
            self._snapshot_locked()
        except (StoreError, OSError) as exc:
            self._since_snapshot = 0
            warnings.warn(f"automatic snapshot failed: {exc}", SnapshotWarning, stacklevel=4)

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

    def submit(self, report: _core.Report, *, explain: bool = True) -> _core.Decision:
        with self._lock:
            self._check()
            fresh = not self.core.knows_report(report.id)
            decision = self.core.submit(report, explain)
            if fresh:
                ops: list[Op] = []
                steps: list[Step] = []
                _record(report, decision, ops, steps)
                self._append(ops, steps)
                self._after_reports(1)
            return decision

    def submit_many(self, reports: list[_core.Report], *, explain: bool = True) -> list[_core.Decision]:
        with self._lock:
            self._check()
            seen: set[str] = set()
            fresh = []
            for r in reports:
                fresh.append(r.id not in seen and not self.core.knows_report(r.id))
                seen.add(r.id)
            decisions = self.core.submit_many(reports, explain)
            ops: list[Op] = []
            steps: list[Step] = []
            for r, d, is_fresh in zip(reports, decisions, fresh, strict=True):
                if is_fresh:
                    _record(r, d, ops, steps)
            self._append(ops, steps)  # one transaction per batch
            self._after_reports(sum(fresh))
            return decisions

    def submit_columns(
        self, reports: ReportColumns, decide: Callable[[], DecisionColumns]
    ) -> DecisionColumns:
        """``decide()`` (the engine's columnar submit of ``reports``) under the journal's lock, then the
        fresh reports' operations and steps from its columns, in one transaction: what
        :meth:`submit_many` journals for the same reports, without building a Decision per report."""
        with self._lock:
            self._check()
            seen: set[str] = set()
            fresh = []
            for report_id in reports.ids:
                # An id that is not a str (perhaps not hashable) or that the core cannot take (a lone
                # surrogate) is refused by decide(), naming it, before anything is written.
                if not isinstance(report_id, str) or lone_surrogate_at(report_id) is not None:
                    fresh.append(False)
                    continue
                fresh.append(report_id not in seen and not self.core.knows_report(report_id))
                seen.add(report_id)
            decisions = decide()
            ops: list[Op] = []
            steps: list[Step] = []
            rows = [i for i, is_fresh in enumerate(fresh) if is_fresh]
            if rows:
                event_ids = decisions.event_ids()
                levels, units = decisions.level_codes(), decisions.unit_codes()
                categories, platforms = decisions.category_codes(), decisions.platform_codes()
                for i in rows:
                    report_id, t = reports.ids[i], int(reports.times[i])
                    ops.append(Op("report", t, report_id, *reports.fields(i)))
                    e, level, unit, deadline = event_ids[i], levels[i], units[i], int(decisions.deadline[i])
                    if decisions.is_new[i]:
                        steps.append(Step(e, "opened", t, level, unit, deadline, report_id, categories[i]))
                        steps.append(Step(e, "routed", t, level, unit, deadline, report_id, platforms[i]))
                    else:
                        steps.append(Step(e, "merged", t, level, unit, deadline, report_id, platforms[i]))
            self._append(ops, steps)  # one transaction per batch
            self._after_reports(len(rows))
            return decisions

    def close(self, event_id: str, when: int, resolution: str) -> _core.EventView:
        with self._lock:
            self._check()
            view = self.core.close(event_id, when, resolution)
            self._append(
                [Op("close", when, event_id=event_id, resolution=resolution)],
                [Step(view.id, "closed", when, view.level, view.unit_code, view.deadline, "", resolution)],
            )
            return view

    def close_many(self, event_ids: list[str], times: Any, resolutions: list[str], skip_invalid: bool) -> Any:
        with self._lock:
            self._check()
            done = self.core.close_many(event_ids, times, resolutions, skip_invalid)
            ops: list[Op] = []
            steps: list[Step] = []
            for i in done["closed"].nonzero()[0].tolist():
                when, resolution = int(times[i]), resolutions[0 if len(resolutions) == 1 else i]
                ops.append(Op("close", when, event_id=event_ids[i], resolution=resolution))
                steps.append(Step(event_ids[i], "closed", when, done["level"][i], done["unit_code"][i],
                                  int(done["deadline"][i]), "", resolution))
            self._append(ops, steps)
            return done

    def advance(self, now: int) -> list[_core.Escalation]:
        with self._lock:
            self._check()
            escalations = self.core.advance(now)
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


def _report_columns(ids: list[str], ops: list[Op]) -> ReportColumns:
    """Journaled reports as the columns the core's ``submit_columns`` takes: no position is NaN."""
    lat = lon = None
    if any(op.lat is not None or op.lon is not None for op in ops):
        nan = float("nan")
        lat = np.array([nan if op.lat is None else op.lat for op in ops], dtype=np.float64)
        lon = np.array([nan if op.lon is None else op.lon for op in ops], dtype=np.float64)
    return ReportColumns(ids, [op.text for op in ops], [op.address for op in ops],
                         np.array([op.time for op in ops], dtype=np.int64), [op.source for op in ops],
                         [op.category for op in ops], lat, lon)
