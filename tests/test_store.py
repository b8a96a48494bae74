"""The durable store: journaling, recovery to the same state, idempotency across restarts, failures.

Every test runs against SQLite and against a real PostgreSQL server (skipped, with the reason, only
where no server can run: see ``store_helpers.postgres_url``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from routing_core import ConfigError, Engine, InvalidReportError, StoreError
from routing_core.store import Op, SQLiteStore, Step, Store, open_store
from store_helpers import events, fresh_database, postgres_url  # noqa: F401  (postgres_url: fixture)

CUT = 150  # reports before the restart; the rest after it


@pytest.fixture(params=["sqlite", "postgresql"])
def store_spec(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "events.sqlite")
    return fresh_database(request.getfixturevalue("postgres_url"))


def _drive(engine: Engine, reports: Sequence[dict[str, Any]]) -> list[Any]:
    """Singles and batches, closes of every 7th new event and an advance every 40 reports."""
    decisions: list[Any] = []
    i = 0
    while i < len(reports):
        if i % 3 == 0:
            decisions.extend(engine.submit_many(reports[i : i + 5]))
            i += 5
        else:
            decisions.append(engine.submit(reports[i]))
            i += 1
        if len(decisions) % 40 < 5:
            engine.advance(reports[min(i, len(reports)) - 1]["time"])
    for d in decisions:
        if d.is_new and int(d.event_id[1:]) % 7 == 0 and engine.event(d.event_id).status == "open":
            engine.close(d.event_id, time=reports[-1]["time"], resolution="已处置")
    return decisions


def test_reopened_engine_continues_exactly_like_one_that_never_stopped(
    store_spec: str, sample_reports: list[dict[str, Any]]
) -> None:
    first, rest = sample_reports[:CUT], sample_reports[CUT:]
    reference = Engine()
    _drive(reference, first)
    with Engine(store=store_spec) as engine:
        _drive(engine, first)
        assert events(engine) == events(reference)
    reopened = Engine(store=store_spec)
    try:
        assert reopened.recovery is not None and reopened.recovery.reports == CUT
        assert reopened.stats() == reference.stats()
        assert events(reopened) == events(reference)
        # The next decisions are the same as an engine that never stopped.
        after = [d.to_dict() for d in _drive(reopened, rest)]
        assert after == [d.to_dict() for d in _drive(reference, rest)]
        assert events(reopened) == events(reference)
    finally:
        reopened.close_store()


def test_journal_holds_every_accepted_report_and_state_change(
    store_spec: str, sample_reports: list[dict[str, Any]]
) -> None:
    with Engine(store=store_spec) as engine:
        decisions = _drive(engine, sample_reports[:CUT])
        closed = [e for e in events(engine) if e.status == "closed"]
        escalated = sum(1 for e in events(engine) for s in e.history if s.kind == "escalated")
        store = engine.store
        assert store is not None
        ops = list(store.ops())
        steps = list(store.steps())
        assert [o.report_id for o in ops if o.kind == "report"] == [d.report_id for d in decisions]
        assert [(o.event_id, o.resolution) for o in ops if o.kind == "close"] == [
            (e.id, "已处置") for e in closed
        ]
        by_kind: dict[str, list[Step]] = {}
        for s in steps:
            by_kind.setdefault(s.kind, []).append(s)
        new = [d for d in decisions if d.is_new]
        assert [s.event_id for s in by_kind["opened"]] == [d.event_id for d in new]
        assert [s.event_id for s in by_kind["routed"]] == [d.event_id for d in new]
        assert [(s.report_id, s.event_id) for s in by_kind.get("merged", [])] == [
            (d.report_id, d.event_id) for d in decisions if not d.is_new
        ]
        assert len(by_kind.get("escalated", [])) == escalated > 0
        assert len(by_kind["closed"]) == len(closed) > 0
        # Each report is in exactly one opened-or-merged step.
        placed = [s.report_id for s in steps if s.kind in ("opened", "merged")]
        assert sorted(placed) == sorted(d.report_id for d in decisions)
        assert store.counts()["report"] == CUT


def test_resent_report_after_restart_returns_the_original_decision_and_is_not_journaled_again(
    store_spec: str, sample_reports: list[dict[str, Any]]
) -> None:
    with Engine(store=store_spec) as engine:
        originals = engine.submit_many(sample_reports[:30])
    with Engine(store=store_spec) as engine:
        assert engine.store is not None
        before = engine.store.counts()
        again = engine.submit_many(sample_reports[:30])
        single = engine.submit(sample_reports[3])
        assert [(d.event_id, d.outcome, d.level, d.deadline) for d in again] == [
            (d.event_id, d.outcome, d.level, d.deadline) for d in originals
        ]
        assert (single.event_id, single.outcome) == (originals[3].event_id, originals[3].outcome)
        assert engine.store.counts() == before
        with pytest.raises(InvalidReportError) as info:
            engine.submit({**sample_reports[3], "text": "内容不同的报告"})
        assert info.value.field == "id"
        assert engine.store.counts() == before


def test_rejected_input_changes_neither_engine_nor_store(
    store_spec: str, sample_reports: list[dict[str, Any]]
) -> None:
    with Engine(store=store_spec) as engine:
        engine.submit_many(sample_reports[:10])
        assert engine.store is not None
        before = (engine.store.counts(), engine.stats())
        with pytest.raises(InvalidReportError):
            engine.submit_many([sample_reports[10], {**sample_reports[11], "source": "fax"}])
        with pytest.raises(InvalidReportError):
            engine.submit({**sample_reports[12], "text": "   "})
        with pytest.raises(InvalidReportError):
            engine.close("E00000001", time=sample_reports[0]["time"], resolution="\ud800")
        assert (engine.store.counts(), engine.stats()) == before


def test_a_store_is_one_engines_at_a_time(store_spec: str) -> None:
    with Engine(store=store_spec):
        with pytest.raises(StoreError, match="in use"):
            Engine(store=store_spec)
    Engine(store=store_spec).close_store()  # free again once released


def test_store_written_with_other_rules_is_refused(store_spec: str, tmp_path: Path) -> None:
    with Engine(store=store_spec) as engine:
        engine.submit({"id": "r1", "text": "垃圾桶满溢", "time": 1795392000})
    from routing_core.rules import default_rules_path

    rules = tmp_path / "rules.toml"
    rules.write_text(default_rules_path().read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="replay"):
        Engine(rules=rules, store=store_spec)
    Engine(store=store_spec).close_store()  # the refused open released the store


class _CountingStore(Store):
    """Wraps a store: counts appends, and fails them on demand."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.url = inner.url
        self.appends = 0
        self.fail = False

    def append(self, ops: Sequence[Op], steps: Sequence[Step]) -> None:
        if self.fail:
            raise StoreError("disk full (simulated)")
        self.appends += 1
        self.inner.append(ops, steps)

    def ops(self) -> Iterator[Op]:
        return self.inner.ops()

    def steps(self) -> Iterator[Step]:
        return self.inner.steps()

    def get_meta(self, key: str) -> str | None:
        return self.inner.get_meta(key)

    def set_meta(self, key: str, value: str) -> None:
        self.inner.set_meta(key, value)

    def counts(self) -> dict[str, int]:
        return self.inner.counts()

    def close(self) -> None:
        self.inner.close()


def test_submit_many_commits_once_per_batch(store_spec: str, sample_reports: list[dict[str, Any]]) -> None:
    store = _CountingStore(open_store(store_spec))
    with Engine(store=store) as engine:
        engine.submit_many(sample_reports[:100])
        assert store.appends == 1
        engine.submit_many(sample_reports[:100])  # all re-sent: nothing new to journal
        assert store.appends == 1
        engine.submit(sample_reports[100])
        assert store.appends == 2
        assert store.counts()["report"] == 101


def test_failed_write_is_not_acknowledged_and_the_engine_refuses_to_run_ahead(
    store_spec: str, sample_reports: list[dict[str, Any]]
) -> None:
    store = _CountingStore(open_store(store_spec))
    engine = Engine(store=store)
    engine.submit_many(sample_reports[:20])
    store.fail = True
    with pytest.raises(StoreError, match="disk full"):
        engine.submit(sample_reports[20])
    store.fail = False
    with pytest.raises(StoreError, match="re-open|open a new Engine"):
        engine.submit(sample_reports[21])
    engine.close_store()
    with Engine(store=store_spec) as reopened:  # durable state: the 20 acknowledged reports
        assert reopened.stats().reports == 20
        assert reopened.submit(sample_reports[20]).report_id == sample_reports[20]["id"]


def test_a_full_sqlite_disk_fails_the_write_cleanly(
    tmp_path: Path, sample_reports: list[dict[str, Any]]
) -> None:
    # SQLite's own failure, not a wrapper's: the file may not grow by more than a page, as on a full
    # disk. The transaction is rolled back, the report is not acknowledged, and a new engine on the
    # store holds exactly the acknowledged ones.
    path = tmp_path / "full.sqlite"
    engine = Engine(store=str(path))
    engine.submit_many(sample_reports[:20])
    store = engine._journal.store  # type: ignore[union-attr]
    assert isinstance(store, SQLiteStore)
    conn = store._connection()
    conn.execute(f"PRAGMA max_page_count={conn.execute('PRAGMA page_count').fetchone()[0] + 1}")
    acknowledged = 20
    with pytest.raises(StoreError, match="write failed: database or disk is full"):
        for report in sample_reports[20:]:
            engine.submit(report)
            acknowledged += 1
    assert acknowledged < len(sample_reports)
    with pytest.raises(StoreError, match="refuses changes"):
        engine.submit(sample_reports[-1])
    engine.close_store()
    with Engine(store=str(path)) as reopened:
        assert reopened.stats().reports == acknowledged
        failed = sample_reports[acknowledged]
        assert reopened.submit(failed).report_id == failed["id"]  # taken now, as a report never seen


def test_store_specs(tmp_path: Path) -> None:
    assert isinstance(open_store(tmp_path / "a.sqlite"), SQLiteStore)
    assert isinstance(open_store(f"sqlite:///{tmp_path / 'b.sqlite'}"), SQLiteStore)
    for bad in ("", "mysql://x/y"):
        with pytest.raises(ConfigError, match="store"):
            open_store(bad)
    not_a_db = tmp_path / "c.sqlite"
    not_a_db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="c.sqlite"):
        Engine(store=not_a_db)


def test_in_memory_engine_has_no_store() -> None:
    engine = Engine()
    assert engine.store is None and engine.recovery is None
    engine.close_store()  # harmless
