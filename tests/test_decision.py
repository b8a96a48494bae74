"""A Decision made by the engine is the dataclass its constructor makes: every field set, frozen, and
each value the core decision's own (the binding's one-call `fields(names)` read against its attributes)."""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import MISSING
from typing import Any

import pytest

from routing_core import Candidate, Decision, Engine
from routing_core.decision import _MADE_ON_READ
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
            d.category_from_hint, d.platform, tuple(d.co_platforms), d.level, d.unit_code, d.unit_name,
            d.deadline, tuple(d.rules_fired), tuple(d.rule_reasons),
        )
        assert tuple(d.fields(_CORE_DECISION_FIELDS).values()) == expected


@pytest.mark.parametrize("explain", [True, False])
def test_engine_decision_equals_the_constructors(sample_reports: list[dict[str, Any]], explain: bool) -> None:
    engine = Engine()
    names = [f.name for f in dataclasses.fields(Decision)]
    for report in sample_reports[:60]:
        made = engine.submit(report, explain=explain)
        rebuilt = Decision(**{name: getattr(made, name) for name in names})
        assert sorted(vars(made)) == sorted(names)  # every field once read (some made then), nothing else
        assert made == rebuilt and repr(made) == repr(rebuilt) and hash(made) == hash(rebuilt)
        assert made.candidates == rebuilt.candidates
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.score = 0.0  # type: ignore[misc]
        for candidate in made.candidates:  # made by Candidate._unchecked
            again = Candidate(**{f.name: getattr(candidate, f.name) for f in dataclasses.fields(Candidate)})
            assert sorted(vars(candidate)) == sorted(vars(again))
            assert candidate == again and repr(candidate) == repr(again)
            with pytest.raises(dataclasses.FrozenInstanceError):
                candidate.score = 0.0  # type: ignore[misc]


@pytest.mark.parametrize("explain", [True, False])
def test_the_address_and_the_evidence_are_made_on_first_read(
    sample_reports: list[dict[str, Any]], explain: bool
) -> None:
    engine = Engine()
    core = Engine()._core  # a twin engine's core decisions, converted eagerly to compare with
    later = ["evidence", "address"] if explain else []  # a lean Decision has nothing to make later
    for f in dataclasses.fields(Decision):  # a default would be a class attribute, read before __getattr__
        assert f.name not in _MADE_ON_READ or (f.default, f.default_factory) == (MISSING, MISSING)
    explained = 0
    for report in sample_reports[:40]:
        lazy = engine.submit(report, explain=explain)
        twin = core.submit(to_core_report(report, engine._tz), explain)
        assert not set(later) & set(vars(lazy))
        assert ("_later" in vars(lazy)) == explain
        assert lazy == dataclasses.replace(lazy)  # equality, repr and replace read them like any field
        assert lazy.address == engine._address(twin.address) and lazy.address is lazy.address
        assert (lazy.evidence, lazy.rules_fired, lazy.rule_reasons) == (
            tuple(twin.evidence), tuple(twin.rules_fired), tuple(twin.rule_reasons)
        )
        assert "_later" not in vars(lazy)  # all made: the maker is dropped
        assert lazy.explain()["address"] == dataclasses.asdict(lazy.address)
        explained += bool(lazy.evidence and lazy.rules_fired)
    assert explained > 20 if explain else explained == 0
    with pytest.raises(AttributeError, match="no attribute 'adress'"):
        lazy.adress  # type: ignore[attr-defined]  # noqa: B018


def test_a_lean_decision_lets_its_core_decision_go(sample_reports: list[dict[str, Any]]) -> None:
    # A back-end keeping many lean Decisions must not keep the core's decisions alive with them;
    # an explained one holds its core decision until its candidates, address and evidence are made.
    engine = Engine()
    for report, explain in zip(sample_reports[:20], [False, True] * 10, strict=True):
        core_decision = engine._core.submit(to_core_report(report, engine._tz), explain)
        before = sys.getrefcount(core_decision)
        decision = engine._decision(core_decision, lean=not explain)
        assert sys.getrefcount(core_decision) == before + (1 if explain else 0)
        assert decision.candidates == () or explain
