"""Parity: the C++ router against the pure-Python reference written from the rules documentation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing_core import Engine
from routing_core.rules import load_rules
from routing_core.rules_audit import reference_routing
from routing_core.testing import reports, rules_files
from routing_core.times import to_epoch

pytestmark = pytest.mark.property

LEVELS = ("grid", "community", "town", "county", "city")
_BUNDLED = Engine()


def _same_as_reference(engine: Engine, report: dict[str, Any]) -> None:
    d = engine.empty_copy().submit(report)
    platform, co, level, deadline, fired = reference_routing(
        engine.rules, d.category, report["text"], channel=report["source"],
        time=to_epoch(report["time"], "time", engine.rules.timezone),
    )
    assert d.platform == platform
    assert set(d.co_platforms) == co
    assert int(d.deadline.timestamp()) == deadline
    assert tuple(r.removeprefix("rule:") for r in d.rules_fired if r.startswith("rule:")) == fired
    # The address may move the event up (a unit named only at a higher level), never down.
    assert LEVELS.index(d.level) >= LEVELS.index(level)
    if d.level != level:
        assert any(r.startswith("jurisdiction:") for r in d.rules_fired), d.rules_fired


@settings(max_examples=200, deadline=None)
@given(reports())
def test_bundled_rules_route_like_the_reference(report: dict[str, Any]) -> None:
    _same_as_reference(_BUNDLED, report)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), rules_files())
def test_generated_rules_route_like_the_reference(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, text: str
) -> None:
    path: Path = tmp_path_factory.mktemp("rules") / "rules.toml"
    path.write_text(text, encoding="utf-8")
    engine = Engine(rules=path)
    for _ in range(5):
        _same_as_reference(engine, data.draw(reports(rules=load_rules(path))))


def test_reference_on_hand_checked_cases() -> None:
    # 无人员伤亡 is negated (无 + 2 characters), 有人受伤 is not: SEV-CASUALTY fires only for the second.
    time = to_epoch("2026-11-23T08:00:00+08:00", "time", _BUNDLED.rules.timezone)
    calm = reference_routing(_BUNDLED.rules, "traffic_order", "两车剐蹭，无人员伤亡", channel="app", time=time)
    hurt = reference_routing(_BUNDLED.rules, "traffic_order", "两车相撞，有人受伤", channel="app", time=time)
    assert "SEV-CASUALTY" not in calm[4] and "SEV-CASUALTY" in hurt[4]
    assert hurt[2] == "county" and hurt[3] == time + 2 * 3600
