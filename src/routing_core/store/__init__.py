"""Durable stores for the engine: ``Engine(store="events.sqlite")`` or ``store="postgresql://..."``.

``open_store`` picks the implementation from the spec; ``Journal`` wires a store to an engine's core:
it recovers the store on open (the newest valid snapshot, then the journal after it; see
``snapshots``) and appends every state change before a call returns.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from .base import OP_KINDS, STEP_KINDS, Op, Step, Store
from .journal import DEFAULT_SNAPSHOT_EVERY, Journal, RecoveryStats, config_digest
from .snapshots import SnapshotWarning
from .sqlite import SQLiteStore

__all__ = [
    "DEFAULT_SNAPSHOT_EVERY",
    "OP_KINDS",
    "STEP_KINDS",
    "Journal",
    "Op",
    "RecoveryStats",
    "SQLiteStore",
    "SnapshotWarning",
    "Step",
    "Store",
    "config_digest",
    "open_store",
]


def open_store(spec: str | Path | Store) -> Store:
    """A store from a path (SQLite), a ``sqlite:///path`` or ``postgresql://`` URL, or a Store."""
    if isinstance(spec, Store):
        return spec
    if isinstance(spec, Path):
        return SQLiteStore(spec)
    if not isinstance(spec, str) or not spec:
        raise ConfigError(f"store={spec!r}: expected a file path or a postgresql:// URL")
    if spec.startswith(("postgresql://", "postgres://")):
        from .postgresql import PostgreSQLStore

        return PostgreSQLStore(spec)
    if spec.startswith("sqlite:///"):
        return SQLiteStore(spec[len("sqlite:///") :])
    if "://" in spec:
        raise ConfigError(f"store={spec!r}: unknown scheme; use a file path (SQLite) or postgresql://")
    return SQLiteStore(spec)
