"""Exceptions raised by routing_core.

Every error a caller can cause derives from :class:`RoutingCoreError`. The C++ core raises these same
classes through its binding, so ``except routing_core.errors.InvalidReportError`` catches a bad report
whether Python or C++ found the problem.
"""

from __future__ import annotations

import reprlib

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


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxtuple, _SHORT.maxdict, _SHORT.maxother = 2, 4, 4, 4, 60


def excerpt(value: object, limit: int = 80) -> str:
    """A printable excerpt of ``value`` for an error message: its repr, cut to ``limit`` characters.

    It never raises and never builds a large string: a long text is cut before its repr is made, a
    container shows its first few items, and an int too long to print (Python refuses more than
    4,300 digits) is described by its size.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 10_000:
        return f"<an integer of {value.bit_length():,} bits>"
    try:
        if isinstance(value, (str, bytes)):
            text = repr(value[: limit + 1])
        elif isinstance(value, (int, float, bool)) or value is None:
            text = repr(value)
        else:
            text = _SHORT.repr(value)
    except Exception:  # a hostile __repr__, or an item too long to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
