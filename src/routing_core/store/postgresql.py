"""PostgreSQL store: the production store, behind the same interface as SQLite.

Needs ``psycopg`` (``pip install 'routing_core[postgres]'``). The URL is a libpq connection URI,
``postgresql://user:password@host:port/dbname``; the tables (``routing_core_ops``,
``routing_core_steps``, ``routing_core_meta``) are created in the connection's first schema of the
search path (``?options=-csearch_path%3Dmyschema`` picks another). Every ``append`` is one
transaction, committed (and so flushed to the server's WAL, with the server's ``synchronous_commit``)
before it returns. A session advisory lock makes the store one engine's at a time.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import ConfigError, StoreError
from .base import OP_COLUMNS, STEP_COLUMNS, Op, Step, TableStore, op_rows, step_rows

__all__ = ["PostgreSQLStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS routing_core_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS routing_core_ops (
    seq BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('report', 'close', 'advance')),
    time BIGINT NOT NULL,
    report_id TEXT UNIQUE,
    text TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    event_id TEXT NOT NULL DEFAULT '',
    resolution TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS routing_core_steps (
    seq BIGSERIAL PRIMARY KEY,
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    time BIGINT NOT NULL,
    level TEXT NOT NULL,
    unit TEXT NOT NULL,
    deadline BIGINT NOT NULL,
    report_id TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS routing_core_steps_event ON routing_core_steps (event_id);
"""

# Advisory lock key: one engine per database (and schema, through the search path's tables).
_LOCK_KEY = zlib.crc32(b"routing_core store")


class PostgreSQLStore(TableStore):
    """A journal in three PostgreSQL tables.

    Parameters
    ----------
    url : str
        ``postgresql://...`` connection URI.
    lock_wait : float
        Seconds to wait for the store's lock: after a crash the server may take a moment to notice
        that the dead engine's session is gone and release its lock.

    Snapshots live outside the database: an engine on this store takes them only when given a
    directory, ``Engine(store=url, snapshot_dir=...)`` (a local disk of the engine's host).
    """

    _ops_table = "routing_core_ops"
    _steps_table = "routing_core_steps"

    def __init__(self, url: str, *, lock_wait: float = 2.0) -> None:
        try:
            import psycopg
        except ImportError:
            raise ConfigError(
                f"store={_redacted(url)!r} needs psycopg: pip install 'routing_core[postgres]'"
            ) from None
        self.url = _redacted(url)
        self._psycopg = psycopg
        self._lock = threading.Lock()
        try:
            self._conn: Any = psycopg.connect(url, autocommit=False, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(f"store {self.url}: cannot connect: {exc}") from None
        try:
            deadline = time.monotonic() + lock_wait
            while True:
                with self._conn.transaction():
                    row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (_LOCK_KEY,)).fetchone()
                if row is not None and row[0]:
                    break
                if time.monotonic() >= deadline:
                    raise StoreError(f"store {self.url}: in use by another engine (advisory lock held)")
                time.sleep(0.05)
            with self._conn.transaction():
                # Serialise concurrent first-time schema creation by two processes.
                self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY + 1,))
                self._conn.execute(_SCHEMA)
        except psycopg.Error as exc:
            self._conn.close()
            raise StoreError(f"store {self.url}: cannot create the tables: {exc}") from None
        except StoreError:
            self._conn.close()
            raise

    def _connection(self) -> Any:
        if self._conn is None or self._conn.closed:
            raise StoreError(f"store {self.url}: closed")
        return self._conn

    def append(self, ops: Sequence[Op], steps: Sequence[Step]) -> None:
        with self._lock:
            conn = self._connection()
            try:
                with conn.transaction(), conn.cursor() as cur:
                    if ops:
                        cur.executemany(
                            f"INSERT INTO routing_core_ops ({OP_COLUMNS}) "
                            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                            op_rows(ops),
                        )
                    if steps:
                        cur.executemany(
                            f"INSERT INTO routing_core_steps ({STEP_COLUMNS}) "
                            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                            step_rows(steps),
                        )
            except self._psycopg.Error as exc:
                raise StoreError(f"store {self.url}: write failed: {exc}") from None

    def _rows(
        self, table: str, columns: str, chunk: int = 8192, after: int = 0
    ) -> Iterator[tuple[Any, ...]]:
        last = after
        while True:
            with self._lock:
                conn = self._connection()
                with conn.transaction():
                    rows = conn.execute(
                        f"SELECT seq, {columns} FROM {table} WHERE seq > %s ORDER BY seq LIMIT %s",
                        (last, chunk),
                    ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield from rows

    def _last_seq(self, table: str) -> int:
        with self._lock:
            conn = self._connection()
            with conn.transaction():
                row = conn.execute(f"SELECT coalesce(max(seq), 0) FROM {table}").fetchone()
        return int(row[0])

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            conn = self._connection()
            with conn.transaction():
                row = conn.execute("SELECT value FROM routing_core_meta WHERE key = %s", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            conn = self._connection()
            try:
                with conn.transaction():
                    conn.execute(
                        "INSERT INTO routing_core_meta (key, value) VALUES (%s, %s) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (key, value),
                    )
            except self._psycopg.Error as exc:
                raise StoreError(f"store {self.url}: write failed: {exc}") from None

    def counts(self) -> dict[str, int]:
        with self._lock:
            conn = self._connection()
            with conn.transaction():
                out = {kind: 0 for kind in ("report", "close", "advance")}
                out.update(
                    dict(conn.execute("SELECT kind, count(*) FROM routing_core_ops GROUP BY kind").fetchall())
                )
                out["steps"] = conn.execute("SELECT count(*) FROM routing_core_steps").fetchone()[0]
        return out

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and not self._conn.closed:
                self._conn.close()  # ends the session: releases the advisory lock
            self._conn = None


def _redacted(url: str) -> str:
    """The URL without its password, for messages."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    return f"{scheme}{sep}{userinfo.split(':', 1)[0]}:***@{host}"
