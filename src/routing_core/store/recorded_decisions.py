"""A replay checked against the decisions the journal recorded: each report in the event it was told.

Recovery replays the journal's operations through the core and trusts the core to decide as it did
when the reports came in. It does, on the same build: the core is deterministic. Another build may
not: a library whose decisions changed under the same version string, or another platform's math
library, one bit apart in a logarithm. The replayed engine would then hold other events than the
ones the platform was told about and the steps table records, and a journaled close of event
``E00000123`` would close another incident.

Every accepted report's first step records its event (``opened`` for a new one, ``merged`` for a
duplicate), in the order of the reports. :class:`RecordedDecisions` reads those steps alongside the
replay and compares each replayed report's event with its step's; the first difference stops the
recovery with a StoreError that names the report. After a snapshot, the steps to read start where
the snapshot was taken: the journal records that step position with each snapshot
(:func:`steps_at_key`); a snapshot written before this check existed has none, and its tail is
replayed unchecked.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..errors import StoreError
from .base import Step, Store

__all__ = ["RecordedDecisions", "steps_at_key"]

#: The kinds of a report's first step, the one that names its event.
_REPORT_STEPS = frozenset({"opened", "merged"})


def steps_at_key(position: int) -> str:
    """The store meta key holding the last step's position when the snapshot at ``position`` was taken."""
    return f"snapshot_steps.{position}"


class RecordedDecisions:
    """The journal's recorded event of each report after step position ``after``, checked in order."""

    def __init__(self, store: Store, after: int) -> None:
        self._url = store.url
        self._steps: Iterator[Step] = (s for _, s in store.positioned_steps(after) if s.kind in _REPORT_STEPS)
        self.checked = 0

    def check(self, report_ids: Sequence[str], event_ids: Sequence[str]) -> None:
        """Raises StoreError at the first replayed report whose event is not the recorded one."""
        for report_id, replayed in zip(report_ids, event_ids, strict=True):
            step = next(self._steps, None)
            if step is None or step.report_id != report_id:
                found = "no step" if step is None else f"a step of report {step.report_id!r}"
                raise StoreError(
                    f"store {self._url}: the journal's steps do not follow its reports: report "
                    f"{report_id!r} (the {self.checked + 1}th replayed) has {found} where its own was "
                    "expected"
                )
            if step.event_id != replayed:
                raise StoreError(
                    f"store {self._url}: the journal does not replay to the decisions it recorded: report "
                    f"{report_id!r} was {step.kind} in event {step.event_id}, and replays into "
                    f"{replayed} (the {self.checked + 1}th report replayed, the first that differs). This "
                    "build decides otherwise than the one that wrote the store (another build of the "
                    "library, or another platform's math library); open the store with the build "
                    "that wrote it"
                )
            self.checked += 1
