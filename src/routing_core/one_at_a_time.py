"""A file's reports in batches: converted, decided by the core, or taken again one report at a time.

A batch with a bad report is rejected whole and changes nothing. Tools that read a file of reports
(``routing-core route``, ``rules diff``) then submit its reports one by one, so that each bad one is
named with its line and the others go through, in the order the batch would have taken them. They
convert a batch on their main thread (:func:`convert_batch`) and decide it on an engine thread of its
own (:func:`decide_batch`), which holds the GIL only for the fallback.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import _core
from .decision import Decision
from .engine import Engine
from .errors import RoutingCoreError

__all__ = ["Decided", "OneAtATime", "convert_batch", "decide_batch", "submit_one_at_a_time"]

#: A batch taken one report at a time: each report's decision (None where rejected), and the rejections.
OneAtATime = tuple[list[Decision | None], list[tuple[int, RoutingCoreError]]]
#: What :func:`decide_batch` gives: the core's decisions of the whole batch, or the batch one at a time.
Decided = list[_core.Decision] | OneAtATime


def submit_one_at_a_time(
    engine: Engine, records: Iterable[tuple[int, dict[str, Any]]], *, explain: bool
) -> OneAtATime:
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


def convert_batch(engine: Engine, records: list[tuple[int, dict[str, Any]]]) -> list[_core.Report] | None:
    """The batch's reports as the core takes them; None when one of them does not convert."""
    try:
        return engine._core_reports([r for _, r in records])
    except RoutingCoreError:
        return None


def decide_batch(
    engine: Engine,
    records: list[tuple[int, dict[str, Any]]],
    cores: list[_core.Report] | None,
    *,
    explain: bool,
) -> Decided:
    """The core's decisions of the converted batch ``cores`` (the GIL released). When the batch did not
    convert (None) or the core rejects it (its own checks: a known id with other content, ...), the
    batch one report at a time."""
    if cores is not None:
        try:
            return engine._decide(cores, explain)
        except RoutingCoreError:
            pass
    return submit_one_at_a_time(engine, records, explain=explain)
