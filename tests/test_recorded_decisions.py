"""Recovery checks each replayed report's event against the one the journal recorded for it.

A build that decides otherwise than the one that wrote a store (another library build, another
platform's math library) is made here by editing the journal: a report's text changed in the ops
table decides otherwise on replay, as a different build would; a step taken out leaves the steps
out of step with the reports.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from routing_core import Engine
from routing_core.errors import StoreError
from routing_core.store.snapshots import SnapshotWarning
from store_helpers import events


def _write(db: Path, reports: list[dict[str, Any]], snapshot_after: int | None = None) -> None:
    with Engine(store=db, snapshot_every=0) as engine:
        for k, r in enumerate(reports):
            engine.submit(r, explain=False)
            if k + 1 == snapshot_after:
                engine.snapshot()


def _merged_report(db: Path, after_op: int = 0) -> tuple[str, str]:
    """A report journaled as merged into an event, after operation position ``after_op``: its id, its
    event."""
    with closing(sqlite3.connect(db)) as conn:
        row = conn.execute(
            "SELECT s.report_id, s.event_id FROM steps s JOIN ops o ON o.report_id = s.report_id "
            "WHERE s.kind = 'merged' AND o.seq > ? ORDER BY o.seq LIMIT 1", (after_op,)
        ).fetchone()
    assert row is not None, "the stream must hold a duplicate"
    return row[0], row[1]


def _decide_otherwise(db: Path, report_id: str) -> None:
    """What another build would do with the report: it stands alone on replay."""
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE ops SET text = '天台上有一只走失的孔雀', address = '' WHERE report_id = ?",
                     (report_id,))


def test_a_report_that_replays_into_another_event_stops_the_recovery(
    tmp_path: Path, sample_reports: list[dict[str, Any]]
) -> None:
    db = tmp_path / "events.sqlite"
    _write(db, sample_reports)
    report_id, event_id = _merged_report(db)
    _decide_otherwise(db, report_id)
    expected = f"report '{report_id}' was merged in event {event_id}, and replays into E"
    with pytest.raises(StoreError, match=expected):
        Engine(store=db)


def test_a_tail_that_replays_otherwise_after_a_snapshot_stops_the_recovery_too(
    tmp_path: Path, sample_reports: list[dict[str, Any]]
) -> None:
    # The snapshot's tail does not replay: the snapshot is set aside, and the full replay differs as well.
    db = tmp_path / "events.sqlite"
    _write(db, sample_reports, snapshot_after=100)
    report_id, _ = _merged_report(db, after_op=100)
    _decide_otherwise(db, report_id)
    with pytest.warns(SnapshotWarning, match="does not replay to the decisions it recorded"):
        with pytest.raises(StoreError, match=f"report '{report_id}' was merged"):
            Engine(store=db, snapshot_dir=tmp_path / "events.sqlite.snapshots")


def test_a_snapshot_whose_tail_replays_as_recorded_is_used(
    tmp_path: Path, sample_reports: list[dict[str, Any]]
) -> None:
    db = tmp_path / "events.sqlite"
    _write(db, sample_reports[:200], snapshot_after=100)
    with Engine(store=db) as reopened:
        assert reopened.recovery is not None and reopened.recovery.snapshot is not None
        assert reopened.recovery.reports == 100
        replayed = events(reopened)
    fresh = Engine()
    fresh.submit_many(sample_reports[:200], explain=False)
    assert replayed == events(fresh)


def test_steps_out_of_step_with_the_reports_stop_the_recovery(
    tmp_path: Path, sample_reports: list[dict[str, Any]]
) -> None:
    db = tmp_path / "events.sqlite"
    _write(db, sample_reports[:50])
    with closing(sqlite3.connect(db)) as conn, conn:
        second = conn.execute(
            "SELECT report_id FROM ops WHERE kind = 'report' ORDER BY seq LIMIT 1 OFFSET 1"
        ).fetchone()[0]
        conn.execute("DELETE FROM steps WHERE report_id = ?", (second,))
    with pytest.raises(StoreError, match=f"report '{second}' .* has a step of report"):
        Engine(store=db)
