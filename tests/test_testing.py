"""routing_core.testing: the strategies produce what they promise and the checks catch broken rules."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from routing_core import Engine
from routing_core.rules import load_rules
from routing_core.testing import (
    addresses,
    check_deterministic,
    check_escalation,
    check_level_floor,
    check_one_platform_and_level,
    check_rules,
    reports,
    rules_files,
)

pytestmark = pytest.mark.property

_ENGINE = Engine()
_IDS = itertools.count()


@settings(max_examples=50)
@given(addresses())
def test_addresses_parse_to_a_unit_when_they_name_one(address: str) -> None:
    p = _ENGINE.parse_address(address)
    if re.search("(街道|镇|乡)", address) and "社区" not in address and "村" not in address:
        assert p.town is not None, address


@settings(max_examples=50)
@given(reports())
def test_reports_are_accepted_by_the_engine(report: dict) -> None:  # type: ignore[type-arg]
    report = {**report, "id": f"{report['id']}/{next(_IDS)}"}
    assert _ENGINE.submit(report).report_id == report["id"]


# The checks run their own @given inside: nesting is intended here (few outer examples).
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.nested_given])
@given(rules_files())
def test_generated_rules_files_load_and_pass_the_checks(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("rules") / "rules.toml"
    path.write_text(text, encoding="utf-8")
    rules = load_rules(path)
    check_one_platform_and_level(rules, max_examples=5)
    check_level_floor(rules, max_examples=5)
    check_escalation(rules, max_examples=3)


def test_bundled_rules_pass_every_check() -> None:
    check_rules(None, max_examples=30)


def test_check_rules_reports_an_unreachable_rule(tmp_path: Path) -> None:
    from test_rules_audit import TWO_CATEGORIES

    path = tmp_path / "rules.toml"
    path.write_text(TWO_CATEGORIES, encoding="utf-8")
    with pytest.raises(AssertionError, match="category:bins"):
        check_rules(path, max_examples=5)


def test_level_floor_check_fails_when_the_engine_routes_too_low(monkeypatch: pytest.MonkeyPatch) -> None:
    # Sabotage the oracle's view: pretend every category is forced to the city. A correct engine routes
    # most reports below the city, so the check must fail — proof that it can.
    import routing_core.testing as testing

    monkeypatch.setattr(testing, "forced_level", lambda rules, category, text, **kwargs: "city")
    # Finding the failure is what is tested; shrinking it would only cost time.
    monkeypatch.setattr(testing, "_settings", lambda n: settings(max_examples=n, deadline=None, database=None,
                                                                 phases=[Phase.generate], report_multiple_bugs=False))
    with pytest.raises(AssertionError):
        check_level_floor(None, max_examples=20)


def test_every_check_runs_on_the_gazetteer_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An integrator in another city fuzzes its rules with its own gazetteer: every engine the checks
    # make loads it, and the reports' addresses come from its units.
    import routing_core.rules_audit as audit
    import routing_core.testing as testing
    from test_cli_engine_files import TAIZHOU

    gazetteer = tmp_path / "taizhou.tsv"
    gazetteer.write_text(TAIZHOU, encoding="utf-8")
    loaded_with: list[object] = []
    real = testing.Engine

    def recording(**settings: object) -> Engine:
        loaded_with.append(settings.get("gazetteer"))
        return real(**settings)  # type: ignore[arg-type]

    monkeypatch.setattr(testing, "Engine", recording)
    monkeypatch.setattr(audit, "Engine", recording)
    check_rules(None, gazetteer=gazetteer, max_examples=4)
    assert len(loaded_with) >= 5 and all(g == gazetteer for g in loaded_with)
    address = find(reports(gazetteer=gazetteer), lambda r: r["address"] != "")["address"]
    assert any(name in address for name in ("台州", "椒江", "海门", "东山")), address


def test_determinism_check_runs() -> None:
    check_deterministic(None, max_examples=5)


def test_strategy_arguments_are_checked() -> None:
    from datetime import datetime

    from hypothesis.errors import InvalidArgument

    with pytest.raises(InvalidArgument):
        reports(min_time=datetime(2026, 1, 1)).example()
    with pytest.raises(InvalidArgument):
        rules_files(max_categories=0).example()
    assert isinstance(st.lists(reports()), st.SearchStrategy)


def test_reports_draw_category_hints_and_positions_near_the_gazetteers_centroids(tmp_path: Path) -> None:
    from test_coordinates import CENTROIDS, _gazetteer_with_centroids

    gazetteer = _gazetteer_with_centroids(tmp_path)
    unshrunk = settings(phases=[Phase.generate], database=None, max_examples=2000)  # any example will do
    hinted = find(reports(), lambda r: "category" in r, settings=unshrunk)
    d = Engine().submit(hinted)
    assert d.category == hinted["category"] and d.explain()["classification"]["from_hint"]
    placed = find(reports(gazetteer=gazetteer), lambda r: "lat" in r, settings=unshrunk)
    assert any(abs(placed["lat"] - lat) < 0.0021 and abs(placed["lon"] - lon) < 0.0021  # (0.002 and rounding)
               for lat, lon in CENTROIDS.values()), placed
    # Without centroids, positions fall in Ningbo (its urban area and county towns).
    ningbo = find(reports(), lambda r: "lat" in r, settings=unshrunk)
    assert 29.6 < ningbo["lat"] < 30.2 and 121.1 < ningbo["lon"] < 121.9, ningbo
    # A report with a position and no address is placed by the nearest centroid.
    unaddressed = find(
        reports(gazetteer=gazetteer), lambda r: "lat" in r and r["address"] == "", settings=unshrunk
    )
    assert Engine(gazetteer=gazetteer).submit(unaddressed).explain()["address"]["placed_by_coordinates"]
