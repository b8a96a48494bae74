"""Argument types shared by the command-line tools and the measuring scripts.

argparse names the option in its error and exits with status 2, so a bad value stops the tool at once
with a message like ``argument --days: '0': expected at least 1`` instead of a traceback minutes in.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Engine

__all__ = [
    "at_least",
    "counts",
    "engine_files",
    "engine_from",
    "iso_date",
    "iso_datetime",
    "number_in",
    "output_file",
]


def at_least(least: int) -> Callable[[str], int]:
    """An argparse type: an int of at least ``least``."""

    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r}: expected an integer") from None
        if n < least:
            raise argparse.ArgumentTypeError(f"{value!r}: expected at least {least}")
        return n

    return parse


def counts(what: str, low: int, high: int | None = None) -> Callable[[str], list[int]]:
    """An argparse type: comma-separated counts of ``what``, each at least ``low`` (and at most ``high``)."""
    span = f"at least {low}" if high is None else f"in {low}..{high}"

    def parse(value: str) -> list[int]:
        try:
            numbers = [int(v) for v in value.split(",")]
        except ValueError:
            numbers = []
        if not numbers or any(n < low or (high is not None and n > high) for n in numbers):
            raise argparse.ArgumentTypeError(f"{value!r}: expected {what} counts {span} separated by commas")
        return numbers

    return parse


def number_in(low: float, high: float = math.inf) -> Callable[[str], float]:
    """An argparse type: a finite number in [``low``, ``high``]."""
    span = f"at least {low:g}" if high == math.inf else f"in {low:g}..{high:g}"

    def parse(value: str) -> float:
        try:
            x = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r}: expected a number") from None
        if not math.isfinite(x) or not low <= x <= high:
            raise argparse.ArgumentTypeError(f"{value!r}: expected a finite number {span}")
        return x

    return parse


def output_file(value: str) -> str:
    """An argparse type: a path a file can be written to, checked before any work (a year's replay
    is not run to find out at its end that its figures cannot be written)."""
    path = Path(value)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value!r}: is a directory")
    parent = path.parent
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"{value!r}: no such directory {str(parent)!r}")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise argparse.ArgumentTypeError(f"{value!r}: not writable")
    return value


def iso_date(value: str) -> date:
    """An argparse type: an ISO 8601 date (2026-11-01)."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: expected an ISO 8601 date, e.g. 2026-11-01") from None


def iso_datetime(value: str) -> str:
    """An argparse type: an ISO 8601 date-time (kept as the string)."""
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: expected an ISO 8601 date-time, e.g. "
                                         "2026-11-01T00:00:00+08:00") from None
    return value


def engine_files(args: argparse.Namespace) -> dict[str, str | None]:
    """The top-level ``--rules``, ``--gazetteer`` and ``--match`` files as ``Engine`` arguments (None:
    the bundled file)."""
    return {"rules": args.rules, "gazetteer": args.gazetteer, "match": args.match}


def engine_from(args: argparse.Namespace, **settings: Any) -> Engine:
    """An engine on the command line's files (:func:`engine_files`); ``settings`` add or replace
    ``Engine`` arguments (``threads=2``, ``rules=...``)."""
    from .engine import Engine  # loads the core: only for a command that routes

    return Engine(**{**engine_files(args), **settings})
