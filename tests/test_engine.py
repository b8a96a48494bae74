"""The public API contract of DESIGN.md, end to end on hand-written reports."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from routing_core import Decision, Engine, Report, UnknownEventError
from routing_core.match_params import FEATURES

CST = timezone(timedelta(hours=8))

# Two reports of one overflowing bin at 百丈东路168号, one in Arabic and one in Chinese numerals,
# and an unrelated fume complaint in another district.
BIN_HOTLINE = Report(
    id="r1",
    text="来电人反映百丈东路168号门口垃圾桶满了好几天没人清运，臭味很大",
    address="浙江省宁波市鄞州区百丈街道划船社区百丈东路168号",
    time="2026-11-23T08:15:00+08:00",
    source="hotline",
)
BIN_GRID = {
    "id": "r2",
    "text": "巡查发现百丈东路一百六十八号垃圾桶满溢，未及时清运",
    "address": "百丈东路一百六十八号",
    "time": "2026-11-23T09:00:00+08:00",
    "source": "grid",
}
FUMES = {
    "id": "r3",
    "text": "中山西路72号饭店油烟直排扰民",
    "address": "海曙区中山西路72号",
    "time": datetime(2026, 11, 23, 9, 10, tzinfo=CST),
    "source": "app",
}


def test_first_report_opens_an_event_routed_to_its_community(engine: Engine) -> None:
    d = engine.submit(BIN_HOTLINE)
    assert isinstance(d, Decision)
    assert (d.report_id, d.is_new, d.duplicate_of) == ("r1", True, None)
    # 垃圾桶/清运 is 市容环卫, led by 综合执法; the rules put sanitation at community level.
    assert d.category == "sanitation"
    assert d.platform == "enforcement"
    assert d.level == "community"
    assert d.unit_name == "鄞州区百丈街道划船社区"
    assert d.unit.startswith("330212")  # 鄞州区's official code
    assert d.deadline.tzinfo is not None and d.deadline > datetime(2026, 11, 23, 8, 15, tzinfo=CST)


def test_duplicate_in_other_words_and_numerals_joins_the_event(engine: Engine) -> None:
    first = engine.submit(BIN_HOTLINE)
    second = engine.submit(BIN_GRID)
    assert second.event_id == first.event_id
    assert second.is_new is False and second.duplicate_of == first.event_id
    assert 0.5 <= second.score <= 1.0
    assert second.address.number == "168"  # 一百六十八 normalised
    event = engine.event(first.event_id)
    assert event.report_ids == ("r1", "r2")
    assert event.sources == ("hotline", "grid")
    assert [s.kind for s in event.history] == ["opened", "merged"]


def test_unrelated_report_opens_its_own_event(engine: Engine) -> None:
    a = engine.submit(BIN_HOTLINE)
    c = engine.submit(FUMES)
    assert c.is_new and c.event_id != a.event_id
    assert c.category == "pollution"
    assert c.unit_name.startswith("海曙区")


def test_submit_many_equals_one_by_one() -> None:
    batch = Engine().submit_many([BIN_HOTLINE, BIN_GRID, FUMES])
    single = Engine()
    one_by_one = [single.submit(r) for r in (BIN_HOTLINE, BIN_GRID, FUMES)]
    assert [d.to_dict() for d in batch] == [d.to_dict() for d in one_by_one]


def test_category_hint_wins_when_valid(engine: Engine) -> None:
    d = engine.submit({**BIN_GRID, "category": "municipal_facilities"})
    assert d.category == "municipal_facilities" and d.category_from_hint


def test_explain_lists_candidates_with_feature_contributions(engine: Engine) -> None:
    engine.submit(BIN_HOTLINE)
    explained = engine.submit(BIN_GRID).explain()
    assert explained["outcome"] == "duplicate"
    best = explained["candidates"][0]
    assert set(best["contributions"]) == set(FEATURES)  # address, text, place, category, time, ...
    # The contributions are the weighted features; they add up to the score.
    assert sum(best["contributions"].values()) == pytest.approx(best["score"])
    assert explained["routing"]["platform"] == "enforcement"
    assert explained["rules_fired"]


def test_advance_escalates_overdue_events_one_level_then_caps_at_city(engine: Engine) -> None:
    d = engine.submit(BIN_HOTLINE)
    assert engine.advance(d.deadline - timedelta(seconds=1)) == []
    first = engine.advance(d.deadline + timedelta(seconds=1))
    assert [(e.event_id, e.from_level, e.to_level) for e in first] == [(d.event_id, "community", "town")]
    assert first[0].unit_name == "鄞州区百丈街道"
    levels = ["town"]
    now = first[0].deadline
    for _ in range(5):
        now += timedelta(seconds=1)
        levels += [e.to_level for e in engine.advance(now)]
        now = max(now, engine.event(d.event_id).deadline)
    assert levels == ["town", "county", "city"]
    assert engine.event(d.event_id).level == "city"


def test_close_records_result_and_stops_escalation(engine: Engine) -> None:
    d = engine.submit(BIN_HOTLINE)
    closed = engine.close(d.event_id, time="2026-11-23T12:00:00+08:00", resolution="已清运")
    assert closed.status == "closed" and closed.resolution == "已清运"
    assert engine.advance(d.deadline + timedelta(days=30)) == []
    assert engine.stats().open_events == 0


def test_close_before_the_latest_step_is_rejected(engine: Engine) -> None:
    from routing_core import InvalidReportError

    d = engine.submit(BIN_HOTLINE)
    with pytest.raises(InvalidReportError) as info:
        engine.close(d.event_id, time="2026-11-23T08:00:00+08:00")
    assert info.value.field == "time"
    assert engine.event(d.event_id).status == "open"


def test_unknown_event_is_a_clear_error(engine: Engine) -> None:
    with pytest.raises(UnknownEventError, match="E404"):
        engine.event("E404")
    with pytest.raises(UnknownEventError):
        engine.close("E404")


def test_epoch_and_naive_times_are_read_in_the_rules_time_zone(engine: Engine) -> None:
    epoch = int(datetime(2026, 11, 23, 8, 15, tzinfo=CST).timestamp())
    a = Engine().submit({**BIN_GRID, "time": epoch})
    b = Engine().submit({**BIN_GRID, "time": "2026-11-23T08:15:00"})
    assert a.deadline == b.deadline
    assert a.deadline.utcoffset() == timedelta(hours=8)


def test_parse_address_gives_units_and_components() -> None:
    from routing_core import parse_address

    p = parse_address("浙江省宁波市鄞州区百丈街道划船社区百丈东路168号3幢")
    assert p.county is not None and p.county.name == "鄞州区" and p.county.code == "330212"
    assert p.town is not None and p.town.name == "百丈街道"
    assert p.community is not None and p.community.name == "划船社区"
    assert (p.road, p.number, p.building) == ("百丈东路", "168", "3")


def test_consecutive_house_numbers_of_one_road_are_different_incidents() -> None:
    # The same complaint, word for word, a second apart, at 12号, 13号, 14号 of one road: three doors,
    # three work orders (the calibrated address ladder vetoes "same road, other number").
    engine = Engine()
    decisions = [
        engine.submit({"id": f"r{n}", "text": f"来电反映{n}号楼下垃圾满溢",
                       "address": f"江北区甬江街道湾头路{n}号", "time": 1795392900 + n, "source": "hotline"})
        for n in (12, 13, 14)
    ]
    assert len({d.event_id for d in decisions}) == 3
    again = engine.submit({"id": "r15", "text": "巡查发现湾头路十三号楼下垃圾满溢", "address": "湾头路十三号",
                           "time": 1795392960, "source": "grid"})
    assert again.duplicate_of == decisions[1].event_id  # and the same door again is the same incident


def test_a_report_no_term_classifies_is_not_a_category_mismatch() -> None:
    # No term of the rules occurs in either text (the fallback category): the category feature is
    # "unknown" (0.5), not "different" (0).
    engine = Engine()
    first = engine.submit({"id": "a", "text": "阳光花园3幢那边的情况请看一下",
                           "address": "鄞州区百丈街道阳光花园3幢", "time": 1795392900, "source": "app"})
    second = engine.submit({"id": "b", "text": "阳光花园3幢的事情麻烦处理", "address": "阳光花园3幢",
                            "time": 1795393900, "source": "app"})
    assert first.category_confidence == 0.0 and second.category_confidence == 0.0
    assert second.candidates[0].event_id == first.event_id
    assert second.candidates[0].category == 0.5


def test_the_place_a_text_names_fills_an_address_that_names_none() -> None:
    engine = Engine()
    told = engine.submit({"id": "a", "text": "来电人反映茅洋西路215号自来水管爆裂，路面大量积水，请求处理。",
                          "address": "", "time": 1795392900, "source": "hotline"})
    assert (told.address.road, told.address.number) == ("茅洋西路", "215")
    # The address field's own precise place wins, and a text naming another road is not taken.
    precise = engine.submit({"id": "b", "text": "巡查发现茅洋西路215号积水", "address": "大庆南路12号",
                             "time": 1795392900, "source": "grid"})
    assert (precise.address.road, precise.address.number) == ("大庆南路", "12")
    other = engine.submit({"id": "c", "text": "巡查发现茅洋西路215号积水", "address": "大庆南路门口",
                           "time": 1795392900, "source": "grid"})
    assert (other.address.road, other.address.number) == ("大庆南路", "")
    # The next report of the first incident, written by the grid worker with a vague address field, is
    # the same incident; the one next door (217号) is not.
    same = engine.submit({"id": "d", "text": "巡查发现茅洋西路215号水管破裂，路面积水",
                          "address": "茅洋西路这边", "time": 1795393900, "source": "grid"})
    assert same.duplicate_of == told.event_id
    door = engine.submit({"id": "e", "text": "巡查发现茅洋西路217号水管破裂，路面积水",
                          "address": "茅洋西路这边", "time": 1795393950, "source": "grid"})
    assert door.duplicate_of is None


def test_gps_positions_give_a_distance_and_find_the_event_nearby() -> None:
    engine = Engine()
    base = {"text": "巡查发现路边垃圾堆积无人清运", "address": "", "source": "grid"}
    first = engine.submit({**base, "id": "a", "time": 1795392900, "lat": 29.8700, "lon": 121.5500})
    # 0.00036° of latitude north: 0.00036 · π/180 · 6,371,008.8 m = 40.03 m.
    near = engine.submit({**base, "id": "b", "time": 1795393900, "lat": 29.87036, "lon": 121.5500,
                          "text": "这里垃圾好多没人清理"})
    by_event = {c.event_id: c for c in near.candidates}
    assert first.event_id in by_event
    c = by_event[first.event_id]
    assert c.distance_m == pytest.approx(40.03, abs=0.05)
    assert c.proximity == pytest.approx(0.5 + 0.5 / (1 + 40.03 / 100.0), abs=1e-3)
    assert c.channel == 1.0  # the event has a grid report already
    assert "proximity" in c.contributions and "channel" in c.contributions
    # The wording's Indel ratio, over word characters: 巡查发现路边垃圾堆积无人清运 (14) against
    # 这里垃圾好多没人清理 (10) keep 垃圾 人 清 in order, an LCS of 4: 2·4 / 24.
    assert c.wording == pytest.approx(8 / 24)
    # Without a position on one side there is no distance.
    blind = engine.submit({**base, "id": "c", "time": 1795394900, "source": "hotline"})
    for c in blind.candidates:
        assert c.distance_m is None and c.proximity == 0.0
