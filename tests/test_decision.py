"""A Decision made by the engine is the dataclass its constructor makes: every field set, frozen, and
each value the core decision's own (the binding's one-call `fields(names)` read against its attributes)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from routing_core import Decision, Engine
from routing_core.engine import _CORE_DECISION_FIELDS
from routing_core.report import to_core_report


def _core_decisions(reports: list[dict[str, Any]]) -> list[Any]:
    """Core decisions of the sample, the first half explained, the second half lean."""
    engine = Engine()
    half = len(reports) // 2
    core = engine._core  # the binding, read directly: this test is about its fields
    out = [core.submit(to_core_report(r, engine._tz), True) for r in reports[:half]]
    out += [core.submit(to_core_report(r, engine._tz), False) for r in reports[half:]]
    return out


def test_fields_are_the_attributes_in_the_decisions_order(sample_reports: list[dict[str, Any]]) -> None:
    decisions = _core_decisions(sample_reports)
    assert any(d.duplicate_of for d in decisions) and any(d.evidence for d in decisions)
    assert any(d.rules_fired for d in decisions) and any(d.co_platforms for d in decisions)
    for d in decisions:
        expected = (
            d.report_id, d.event_id, d.is_new, d.duplicate_of or None, d.recurrence_of or None,
            d.needs_review, d.review_event or None, d.score, d.category, d.category_confidence,
            d.category_from_hint, tuple(d.evidence), d.platform, tuple(d.co_platforms), d.level, d.unit_code,
            d.unit_name, d.deadline, tuple(d.rules_fired), tuple(d.rule_reasons),
        )
        assert tuple(d.fields(_CORE_DECISION_FIELDS).values()) == expected


@pytest.mark.parametrize("explain", [True, False])
def test_engine_decision_equals_the_constructors(sample_reports: list[dict[str, Any]], explain: bool) -> None:
    engine = Engine()
    names = [f.name for f in dataclasses.fields(Decision)]
    for report in sample_reports[:60]:
        made = engine.submit(report, explain=explain)
        rebuilt = Decision(**{name: getattr(made, name) for name in names})
        assert sorted(vars(made)) == sorted(names)  # every field once read (the address lazily), nothing else
        assert made == rebuilt and repr(made) == repr(rebuilt) and hash(made) == hash(rebuilt)
        assert made.candidates == rebuilt.candidates
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.score = 0.0  # type: ignore[misc]


def test_an_explained_decisions_address_is_made_on_first_read(sample_reports: list[dict[str, Any]]) -> None:
    engine = Engine()
    core = Engine()._core  # a twin engine's core decisions, converted eagerly to compare with
    for report in sample_reports[:40]:
        lazy = engine.submit(report)
        eager = engine._address(core.submit(to_core_report(report, engine._tz), True).address)
        assert "address" not in vars(lazy)
        assert lazy == dataclasses.replace(lazy)  # equality, repr and replace read it like any field
        assert lazy.address == eager and lazy.address is lazy.address
        assert "_address_source" not in vars(lazy)
        assert lazy.explain()["address"] == dataclasses.asdict(eager)
    with pytest.raises(AttributeError, match="no attribute 'adress'"):
        lazy.adress  # type: ignore[attr-defined]  # noqa: B018
