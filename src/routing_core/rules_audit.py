"""Facts about a rules file that need no random data: the level it forces, and rules nobody can fire.

Used by ``routing-core rules check`` and by the property checks of :mod:`routing_core.testing`.
"""

from __future__ import annotations

from pathlib import Path

from . import _core
from .engine import Engine
from .rules import HANDLING_LEVELS, LoadedRules, load_rules

__all__ = ["RulesLike", "forced_level", "unreachable_rules"]

RulesLike = LoadedRules | str | Path | None


def _rules(rules: RulesLike) -> LoadedRules:
    return rules if isinstance(rules, LoadedRules) else load_rules(rules)


def forced_level(
    rules: RulesLike, category: str, text: str, *, channel: str = "", reports: int = 1, recurrences: int = 0
) -> str:
    """The lowest level the rules force for ``text`` in an event of ``category``.

    Computed from the rules file alone, not by the engine: the category's level raised by every rule
    whose conditions hold (a term in the normalised text, the channel, the category, the event's
    report count and recurrences). The oracle of :func:`routing_core.testing.check_level_floor`.
    """
    loaded = _rules(rules)
    spec = next(c for c in loaded.categories if c.code == category)
    level = HANDLING_LEVELS.index(spec.level)
    normalised = _core.normalise_text(text)
    for rule in loaded.rules:
        if rule.min_level is None:
            continue
        if rule.terms and not any(_core.normalise_text(t) in normalised for t in rule.terms):
            continue
        if rule.channels and channel not in rule.channels:
            continue
        if rule.categories and category not in rule.categories:
            continue
        if reports < rule.min_reports or recurrences < rule.min_recurrences:
            continue
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
