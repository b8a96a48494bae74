"""Checks of the library functions' numeric arguments (the command line has its own, in cli_args).

Each raises ValueError naming the argument and the value, e.g. ``seed=-1: expected a non-negative int``.
"""

from __future__ import annotations

import math

from .errors import excerpt

__all__ = ["require_int", "require_number"]


def require_int(name: str, value: object, least: int) -> None:
    """``value`` must be an int (not a bool) of at least ``least`` (0 or 1: the message says which)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        kind = {0: "a non-negative int", 1: "a positive int"}.get(least, f"an int of at least {least}")
        raise ValueError(f"{name}={excerpt(value)}: expected {kind}")


def require_number(name: str, value: object, low: float, high: float = math.inf) -> None:
    """``value`` must be a finite int or float (not a bool) in [``low``, ``high``]."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not (ok and low <= value <= high):  # type: ignore[operator]
        span = f"of at least {low:g}" if high == math.inf else f"in {low:g}..{high:g}"
        raise ValueError(f"{name}={excerpt(value)}: expected a finite number {span}")
