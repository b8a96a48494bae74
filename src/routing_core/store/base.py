"""The store interface: an append-only journal of what changed the engine's state.

A store keeps two things, appended together in one transaction per call:

* **operations** (``Op``): every accepted report (with all its fields), every close and every
  advance that escalated something, in the order the engine applied them. Replaying them through an
  engine with the same configuration rebuilds its state exactly: the engine is deterministic.
* **steps** (``Step``): the state changes those operations made (event opened, routed, merged,
  escalated, closed), an audit trail that platform back-ends can query without the engine.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["OP_KINDS", "STEP_KINDS", "Op", "Step", "Store"]

OP_KINDS = ("report", "close", "advance")
STEP_KINDS = ("opened", "routed", "merged", "escalated", "closed")


@dataclass(frozen=True)
class Op:
    """One operation that changed the engine's state, as it was applied.

    ``kind`` is ``report`` (``report_id`` and the report fields; ``time`` is the report's time),
    ``close`` (``event_id``, ``time``, ``resolution``) or ``advance`` (``time`` is ``now``). Times are
    seconds since the Unix epoch.
    """

    kind: str
    time: int
    report_id: str | None = None
    text: str = ""
    address: str = ""
    source: str = ""
    category: str = ""
    lat: float | None = None
    lon: float | None = None
    event_id: str = ""
    resolution: str = ""


@dataclass(frozen=True)
class Step:
    """One state change of one event: where it stands after the operation (level, unit, deadline)."""

    event_id: str
    kind: str
    time: int
    level: str
    unit: str
    deadline: int
    report_id: str = ""
    detail: str = ""


# Column lists of the two tables, in the field order of Op and Step.
OP_COLUMNS = "kind, time, report_id, text, address, source, category, lat, lon, event_id, resolution"
STEP_COLUMNS = "event_id, kind, time, level, unit, deadline, report_id, detail"


def op_rows(ops: Sequence[Op]) -> list[tuple[Any, ...]]:
    """Operations as rows of OP_COLUMNS, for an INSERT of either SQL store."""
    return [
        (o.kind, o.time, o.report_id, o.text, o.address, o.source, o.category, o.lat, o.lon, o.event_id, o.resolution)
        for o in ops
    ]


def step_rows(steps: Sequence[Step]) -> list[tuple[Any, ...]]:
    """Steps as rows of STEP_COLUMNS."""
    return [(s.event_id, s.kind, s.time, s.level, s.unit, s.deadline, s.report_id, s.detail) for s in steps]


class Store(ABC):
    """A durable, append-only journal. One engine owns a store at a time (opening it takes a lock).

    ``append`` is atomic and durable when it returns: either all of its operations and steps are
    stored or none is, also across a crash or a power cut (as far as the storage honours fsync).
    """

    url: str
    #: Where an engine on this store keeps its snapshots unless told otherwise (``Engine(snapshot_dir=)``);
    #: None: no snapshots by default (the engine then replays the whole journal on open).
    snapshot_dir: Path | None = None

    @abstractmethod
    def append(self, ops: Sequence[Op], steps: Sequence[Step]) -> None:
        """Store ``ops`` and ``steps`` in one transaction; raises StoreError when it cannot."""

    @abstractmethod
    def ops(self) -> Iterator[Op]:
        """Every stored operation, in the order it was applied."""

    @abstractmethod
    def steps(self) -> Iterator[Step]:
        """Every stored step, in order."""

    @abstractmethod
    def get_meta(self, key: str) -> str | None:
        """A value stored with ``set_meta``, or None."""

    @abstractmethod
    def set_meta(self, key: str, value: str) -> None:
        """Store a value (durably) under ``key``."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Numbers of stored operations by kind and of steps: ``{"report": n, ..., "steps": m}``."""

    @abstractmethod
    def close(self) -> None:
        """Release the store (and its lock); further calls raise StoreError."""

    def positioned_ops(self, after: int = 0) -> Iterator[tuple[int, Op]]:
        """The stored operations after position ``after``, each with its position.

        Positions increase along the journal; the last one is ``last_position()``. A snapshot records
        the position it was taken at, and recovery replays what follows it. This default numbers
        ``ops()`` from 1 (and reads the journal from its start); the SQL stores use their sequence.
        """
        for position, op in enumerate(self.ops(), 1):
            if position > after:
                yield position, op

    def last_position(self) -> int:
        """The position of the last stored operation, 0 when there is none."""
        counts = self.counts()
        return sum(counts[kind] for kind in OP_KINDS)

    def positioned_steps(self, after: int = 0) -> Iterator[tuple[int, Step]]:
        """The stored steps after position ``after``, each with its position (numbered as
        ``positioned_ops`` numbers the operations, in a sequence of their own)."""
        for position, step in enumerate(self.steps(), 1):
            if position > after:
                yield position, step

    def last_step_position(self) -> int:
        """The position of the last stored step, 0 when there is none."""
        return self.counts()["steps"]

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TableStore(Store):
    """A store with one table of operations and one of steps (the SQL backends): reads them back in
    sequence order through ``_rows``."""

    _ops_table: str
    _steps_table: str

    def ops(self) -> Iterator[Op]:
        for row in self._rows(self._ops_table, OP_COLUMNS):
            yield Op(*row[1:])

    def steps(self) -> Iterator[Step]:
        for row in self._rows(self._steps_table, STEP_COLUMNS):
            yield Step(*row[1:])

    def positioned_ops(self, after: int = 0) -> Iterator[tuple[int, Op]]:
        # Positions are the sequence numbers: the tail after a snapshot is read by the primary key.
        for row in self._rows(self._ops_table, OP_COLUMNS, after=after):
            yield row[0], Op(*row[1:])

    def last_position(self) -> int:
        return self._last_seq(self._ops_table)

    def positioned_steps(self, after: int = 0) -> Iterator[tuple[int, Step]]:
        for row in self._rows(self._steps_table, STEP_COLUMNS, after=after):
            yield row[0], Step(*row[1:])

    def last_step_position(self) -> int:
        return self._last_seq(self._steps_table)

    @abstractmethod
    def _rows(self, table: str, columns: str, chunk: int = 8192, after: int = 0) -> Iterator[tuple[Any, ...]]:
        """The rows of ``table`` with a sequence number above ``after``, in sequence order, each as
        ``(seq, *columns)``, read ``chunk`` at a time."""

    @abstractmethod
    def _last_seq(self, table: str) -> int:
        """The highest sequence number in ``table``, 0 when it is empty."""
