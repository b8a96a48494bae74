"""Loading a rules file (TOML) into the core's rule tables, with errors that name the file and path.

The schema is documented in the shipped default, ``data/rules_ningbo.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from . import _core
from .errors import ConfigError, RulesError
from .times import parse_offset
from .toml_file import read_toml

__all__ = ["HANDLING_LEVELS", "CalendarSpec", "CategorySpec", "LoadedRules", "RuleSpec", "default_rules_path", "load_rules"]

HANDLING_LEVELS = ("grid", "community", "town", "county", "city")
DEFAULT_CHANNELS = ("grid", "hotline", "app", "web", "wechat", "other")


def default_rules_path() -> Path:
    return Path(__file__).parent / "data" / "rules_ningbo.toml"


@dataclass(frozen=True)
class CategorySpec:
    """One category as the rules file states it."""

    code: str
    label: str
    platform: str
    co_platforms: tuple[str, ...]
    level: str
    deadline_hours: float
    terms: dict[str, float]
    deadline_clock: str = "calendar"  # or "working": counts only working time of the calendar


@dataclass(frozen=True)
class RuleSpec:
    """One routing rule (``[[rules]]``, or ``[[severity]]``: a rule that must have terms).

    It fires when all its conditions hold: a term in the report's text, the report's channel, the
    event's category, the event's report count, the event's recurrences. See the conflict resolution
    in the shipped rules file.
    """

    id: str
    priority: int = 0
    terms: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    min_reports: int = 0
    min_recurrences: int = 0
    min_level: str | None = None
    deadline_hours: float | None = None
    platform: str | None = None
    co_platforms: tuple[str, ...] = ()


@dataclass(frozen=True)
class CalendarSpec:
    """The working calendar: periods as (start, end) seconds after local midnight, ISO weekdays, dates."""

    periods: tuple[tuple[int, int], ...]
    weekdays: frozenset[int]
    holidays: frozenset[date]
    workdays: frozenset[date]

    @property
    def years(self) -> frozenset[int]:
        """The years whose schedule is listed (a holiday or a 调休 workday in them). In another year
        every weekday counts as a working day."""
        return frozenset(d.year for d in self.holidays | self.workdays)


@dataclass(frozen=True)
class LoadedRules:
    """A validated rules file: the core's tables plus what the Python layer needs."""

    path: Path
    name: str
    version: str
    timezone: timezone
    table: _core.RuleSet
    category_labels: dict[str, str]
    platform_labels: dict[str, str]
    channels: tuple[str, ...]
    categories: tuple[CategorySpec, ...] = ()
    rules: tuple[RuleSpec, ...] = ()
    level_hours: dict[str, float] | None = None
    fallback_category: str = ""
    calendar: CalendarSpec | None = None
    classification_negation: tuple[tuple[str, ...], int] = ((), 0)  # (cues, window)
    rule_negation: tuple[tuple[str, ...], int] = ((), 0)


class _Reader:
    """Typed access to the parsed TOML that reports the path of whatever is wrong."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, problem: str) -> RulesError:
        return RulesError(f"{self.path}: {where}: {problem}")

    def get(self, table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
        if key not in table:
            raise self.fail(f"{where}.{key}" if where else key, "missing")
        value = table[key]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            raise self.fail(f"{where}.{key}", f"expected a number, got {value!r}")
        if not isinstance(value, kind):
            names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise self.fail(f"{where}.{key}" if where else key, f"expected {names}, got {value!r}")
        return value

    def level(self, table: dict[str, Any], key: str, where: str) -> str:
        value = self.get(table, key, str, where)
        if value not in HANDLING_LEVELS:
            raise self.fail(f"{where}.{key}", f"{value!r} is not one of {', '.join(HANDLING_LEVELS)}")
        return str(value)


def load_rules(path: str | Path | None = None) -> LoadedRules:
    """Load and validate a rules file; the bundled Ningbo rules when ``path`` is None.

    Raises
    ------
    RulesError
        Naming the file, the path inside it (``categories[3].platform``) and the problem; TOML syntax
        errors carry their line and column.
    """
    path = Path(path) if path is not None else default_rules_path()
    doc = read_toml(path, "rules", RulesError)

    r = _Reader(path)
    table = _core.RuleSet()
    meta = r.get(doc, "meta", dict, "")
    try:
        tz = parse_offset(r.get(meta, "timezone", str, "meta"))
    except ValueError as exc:
        raise r.fail("meta.timezone", str(exc)) from None

    levels = r.get(doc, "levels", dict, "")
    level_hours: dict[str, float] = {}
    for level in HANDLING_LEVELS:
        hours = r.get(levels, level, (int, float), "levels")
        _apply(r, f"levels.{level}", table.set_level_hours, level, float(hours))
        level_hours[level] = float(hours)
    for extra in sorted(set(levels) - set(HANDLING_LEVELS)):
        raise r.fail(f"levels.{extra}", f"unknown level; expected {', '.join(HANDLING_LEVELS)}")

    platforms = r.get(doc, "platforms", dict, "")
    platform_labels: dict[str, str] = {}
    for code, label in platforms.items():
        if not isinstance(label, str):
            raise r.fail(f"platforms.{code}", f"expected a label string, got {label!r}")
        _apply(r, f"platforms.{code}", table.add_platform, code, label)
        platform_labels[code] = label

    categories = r.get(doc, "categories", list, "")
    category_labels: dict[str, str] = {}
    specs: list[CategorySpec] = []
    for i, cat in enumerate(categories):
        where = f"categories[{i}]"
        if not isinstance(cat, dict):
            raise r.fail(where, "expected a table")
        code = r.get(cat, "code", str, where)
        where = f"categories[{i}] ({code})"
        co = r.get(cat, "co_platforms", list, where) if "co_platforms" in cat else []
        if not all(isinstance(c, str) for c in co):
            raise r.fail(f"{where}.co_platforms", "expected a list of platform codes")
        _apply(
            r,
            where,
            table.add_category,
            code,
            r.get(cat, "label", str, where),
            r.get(cat, "platform", str, where),
            co,
            r.level(cat, "level", where),
            float(r.get(cat, "deadline_hours", (int, float), where)),
            working_time=_clock(r, cat, where),
        )
        category_labels[code] = cat["label"]
        terms = r.get(cat, "terms", dict, where) if "terms" in cat else {}
        for term, weight in terms.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)):
                raise r.fail(f"{where}.terms.{term}", f"expected a weight number, got {weight!r}")
            _apply(r, f"{where}.terms.{term}", table.add_term, code, term, float(weight))
        specs.append(
            CategorySpec(code, cat["label"], cat["platform"], tuple(co), cat["level"], float(cat["deadline_hours"]),
                         {t: float(w) for t, w in terms.items()}, cat.get("deadline_clock", "calendar"))
        )

    channels = doc.get("channels", {code: code for code in DEFAULT_CHANNELS})
    if not isinstance(channels, dict) or not channels:
        raise r.fail("channels", "expected a table of channel code = label")

    hints = doc.get("channel_hints", {})
    if not isinstance(hints, dict):
        raise r.fail("channel_hints", "expected a table of channel -> {category = weight}")
    for channel, weights in hints.items():
        where = f"channel_hints.{channel}"
        if channel not in channels:
            raise r.fail(where, f"unknown channel; expected one of {', '.join(channels)}")
        if not isinstance(weights, dict):
            raise r.fail(where, "expected a table of category = weight")
        for category, weight in weights.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)):
                raise r.fail(f"{where}.{category}", f"expected a weight number, got {weight!r}")
            _apply(r, f"{where}.{category}", table.add_channel_hint, channel, category, float(weight))

    routing_rules: list[RuleSpec] = []
    for section in ("severity", "rules"):
        entries = doc.get(section, [])
        if not isinstance(entries, list):
            raise r.fail(section, "expected an array of tables ([[" + section + "]])")
        for i, entry in enumerate(entries):
            spec = _rule(r, f"{section}[{i}]", entry, requires_terms=section == "severity",
                         channels=tuple(channels), categories=category_labels, platforms=platform_labels)
            _apply(
                r,
                f"{section}[{i}] ({spec.id})",
                table.add_rule,
                spec.id,
                priority=spec.priority,
                terms=list(spec.terms),
                channels=list(spec.channels),
                categories=list(spec.categories),
                min_reports=spec.min_reports,
                min_recurrences=spec.min_recurrences,
                min_level=spec.min_level,
                deadline_hours=spec.deadline_hours,
                platform=spec.platform or "",
                co_platforms=list(spec.co_platforms),
            )
            routing_rules.append(spec)

    calendar = _calendar(r, doc.get("calendar"), table, tz)

    negation = doc.get("negation", {})
    if not isinstance(negation, dict):
        raise r.fail("negation", "expected a table")
    for key in negation:
        if key not in _NEGATION_KEYS:
            raise r.fail(f"negation.{key}", f"unknown key; expected one of {', '.join(_NEGATION_KEYS)}")
    negations: dict[str, tuple[tuple[str, ...], int]] = {}
    for scope, setter in (("classification", table.set_classification_negation), ("rules", table.set_rule_negation)):
        cues = _names(r, "negation", negation, scope, None, "cue")
        window = _count(r, "negation", negation, f"{scope}_window", _core.MAX_NEGATION_WINDOW)
        _apply(r, f"negation.{scope}", setter, list(cues), window)
        negations[scope] = (cues, window)

    fallback = meta.get("fallback_category", "consultation")
    _apply(r, "meta.fallback_category", table.set_fallback_category, fallback)
    _apply(r, "rules", table.validate)
    return LoadedRules(
        path=path,
        name=str(meta.get("name", path.stem)),
        version=str(meta.get("version", "")),
        timezone=tz,
        table=table,
        category_labels=category_labels,
        platform_labels=platform_labels,
        channels=tuple(channels),
        categories=tuple(specs),
        rules=tuple(routing_rules),
        level_hours=level_hours,
        fallback_category=fallback,
        calendar=calendar,
        classification_negation=negations["classification"],
        rule_negation=negations["rules"],
    )


def _apply(r: _Reader, where: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except ConfigError as exc:
        message = str(exc)  # the core's message may name the same path ("levels.town: ...")
        raise r.fail(where, message.removeprefix(f"{where}: ")) from None


_RULE_KEYS = frozenset(f.name for f in fields(RuleSpec))
_NEGATION_KEYS = ("classification", "classification_window", "rules", "rules_window")


def _names(r: _Reader, where: str, entry: dict[str, Any], key: str, known: Any, what: str) -> tuple[str, ...]:
    values = entry.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise r.fail(f"{where}.{key}", f"expected a list of non-empty strings, got {values!r}")
    if known is not None:
        for v in values:
            if v not in known:
                raise r.fail(f"{where}.{key}", f"unknown {what} {v!r}; expected one of {', '.join(known)}")
    return tuple(values)


# The core keeps counts as 32-bit unsigned and priorities as 32-bit signed integers.
_MAX_COUNT = 2**32 - 1
_PRIORITIES = (-(2**31), 2**31 - 1)


def _count(r: _Reader, where: str, entry: dict[str, Any], key: str, most: int = _MAX_COUNT) -> int:
    value = entry.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
        raise r.fail(f"{where}.{key}", f"expected an integer from 0 to {most}, got {value!r}")
    return value


def _rule(
    r: _Reader,
    where: str,
    entry: Any,
    *,
    requires_terms: bool,
    channels: tuple[str, ...],
    categories: dict[str, str],
    platforms: dict[str, str],
) -> RuleSpec:
    if not isinstance(entry, dict):
        raise r.fail(where, "expected a table")
    rule_id = r.get(entry, "id", str, where)
    where = f"{where} ({rule_id})"
    for key in entry:
        if key not in _RULE_KEYS:
            raise r.fail(f"{where}.{key}", f"unknown key; a rule has {', '.join(sorted(_RULE_KEYS))}")
    priority = entry.get("priority", 0)
    low, high = _PRIORITIES
    if isinstance(priority, bool) or not isinstance(priority, int) or not low <= priority <= high:
        raise r.fail(f"{where}.priority", f"expected an integer from {low} to {high}, got {priority!r}")
    terms = _names(r, where, entry, "terms", None, "term")
    if requires_terms and not terms:
        raise r.fail(f"{where}.terms", "a severity rule needs at least one term")
    hours = entry.get("deadline_hours")
    if hours is not None and (isinstance(hours, bool) or not isinstance(hours, (int, float))):
        raise r.fail(f"{where}.deadline_hours", f"expected a number, got {hours!r}")
    platform = entry.get("platform")
    if platform is not None and platform not in platforms:
        raise r.fail(f"{where}.platform", f"unknown platform {platform!r}; expected one of {', '.join(platforms)}")
    return RuleSpec(
        id=rule_id,
        priority=priority,
        terms=terms,
        channels=_names(r, where, entry, "channels", channels, "channel"),
        categories=_names(r, where, entry, "categories", categories, "category"),
        min_reports=_count(r, where, entry, "min_reports"),
        min_recurrences=_count(r, where, entry, "min_recurrences"),
        min_level=r.level(entry, "min_level", where) if "min_level" in entry else None,
        deadline_hours=None if hours is None else float(hours),
        platform=platform,
        co_platforms=_names(r, where, entry, "co_platforms", platforms, "platform"),
    )


def _clock(r: _Reader, cat: dict[str, Any], where: str) -> bool:
    clock: object = cat.get("deadline_clock", "calendar")
    if clock not in ("calendar", "working"):
        raise r.fail(f"{where}.deadline_clock", f"expected 'calendar' or 'working', got {clock!r}")
    return clock == "working"


def _minutes(r: _Reader, where: str, text: Any) -> int:
    """'08:30' -> seconds after midnight; '24:00' allowed as the end of the day."""
    try:
        hh, mm = str(text).split(":")
        value = int(hh) * 3600 + int(mm) * 60
        if not (0 <= int(mm) < 60 and 0 <= value <= 86400):
            raise ValueError
    except ValueError:
        raise r.fail(where, f"expected a time HH:MM, got {text!r}") from None
    return value


def _day(r: _Reader, where: str, value: Any) -> int:
    """A TOML date (or 'YYYY-MM-DD') -> days since 1970-01-01."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise r.fail(where, f"expected a date YYYY-MM-DD, got {value!r}") from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise r.fail(where, f"expected a date YYYY-MM-DD, got {value!r}")
    return (value - date(1970, 1, 1)).days


def _calendar(r: _Reader, cal: Any, table: _core.RuleSet, tz: timezone) -> CalendarSpec | None:
    if cal is None:
        return None
    if not isinstance(cal, dict):
        raise r.fail("calendar", "expected a table")
    for key in cal:
        if key not in ("working_hours", "weekdays", "holidays", "workdays"):
            raise r.fail(f"calendar.{key}", "unknown key; expected working_hours, weekdays, holidays, workdays")
    periods = []
    for i, span in enumerate(r.get(cal, "working_hours", list, "calendar")):
        where = f"calendar.working_hours[{i}]"
        if not isinstance(span, str) or span.count("-") != 1:
            raise r.fail(where, f"expected 'HH:MM-HH:MM', got {span!r}")
        start, end = span.split("-")
        periods.append((_minutes(r, where, start), _minutes(r, where, end)))
    weekdays = cal.get("weekdays", [1, 2, 3, 4, 5])
    if not isinstance(weekdays, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in weekdays
    ):
        raise r.fail("calendar.weekdays", f"expected a list of ISO weekdays 1..7, got {weekdays!r}")
    days = {}
    for key in ("holidays", "workdays"):
        values = cal.get(key, [])
        if not isinstance(values, list):
            raise r.fail(f"calendar.{key}", "expected a list of dates")
        days[key] = [_day(r, f"calendar.{key}[{i}]", v) for i, v in enumerate(values)]
    offset = tz.utcoffset(None)
    assert offset is not None
    _apply(r, "calendar", table.set_calendar, int(offset.total_seconds()), periods, weekdays, days["holidays"],
           days["workdays"])
    epoch = date(1970, 1, 1)
    return CalendarSpec(
        tuple(periods),
        frozenset(weekdays),
        frozenset(epoch + timedelta(days=d) for d in days["holidays"]),
        frozenset(epoch + timedelta(days=d) for d in days["workdays"]),
    )
