"""Rules facts computed without random data: forced levels and unreachable rules."""

from __future__ import annotations

from pathlib import Path

from routing_core.rules_audit import forced_level, unreachable_rules

TWO_CATEGORIES = """
[meta]
name = "两类"
timezone = "+08:00"
fallback_category = "other"
[levels]
grid = 24
community = 48
town = 72
county = 120
city = 168
[platforms]
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
code = "bins"
label = "垃圾桶"
platform = "enforcement"
level = "grid"
deadline_hours = 24
[categories.terms]
"垃圾" = 1
[[categories]]
code = "other"
label = "其他"
platform = "enforcement"
level = "town"
deadline_hours = 72
[[severity]]
id = "SEV-FIRE"
terms = ["着火"]
min_level = "county"
deadline_hours = 2
"""


def test_outweighed_category_is_unreachable(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(TWO_CATEGORIES, encoding="utf-8")
    # bins' only term 垃圾 (weight 1) also scores 5 for sanitation, so no text picks bins by its terms;
    # the fallback "other" needs no terms.
    assert unreachable_rules(path) == ["category:bins"]


def test_forced_level_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(TWO_CATEGORIES, encoding="utf-8")
    assert forced_level(path, "sanitation", "楼下垃圾没人收") == "community"
    assert forced_level(path, "sanitation", "垃圾堆着火了") == "county"  # SEV-FIRE raises it
    assert forced_level(path, "bins", "垃圾") == "grid"


def test_bundled_rules_have_no_unreachable_rule() -> None:
    assert unreachable_rules(None) == []
