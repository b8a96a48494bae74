"""Loading a rules file (TOML) into the core's rule tables, with errors that name the file and path.

The schema is documented in the shipped default, ``data/rules_ningbo.toml``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path
from typing import Any

from . import _core
from .errors import ConfigError, RulesError
from .times import parse_offset

__all__ = ["HANDLING_LEVELS", "CategorySpec", "LoadedRules", "SeveritySpec", "default_rules_path", "load_rules"]

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


@dataclass(frozen=True)
class SeveritySpec:
    """One severity rule: any of ``terms`` in a report raises its event to at least ``min_level``."""

    id: str
    terms: tuple[str, ...]
    min_level: str
    deadline_hours: float


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
    severities: tuple[SeveritySpec, ...] = ()
    level_hours: dict[str, float] | None = None
    fallback_category: str = ""


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
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RulesError(f"{path}: cannot read rules file: {exc.strerror}") from None
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RulesError(f"{path}: not valid UTF-8 at byte {exc.start}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: TOML syntax error: {exc}") from None

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
        )
        category_labels[code] = cat["label"]
        terms = r.get(cat, "terms", dict, where) if "terms" in cat else {}
        for term, weight in terms.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)):
                raise r.fail(f"{where}.terms.{term}", f"expected a weight number, got {weight!r}")
            _apply(r, f"{where}.terms.{term}", table.add_term, code, term, float(weight))
        specs.append(
            CategorySpec(code, cat["label"], cat["platform"], tuple(co), cat["level"], float(cat["deadline_hours"]),
                         {t: float(w) for t, w in terms.items()})
        )

    severities: list[SeveritySpec] = []
    for i, sev in enumerate(doc.get("severity", [])):
        where = f"severity[{i}]"
        if not isinstance(sev, dict):
            raise r.fail(where, "expected a table")
        sev_terms = r.get(sev, "terms", list, where)
        if not all(isinstance(t, str) for t in sev_terms):
            raise r.fail(f"{where}.terms", "expected a list of strings")
        _apply(
            r,
            where,
            table.add_severity,
            r.get(sev, "id", str, where),
            sev_terms,
            r.level(sev, "min_level", where),
            float(r.get(sev, "deadline_hours", (int, float), where)),
        )
        severities.append(SeveritySpec(sev["id"], tuple(sev_terms), sev["min_level"], float(sev["deadline_hours"])))

    fallback = meta.get("fallback_category", "consultation")
    _apply(r, "meta.fallback_category", table.set_fallback_category, fallback)
    _apply(r, "rules", table.validate)

    channels = doc.get("channels", {code: code for code in DEFAULT_CHANNELS})
    if not isinstance(channels, dict) or not channels:
        raise r.fail("channels", "expected a table of channel code = label")
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
        severities=tuple(severities),
        level_hours=level_hours,
        fallback_category=fallback,
    )


def _apply(r: _Reader, where: str, fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except ConfigError as exc:
        raise r.fail(where, str(exc)) from None
