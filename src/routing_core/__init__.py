"""routing_core: event routing and dedup for grid-governance platforms (网格化管理 · 四平台).

>>> from routing_core import Engine
>>> engine = Engine()                                   # bundled Ningbo gazetteer and rules
>>> d = engine.submit({"id": "r1", "text": "...", "address": "...", "time": "2026-11-23T08:15:00+08:00"})
"""

from __future__ import annotations

from functools import lru_cache

from .address import AdminUnit, ParsedAddress
from .classification import Classification
from .decision import Candidate, Decision
from .engine import Engine, EngineStats, Limits
from .errors import (
    ConfigError,
    InvalidReportError,
    RoutingCoreError,
    RulesError,
    StoreError,
    UnknownEventError,
)
from .event import Escalation, Event, EventStep
from .report import Report

__all__ = [
    "AdminUnit",
    "Candidate",
    "Classification",
    "ConfigError",
    "Decision",
    "Engine",
    "EngineStats",
    "Escalation",
    "Event",
    "EventStep",
    "InvalidReportError",
    "Limits",
    "ParsedAddress",
    "Report",
    "RoutingCoreError",
    "RulesError",
    "StoreError",
    "UnknownEventError",
    "parse_address",
]

__version__ = "0.5.0"


@lru_cache(maxsize=1)
def _default_engine() -> Engine:
    return Engine()


def parse_address(address: str) -> ParsedAddress:
    """Parse a Chinese address with the bundled Ningbo gazetteer.

    >>> parse_address("鄞州区百丈街道划船社区百丈东路168号3幢").town.name
    '百丈街道'
    """
    return _default_engine().parse_address(address)
