"""Snapshot files of an engine on a store: naming, listing, pruning.

A snapshot is the engine's whole state at one journal position, written by the C++ core
(``Engine::save_snapshot``: checksummed, written to a temporary file, fsynced, renamed). Recovery
loads the newest valid one and replays only the journal after it.

Files live in one directory (by default ``<database>.snapshots/`` beside a SQLite store; any
directory given as ``Engine(snapshot_dir=...)``, which a PostgreSQL store needs). A file is named
``<store id>-<position>-<tag>.rcsnap``:

* the **store id** (a random id kept in the store's meta table) ties it to one store, so a directory
  shared by stores, or left behind by a deleted database, is never read for another one;
* the **position** is the journal position of the last operation it contains;
* the **tag** digests that operation (kind, time, report or event id): a journal cut back by a torn
  write and then extended again has another operation at that position, and the snapshot is refused.

The two newest snapshots of a store are kept; older ones (and temporary files a crash left) are deleted.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .base import Op

__all__ = ["KEEP", "SnapshotFile", "SnapshotWarning", "op_tag", "snapshot_files", "snapshot_path", "prune"]

KEEP = 2
_NAME = re.compile(r"^(?P<store>[0-9a-f]{32})-(?P<position>\d{16})-(?P<tag>[0-9a-f]{16})\.rcsnap$")


class SnapshotWarning(UserWarning):
    """A snapshot could not be used or written; the engine went on without it (nothing is lost: the
    journal holds every operation)."""


@dataclass(frozen=True)
class SnapshotFile:
    path: Path
    position: int
    tag: str


def op_tag(op: Op) -> str:
    """A digest of the operation a snapshot ends with, to recognise it in the journal."""
    key = f"{op.kind}\x1f{op.time}\x1f{op.report_id or ''}\x1f{op.event_id}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def snapshot_path(directory: Path, store_id: str, position: int, tag: str) -> Path:
    return directory / f"{store_id}-{position:016d}-{tag}.rcsnap"


def snapshot_files(directory: Path, store_id: str) -> list[SnapshotFile]:
    """This store's snapshots in ``directory``, newest (highest position) first."""
    if not directory.is_dir():
        return []
    found = []
    for path in directory.glob(f"{store_id}-*.rcsnap"):
        m = _NAME.match(path.name)
        if m and m["store"] == store_id:
            found.append(SnapshotFile(path, int(m["position"]), m["tag"]))
    return sorted(found, key=lambda s: s.position, reverse=True)


def prune(directory: Path, store_id: str, *, keep: int = KEEP, temporaries: bool = False) -> None:
    """Delete this store's snapshots but the ``keep`` newest; with ``temporaries``, also the temporary
    files of writes a crash interrupted (only when no write can be under way: the store is ours)."""
    for old in snapshot_files(directory, store_id)[keep:]:
        old.path.unlink(missing_ok=True)
    if temporaries and directory.is_dir():
        for tmp in directory.glob(f"{store_id}-*.rcsnap.tmp"):
            tmp.unlink(missing_ok=True)
