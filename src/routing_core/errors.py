"""Exceptions raised by routing_core.

Every error a caller can cause derives from :class:`RoutingCoreError`. The C++ core raises these same
classes through its binding, so ``except routing_core.errors.InvalidReportError`` catches a bad report
whether Python or C++ found the problem.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "InvalidReportError",
    "RoutingCoreError",
    "RulesError",
    "StoreError",
    "UnknownEventError",
]


class RoutingCoreError(Exception):
    """Base class of all routing_core errors."""


class InvalidReportError(RoutingCoreError, ValueError):
    """A report (or another input) failed validation; the engine's state is unchanged.

    Attributes
    ----------
    field : str
        The offending field, e.g. ``"time"`` or ``"reports[3].text"`` in a batch.
    value : str
        A printable, length-capped excerpt of the offending value.
    """

    def __init__(self, message: str, field: str, value: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class UnknownEventError(RoutingCoreError, KeyError):
    """An event id the engine does not know."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class ConfigError(RoutingCoreError, ValueError):
    """A configuration (gazetteer, rules, match parameters) that cannot be used."""


class RulesError(ConfigError):
    """A rules file that cannot be loaded; the message names the file and the path inside it."""


class StoreError(RoutingCoreError):
    """The durable store failed (or is held by another engine); the message names the store.

    After a failed write the engine refuses further changes: its memory is ahead of its store. Open
    a new engine on the store to go on from the last durable state.
    """
