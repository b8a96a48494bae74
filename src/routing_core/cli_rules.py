"""``routing-core rules check`` and ``routing-core rules diff``: what an operator runs before a rules change.

``check`` validates a rules file and prints what it contains and what looks wrong; ``diff`` replays
the same reports under two rules files and prints what would change.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import IO, Any

from .classification_report import classify_labelled, load_labelled
from .cli_args import at_least
from .engine import Engine
from .errors import RoutingCoreError
from .jsonl import read_jsonl
from .rules import HANDLING_LEVELS, LoadedRules, load_rules
from .rules_audit import unreachable_rules

__all__ = ["add_rules_commands"]


def add_rules_commands(sub: Any) -> None:
    """Register ``rules check`` and ``rules diff`` on the top-level subparsers."""
    rules = sub.add_parser("rules", help="check a rules file, or diff two on the same reports")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)

    check = rules_sub.add_parser("check", help="validate a rules file and print a summary")
    check.add_argument("file", help="rules file (TOML)")
    check.set_defaults(run=_check)

    diff = rules_sub.add_parser("diff", help="replay reports under two rules files and show what changes")
    diff.add_argument("old", help="the rules file in force")
    diff.add_argument("new", help="the proposed rules file")
    diff.add_argument("--reports", required=True, help="reports, one JSON object per line")
    diff.add_argument("--examples", type=at_least(0), default=3,
                      help="examples to show per kind of change (default 3)")
    diff.add_argument("--json", dest="json_out", help="also write the full diff as JSON here")
    diff.set_defaults(run=_diff)

    accuracy = rules_sub.add_parser("accuracy", help="classification accuracy on labelled texts, per category")
    accuracy.add_argument("cases", help="TSV with text and category columns, or JSON Lines with text and category "
                          "(or reports, with --truth)")
    accuracy.add_argument("--truth", help="JSON Lines of {id, category} labelling the reports in CASES, e.g. the "
                          "--truth file of routing-core synth")
    accuracy.add_argument("--rules-file", help="rules file (TOML); default: the bundled Ningbo rules")
    accuracy.set_defaults(run=_accuracy)


# -- check ----------------------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    rules = load_rules(args.file)  # RulesError → main() prints it and exits 2
    print(f"{args.file}: valid")
    print(f"  name      {rules.name} ({rules.version or 'no version'}), time zone {rules.timezone}")
    print(f"  platforms {len(rules.platform_labels)}: "
          + ", ".join(f"{code} {label}" for code, label in rules.platform_labels.items()))
    per_platform = Counter(c.platform for c in rules.categories)
    print(f"  categories {len(rules.categories)} (" + ", ".join(f"{p} {n}" for p, n in per_platform.items())
          + f"), fallback {rules.fallback_category}")
    print(f"  terms     {sum(len(c.terms) for c in rules.categories)}")
    print(f"  rules     {len(rules.rules)}: " + ", ".join(rule.id for rule in rules.rules))
    hours = rules.level_hours or {}
    print("  levels    " + ", ".join(f"{level} {hours[level]:g} h" for level in HANDLING_LEVELS))
    print(f"  channels  {', '.join(rules.channels)}")
    warnings = _lint(rules)
    for warning in warnings:
        print(f"  warning: {warning}")
    print(f"  {len(warnings)} warning(s)")
    return 0


def _lint(rules: LoadedRules) -> list[str]:
    """Things that load but are probably mistakes."""
    out = []
    for c in rules.categories:
        if not c.terms and c.code != rules.fallback_category:
            out.append(f"category {c.code} has no terms: only a category hint can choose it")
        for term in c.terms:
            if len(term) < 2:
                out.append(f"category {c.code}: one-character term {term!r} matches inside many words")
    for rule_id in unreachable_rules(rules):
        out.append(f"rule {rule_id} is unreachable: no report text containing one of its terms fires it")
    return out


# -- accuracy --------------------------------------------------------------------------------------


def _accuracy(args: argparse.Namespace) -> int:
    engine = Engine(rules=args.rules_file or args.rules)
    report = classify_labelled(engine, load_labelled(args.cases, truth=args.truth))
    print(f"{args.cases}: rules {engine.rules.name} ({engine.rules.version})")
    print(report.format(engine.rules.category_labels))
    return 0


# -- diff -----------------------------------------------------------------------------------------

_FIELDS = ("category", "platform", "level", "unit_name")


def _read_reports(path: Path, errors: IO[str]) -> list[tuple[int, dict[str, Any]]]:
    return [(n, r) for n, r in read_jsonl(path, errors) if r is not None]


def _routes(rules_path: str, reports: list[tuple[int, dict[str, Any]]], src: str) -> dict[str, dict[str, Any]]:
    """report id → its decision's routing fields under these rules; rejected reports are named on stderr."""
    engine = Engine(rules=rules_path)
    out: dict[str, dict[str, Any]] = {}
    for lineno, record in reports:
        try:
            d = engine.submit(record)
        except RoutingCoreError as exc:
            print(f"{src}:{lineno}: under {rules_path}: {exc}", file=sys.stderr)
            continue
        out[d.report_id] = {
            "event_id": d.event_id,
            "category": d.category,
            "platform": d.platform,
            "level": d.level,
            "unit_name": d.unit_name,
            "text": str(record.get("text", ""))[:60],
        }
    return out


def _diff(args: argparse.Namespace) -> int:
    reports = _read_reports(Path(args.reports), sys.stderr)
    old = _routes(args.old, reports, args.reports)
    new = _routes(args.new, reports, args.reports)
    both = [rid for rid in old if rid in new]
    only_old = sorted(set(old) - set(new))
    only_new = sorted(set(new) - set(old))

    changed: dict[str, list[str]] = {field: [] for field in _FIELDS}
    for rid in both:
        for field in _FIELDS:
            if old[rid][field] != new[rid][field]:
                changed[field].append(rid)
    moved = sorted({rid for ids in changed.values() for rid in ids})

    print(f"rules diff: {args.old} → {args.new} on {len(reports)} reports from {args.reports}")
    print(f"  routed under both {len(both)}; changed {len(moved)} ({_pct(len(moved), len(both))})")
    if only_old or only_new:
        print(f"  accepted only by old {len(only_old)}, only by new {len(only_new)}")
    for field in _FIELDS:
        print(f"  {field:10s} changed for {len(changed[field]):6d}")

    for field in ("platform", "level", "category"):
        before = Counter(old[rid][field] for rid in both)
        after = Counter(new[rid][field] for rid in both)
        keys = sorted(set(before) | set(after), key=lambda k: (-(before[k] + after[k]), k))
        if field == "category":  # 22 rows: show only those that change
            keys = [k for k in keys if before[k] != after[k]]
            if not keys:
                continue
        print(f"\nreports per {field}:      old      new    delta")
        for key in keys:
            delta = after[key] - before[key]
            print(f"  {key:20s} {before[key]:7d}  {after[key]:7d}  {delta:+7d}")

    transitions = Counter((_route_key(old[rid]), _route_key(new[rid])) for rid in moved)
    if transitions:
        print("\nmost frequent changes (category/platform/level):")
        for (a, b), n in transitions.most_common(10):
            print(f"  {n:6d}  {a}  →  {b}")
            examples = [rid for rid in moved if (_route_key(old[rid]), _route_key(new[rid])) == (a, b)]
            for rid in examples[: args.examples]:
                print(f"          {rid}: {old[rid]['text']}")

    if args.json_out:
        doc = {
            "old": args.old,
            "new": args.new,
            "reports": len(reports),
            "changed": {rid: {"old": old[rid], "new": new[rid]} for rid in moved},
            "only_old": only_old,
            "only_new": only_new,
        }
        Path(args.json_out).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def _route_key(row: dict[str, Any]) -> str:
    return f"{row['category']}/{row['platform']}/{row['level']}"


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "n/a"
