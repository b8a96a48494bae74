"""The issue's example addresses on the bundled gazetteer; expected values checked by hand against
src/routing_core/data/gazetteer_ningbo.tsv (划船社区 3302120101ea2 is the only one in Ningbo and
lies in 百丈街道 330212010, 鄞州区 330212)."""

from __future__ import annotations

import pytest

from routing_core import Engine, ParsedAddress, parse_address


def codes(p: ParsedAddress) -> tuple[str, str, str]:
    return tuple(u.code if u else "" for u in (p.county, p.town, p.community))  # type: ignore[return-value]


def test_standard_full_address() -> None:
    p = parse_address("浙江省宁波市鄞州区百丈街道划船社区百丈东路168号3幢")
    assert codes(p) == ("330212", "330212010", "3302120101ea2")
    assert (p.province.code, p.city.code) == ("330000", "330200")  # type: ignore[union-attr]
    assert (p.road, p.number, p.building, p.remainder) == ("百丈东路", "168", "3", "")
    assert p.ambiguities == ()


def test_numerals_and_a_road_named_after_the_town() -> None:
    p = parse_address("鄞州区百丈东路一百六十八号")
    assert codes(p) == ("330212", "", "")  # 百丈东路 does not say the address is in 百丈街道
    assert (p.road, p.number) == ("百丈东路", "168")


def test_no_unit_named() -> None:
    p = parse_address("百丈东路168号3栋楼下")
    assert codes(p) == ("", "", "")
    assert (p.road, p.number, p.building, p.remainder) == ("百丈东路", "168", "3", "楼下")


def test_landmark_of_a_unique_community_gives_its_town_and_county() -> None:
    p = parse_address("划船社区菜场门口")
    assert codes(p) == ("330212", "330212010", "3302120101ea2")
    assert (p.compound, p.remainder) == ("菜场", "门口")


def test_intersection() -> None:
    p = parse_address("宁波鄞州百丈路与民安路交叉口往东五十米")
    assert codes(p) == ("330212", "", "")
    assert p.road == "百丈路"
    assert p.remainder == "与民安路交叉口往东50米"


def test_former_county_name() -> None:
    assert codes(parse_address("江东区百丈街道"))[:2] == ("330212", "330212010")


def test_ambiguous_village_lists_candidates_and_keeps_the_shared_city() -> None:
    # 山下村 occurs 5 times in Ningbo (GAZETTEER_NOTICE.md, "Ambiguity").
    p = parse_address("山下村12号")
    assert p.community is None and p.town is None
    assert p.city is not None and p.city.code == "330200"
    assert len(p.ambiguities) == 1 and p.ambiguities[0].count("、") == 4  # five candidates listed


def test_grid_rows_of_an_integrators_gazetteer(tmp_path: pytest.TempPathFactory) -> None:
    src = Engine()  # the bundled file plus one grid row, as GAZETTEER_NOTICE.md describes
    from routing_core.gazetteer import default_gazetteer_path

    text = default_gazetteer_path().read_text(encoding="utf-8")
    text += "3302120101ea201\tgrid\t3302120101ea2\t划船社区第1网格\t划船1网格\t\n"
    path = tmp_path / "g.tsv"  # type: ignore[operator]
    path.write_text(text, encoding="utf-8")
    p = Engine(gazetteer=path).parse_address("百丈街道划船1网格垃圾桶旁")
    assert p.grid is not None and p.grid.code == "3302120101ea201"
    assert p.community is not None and p.community.code == "3302120101ea2"
    assert src.parse_address("划船1网格").grid is None


def test_jurisdiction_per_level() -> None:
    p = parse_address("鄞州区百丈东路168号")  # a road gives no town: the county handles it
    assert p.finest_unit is not None and p.finest_unit.code == "330212"
    assert list(p.jurisdiction) == ["county", "city", "province"]
    assert p.unit_at("town") is None
    assert p.unit_at("county") == p.county
    full = parse_address("划船社区菜场门口")
    assert [u.code for u in full.jurisdiction.values()] == [
        "3302120101ea2",
        "330212010",
        "330212",
        "330200",
        "330000",
    ]
    with pytest.raises(ValueError, match="level 'street'"):
        p.unit_at("street")
