"""Event, its history, and escalations: the state the engine keeps per incident."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["Escalation", "Event", "EventStep"]


@dataclass(frozen=True)
class EventStep:
    """One step of an event's history: opened, merged, raised, escalated or closed."""

    time: datetime
    kind: str
    level: str
    unit: str
    rule: str
    report_id: str


@dataclass(frozen=True)
class Event:
    """One incident, however many reports it has."""

    id: str
    report_ids: tuple[str, ...]
    sources: tuple[str, ...]
    status: str  # "open" or "closed"
    category: str
    platform: str
    co_platforms: tuple[str, ...]
    level: str
    unit: str
    unit_name: str
    opened: datetime
    last_report: datetime
    deadline: datetime
    closed: datetime | None
    resolution: str
    recurrence_of: str | None
    history: tuple[EventStep, ...]


@dataclass(frozen=True)
class Escalation:
    """An overdue event moved one level up by ``Engine.advance``."""

    event_id: str
    from_level: str
    to_level: str
    unit: str
    unit_name: str
    time: datetime
    deadline: datetime
