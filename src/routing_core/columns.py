"""DecisionColumns: a batch's decisions as numpy arrays, for callers who route in bulk.

``Engine.submit_columns`` takes a batch as columns and answers with one array per field: the batch
crosses into C++ once, the engine runs without the GIL and builds no Python object per report.
Codes (event ids, category, platform, level and unit codes) are decoded on request, a column at a
time; explanations (candidates, evidence, rules fired) are not kept: re-submit a report with
``Engine.submit`` to see one (ids are idempotency keys, so that changes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from .address import LEVELS
from .times import from_epoch

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["DecisionColumns", "ReportColumns"]


def _outcome(is_new: Any, recurrence_of: Any, needs_review: Any) -> str:
    if not is_new:
        return "duplicate"
    if recurrence_of >= 0:
        return "recurrence"
    return "review" if needs_review else "new"


@dataclass(frozen=True)
class ReportColumns:
    """A columnar batch as ``Engine.submit_columns`` received it, each column checked for its type:
    what the core is given, and what a store journals of each report."""

    ids: list[str]
    texts: list[str]
    addresses: list[str]
    times: np.ndarray  # int64 seconds since the epoch
    sources: list[str]
    categories: list[str] | None
    lat: np.ndarray | None  # float64, NaN for none
    lon: np.ndarray | None

    def core_args(self) -> tuple[Any, ...]:
        """The arguments of the core's ``submit_columns``, in its order."""
        return (self.ids, self.texts, self.addresses, self.times, self.sources, self.categories,
                self.lat, self.lon)

    def fields(self, i: int) -> tuple[str, str, str, str, float | None, float | None]:
        """Report i's text, address, source, category ("" for none), lat and lon (None for none): the
        report fields of its journal operation, as the core read them."""

        def coordinate(column: np.ndarray | None) -> float | None:
            return None if column is None or np.isnan(column[i]) else float(column[i])

        category = self.categories[i] if self.categories is not None else ""
        return (self.texts[i], self.addresses[i], self.sources[i], category,
                coordinate(self.lat), coordinate(self.lon))


@dataclass(frozen=True)
class DecisionColumns:
    """One numpy array per decision field, row i the decision of the batch's report i.

    ``event`` is the index of the event (``event_ids()`` gives the ids); ``recurrence_of`` and
    ``review_event`` are event indices or -1; ``category``, ``platform`` and ``unit`` are indices
    decoded by ``category_codes()``, ``platform_codes()`` and ``unit_codes()``; ``level`` indexes
    grid, community, town, county, city, province; ``deadline`` is seconds since the epoch;
    ``co_platforms`` a bit mask over the platforms.
    """

    report_ids: list[str]
    event: np.ndarray
    is_new: np.ndarray
    recurrence_of: np.ndarray
    needs_review: np.ndarray
    review_event: np.ndarray
    score: np.ndarray
    category: np.ndarray
    category_confidence: np.ndarray
    category_from_hint: np.ndarray
    platform: np.ndarray
    co_platforms: np.ndarray
    level: np.ndarray
    unit: np.ndarray
    deadline: np.ndarray
    _engine: Engine

    def __len__(self) -> int:
        return len(self.report_ids)

    def outcomes(self) -> list[str]:
        """``duplicate``, ``recurrence``, ``review`` or ``new`` per report (as Decision.outcome)."""
        return [_outcome(*row) for row in zip(self.is_new, self.recurrence_of, self.needs_review, strict=True)]

    def event_ids(self) -> list[str]:
        return self._engine._core.event_ids(self.event)

    def category_codes(self) -> list[str]:
        return list(np.asarray(self._engine._category_codes, dtype=object)[self.category])

    def platform_codes(self) -> list[str]:
        return list(np.asarray(self._engine._platform_codes, dtype=object)[self.platform])

    def level_codes(self) -> list[str]:
        return list(np.asarray(LEVELS, dtype=object)[self.level])

    def unit_codes(self) -> list[str]:
        unit = self._engine._unit
        return [u.code if (u := unit(int(i))) is not None else "" for i in self.unit]

    def row(self, i: int) -> dict[str, Any]:
        """Report i's decision as the record ``Decision.to_dict()`` gives (same keys and values)."""
        engine = self._engine
        event_id = engine._core.event_ids(self.event[i : i + 1])[0]
        recurrence, review = engine._core.event_ids(np.array([self.recurrence_of[i], self.review_event[i]]))
        unit = engine._unit(int(self.unit[i]))
        mask = int(self.co_platforms[i])
        platforms = engine._platform_codes
        deadline: datetime = from_epoch(int(self.deadline[i]), engine._tz)
        return {
            "report_id": self.report_ids[i],
            "event_id": event_id,
            "outcome": _outcome(self.is_new[i], self.recurrence_of[i], self.needs_review[i]),
            "is_new": bool(self.is_new[i]),
            "duplicate_of": None if self.is_new[i] else event_id,
            "recurrence_of": recurrence or None,
            "needs_review": bool(self.needs_review[i]),
            "review_event": review or None,
            "score": round(float(self.score[i]), 4),
            "category": engine._category_codes[int(self.category[i])],
            "category_confidence": round(float(self.category_confidence[i]), 4),
            "platform": platforms[int(self.platform[i])],
            "co_platforms": [p for k, p in enumerate(platforms) if mask >> k & 1],
            "level": LEVELS[int(self.level[i])],
            "unit": unit.code if unit else "",
            "unit_name": unit.name_path if unit else "",
            "deadline": deadline.isoformat(),
        }
