"""Argument types shared by the command-line tools."""

from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ["at_least"]


def at_least(least: int) -> Callable[[str], int]:
    """An argparse type: an int of at least ``least`` (argparse names the option in its error)."""

    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r}: expected an integer") from None
        if n < least:
            raise argparse.ArgumentTypeError(f"{value!r}: expected at least {least}")
        return n

    return parse
