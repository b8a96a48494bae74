"""Which reports fuse differently under two rules files: the two partitions of reports into events, compared.

A rules change can move more than routing. The category is one of the match features, so a report
that changes category can stop fusing with the event it joined before, or fuse with one it stayed
apart from, and later reports follow it. ``rules diff`` replays the same reports under both files. It
keeps each report's event under each file as the event's sequence number (``E00000123`` → 123),
16 bytes a report, and this module compares the two partitions at the end.

Event ids cannot be compared as such: each engine numbers its events in opening order, so the numbers
part ways at the first report that opens an event under one file and not the other. What is compared
is which reports share an event. An old event is *split* when its reports are in more than one event
under the new file; a new event is *joined* when it holds reports of more than one old event. A report
in a split or joined event fuses differently. The pair counts are those of ``evaluate``'s pairwise
figures: pairs of reports in one event under one file, under the other, and under both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Regrouping", "event_id", "event_number", "regroup"]


def event_number(event_id: str) -> int:
    """The sequence number of an engine's event id: ``"E00000123"`` → 123."""
    return int(event_id[1:])


def event_id(number: int) -> str:
    """The engine's event id of a sequence number: "E" and at least eight digits."""
    return f"E{number:08d}"


@dataclass(frozen=True)
class Regrouping:
    """The two partitions of the reports compared (reports accepted under both files, once per id)."""

    old_events: int = 0  # events under the old file
    new_events: int = 0  # events under the new file
    split: int = 0  # old events whose reports the new file puts in more than one event
    joined: int = 0  # new events that hold reports of more than one old event
    pairs_old: int = 0  # pairs of reports in one event under the old file
    pairs_new: int = 0  # the same under the new file
    pairs_both: int = 0  # pairs in one event under both files
    #: report id → (old event, new event) for each report that fuses differently, in report order.
    regrouped: dict[str, tuple[str, str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The ``events`` part of ``rules diff --json``: the counts, and the regrouped reports in id order."""
        return {
            "old": self.old_events,
            "new": self.new_events,
            "split": self.split,
            "joined": self.joined,
            "pairs": {"old": self.pairs_old, "new": self.pairs_new, "both": self.pairs_both},
            "regrouped": {rid: {"old": a, "new": b} for rid, (a, b) in sorted(self.regrouped.items())},
        }

    def split_examples(self, limit: int) -> list[tuple[str, list[tuple[str, str]]]]:
        """Up to ``limit`` split old events in the order of their first report: (old event, [(report id,
        new event), ...])."""
        return _groups(self.regrouped, 0, limit)

    def joined_examples(self, limit: int) -> list[tuple[str, list[tuple[str, str]]]]:
        """Up to ``limit`` joined new events: (new event, [(report id, old event), ...])."""
        return _groups(self.regrouped, 1, limit)


def _groups(
    regrouped: dict[str, tuple[str, str]], side: int, limit: int
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The events of one side (0 old, 1 new) whose reports are in more than one event of the other.
    Every report of such an event is in ``regrouped``, so each group is whole."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for rid, pair in regrouped.items():
        groups.setdefault(pair[side], []).append((rid, pair[1 - side]))
    return [(e, members) for e, members in groups.items() if len({b for _, b in members}) > 1][:limit]


def _pairs(sizes: np.ndarray) -> int:
    sizes = sizes.astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def regroup(report_ids: Sequence[str], old: Sequence[int], new: Sequence[int]) -> Regrouping:
    """Compares the partitions given by each report's old and new event number (the three sequences
    run in report order, one entry per report)."""
    if not (len(report_ids) == len(old) == len(new)):
        raise ValueError(f"regroup: {len(report_ids)} report ids, {len(old)} old and {len(new)} new events")
    if not report_ids:
        return Regrouping()
    o = np.asarray(old, dtype=np.int64)
    n = np.asarray(new, dtype=np.int64)
    # Dense labels for each side, then one key per (old, new) pair of events that share a report.
    old_values, o_label = np.unique(o, return_inverse=True)
    new_values, n_label = np.unique(n, return_inverse=True)
    keys, pair_sizes = np.unique(o_label * len(new_values) + n_label, return_counts=True)
    pair_old, pair_new = keys // len(new_values), keys % len(new_values)
    old_degree = np.bincount(pair_old, minlength=len(old_values))  # new events per old event
    new_degree = np.bincount(pair_new, minlength=len(new_values))
    moved = np.flatnonzero((old_degree[o_label] > 1) | (new_degree[n_label] > 1))
    return Regrouping(
        old_events=len(old_values),
        new_events=len(new_values),
        split=int((old_degree > 1).sum()),
        joined=int((new_degree > 1).sum()),
        pairs_old=_pairs(np.bincount(o_label)),
        pairs_new=_pairs(np.bincount(n_label)),
        pairs_both=_pairs(pair_sizes),
        regrouped={report_ids[i]: (event_id(int(o[i])), event_id(int(n[i]))) for i in moved.tolist()},
    )
