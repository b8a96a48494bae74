"""Engine.close_many: a day's closes in one call, the same as closing them one by one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from routing_core import Engine, InvalidReportError, UnknownEventError
from routing_core.replay import _columns
from routing_core.synth import generate
from store_helpers import events


def _open_day(engine: Engine, batch: Any) -> list[str]:
    """Submits one generated day as columns; the engine's event id of each report."""
    columns = engine.submit_columns(*_columns(batch)[:5], categories=_columns(batch)[5],
                                    lat=_columns(batch)[6], lon=_columns(batch)[7])
    return columns.event_ids()


def _closings(batch: Any, event_ids: list[str]) -> tuple[list[str], list[int]]:
    """The day's closes as (event id, time) rows, with the rows a real history holds that are bad:
    an incident of an event closed already (two incidents the engine fused), and a few made up here
    (an unknown id, a row twice, a time before the event's latest step)."""
    engine_event: dict[str, str] = {}
    for incident, event_id in zip(batch.event, event_ids, strict=True):
        engine_event.setdefault(incident, event_id)
    ids = [engine_event[incident] for incident, _ in batch.closes if incident in engine_event]
    times = [int(when) for incident, when in batch.closes if incident in engine_event]
    assert len(ids) > 100
    ids += ["E99999999", ids[0], ids[1]]
    times += [times[-1], times[0], 0]
    return ids, times


def _one_by_one(engine: Engine, ids: list[str], times: list[int]) -> list[bool]:
    closed = []
    for event_id, when in zip(ids, times, strict=True):
        try:
            engine.close(event_id, time=when, resolution="已处置")
            closed.append(True)
        except (InvalidReportError, UnknownEventError):
            closed.append(False)
    return closed


def test_skipping_bad_rows_closes_exactly_what_closing_one_by_one_does() -> None:
    days = list(generate(days=2, reports_per_day=1500, seed=11))
    one, many = Engine(), Engine()
    ids_one = _open_day(one, days[0])
    assert _open_day(many, days[0]) == ids_one
    ids, times = _closings(days[0], ids_one)

    expected = _one_by_one(one, ids, times)
    closed = many.close_many(ids, times, "已处置", skip_invalid=True)

    assert closed.dtype == np.bool_ and closed.tolist() == expected
    assert expected[-3:] == [False, False, False] and sum(expected) > 100
    assert many.stats() == one.stats()
    assert events(many) == events(one)  # the same closed steps, resolutions and times
    # The next day is decided the same way: the lookup and the cards saw the same closes.
    assert _open_day(many, days[1]) == _open_day(one, days[1])


@pytest.mark.parametrize(
    ("row", "event_id", "time", "error", "named"),
    [
        (2, "E99999999", None, UnknownEventError, "event_ids[2]: unknown event id 'E99999999'"),
        (2, "first", None, InvalidReportError, "event_ids[2]"),  # the same event as row 0
        (1, None, 0, InvalidReportError, "times[1]"),  # before the event's latest step
        (1, None, -(10**12), InvalidReportError, "times[1]"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_closed(
    sample_reports: list[dict[str, Any]], row: int, event_id: str | None, time: int | None,
    error: type[Exception], named: str,
) -> None:
    engine = Engine()
    opened = [d.event_id for d in engine.submit_many(sample_reports[:60]) if d.is_new]
    ids = opened[:3]
    times = [1_800_000_000] * 3
    if event_id is not None:
        ids[row] = ids[0] if event_id == "first" else event_id
    if time is not None:
        times[row] = time
    before = (engine.stats(), events(engine))
    with pytest.raises(error, match=named.replace("[", r"\[").replace("]", r"\]")):
        engine.close_many(ids, times, "已处置")
    assert (engine.stats(), events(engine)) == before


def test_one_resolution_per_row_or_one_for_all(sample_reports: list[dict[str, Any]]) -> None:
    engine = Engine()
    opened = [d.event_id for d in engine.submit_many(sample_reports[:60]) if d.is_new][:3]
    assert engine.close_many(opened[:2], [1_800_000_000] * 2, ["已清运", "已修复"]).all()
    assert engine.close_many(opened[2:], np.array([1_800_000_000]), "已劝离").all()
    assert [engine.event(e).resolution for e in opened] == ["已清运", "已修复", "已劝离"]
    assert engine.close_many([], [], "已处置").tolist() == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"event_ids": "E00000001"}, "event_ids"),
        ({"times": ["2026-11-23"]}, "times"),
        ({"times": [1.5]}, "times"),
        ({"times": [1, 2]}, "times"),
        ({"resolution": ["a", "b"]}, "resolution"),
        ({"resolution": ["\ud800"]}, "resolution"),
        ({"resolution": 7}, "resolution"),
        ({"skip_invalid": 1}, "skip_invalid"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, Any], field: str) -> None:
    args: dict[str, Any] = {"event_ids": ["E00000001"], "times": [1_800_000_000], "resolution": "已处置"}
    args.update(kwargs)
    skip = args.pop("skip_invalid", False)
    with pytest.raises(InvalidReportError) as caught:
        Engine().close_many(args["event_ids"], args["times"], args["resolution"], skip_invalid=skip)
    assert caught.value.field.startswith(field)


def test_closings_are_journaled_and_recovered(tmp_path: Path, sample_reports: list[dict[str, Any]]) -> None:
    path = tmp_path / "events.sqlite"
    with Engine(store=str(path)) as engine:
        opened = [d.event_id for d in engine.submit_many(sample_reports[:80]) if d.is_new]
        closed = engine.close_many(opened[:5] + ["E99999999"], [1_800_000_000] * 6, "已处置",
                                   skip_invalid=True)
        assert closed.tolist() == [True] * 5 + [False]
        store = engine.store
        assert store is not None
        assert sum(op.kind == "close" for op in store.ops()) == 5
        assert sum(step.kind == "closed" for step in store.steps()) == 5
        state = (engine.stats(), events(engine))
    reopened = Engine(store=str(path))
    try:
        assert (reopened.stats(), events(reopened)) == state
    finally:
        reopened.close_store()
