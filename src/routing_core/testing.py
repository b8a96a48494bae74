"""Hypothesis strategies and ready property checks for integrators' own rules.

An integrator who edits a rules file runs :func:`check_rules` on it (in a test, or once by hand)
to learn whether every report still gets exactly one lead platform and a level, whether levels ever
fall below what the rules force, whether escalation climbs one level at a time to the city,
whether replays are deterministic, and which rules can never fire. The strategies
(:func:`reports`, :func:`addresses`, :func:`rules_files`) are the ones routing_core's own tests
use; they are typed ``SearchStrategy`` values with keyword-only arguments.

>>> from routing_core.testing import check_rules
>>> check_rules("my_rules.toml", max_examples=200)   # raises AssertionError with an example
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
    from hypothesis.strategies import SearchStrategy
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "routing_core.testing needs hypothesis: pip install 'routing_core[testing]' (or hypothesis)"
    ) from exc

from . import _core
from .engine import Engine
from .gazetteer import default_gazetteer_path
from .rules import HANDLING_LEVELS, LoadedRules, load_rules
from .rules_audit import RulesLike, forced_level, unreachable_rules

__all__ = [
    "addresses",
    "check_deterministic",
    "check_escalation",
    "check_level_floor",
    "check_one_platform_and_level",
    "check_rules",
    "forced_level",
    "reports",
    "rules_files",
    "unreachable_rules",
]

_NUMERALS = "零一二三四五六七八九"
_ROADS = ("中山东路", "百丈东路", "人民路", "解放南路", "江东北路", "福明路", "华山路", "新城大道", "环城北路", "学士路")
_PLACES = ("小区", "菜场", "公园", "学校", "医院", "超市", "公交站")
_REMAINDERS = ("", "门口", "旁边", "对面", "楼下", "往东50米", "附近")
_FILLER = ("来电人反映", "巡查发现", "我家楼下", "附近", "最近几天", "一直", "很严重", "希望尽快处理", "没人管", "，", "。")
_POOL = ("垃圾", "噪音", "占道", "漏水", "停车", "油烟", "欠薪", "电梯", "路灯", "井盖", "违建", "养狗", "诈骗",
         "火灾", "塌陷", "装修", "烧烤", "医保", "低保", "学校", "投诉", "退款", "食品", "过期", "消防", "河道")


def _rules(rules: RulesLike) -> LoadedRules:
    return rules if isinstance(rules, LoadedRules) else load_rules(rules)


def _chinese_number(n: int) -> str:
    """1..999 in Chinese numerals as people write them (一百六十八, 二十, 十五)."""
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += _NUMERALS[hundreds] + "百"
        if tens == 0 and ones:
            out += "零"
    if tens:
        out += ("" if tens == 1 and not hundreds else _NUMERALS[tens]) + "十"
    if ones:
        out += _NUMERALS[ones]
    return out


@lru_cache(maxsize=8)
def _rows(gazetteer: str) -> tuple[dict[str, str], ...]:
    """A gazetteer TSV's rows by its header (code, level, parent, name, ... and lat, lon if it has them)."""
    with open(gazetteer, encoding="utf-8-sig", newline="") as fh:  # a BOM is not data
        lines = (line for line in fh if not line.startswith("#"))
        return tuple(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))  # as the engine reads it


@lru_cache(maxsize=8)
def _units(gazetteer: str) -> tuple[tuple[str, str, str], ...]:
    """(county, town, community) name chains of a gazetteer TSV."""
    rows = {row["code"]: (row["level"], row["parent"], row["name"]) for row in _rows(gazetteer)}
    chains = []
    for level, parent, name in rows.values():
        if level != "community":
            continue
        town = rows.get(parent)
        county = rows.get(town[1]) if town else None
        if town and county:
            chains.append((county[2], town[2], name))
    if not chains:
        raise InvalidArgument(f"gazetteer {gazetteer} has no community with a town and a county")
    return tuple(sorted(chains))


def addresses(*, gazetteer: str | Path | None = None) -> SearchStrategy[str]:
    """Chinese addresses as reports write them, on the real units of ``gazetteer`` (default: Ningbo).

    Full or partial upper levels, Arabic or Chinese road numbers, buildings written 幢/栋/号楼, and a
    colloquial remainder (门口, 往东50米). The road names are invented: the gazetteer has no roads.
    """
    chains = _units(str(gazetteer or default_gazetteer_path()))

    @st.composite
    def build(draw: st.DrawFn) -> str:
        county, town, community = draw(st.sampled_from(chains))
        levels = draw(st.sampled_from(("full", "county+town", "town", "community", "none")))
        prefix = {
            "full": "浙江省宁波市" + county + town + community,
            "county+town": county + town,
            "town": town,
            "community": community,
            "none": "",
        }[levels]
        number = draw(st.integers(1, 999))
        written = _chinese_number(number) if draw(st.booleans()) else str(number)
        road = draw(st.sampled_from(_ROADS)) + written + "号"
        building = draw(st.sampled_from(("", f"{draw(st.integers(1, 30))}幢", f"{draw(st.integers(1, 30))}栋",
                                         f"{draw(st.integers(1, 30))}号楼")))
        place = draw(st.sampled_from(("",) + _PLACES))
        spot: str = draw(st.sampled_from((road + building, place, road + place)))
        return prefix + spot + draw(st.sampled_from(_REMAINDERS))

    return build()


# Where Ningbo's reports come from, for a gazetteer without centroids (the bundled one has none),
# roughly (to a few hundred metres): 天一广场, 鄞州区政府, 江北万达, 北仑区政府, 镇海区政府, 奉化区政府,
# 余姚市政府, 慈溪市政府.
_NINGBO_SPOTS = ((29.8705, 121.5530), (29.8170, 121.5470), (29.9060, 121.5580), (29.9040, 121.8440),
                 (29.9490, 121.7160), (29.6550, 121.4070), (30.0370, 121.1540), (30.1690, 121.2660))


@lru_cache(maxsize=8)
def _spots(gazetteer: str) -> tuple[tuple[float, float], ...]:
    """Places reports come from: the gazetteer's unit centroids, or a few of Ningbo's."""
    rows = _rows(gazetteer)
    centroids = tuple((float(row["lat"]), float(row["lon"])) for row in rows if row.get("lat") and row.get("lon"))
    return centroids or _NINGBO_SPOTS


def _coordinates(spots: tuple[tuple[float, float], ...]) -> SearchStrategy[dict[str, float]]:
    """A GPS position a few hundred metres at most from one of ``spots`` (reports of one place meet)."""
    jitter = st.sampled_from((0.0, 0.0005, -0.0005, 0.002, -0.002))
    return st.tuples(st.sampled_from(spots), jitter, jitter).map(
        lambda s: {"lat": round(s[0][0] + s[1], 6), "lon": round(s[0][1] + s[2], 6)}
    )


def reports(
    *,
    rules: RulesLike = None,
    gazetteer: str | Path | None = None,
    min_time: datetime = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=8))),
    max_time: datetime = datetime(2026, 12, 31, tzinfo=timezone(timedelta(hours=8))),
    sources: Sequence[str] | None = None,
) -> SearchStrategy[dict[str, Any]]:
    """Report dicts ready for ``Engine.submit``: text built from the rules' own terms and filler.

    Each report's text contains terms of the rules (category terms and routing-rule terms) and their
    negation cues among colloquial filler, so every rule gets exercised, negated or not. Ids are UUIDs;
    hypothesis may repeat one across examples, so a test that reuses an engine should make them unique.

    Every field a report can carry is drawn: some reports also have a ``category`` hint (a code of the
    rules, as a channel that classifies its own reports sends it) and some a GPS position (``lat``,
    ``lon``) near one of the gazetteer's unit centroids (near a few places in Ningbo when it has none),
    so that the positions of several reports fall close together.
    """
    loaded = _rules(rules)
    if min_time.tzinfo is None or max_time.tzinfo is None:
        raise InvalidArgument("min_time and max_time must be timezone-aware")
    if min_time > max_time:
        raise InvalidArgument(f"min_time={min_time} is after max_time={max_time}")
    terms = sorted(
        {t for c in loaded.categories for t in c.terms}
        | {t for rule in loaded.rules for t in rule.terms}
        | set(loaded.rule_negation[0] + loaded.classification_negation[0])  # the cues
    )
    channels = tuple(sources) if sources is not None else loaded.channels
    if not channels:
        raise InvalidArgument("sources must not be empty")
    words = st.sampled_from(terms) if terms else st.nothing()
    pieces = st.lists(st.one_of(words, st.sampled_from(_FILLER), st.sampled_from(_POOL)), min_size=1, max_size=8)
    report = st.fixed_dictionaries(
        {
            "id": st.uuids().map(str),  # unique within one draw of st.lists(..., unique_by=id)
            "text": pieces.map("".join),
            "address": st.one_of(st.just(""), addresses(gazetteer=gazetteer)),
            "time": st.datetimes(
                min_value=min_time.replace(tzinfo=None), max_value=max_time.replace(tzinfo=None)
            ).map(lambda t: t.replace(tzinfo=min_time.tzinfo).isoformat()),
            "source": st.sampled_from(channels),
        }
    )
    hint = st.sampled_from([c.code for c in loaded.categories]).map(lambda code: {"category": code})
    place = _coordinates(_spots(str(gazetteer or default_gazetteer_path())))
    fields = st.tuples(report, _sometimes(hint, 4), _sometimes(place, 3))
    return fields.map(lambda r: {**r[0], **r[1], **r[2]})


def _sometimes(fields: SearchStrategy[dict[str, Any]], one_in: int) -> SearchStrategy[dict[str, Any]]:
    """``fields`` in some draws (fewer the larger ``one_in``), else no field; shrinks to none."""
    return st.integers(1, one_in).flatmap(lambda k: fields if k == one_in else st.just({}))


_OFFSETS = ("+08:00", "+08:00", "+00:00", "-05:00", "+05:45", "+14:00", "-12:00")
_CHANNELS = ("grid", "hotline", "app", "web", "wechat", "other")
_MORE_CHANNELS = ("m12345", "dingtalk", "mayor_mail", "patrol")
_SEVERE = ("着火了", "发生火灾", "有人受伤", "人员受伤", "塌陷", "中毒", "人员聚集", "跳楼")
_CUES = ("没有", "没", "未", "未发现", "无人", "并无", "不是", "并非", "排除")


def _hours(draw: st.DrawFn, low: int, high: int) -> str:
    """Whole hours mostly, and now and then a fraction (0.5 h, 2.25 h)."""
    whole = draw(st.integers(low, high))
    if draw(st.integers(0, 3)):
        return str(whole)
    return str(whole - 1 + draw(st.sampled_from((0.25, 0.5, 0.75))))


def _calendar_lines(draw: st.DrawFn) -> list[str]:
    """A [calendar]: 1-3 working periods in the day, any ISO weekdays (even none), holidays and 调休 days."""
    bounds = sorted(draw(st.lists(st.integers(0, 48), min_size=2, max_size=6, unique=True)))
    pairs = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds) - 1, 2)]  # half hours after midnight
    periods = [f'"{a // 2:02d}:{a % 2 * 30:02d}-{b // 2:02d}:{b % 2 * 30:02d}"' for a, b in pairs]
    weekdays = sorted(draw(st.sets(st.integers(1, 7), max_size=7)))
    days = st.dates(min_value=datetime(2026, 1, 1).date(), max_value=datetime(2027, 3, 31).date())
    holidays = sorted(draw(st.sets(days, max_size=12)))
    workdays = sorted(draw(st.sets(days, max_size=4)))
    return [
        "[calendar]",
        "working_hours = [" + ", ".join(periods) + "]",
        f"weekdays = {weekdays}",
        "holidays = [" + ", ".join(d.isoformat() for d in holidays) + "]",  # TOML dates, unquoted
        "workdays = [" + ", ".join(f'"{d.isoformat()}"' for d in workdays) + "]",  # or quoted
    ]


def _negation_lines(draw: st.DrawFn) -> list[str]:
    def cues() -> str:
        return _quoted(draw(st.lists(st.sampled_from(_CUES), max_size=4, unique=True)))

    return [
        "[negation]",
        f"rules = {cues()}",
        f"rules_window = {draw(st.integers(0, _core.MAX_NEGATION_WINDOW))}",
        f"classification = {cues()}",
        f"classification_window = {draw(st.integers(0, _core.MAX_NEGATION_WINDOW))}",
    ]


def _quoted(values: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def rules_files(*, max_categories: int = 8, max_rules: int = 4) -> SearchStrategy[str]:
    """Whole, valid rules files (TOML text) that use every part of the format.

    Random taxonomies, terms, levels and deadlines (in calendar or working time); routing rules with
    random conditions (terms, channels, categories, report counts, recurrences), actions (a level
    floor, a deadline, a lead platform, co-handlers) and priorities; severity rules; and, each now and
    then, a working calendar, negation cues, a channel table of its own with channel hints, and a time
    zone other than China's.
    """
    if max_categories < 1:
        raise InvalidArgument(f"max_categories={max_categories} must be at least 1")
    if max_rules < 0:
        raise InvalidArgument(f"max_rules={max_rules} must not be negative")

    @st.composite
    def build(draw: st.DrawFn) -> str:
        n_platforms = draw(st.integers(1, 4))
        platforms = [f"p{i}" for i in range(n_platforms)]
        offset = draw(st.sampled_from(_OFFSETS))
        lines = ["[meta]", 'name = "生成的规则"', 'version = "test"', f'timezone = "{offset}"',
                 'fallback_category = "c0"', "", "[levels]"]
        hours = sorted(draw(st.lists(st.integers(1, 400), min_size=5, max_size=5)))
        lines += [f"{level} = {h}" for level, h in zip(HANDLING_LEVELS, hours, strict=True)]
        lines += ["", "[platforms]"] + [f'{p} = "平台{i}"' for i, p in enumerate(platforms)]
        channels = list(_CHANNELS)
        if draw(st.booleans()):  # a channel table of its own: a few of the usual and some others
            channels = draw(st.lists(st.sampled_from(_CHANNELS + _MORE_CHANNELS), min_size=1, max_size=5,
                                     unique=True))
            lines += ["", "[channels]"] + [f'{c} = "渠道{i}"' for i, c in enumerate(channels)]
        working_clock = draw(st.booleans())
        if working_clock:
            lines += [""] + _calendar_lines(draw)
        if draw(st.booleans()):
            lines += [""] + _negation_lines(draw)
        n_categories = draw(st.integers(1, max_categories))
        codes = [f"c{k}" for k in range(n_categories)]
        for channel in draw(st.lists(st.sampled_from(channels), max_size=2, unique=True)):
            hinted = draw(st.lists(st.sampled_from(codes), min_size=1, max_size=2, unique=True))
            lines += ["", f"[channel_hints.{channel}]"]  # category = weight
            lines += [f"{code} = {draw(st.sampled_from((0.5, 1, 2.5, 4)))}" for code in hinted]
        for i, code in enumerate(codes):
            terms = draw(st.lists(st.sampled_from(_POOL), max_size=4, unique=True))
            co = draw(st.lists(st.sampled_from(platforms), max_size=2, unique=True))
            lines += [
                "",
                "[[categories]]",
                f'code = "{code}"',
                f'label = "类别{i}"',
                f'platform = "{draw(st.sampled_from(platforms))}"',
                "co_platforms = " + _quoted(co),
                f'level = "{draw(st.sampled_from(HANDLING_LEVELS))}"',
                f"deadline_hours = {_hours(draw, 1, 200)}",
            ]
            if working_clock and draw(st.booleans()):
                lines.append('deadline_clock = "working"')
            lines += ["[categories.terms]"] + [f'"{t}" = {draw(st.integers(1, 5))}' for t in terms]
        for i in range(draw(st.integers(0, 2))):  # emergencies: terms required, an action or more
            severe = draw(st.lists(st.sampled_from(_SEVERE), min_size=1, max_size=3, unique=True))
            lines += ["", "[[severity]]", f'id = "SEV{i}"', "terms = " + _quoted(severe)]
            if draw(st.booleans()):
                lines.append(f'min_level = "{draw(st.sampled_from(HANDLING_LEVELS))}"')
            if draw(st.booleans()) or lines[-1].startswith("terms"):
                lines.append(f"deadline_hours = {_hours(draw, 1, 12)}")
        for i in range(draw(st.integers(0, max_rules))):
            lines += ["", "[[rules]]", f'id = "R{i}"', f"priority = {draw(st.integers(-5, 5))}"]
            conditions = draw(st.sets(st.sampled_from(("terms", "channels", "categories", "min_reports",
                                                       "min_recurrences")), min_size=1))
            actions = draw(st.sets(st.sampled_from(("min_level", "deadline_hours", "platform", "co_platforms")),
                                   min_size=1))
            if "terms" in conditions:
                lines.append("terms = " + _quoted(draw(st.lists(st.sampled_from(_POOL + _SEVERE), min_size=1,
                                                                max_size=3, unique=True))))
            if "channels" in conditions:
                lines.append("channels = " + _quoted(draw(st.lists(st.sampled_from(channels), min_size=1,
                                                                   max_size=2, unique=True))))
            if "categories" in conditions:
                lines.append("categories = " + _quoted(draw(st.lists(st.sampled_from(codes), min_size=1,
                                                                     max_size=2, unique=True))))
            if "min_reports" in conditions:
                lines.append(f"min_reports = {draw(st.integers(1, 5))}")
            if "min_recurrences" in conditions:
                lines.append(f"min_recurrences = {draw(st.integers(1, 3))}")
            if "min_level" in actions:
                lines.append(f'min_level = "{draw(st.sampled_from(HANDLING_LEVELS))}"')
            if "deadline_hours" in actions:
                lines.append(f"deadline_hours = {_hours(draw, 1, 48)}")
            if "platform" in actions:
                lines.append(f'platform = "{draw(st.sampled_from(platforms))}"')
            if "co_platforms" in actions:
                lines.append("co_platforms = " + _quoted(draw(st.lists(st.sampled_from(platforms), min_size=1,
                                                                       max_size=2, unique=True))))
        return "\n".join(lines) + "\n"

    return build()


# -- checks ----------------------------------------------------------------------------------------


def _report_id(report: dict[str, Any]) -> Any:
    return report["id"]


def _settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow], report_multiple_bugs=False
    )


def check_one_platform_and_level(
    rules: RulesLike = None, *, gazetteer: str | Path | None = None, max_examples: int = 100
) -> None:
    """Every report gets exactly one lead platform of the rules, a valid level and a unit."""
    loaded = _rules(rules)
    template = Engine(rules=loaded.path, gazetteer=gazetteer)

    @_settings(max_examples)
    @given(st.lists(reports(rules=loaded, gazetteer=gazetteer), min_size=1, max_size=5, unique_by=_report_id))
    def run(batch: list[dict[str, Any]]) -> None:
        # A clean engine per example (so a failure replays exactly); several reports, so that they
        # also meet open events.
        d = template.empty_copy().submit_many(batch)[-1]
        assert d.platform in loaded.platform_labels, d.platform
        assert d.platform not in d.co_platforms, (d.platform, d.co_platforms)
        assert d.level in HANDLING_LEVELS, d.level
        assert d.unit and d.unit_name

    run()


def check_level_floor(
    rules: RulesLike = None, *, gazetteer: str | Path | None = None, max_examples: int = 100
) -> None:
    """An event's level is never below the level the rules force (see :func:`forced_level`).

    Holds for merged reports too: a severity term in a later report raises the whole event.
    """
    loaded = _rules(rules)
    template = Engine(rules=loaded.path, gazetteer=gazetteer)

    @_settings(max_examples)
    @given(st.lists(reports(rules=loaded, gazetteer=gazetteer), min_size=1, max_size=5, unique_by=_report_id))
    def run(batch: list[dict[str, Any]]) -> None:
        d = template.empty_copy().submit_many(batch)[-1]
        report = batch[-1]
        floor = forced_level(loaded, d.category, report["text"], channel=report["source"])
        assert HANDLING_LEVELS.index(d.level) >= HANDLING_LEVELS.index(floor), (d.level, floor, d.rules_fired)

    run()


def check_escalation(
    rules: RulesLike = None, *, gazetteer: str | Path | None = None, max_examples: int = 50
) -> None:
    """Overdue events climb one level per deadline, never skip or fall back, and stop at the city."""
    loaded = _rules(rules)
    template = Engine(rules=loaded.path, gazetteer=gazetteer)

    @_settings(max_examples)
    @given(reports(rules=loaded, gazetteer=gazetteer))
    def run(report: dict[str, Any]) -> None:
        engine = template.empty_copy()
        d = engine.submit(report)
        level, deadline = d.level, d.deadline
        for _ in range(len(HANDLING_LEVELS) + 1):
            steps = engine.advance(deadline + timedelta(seconds=1))
            if level == "city":
                assert steps == [], steps
                break
            assert len(steps) == 1, steps
            assert HANDLING_LEVELS.index(steps[0].to_level) == HANDLING_LEVELS.index(level) + 1, steps[0]
            level, deadline = steps[0].to_level, steps[0].deadline
        assert level == "city"

    run()


def check_deterministic(
    rules: RulesLike = None, *, gazetteer: str | Path | None = None, max_examples: int = 30
) -> None:
    """The same reports under the same rules give the same decisions, every time."""
    loaded = _rules(rules)

    @_settings(max_examples)
    @given(st.lists(reports(rules=loaded, gazetteer=gazetteer), max_size=20, unique_by=_report_id))
    def run(batch: list[dict[str, Any]]) -> None:
        # (loaded anew from the files each time)
        first = [d.to_dict() for d in Engine(rules=loaded.path, gazetteer=gazetteer).submit_many(batch)]
        again = [d.to_dict() for d in Engine(rules=loaded.path, gazetteer=gazetteer).submit_many(batch)]
        assert first == again

    run()


def check_rules(
    rules: RulesLike = None, *, gazetteer: str | Path | None = None, max_examples: int = 100
) -> None:
    """Run every check on a rules file; raise AssertionError naming the first failure.

    Unreachable rules fail the check too: a rule nobody can fire is almost always a mistake. Every
    check takes ``gazetteer``, your city's (default: Ningbo's): the reports' addresses are drawn from
    its units, and the engines load it.
    """
    loaded = _rules(rules)
    unreachable = unreachable_rules(loaded, gazetteer=gazetteer)
    assert not unreachable, f"{loaded.path}: unreachable rules: {', '.join(unreachable)}"
    check_one_platform_and_level(loaded, gazetteer=gazetteer, max_examples=max_examples)
    check_level_floor(loaded, gazetteer=gazetteer, max_examples=max_examples)
    check_escalation(loaded, gazetteer=gazetteer, max_examples=max(1, max_examples // 2))
    check_deterministic(loaded, gazetteer=gazetteer, max_examples=max(1, max_examples // 4))
