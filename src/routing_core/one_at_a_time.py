"""A batch that an engine rejected, submitted again one report at a time.

A batch with a bad report is rejected whole and changes nothing. Tools that read a file of reports
(``routing-core route``, ``rules diff``) then submit its reports one by one, so that each bad one is
named with its line and the others go through, in the order the batch would have taken them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .decision import Decision
from .engine import Engine
from .errors import RoutingCoreError

__all__ = ["submit_one_at_a_time"]


def submit_one_at_a_time(
    engine: Engine, records: Iterable[tuple[int, dict[str, Any]]], *, explain: bool
) -> tuple[list[Decision | None], list[tuple[int, RoutingCoreError]]]:
    """Each (line number, report)'s decision, None where the engine rejected it; and the rejections."""
    decisions: list[Decision | None] = []
    errors: list[tuple[int, RoutingCoreError]] = []
    for lineno, report in records:
        try:
            decisions.append(engine.submit(report, explain=explain))
        except RoutingCoreError as exc:
            decisions.append(None)
            errors.append((lineno, exc))
    return decisions, errors
