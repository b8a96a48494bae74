"""Facts about a rules file that need no random data: the level it forces, and rules nobody can fire.

Used by ``routing-core rules check`` and by the property checks of :mod:`routing_core.testing`.
"""

from __future__ import annotations

from pathlib import Path

from . import _core
from .engine import Engine
from .rules import HANDLING_LEVELS, LoadedRules, RuleSpec, load_rules

__all__ = ["RulesLike", "forced_level", "unreachable_rules"]

RulesLike = LoadedRules | str | Path | None


def _rules(rules: RulesLike) -> LoadedRules:
    return rules if isinstance(rules, LoadedRules) else load_rules(rules)


def forced_level(
    rules: RulesLike, category: str, text: str, *, channel: str = "", reports: int = 1, recurrences: int = 0
) -> str:
    """The lowest level the rules force for ``text`` in an event of ``category``.

    Computed from the rules file alone, not by the engine: the category's level raised by every rule
    whose conditions hold (a term in the normalised text that no negation cue cancels, the channel,
    the category, the event's report count and recurrences). The oracle of
    :func:`routing_core.testing.check_level_floor`.
    """
    loaded = _rules(rules)
    spec = next(c for c in loaded.categories if c.code == category)
    level = HANDLING_LEVELS.index(spec.level)
    normalised = _core.normalise_text(text)
    for rule in loaded.rules:
        fires = _fires(loaded, rule, normalised, category, channel, reports, recurrences)
        if rule.min_level is not None and fires:
            level = max(level, HANDLING_LEVELS.index(rule.min_level))
    return HANDLING_LEVELS[level]


def unreachable_rules(rules: RulesLike, *, gazetteer: str | Path | None = None) -> list[str]:
    """Ids of rules that no report can fire.

    A category is reachable when at least one of its terms, as a whole report text, is classified
    into it (a category whose terms are all outweighed elsewhere is not); the fallback category is
    always reachable. A rule with terms is reachable when a report made of one of its terms (through
    one of its channels, hinted into one of its categories) fires it; a rule that also needs several
    reports or recurrences is tried on its term condition alone. Rules without terms are reachable
    by construction (their channels and categories are checked on load). Ids are those of
    ``Decision.rules_fired``: ``category:CODE``, ``rule:ID``.
    """
    loaded = _rules(rules)
    engine = Engine(rules=loaded.path, gazetteer=gazetteer)
    out = []
    for spec in loaded.categories:
        if spec.code == loaded.fallback_category:
            continue
        won = any(engine.classify(term).category == spec.code for term in spec.terms)
        if not won:
            out.append(f"category:{spec.code}")
    for k, rule in enumerate(loaded.rules):
        if not rule.terms:
            continue
        fired = False
        for term in rule.terms:
            if rule.min_reports > 1 or rule.min_recurrences > 0:
                fired = fired or bool(_core.normalise_text(term))  # the term condition alone
                continue
            report = {"id": f"reach-{k}-{term}", "text": term, "time": 1_800_000_000 + 10**6 * k,
                      "source": rule.channels[0] if rule.channels else loaded.channels[0]}
            if rule.categories:
                report["category"] = rule.categories[0]
            fired = fired or f"rule:{rule.id}" in engine.submit(report).rules_fired
        if not fired:
            out.append(f"rule:{rule.id}")
    return out


# -- a pure-Python reference of the routing step -----------------------------------------------------
#
# Slow and obviously right, written from the rules file's documentation rather than from the C++:
# the oracle of the parity property tests (tests/test_routing_reference.py).

_CLAUSE_BREAKS = frozenset("，。；！？、,.;!?")


def _term_counts(text: str, term: str, cues: tuple[str, ...], window: int) -> bool:
    """Whether ``term`` occurs in ``text`` at least once without a negation cue just before it."""
    cue_ends = sorted(
        i + len(cue) for cue in cues for i in range(len(text)) if cue and text.startswith(cue, i)
    )
    for begin in (i for i in range(len(text)) if text.startswith(term, i)):
        before = [end for end in cue_ends if end <= begin]
        if not before:
            return True
        end = before[-1]
        if begin - end > window or any(c in _CLAUSE_BREAKS for c in text[end:begin]):
            return True
    return False


def _fires(
    rules: LoadedRules,
    rule: RuleSpec,
    normalised: str,
    category: str,
    channel: str,
    reports: int,
    recurrences: int,
) -> bool:
    """Whether every condition a rule states holds (a term counts unless a negation cue cancels it)."""
    if rule.terms:
        cues = tuple(_core.normalise_text(c) for c in rules.rule_negation[0])
        terms = [t for t in (_core.normalise_text(t) for t in rule.terms) if t]
        if not any(_term_counts(normalised, t, cues, rules.rule_negation[1]) for t in terms):
            return False
    if rule.channels and channel not in rule.channels:
        return False
    if rule.categories and category not in rule.categories:
        return False
    return reports >= rule.min_reports and recurrences >= rule.min_recurrences


def _add_working_seconds(rules: LoadedRules, start: int, seconds: int) -> int:
    """Epoch seconds after ``seconds`` of working time from ``start``, walking day by day."""
    from datetime import datetime, timedelta

    cal = rules.calendar
    assert cal is not None
    tz = rules.timezone
    when = datetime.fromtimestamp(start, tz)
    day = when.date()
    remaining = seconds
    for _ in range(3660):
        working = day in cal.workdays or (day not in cal.holidays and day.isoweekday() in cal.weekdays)
        if working:
            midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
            for begin, end in cal.periods:
                period_start = max(midnight + timedelta(seconds=begin), when)
                period_end = midnight + timedelta(seconds=end)
                if period_start >= period_end:
                    continue
                available = int((period_end - period_start).total_seconds())
                if remaining <= available:
                    return int((period_start + timedelta(seconds=remaining)).timestamp())
                remaining -= available
        day += timedelta(days=1)
        when = datetime(day.year, day.month, day.day, tzinfo=tz)
    return start + seconds


def reference_routing(
    rules: RulesLike,
    category: str,
    text: str,
    *,
    channel: str,
    time: int,
    reports: int = 1,
    recurrences: int = 0,
) -> tuple[str, frozenset[str], str, int, tuple[str, ...]]:
    """(lead platform, co-handlers, level before jurisdiction, deadline, fired rule ids) for a new event.

    The level is what the rules ask for; the engine may hand the event higher when the address does
    not name a unit at that level (``jurisdiction:`` in ``Decision.rules_fired``).
    """
    loaded = _rules(rules)
    spec = next(c for c in loaded.categories if c.code == category)
    normalised = _core.normalise_text(text)
    level = HANDLING_LEVELS.index(spec.level)
    seconds = round(spec.deadline_hours * 3600)
    deadline = _add_working_seconds(loaded, time, seconds) if spec.deadline_clock == "working" else time + seconds
    platform, co = spec.platform, list(spec.co_platforms)
    order = sorted(range(len(loaded.rules)), key=lambda i: (-loaded.rules[i].priority, i))
    platform_set = False
    fired = []
    for i in order:
        rule = loaded.rules[i]
        if not _fires(loaded, rule, normalised, category, channel, reports, recurrences):
            continue
        fired.append(rule.id)
        if rule.min_level is not None:
            level = max(level, HANDLING_LEVELS.index(rule.min_level))
        if rule.deadline_hours is not None:
            deadline = min(deadline, time + round(rule.deadline_hours * 3600))
        if rule.platform is not None and not platform_set:
            platform, platform_set = rule.platform, True
        co += rule.co_platforms
    if platform != spec.platform:  # the category's own platform keeps co-handling
        co.append(spec.platform)
    return platform, frozenset(co) - {platform}, HANDLING_LEVELS[level], deadline, tuple(fired)
