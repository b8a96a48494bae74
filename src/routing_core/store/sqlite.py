"""SQLite store: the embedded default (stdlib ``sqlite3``), WAL mode, fsync on every commit.

Durability: ``journal_mode=WAL`` with ``synchronous=FULL`` syncs the write-ahead log at every commit,
so a transaction that returned survives a killed process and a power cut; a commit torn by a crash
fails its WAL checksum and is ignored on the next open (SQLite's own recovery), so the journal always
reads back as a prefix of whole transactions. ``locking_mode=EXCLUSIVE`` makes the file one engine's
at a time: a second engine (in any process) gets StoreError instead of a diverging copy.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import StoreError
from .base import OP_COLUMNS, STEP_COLUMNS, Op, Step, TableStore, op_rows, step_rows

__all__ = ["SQLiteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ops (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('report', 'close', 'advance')),
    time INTEGER NOT NULL,
    report_id TEXT UNIQUE,
    text TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    lat REAL,
    lon REAL,
    event_id TEXT NOT NULL DEFAULT '',
    resolution TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS steps (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    time INTEGER NOT NULL,
    level TEXT NOT NULL,
    unit TEXT NOT NULL,
    deadline INTEGER NOT NULL,
    report_id TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS steps_event ON steps (event_id);
"""



class SQLiteStore(TableStore):
    """A journal in one SQLite file (plus its ``-wal`` file while open).

    Parameters
    ----------
    path : path
        The database file; created when missing.
    synchronous : str
        ``FULL`` (default: every commit is fsynced, survives a power cut) or ``NORMAL`` (survives a
        killed process, may lose the last commits on a power cut; faster on slow disks).

    Snapshots of an engine on this store go to ``<path>.snapshots/`` unless the engine is given
    another ``snapshot_dir``.
    """

    _ops_table = "ops"
    _steps_table = "steps"

    def __init__(self, path: str | Path, *, synchronous: str = "FULL") -> None:
        if synchronous not in ("FULL", "NORMAL"):
            raise StoreError(f"store {path}: synchronous must be FULL or NORMAL, got {synchronous!r}")
        self.url = str(path)
        # Snapshots beside the database: events.sqlite -> events.sqlite.snapshots/
        self.snapshot_dir = None if str(path) == ":memory:" else Path(f"{path}.snapshots")
        self._lock = threading.Lock()
        try:
            # isolation_level=None: transactions are ours (BEGIN/COMMIT), not the module's guesses.
            self._conn: sqlite3.Connection | None = sqlite3.connect(
                self.url, isolation_level=None, check_same_thread=False, timeout=1.0
            )
            conn = self._conn
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"store {self.url}: cannot switch to WAL mode (got {mode})")
            conn.execute(f"PRAGMA synchronous={synchronous}")
            conn.execute("BEGIN IMMEDIATE")  # takes the exclusive lock now, not at the first report
            conn.executescript(_SCHEMA)  # executescript commits first
        except sqlite3.OperationalError as exc:
            self._abandon()
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError(f"store {self.url}: in use by another engine ({exc})") from None
            raise StoreError(f"store {self.url}: cannot open: {exc}") from None
        except sqlite3.DatabaseError as exc:
            self._abandon()
            raise StoreError(f"store {self.url}: not a usable SQLite database: {exc}") from None

    def _abandon(self) -> None:
        if getattr(self, "_conn", None) is not None:
            assert self._conn is not None
            self._conn.close()
        self._conn = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"store {self.url}: closed")
        return self._conn

    def append(self, ops: Sequence[Op], steps: Sequence[Step]) -> None:
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    f"INSERT INTO ops ({OP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    op_rows(ops),
                )
                conn.executemany(
                    f"INSERT INTO steps ({STEP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    step_rows(steps),
                )
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreError(f"store {self.url}: write failed: {exc}") from None

    def _rows(
        self, table: str, columns: str, chunk: int = 8192, after: int = 0
    ) -> Iterator[tuple[Any, ...]]:
        # Chunks by sequence number, the lock held per chunk only (never across a yield).
        last = after
        while True:
            with self._lock:
                rows = (
                    self._connection()
                    .execute(
                        f"SELECT seq, {columns} FROM {table} WHERE seq > ? ORDER BY seq LIMIT ?",
                        (last, chunk),
                    )
                    .fetchall()
                )
            if not rows:
                return
            last = rows[-1][0]
            yield from rows

    def _last_seq(self, table: str) -> int:
        with self._lock:
            row = self._connection().execute(f"SELECT coalesce(max(seq), 0) FROM {table}").fetchone()
        return int(row[0])

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            try:
                self._connection().execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )
            except sqlite3.Error as exc:
                raise StoreError(f"store {self.url}: write failed: {exc}") from None

    def counts(self) -> dict[str, int]:
        with self._lock:
            conn = self._connection()
            out = {kind: 0 for kind in ("report", "close", "advance")}
            out.update(dict(conn.execute("SELECT kind, count(*) FROM ops GROUP BY kind").fetchall()))
            out["steps"] = conn.execute("SELECT count(*) FROM steps").fetchone()[0]
        return out

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
