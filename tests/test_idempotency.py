"""Report ids are idempotency keys: a re-sent report returns the original decision, changes nothing;
the same id with other content is an error naming ``id``; a batch answers a repeated id with the
decision of its first occurrence and applies it once."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_helpers import events

from routing_core import Engine, InvalidReportError
from routing_core.times import to_epoch

TZ = ZoneInfo("Asia/Shanghai")


def _key(d: Any) -> tuple[Any, ...]:
    return (
        d.report_id,
        d.event_id,
        d.outcome,
        d.duplicate_of,
        d.category,
        d.level,
        d.unit,
        d.deadline,
        d.score,
    )


def test_resent_report_returns_the_original_decision(sample_reports: list[dict[str, Any]]) -> None:
    engine = Engine()
    originals = engine.submit_many(sample_reports[:40])
    engine.advance(sample_reports[39]["time"])  # state moves on: the answers stay the original ones
    engine.advance("2026-12-31T00:00:00+08:00")
    before = (engine.stats(), events(engine))
    again = [engine.submit(r) for r in sample_reports[:40]]
    assert [_key(d) for d in again] == [_key(d) for d in originals]
    assert all(d.candidates == () for d in again)  # the kept decision has no candidates (memory)
    assert (engine.stats(), events(engine)) == before


def test_every_field_of_the_answer_is_the_original_one(sample_reports: list[dict[str, Any]]) -> None:
    """Over the whole sample (new, duplicate, recurrence and review outcomes), a re-send answers
    with every field of the original decision's record (``to_dict``), rebuilt from its receipt."""
    engine = Engine()
    first = engine.submit_many(sample_reports)
    end = max(d.deadline for d in first)
    for k in range(1, engine.stats().events + 1):  # close everything: the next copy recurs
        engine.close(f"E{k:08d}", time=end, resolution="已处置")
    later = [
        {**r, "id": f"{r['id']}-b", "time": to_epoch(r["time"], "time", TZ) + 3 * 86400}
        for r in sample_reports
    ]
    originals = [d.to_dict() for d in [*first, *engine.submit_many(later)]]
    assert {d["outcome"] for d in originals} == {"new", "duplicate", "review", "recurrence"}
    engine.advance("2026-12-31T00:00:00+08:00")  # the state moves on: answers stay as decided
    assert [d.to_dict() for d in engine.submit_many([*sample_reports, *later])] == originals


def test_same_id_other_content_is_rejected_naming_the_id(sample_reports: list[dict[str, Any]]) -> None:
    engine = Engine()
    engine.submit(sample_reports[0])
    for change in (
        {"text": "另一件事"},
        {"address": "别的地址"},
        {"time": "2026-11-21T00:00:00+08:00"},
        {"source": "web" if sample_reports[0]["source"] != "web" else "app"},
        {"category": "dispute"},
        {"lat": 29.8, "lon": 121.5},
    ):
        with pytest.raises(InvalidReportError, match="different content") as info:
            engine.submit({**sample_reports[0], **change})
        assert info.value.field == "id"
    assert engine.stats().reports == 1


def test_batch_repeats_answer_with_the_first_occurrence(sample_reports: list[dict[str, Any]]) -> None:
    engine = Engine()
    a, b, c = sample_reports[:3]
    first = engine.submit(a)
    got = engine.submit_many([b, a, c, b])
    assert _key(got[1]) == _key(first)
    assert _key(got[3]) == _key(got[0])
    assert engine.stats().reports == 3
    with pytest.raises(InvalidReportError) as info:
        engine.submit_many([sample_reports[3], {**sample_reports[3], "text": "改了内容"}])
    assert info.value.field == "reports[1].id"
    assert engine.stats().reports == 3


@pytest.mark.property
@settings(max_examples=25, deadline=None)
@given(resend=st.lists(st.integers(min_value=0, max_value=59), max_size=40))
def test_resends_anywhere_leave_the_same_state(
    sample_reports: list[dict[str, Any]], resend: list[int]
) -> None:
    """Interleaving re-sends of earlier reports anywhere gives the state of a clean run."""
    reports = sample_reports[:60]
    clean = Engine()
    clean.submit_many(reports)
    noisy = Engine()
    pending = sorted(resend)
    for i, r in enumerate(reports):
        noisy.submit(r)
        while pending and pending[0] <= i:
            noisy.submit(reports[pending.pop(0)])
    assert noisy.stats() == clean.stats()
    assert events(noisy) == events(clean)


def test_lean_submits_are_journaled_and_recovered(
    sample_reports: list[dict[str, Any]], tmp_path: Any
) -> None:
    # submit(explain=False) through a store: journaled like any submit, so that a new process replays it
    # to the same state and answers a re-sent report with the original decision.
    path = tmp_path / "events.sqlite"
    with Engine(store=path) as engine:
        lean = [engine.submit(r, explain=False) for r in sample_reports[:60]]
        state = (engine.stats(), events(engine))
    with Engine(store=path) as again:
        assert (again.stats(), events(again)) == state
        assert [_key(again.submit(r)) for r in sample_reports[:60]] == [_key(d) for d in lean]
    explained = Engine().submit_many(sample_reports[:60])
    assert [_key(d) for d in lean] == [_key(d) for d in explained]


def test_lean_batches_are_journaled_and_recovered(
    sample_reports: list[dict[str, Any]], tmp_path: Any
) -> None:
    # submit_many(explain=False) through a store, a report id twice in a batch and a batch sent again
    # included: journaled like any batch, recovered to the same state, answered with the original
    # decisions.
    path = tmp_path / "events.sqlite"
    batch = sample_reports[:40] + [sample_reports[3]]
    with Engine(store=path) as engine:
        lean = engine.submit_many(batch, explain=False)
        assert lean[-1] == lean[3]
        assert engine.submit_many(batch, explain=False) == lean
        state = (engine.stats(), events(engine))
    assert state[0].reports == 40
    with Engine(store=path) as again:
        assert (again.stats(), events(again)) == state
        assert [_key(d) for d in again.submit_many(batch, explain=False)] == [_key(d) for d in lean]
    explained = Engine().submit_many(batch)
    assert [_key(d) for d in lean] == [_key(d) for d in explained]
