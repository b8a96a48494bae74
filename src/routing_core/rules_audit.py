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


def forced_level(rules: RulesLike, category: str, text: str) -> str:
    """The lowest level the rules force for ``text`` classified as ``category``.

    Computed from the rules file alone (not by the engine): the category's level raised by every
    severity rule with a term in the normalised text.
    """
    loaded = _rules(rules)
    spec = next(c for c in loaded.categories if c.code == category)
    level = HANDLING_LEVELS.index(spec.level)
    normalised = _core.normalise_text(text)
    for severity in loaded.severities:
        if any(_core.normalise_text(t) in normalised for t in severity.terms):
            level = max(level, HANDLING_LEVELS.index(severity.min_level))
    return HANDLING_LEVELS[level]


def unreachable_rules(rules: RulesLike, *, gazetteer: str | Path | None = None) -> list[str]:
    """Ids of rules that no report can fire by its text.

    A category is reachable when at least one of its terms, as a whole report text, is classified
    into it (a category whose terms are all outweighed elsewhere is not); the fallback category is
    always reachable. A severity rule is reachable when one of its terms fires it. Ids are those of
    ``Decision.rules_fired``: ``category:CODE``, ``severity:ID``.
    """
    loaded = _rules(rules)
    engine = Engine(rules=loaded.path, gazetteer=gazetteer)
    out = []
    for spec in loaded.categories:
        if spec.code == loaded.fallback_category:
            continue
        won = any(engine._core.category_code(engine._core.classify(term).category) == spec.code for term in spec.terms)
        if not won:
            out.append(f"category:{spec.code}")
    for k, severity in enumerate(loaded.severities):
        fired = False
        for term in severity.terms:
            d = engine.submit({"id": f"reach-{k}-{term}", "text": term, "time": 1_800_000_000 + 10**6 * k})
            fired = fired or f"severity:{severity.id}" in d.rules_fired
        if not fired:
            out.append(f"severity:{severity.id}")
    return out
