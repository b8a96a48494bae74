"""Snapshots: restoring one gives exactly the decisions and events of an engine that never stopped; a
truncated, corrupt, foreign or stale snapshot is skipped with a warning and the journal replays instead
(nothing lost); a crash while a snapshot is being written leaves the previous one usable."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing_core import Engine
from routing_core.errors import ConfigError, StoreError
from routing_core.match_params import default_match_path
from routing_core.store import SnapshotWarning
from routing_core.times import to_epoch
from store_helpers import events, fresh_database, postgres_url  # noqa: F401  (postgres_url: fixture)

TZ = ZoneInfo("Asia/Shanghai")


def _stats(engine: Engine) -> tuple[int, int, int]:
    """Events, open events, reports: index_bytes is a capacity estimate, lower after a restore."""
    s = engine.stats()
    return (s.events, s.open_events, s.reports)


def _shifted(sample: list[dict[str, Any]], copies: int) -> list[dict[str, Any]]:
    out = []
    for k in range(copies):
        for r in sample:
            out.append({**r, "id": f"{r['id']}-{k}", "time": to_epoch(r["time"], "time", TZ) + k * 604800})
    return out


def _drive(engine: Engine, reports: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """Batches, singles, closes and advances, the same for every engine given the same seed."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    i = 0
    while i < len(reports):
        n = rng.choice([1, 1, 3, 8])
        batch = reports[i : i + n]
        i += n
        decisions = engine.submit_many(batch) if n > 1 else [engine.submit(batch[0])]
        out.extend(d.to_dict() for d in decisions)
        now = batch[-1]["time"]
        if rng.random() < 0.1:
            out.append({"advance": [dataclasses.asdict(e) for e in engine.advance(now)]})
        opened = [d.event_id for d in decisions if d.is_new]
        if opened and rng.random() < 0.2:
            event_id = rng.choice(opened)
            if engine.event(event_id).status == "open":
                out.append(
                    {"close": dataclasses.asdict(engine.close(event_id, time=now, resolution="已处置"))}
                )
    return out


@pytest.fixture(scope="module")
def stream(sample_reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return _shifted(sample_reports, 2)


def test_restart_from_snapshot_replays_only_the_tail_and_continues_like_a_never_stopped_engine(
    tmp_path: Path, stream: list[dict[str, Any]]
) -> None:
    a, b, c = stream[:200], stream[200:330], stream[330:]
    reference = Engine()
    _drive(reference, a, 1)
    _drive(reference, b, 2)
    db = tmp_path / "events.sqlite"
    with Engine(store=db, snapshot_every=0) as engine:
        _drive(engine, a, 1)
        path = engine.snapshot()
        assert path.parent == tmp_path / "events.sqlite.snapshots" and path.exists()
        _drive(engine, b, 2)
    with Engine(store=db) as reopened:
        assert reopened.recovery is not None
        assert reopened.recovery.snapshot == str(path)
        assert reopened.recovery.reports == len(b)  # only the tail was replayed
        assert reopened.recovery.skipped_snapshots == 0
        assert _stats(reopened) == _stats(reference)
        assert events(reopened) == events(reference)
        assert _drive(reopened, c, 3) == _drive(reference, c, 3)
        assert events(reopened) == events(reference)
        # A re-sent report is still answered from its receipt after the restore, and not journaled again.
        assert reopened.submit(a[5]).to_dict() == reference.submit(a[5]).to_dict()
        assert reopened.store is not None and reopened.store.counts()["report"] == len(stream)


def test_automatic_snapshots_every_n_reports_keep_the_two_newest(
    tmp_path: Path, stream: list[dict[str, Any]]
) -> None:
    db = tmp_path / "events.sqlite"
    with Engine(store=db, snapshot_every=60) as engine:
        _drive(engine, stream[:400], 4)
        files = sorted((tmp_path / "events.sqlite.snapshots").glob("*.rcsnap"))
        assert len(files) == 2  # at least 6 were taken: the older ones were deleted
        assert not list((tmp_path / "events.sqlite.snapshots").glob("*.tmp"))
        reference_events = events(engine)
    with Engine(store=db) as reopened:
        assert reopened.recovery is not None and reopened.recovery.snapshot is not None
        assert reopened.recovery.reports < 60 + 8  # the tail after the newest (batches of up to 8)
        assert events(reopened) == reference_events


def test_a_snapshot_that_cannot_be_written_loses_no_report(
    tmp_path: Path, stream: list[dict[str, Any]]
) -> None:
    # The snapshot directory's path is taken by a file (as a full or read-only disk would refuse the
    # write): automatic snapshots warn and the reports go on being journaled; snapshot() raises.
    db = tmp_path / "events.sqlite"
    blocked = tmp_path / "not_a_directory"
    blocked.write_text("in the way\n", encoding="utf-8")
    with Engine(store=db, snapshot_dir=blocked, snapshot_every=30) as engine:
        with pytest.warns(SnapshotWarning, match="automatic snapshot failed") as caught:
            _drive(engine, stream[:100], 9)
        assert len(caught) >= 2  # tried again snapshot_every reports later
        with pytest.raises(StoreError, match=re.escape(f"cannot make the snapshot directory {blocked}")):
            engine.snapshot()
        accepted = engine.stats().reports
        expected = events(engine)
    assert accepted == 100
    with Engine(store=db, snapshot_every=0) as reopened:  # a full replay: no snapshot was written
        assert reopened.recovery is not None and reopened.recovery.snapshot is None
        assert reopened.stats().reports == accepted and events(reopened) == expected


def test_old_snapshots_that_cannot_be_deleted_leave_the_new_one_in_place(
    tmp_path: Path, stream: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from routing_core.store import snapshots

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionError("read-only directory")

    with Engine(store=tmp_path / "events.sqlite", snapshot_every=0) as engine:
        _drive(engine, stream[:40], 10)
        monkeypatch.setattr(snapshots, "prune", refuse)
        with pytest.warns(SnapshotWarning, match="old snapshots not deleted: read-only directory"):
            path = engine.snapshot()
        assert path.is_file()


@pytest.fixture(scope="module")
def _two_snapshots_template(
    tmp_path_factory: pytest.TempPathFactory, stream: list[dict[str, Any]]
) -> tuple[Path, list[str], list[Any]]:
    """A store of 360 reports with snapshots at 150 and 300, built once; tests damage copies of it."""
    directory = tmp_path_factory.mktemp("two_snapshots")
    with Engine(store=directory / "events.sqlite", snapshot_every=0) as engine:
        _drive(engine, stream[:150], 5)
        older = engine.snapshot()
        _drive(engine, stream[150:300], 6)
        newer = engine.snapshot()
        _drive(engine, stream[300:360], 7)
        return directory, [newer.name, older.name], events(engine)


def _two_snapshots(db: Path, template: tuple[Path, list[str], list[Any]]) -> tuple[list[Path], list[Any]]:
    """A copy of the template store at ``db``: its [newer, older] snapshots and its events."""
    directory, names, expected = template
    shutil.copyfile(directory / "events.sqlite", db)
    shutil.copytree(directory / "events.sqlite.snapshots", db.parent / f"{db.name}.snapshots")
    return [db.parent / f"{db.name}.snapshots" / n for n in names], expected


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "garbage"])
def test_damaged_newest_snapshot_falls_back_to_the_older_one(
    tmp_path: Path, _two_snapshots_template: Any, damage: str
) -> None:
    db = tmp_path / "events.sqlite"
    (newer, older), expected = _two_snapshots(db, _two_snapshots_template)
    data = newer.read_bytes()
    if damage == "truncate":
        newer.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        at = len(data) // 3
        newer.write_bytes(data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :])
    elif damage == "empty":
        newer.write_bytes(b"")
    else:
        newer.write_bytes(b"not a snapshot at all" * 100)
    with pytest.warns(SnapshotWarning, match=newer.name):
        reopened = Engine(store=db)
    try:
        assert reopened.recovery is not None
        assert reopened.recovery.snapshot == str(older)
        assert reopened.recovery.skipped_snapshots == 1
        assert reopened.recovery.reports == 360 - 150
        assert events(reopened) == expected
    finally:
        reopened.close_store()


def test_every_snapshot_damaged_falls_back_to_a_full_replay(
    tmp_path: Path, _two_snapshots_template: Any
) -> None:
    db = tmp_path / "events.sqlite"
    snaps, expected = _two_snapshots(db, _two_snapshots_template)
    for s in snaps:
        s.write_bytes(s.read_bytes()[:-1])
    with pytest.warns(SnapshotWarning):
        reopened = Engine(store=db)
    try:
        assert reopened.recovery is not None
        assert reopened.recovery.snapshot is None and reopened.recovery.skipped_snapshots == 2
        assert reopened.recovery.reports == 360
        assert events(reopened) == expected
    finally:
        reopened.close_store()


def test_snapshot_taken_under_another_configuration_is_refused(
    tmp_path: Path, stream: list[dict[str, Any]], _two_snapshots_template: Any
) -> None:
    # A snapshot of the same operations under other match parameters, put in place of this store's own
    # (same name: store id, position, tag): the C++ configuration fingerprint refuses it.
    db = tmp_path / "events.sqlite"
    (newer, older), expected = _two_snapshots(db, _two_snapshots_template)
    match = tmp_path / "match.toml"
    match.write_text(
        re.sub(
            r"(?m)^duplicate_threshold = .*$",
            "duplicate_threshold = 0.7",
            default_match_path().read_text("utf-8"),
        ),
        encoding="utf-8",
    )
    assert match.read_text("utf-8") != default_match_path().read_text("utf-8")
    other = tmp_path / "other.sqlite"
    with Engine(store=other, match=match, snapshot_every=0) as engine:
        _drive(engine, stream[:300], 5)
        foreign = engine.snapshot()
    shutil.copyfile(foreign, newer)
    with pytest.warns(SnapshotWarning, match="another configuration"):
        reopened = Engine(store=db)
    try:
        assert reopened.recovery is not None and reopened.recovery.snapshot == str(older)
        assert events(reopened) == expected
    finally:
        reopened.close_store()


def test_snapshot_whose_journal_was_cut_back_and_rewritten_is_refused(
    tmp_path: Path, stream: list[dict[str, Any]]
) -> None:
    # A torn write took the journal's end (positions are then reused by new operations): a snapshot
    # of the lost end must never be loaded, even once the journal is long again.
    db = tmp_path / "events.sqlite"
    with Engine(store=db, snapshot_every=0) as engine:
        _drive(engine, stream[:200], 8)
        snap = engine.snapshot()
    kept = tmp_path / "kept.rcsnap"
    shutil.copyfile(snap, kept)
    conn = sqlite3.connect(db)
    # The last 30 operations or so lost, from a report on, and the steps they wrote with them (one
    # transaction holds both).
    cut = conn.execute(
        "SELECT min(seq) FROM ops WHERE kind = 'report' AND seq > (SELECT max(seq) FROM ops) - 30"
    ).fetchone()[0] - 1
    first_lost = conn.execute("SELECT min(time) FROM ops WHERE seq > ?", (cut,)).fetchone()[0]
    lost_report = conn.execute("SELECT report_id FROM ops WHERE seq = ?", (cut + 1,)).fetchone()[0]
    conn.execute("DELETE FROM steps WHERE seq >= (SELECT min(seq) FROM steps WHERE report_id = ?)",
                 (lost_report,))
    conn.execute("DELETE FROM ops WHERE seq > ?", (cut,))
    conn.commit()
    conn.close()
    with pytest.warns(SnapshotWarning, match="ends at journal position"):
        engine = Engine(store=db, snapshot_every=0)
    with engine:
        assert not snap.exists()  # deleted: it holds operations the journal no longer has
        later = [{**r, "id": r["id"] + "-new", "time": max(r["time"], first_lost)} for r in stream[200:300]]
        _drive(engine, later, 9)
        expected = events(engine)
        assert engine.store is not None and engine.store.last_position() > cut + 30
    shutil.copyfile(kept, snap)  # the stale snapshot comes back (a restored backup, a slow disk)
    with pytest.warns(SnapshotWarning, match="not the one"):
        reopened = Engine(store=db)
    try:
        assert reopened.recovery is not None and reopened.recovery.snapshot is None
        assert events(reopened) == expected
        assert not snap.exists()  # refused for good: deleted
    finally:
        reopened.close_store()


def test_snapshots_of_another_store_in_the_same_directory_are_ignored(
    tmp_path: Path, stream: list[dict[str, Any]]
) -> None:
    shared = tmp_path / "snaps"
    with Engine(store=tmp_path / "a.sqlite", snapshot_dir=shared, snapshot_every=0) as a:
        _drive(a, stream[:100], 10)
        a.snapshot()
    with Engine(store=tmp_path / "b.sqlite", snapshot_dir=shared, snapshot_every=0) as b:
        _drive(b, stream[100:150], 11)
        expected = events(b)
    with Engine(store=tmp_path / "b.sqlite", snapshot_dir=shared) as b:
        assert b.recovery is not None and b.recovery.snapshot is None
        assert events(b) == expected
    assert len(list(shared.glob("*.rcsnap"))) == 1  # a's own, untouched


def test_snapshot_needs_a_store_and_a_directory(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store"):
        Engine().snapshot()
    with Engine(store=tmp_path / "e.sqlite") as engine, pytest.raises(StoreError, match="nothing journaled"):
        engine.snapshot()
    for bad in (-1, 1.5, True, "10"):
        with pytest.raises(ConfigError, match="snapshot_every"):
            Engine(store=tmp_path / "e.sqlite", snapshot_every=bad)  # type: ignore[arg-type]


def test_snapshots_with_postgresql_need_a_directory_and_then_work(
    tmp_path: Path,
    stream: list[dict[str, Any]],
    postgres_url: str,  # noqa: F811
) -> None:
    url = fresh_database(postgres_url)
    with Engine(store=url) as engine:
        _drive(engine, stream[:50], 12)
        with pytest.raises(StoreError, match="snapshot_dir"):
            engine.snapshot()
    with Engine(store=url, snapshot_dir=tmp_path / "pg", snapshot_every=0) as engine:
        engine.snapshot()
        _drive(engine, stream[50:120], 13)
        expected = events(engine)
    with Engine(store=url, snapshot_dir=tmp_path / "pg") as engine:
        assert engine.recovery is not None and engine.recovery.snapshot is not None
        assert engine.recovery.reports == 70
        assert events(engine) == expected


# -- property: restore at any point of any stream ----------------------------------------------------

_ops = st.lists(
    st.one_of(
        st.tuples(st.just("batch"), st.integers(1, 12)),
        st.tuples(st.just("advance"), st.integers(0, 200)),  # hours past the last report
        st.tuples(st.just("close"), st.integers(0, 10_000)),  # which open event
    ),
    min_size=1,
    max_size=40,
)


def _apply(
    engine: Engine, ops: list[tuple[str, int]], reports: list[dict[str, Any]], start: int
) -> tuple[list[Any], int]:
    out: list[Any] = []
    i = start
    for kind, n in ops:
        last = reports[max(i - 1, 0)]["time"]
        if kind == "batch":
            batch = reports[i : i + n]
            if not batch:
                continue
            i += len(batch)
            out.extend(d.to_dict() for d in engine.submit_many(batch))
        elif kind == "advance":
            out.append([dataclasses.asdict(e) for e in engine.advance(last + n * 3600)])
        else:
            open_ids = [e.id for e in events(engine) if e.status == "open"]
            if open_ids:
                event_id = open_ids[n % len(open_ids)]
                history_end = int(engine.event(event_id).history[-1].time.timestamp())
                out.append(
                    dataclasses.asdict(
                        engine.close(event_id, time=max(last, history_end), resolution="已处置")
                    )
                )
    return out, i


@pytest.mark.property
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=_ops, after=_ops, seed=st.integers(0, 2**16))
def test_restored_engine_matches_the_never_stopped_one_on_random_streams(
    tmp_path: Path, before: list[tuple[str, int]], after: list[tuple[str, int]], seed: int
) -> None:
    reports = _STREAM[:]
    random.Random(seed).shuffle(reports)
    reports.sort(key=lambda r: r["time"])  # a stable sort: ties keep the shuffled order
    running = _ENGINE.empty_copy()
    _, position = _apply(running, before, reports, 0)
    path = tmp_path / f"prop-{seed}.rcsnap"
    running._core.save_snapshot(str(path))
    restored = _ENGINE.empty_copy()
    restored._core.load_snapshot(str(path))
    assert _stats(restored) == _stats(running)
    assert events(restored) == events(running)
    tail = after + [("batch", 12)] * 3
    assert _apply(restored, tail, reports, position) == _apply(running, tail, reports, position)
    assert events(restored) == events(running)
    resent = reports[: min(position, 5)]
    assert [d.to_dict() for d in restored.submit_many(resent)] == [
        d.to_dict() for d in running.submit_many(resent)
    ]


_ENGINE = Engine()
_STREAM = _shifted(
    [
        json.loads(line)
        for line in resources.files("routing_core")
        .joinpath("data/sample_reports.jsonl")
        .read_text("utf-8")
        .splitlines()
        if line.strip()
    ],
    2,
)


# -- a crash while writing a snapshot ----------------------------------------------------------------

_SNAPSHOT_WORKER = textwrap.dedent(
    """
    import sys
    from routing_core import Engine
    engine = Engine(store=sys.argv[1], snapshot_every=0)
    print("ready", engine.recovery.snapshot, flush=True)
    while True:
        engine.snapshot()
        print("wrote", flush=True)
    """
)


def test_a_crash_while_writing_a_snapshot_leaves_the_previous_one_valid(
    tmp_path: Path, stream: list[dict[str, Any]]
) -> None:
    # A worker writes snapshots back to back (each: temp file, fsync, rename, delete the oldest); it is
    # SIGKILLed at random moments. Every restart must load a snapshot without any warning (the one being
    # written is a .tmp that never counts), and rebuild exactly the same events.
    db = tmp_path / "events.sqlite"
    with Engine(store=db, snapshot_every=0) as engine:
        _drive(engine, stream, 14)
        engine.snapshot()
        expected = events(engine)
    rng = random.Random(15)
    for _ in range(4):
        proc = subprocess.Popen(
            [sys.executable, "-c", _SNAPSHOT_WORKER, str(db)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("ready")
        for _ in range(rng.randint(0, 3)):
            proc.stdout.readline()
        time.sleep(rng.random() * 0.02)  # land inside a write most of the time
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        with Engine(store=db, snapshot_every=0) as reopened:  # filterwarnings=error: no SnapshotWarning
            assert reopened.recovery is not None and reopened.recovery.snapshot is not None
            assert reopened.recovery.reports == 0
            assert events(reopened) == expected
        snaps = tmp_path / "events.sqlite.snapshots"
        assert not list(snaps.glob("*.tmp"))  # the open cleared what the crash left
        assert 1 <= len(list(snaps.glob("*.rcsnap"))) <= 2
