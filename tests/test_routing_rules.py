"""Routing rules ([[rules]] / [[severity]]): conditions, actions, conflict resolution, re-routing on merge."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from routing_core import Engine, RulesError

HEAD = """
[meta]
name = "测试规则"
timezone = "+08:00"
fallback_category = "other"
[levels]
grid = 24
community = 48
town = 72
county = 120
city = 168
[platforms]
governance = "综治工作"
market = "市场监管"
enforcement = "综合执法"
[[categories]]
code = "sanitation"
label = "市容环卫"
platform = "enforcement"
level = "community"
deadline_hours = 24
[categories.terms]
"垃圾" = 5
[[categories]]
code = "other"
label = "其他"
platform = "governance"
level = "town"
deadline_hours = 72
"""

RULES = HEAD + """
[[rules]]
id = "R-HOT"
channels = ["hotline"]
categories = ["sanitation"]
deadline_hours = 4

[[rules]]
id = "R-MARKET"
priority = 1
min_reports = 3
platform = "market"

[[rules]]
id = "R-MANY"
priority = 5
min_reports = 3
min_level = "town"
platform = "governance"
"""

ADDRESS = "鄞州区百丈街道划船社区百丈东路168号"


def _engine(tmp_path: Path, text: str = RULES) -> Engine:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return Engine(rules=path)


def _report(n: int, source: str, minutes: int) -> dict[str, object]:
    t = datetime.fromisoformat("2026-11-23T08:00:00+08:00") + timedelta(minutes=minutes)
    return {"id": f"r{n}", "text": "百丈东路168号门口垃圾堆了三天没人清运", "address": ADDRESS,
            "time": t.isoformat(), "source": source}


def test_rules_fire_on_merge_by_count_and_channel_with_priority_for_the_platform(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    first = engine.submit(_report(1, "grid", 0))
    assert (first.platform, first.level) == ("enforcement", "community")
    assert first.deadline == datetime.fromisoformat("2026-11-24T08:00:00+08:00")  # 24 h
    assert first.rules_fired == ("category:sanitation",)

    second = engine.submit(_report(2, "grid", 10))
    assert second.duplicate_of == first.event_id
    assert (second.platform, second.level) == ("enforcement", "community")

    third = engine.submit(_report(3, "hotline", 30))
    assert third.duplicate_of == first.event_id
    # 3 reports: R-MANY (priority 5) and R-MARKET (priority 1) both fire; the higher priority sets the
    # lead platform. The hotline report fires R-HOT: 08:30 + 4 h = 12:30 beats the 24 h deadline.
    assert third.rules_fired == ("category:sanitation", "rule:R-MANY", "rule:R-MARKET", "rule:R-HOT")
    assert third.platform == "governance"
    assert third.level == "town" and third.unit_name == "鄞州区百丈街道"
    assert set(third.co_platforms) == {"enforcement"}  # the old lead keeps co-handling
    assert third.deadline == datetime.fromisoformat("2026-11-23T12:30:00+08:00")
    why = dict(zip(third.rules_fired, third.rule_reasons, strict=True))
    assert "3 reports >= 3" in why["rule:R-MANY"] and "channel hotline" in why["rule:R-HOT"]

    history = engine.event(first.event_id).history
    # r1 opened it, r2 and r3 merged, and r3's rules raised it and changed its lead platform.
    assert [s.kind for s in history] == ["opened", "merged", "merged", "raised", "rerouted"]
    assert history[3].rule == history[4].rule == "R-MANY,R-MARKET,R-HOT"
    assert history[3].report_id == "r3" and history[3].level == "town"
    # The event says what the decisions said: the lead the rule chose and the old lead co-handling
    # (not the category's defaults, enforcement alone).
    event = engine.event(first.event_id)
    assert (event.platform, event.co_platforms, event.level) == ("governance", ("enforcement",), "town")


def test_an_event_shows_the_co_handlers_a_channel_rule_added() -> None:
    # The bundled HOTLINE-WAGES rule: a wage claim on the hotline is co-handled by 综治工作.
    engine = Engine()
    d = engine.submit({"id": "w1", "text": "来电人反映公司拖欠工资三个月", "address": ADDRESS,
                       "time": "2026-11-23T08:15:00+08:00", "source": "hotline"})
    assert (d.category, d.co_platforms) == ("labour_security", ("governance",))
    event = engine.event(d.event_id)
    assert (event.platform, event.co_platforms, event.level) == (d.platform, ("governance",), d.level)


def test_conflict_resolution_does_not_depend_on_file_order(tmp_path: Path) -> None:
    blocks = RULES[len(HEAD):].strip().split("\n\n")
    reordered = HEAD + "\n\n" + "\n\n".join(reversed(blocks)) + "\n"
    a, b = _engine(tmp_path), _engine(tmp_path / "..", reordered)
    for n, (source, minutes) in enumerate([("grid", 0), ("grid", 10), ("hotline", 30)], start=1):
        da, db = a.submit(_report(n, source, minutes)), b.submit(_report(n, source, minutes))
        assert (da.platform, da.level, da.deadline, set(da.co_platforms)) == (
            db.platform, db.level, db.deadline, set(db.co_platforms))


def test_severity_in_a_merged_report_raises_the_event(tmp_path: Path) -> None:
    engine = _engine(tmp_path, HEAD + '\n[[severity]]\nid = "SEV-FIRE"\nterms = ["着火了"]\nmin_level = "county"\n'
                     "deadline_hours = 2\n")
    first = engine.submit(_report(1, "grid", 0))
    later = engine.submit({**_report(2, "app", 5), "text": "百丈东路168号门口垃圾堆着火了"})
    assert later.duplicate_of == first.event_id
    assert later.level == "county" and later.unit_name == "鄞州区"
    assert later.deadline == datetime.fromisoformat("2026-11-23T10:05:00+08:00")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param('id = "X"\nmin_level = "town"', "no condition", id="no-condition"),
        pytest.param('id = "X"\nmin_reports = 2', "no action", id="no-action"),
        pytest.param('id = "X"\nchannels = ["pigeon"]\nmin_level = "town"', r"rules\[0\] \(X\)\.channels.*pigeon",
                     id="unknown-channel"),
        pytest.param('id = "X"\ncategories = ["weather"]\nmin_level = "town"', "weather", id="unknown-category"),
        pytest.param('id = "X"\nmin_reports = -1\nmin_level = "town"', r"min_reports", id="negative-count"),
        pytest.param('id = "X"\nmin_reports = 2\nplatform = "police"', "police", id="unknown-platform"),
        pytest.param('id = "X"\nmin_reports = 2\nmin_level = "town"\ncolour = "red"', r"\(X\)\.colour",
                     id="unknown-key"),
        pytest.param('min_reports = 2\nmin_level = "town"', r"rules\[0\]\.id: missing", id="missing-id"),
    ],
)
def test_broken_rule_is_named(tmp_path: Path, rule: str, expected: str) -> None:
    with pytest.raises(RulesError, match=expected) as info:
        _engine(tmp_path, HEAD + "\n[[rules]]\n" + rule + "\n")
    assert "rules.toml" in str(info.value)


def test_bundled_count_rule_raises_a_busy_event_to_its_town() -> None:
    engine = Engine()
    decisions = [engine.submit(_report(n, "app", 3 * n)) for n in range(1, 11)]
    assert {d.event_id for d in decisions} == {decisions[0].event_id}, "one incident, one event"
    assert decisions[8].level == "community"
    assert decisions[9].level == "town" and "rule:MANY-REPORTS" in decisions[9].rules_fired


def test_bundled_negation_keeps_stated_absences_from_escalating() -> None:
    engine = Engine()
    base = {"address": ADDRESS, "time": "2026-11-23T08:00:00+08:00", "source": "grid"}
    calm = engine.submit({**base, "id": "n1", "text": "两车轻微剐蹭，现场无人员伤亡，已自行协商"})
    assert "rule:SEV-CASUALTY" not in calm.rules_fired
    hurt = engine.submit({**base, "id": "n2", "text": "中山西路两车相撞，有人员伤亡，请尽快处置", "address": "海曙区中山西路"})
    assert "rule:SEV-CASUALTY" in hurt.rules_fired and hurt.level == "county"
    # Classification keeps complaint negations ("没有清运") as evidence; only "不是 X" cancels X.
    bins = engine.submit({**base, "id": "n3", "text": "不是噪音的问题，是垃圾好几天没有清运", "address": "海曙区鼓楼街道"})
    assert bins.category == "sanitation"
    assert "¬噪音" in bins.evidence and "清运" in bins.evidence


@pytest.mark.parametrize(
    ("negation", "expected"),
    [
        pytest.param('rules = ["没有"]\nrules_window = 50',
                     r"negation\.rules_window: expected an integer from 0 to 16, got 50", id="window-too-wide"),
        # Past 32 bits and below zero, the same message (these got "from 0 to 4294967295" before).
        pytest.param('rules = ["没有"]\nrules_window = 4294967296',
                     r"negation\.rules_window: expected an integer from 0 to 16, got 4294967296",
                     id="window-past-32-bits"),
        pytest.param('classification = ["不是"]\nclassification_window = -1',
                     r"negation\.classification_window: expected an integer from 0 to 16, got -1",
                     id="window-negative"),
        pytest.param('rules = [""]', r"negation", id="empty-cue"),
        pytest.param('rules = "没有"', r"negation\.rules", id="not-a-list"),
        pytest.param('rule = ["没有"]', r"negation\.rule: unknown key", id="unknown-key"),
    ],
)
def test_broken_negation_is_named(tmp_path: Path, negation: str, expected: str) -> None:
    with pytest.raises(RulesError, match=expected):
        _engine(tmp_path, HEAD + "\n[negation]\n" + negation + "\n")


def test_working_time_deadline_skips_nights_weekends_and_the_national_day_week() -> None:
    # By hand: Wed 9/30 17:00-17:30 is 0.5 h; 10/1-10/7 are holidays; Thu 10/8 and Fri 10/9 give 7.5 h
    # each (08:30-12:00, 13:30-17:30) -> 15.5 h; Sat 10/10 is a 调休 working day -> 23 h; Sun 10/11 off;
    # Mon 10/12 08:30 + the last hour -> 09:30.
    d = Engine().submit({"id": "q", "text": "咨询一下公积金提取需要哪些手续", "address": "鄞州区百丈街道划船社区",
                         "time": "2026-09-30T17:00:00+08:00"})
    assert d.category == "consultation"
    assert d.deadline == datetime.fromisoformat("2026-10-12T09:30:00+08:00")
    assert "working time" in d.rule_reasons[0]


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        pytest.param('working_hours = ["17:00-08:00"]', r"calendar", id="inverted-period"),
        pytest.param('working_hours = ["8点-12点"]', r"calendar\.working_hours\[0\]", id="not-a-time"),
        pytest.param('working_hours = ["08:30-12:00"]\nholidays = ["2026-02-30"]', r"calendar\.holidays\[0\]",
                     id="impossible-date"),
        pytest.param('working_hours = ["08:30-12:00"]\nweekdays = [0]', r"weekdays", id="bad-weekday"),
        pytest.param('working_hours = ["08:30-12:00"]\nholiday = []', r"calendar\.holiday: unknown key",
                     id="unknown-key"),
    ],
)
def test_broken_calendar_is_named(tmp_path: Path, calendar: str, expected: str) -> None:
    with pytest.raises(RulesError, match=expected):
        _engine(tmp_path, HEAD + "\n[calendar]\n" + calendar + "\n")


def test_working_clock_without_calendar_is_refused(tmp_path: Path) -> None:
    text = HEAD.replace('deadline_hours = 24\n', 'deadline_hours = 24\ndeadline_clock = "working"\n', 1)
    with pytest.raises(RulesError, match="no calendar"):
        _engine(tmp_path, text)


def test_channel_hint_counts_as_classification_evidence(tmp_path: Path) -> None:
    text = HEAD.replace('[platforms]', '[channels]\ngrid = "网格员"\nm12315 = "12315 市场监管热线"\n\n[platforms]') + (
        '\n[channel_hints.m12315]\nsanitation = 2.0\n')
    engine = _engine(tmp_path, text)
    # No term at all: the fallback through the grid app, sanitation through the 12315 line.
    assert engine.classify("请尽快处理", channel="grid").category == "other"
    hinted = engine.classify("请尽快处理", channel="m12315")
    assert hinted.category == "sanitation" and hinted.evidence == ("channel:m12315",)
    d = engine.submit({"id": "h1", "text": "请尽快处理", "time": "2026-11-23T08:00:00+08:00", "source": "m12315"})
    assert d.category == "sanitation"
    with pytest.raises(RulesError, match=r"channel_hints\.pigeon"):
        _engine(tmp_path, text + '\n[channel_hints.pigeon]\nsanitation = 1\n')


def test_a_report_spanning_two_towns_goes_to_their_county() -> None:
    # 百丈街道 and 东柳街道 are both towns of 鄞州区: the parser names no town, keeps the county they
    # share, and lists the ambiguity; the router hands the event to the lowest level that contains both.
    d = Engine().submit({"id": "s1", "text": "百丈街道与东柳街道交界的河道里漂满垃圾",
                         "address": "鄞州区百丈街道与东柳街道交界处", "time": "2026-11-23T08:00:00+08:00"})
    assert d.address.town is None and d.address.ambiguities
    assert d.level == "county" and d.unit_name == "鄞州区"
    assert any(r.startswith("jurisdiction:unresolved-") for r in d.rules_fired)
