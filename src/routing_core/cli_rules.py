"""``routing-core rules check`` and ``routing-core rules diff``: what an operator runs before a rules change.

``check`` validates a rules file and prints what it contains and what looks wrong; ``diff`` replays
the same reports under two rules files and prints what would change (the replay is
:mod:`routing_core.rules_diff`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .classification_report import classify_labelled, load_labelled
from .cli_args import at_least, engine_from, iso_date, output_file
from .jsonl import read_jsonl
from .progress_line import Above, FileProgress
from .rules import HANDLING_LEVELS, LoadedRules, load_rules
from .rules_audit import unreachable_rules
from .rules_diff import COUNTED_FIELDS, ROUTE_FIELDS, RulesDiff, diff_rules, errors_to

__all__ = ["add_rules_commands"]


def add_rules_commands(sub: Any) -> None:
    """Register ``rules check`` and ``rules diff`` on the top-level subparsers."""
    rules = sub.add_parser("rules", help="check a rules file, or diff two on the same reports")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)

    check = rules_sub.add_parser("check", help="validate a rules file and print a summary")
    check.add_argument("file", help="rules file (TOML)")
    check.add_argument("--on", type=iso_date, metavar="DATE",
                       help="the day the rules are to be in force, for the working calendar's check "
                       "(default: today in the rules' time zone)")
    check.set_defaults(run=_check)

    diff = rules_sub.add_parser("diff", help="replay reports under two rules files and show what changes")
    diff.add_argument("old", help="the rules file in force")
    diff.add_argument("new", help="the proposed rules file")
    diff.add_argument("--reports", required=True, help="reports, one JSON object per line")
    diff.add_argument("--examples", type=at_least(0), default=3,
                      help="examples to show per kind of change (default 3)")
    diff.add_argument("--json", dest="json_out", type=output_file,
                      help="also write the full diff as JSON here")
    diff.add_argument("--batch", type=at_least(1), default=1000,
                      help="reports per engine call (default 1,000); the two engines run at once, "
                      "a thread each")
    diff.add_argument("--quiet", action="store_true", help="no progress line")
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
    on = args.on or datetime.now(rules.timezone).date()
    warnings = _lint(rules, args.gazetteer) + _calendar_gaps(rules, on)
    for warning in warnings:
        print(f"  warning: {warning}")
    print(f"  {len(warnings)} warning(s)")
    return 0


def _lint(rules: LoadedRules, gazetteer: str | None = None) -> list[str]:
    """Things that load but are probably mistakes."""
    out = []
    for c in rules.categories:
        if not c.terms and c.code != rules.fallback_category:
            out.append(f"category {c.code} has no terms: only a category hint can choose it")
        for term in c.terms:
            if len(term) < 2:
                out.append(f"category {c.code}: one-character term {term!r} matches inside many words")
    for rule_id in unreachable_rules(rules, gazetteer=gazetteer):
        out.append(f"rule {rule_id} is unreachable: no report text containing one of its terms fires it")
    return out


def _calendar_gaps(rules: LoadedRules, on: date) -> list[str]:
    """Years the working-time deadlines will meet without a schedule: ``on``'s year, and from November
    (when the State Council publishes the next year's holidays) the next one."""
    working = [c.code for c in rules.categories if c.deadline_clock == "working"]
    if not working or rules.calendar is None:
        return []
    listed = rules.calendar.years
    wanted = [on.year] + ([on.year + 1] if on.month >= 11 else [])
    return [
        f"calendar: no holidays or 调休 workdays listed for {year} (listed: "
        f"{', '.join(map(str, sorted(listed))) or 'none'}): the working-time deadlines of "
        f"{', '.join(working)} would count every weekday of {year} as a working day; add {year}'s "
        "schedule to [calendar]"
        for year in wanted
        if year not in listed
    ]


# -- accuracy --------------------------------------------------------------------------------------


def _accuracy(args: argparse.Namespace) -> int:
    engine = engine_from(args, rules=args.rules_file or args.rules)
    report = classify_labelled(engine, load_labelled(args.cases, truth=args.truth))
    print(f"{args.cases}: rules {engine.rules.name} ({engine.rules.version})")
    print(report.format(engine.rules.category_labels))
    return 0


# -- diff -----------------------------------------------------------------------------------------

def _diff(args: argparse.Namespace) -> int:
    path = Path(args.reports)
    progress = None if args.quiet else _DiffProgress(sys.stderr, path.stat().st_size)
    messages = Above(progress.line) if progress is not None else sys.stderr  # a bad line's, on stderr
    lines = read_jsonl(path, messages, progress.read if progress else None)
    records = ((n, r) for n, r in lines if r is not None)
    diff = diff_rules(args.old, args.new, records, batch_size=args.batch,
                      gazetteer=args.gazetteer, match=args.match,
                      on_error=errors_to(messages, args.reports, (args.old, args.new)),
                      on_batch=progress)
    if progress is not None:
        progress.finish(diff)

    moved = sorted(diff.moved)
    print(f"rules diff: {args.old} → {args.new} on {diff.reports} reports from {args.reports}")
    print(f"  routed under both {diff.both}; changed {len(moved)} ({_pct(len(moved), diff.both)})")
    if diff.only_old or diff.only_new:
        print(f"  accepted only by old {len(diff.only_old)}, only by new {len(diff.only_new)}")
    for field in ROUTE_FIELDS:
        print(f"  {field:10s} changed for {diff.changed[field]:6d}")
    events = diff.events
    print(f"  events     {events.old_events} under old, {events.new_events} under new: {events.split} split, "
          f"{events.joined} joined; {len(events.regrouped)} reports fuse differently "
          f"({_pct(len(events.regrouped), diff.both)})")
    print(f"  report pairs in one event: {events.pairs_old} under old, {events.pairs_new} under new, "
          f"{events.pairs_both} under both")

    for field in COUNTED_FIELDS:
        before, after = diff.before[field], diff.after[field]
        keys = sorted(set(before) | set(after), key=lambda k: (-(before[k] + after[k]), k))
        if field == "category":  # 22 rows: show only those that change
            keys = [k for k in keys if before[k] != after[k]]
            if not keys:
                continue
        print(f"\nreports per {field}:      old      new    delta")
        for key in keys:
            delta = after[key] - before[key]
            print(f"  {key:20s} {before[key]:7d}  {after[key]:7d}  {delta:+7d}")

    routes = {rid: (_route_key(a), _route_key(b)) for rid, (a, b) in diff.moved.items()}
    transitions = Counter(routes[rid] for rid in moved)
    if transitions:
        print("\nmost frequent changes (category/platform/level):")
        for (a, b), n in transitions.most_common(10):
            print(f"  {n:6d}  {a}  →  {b}")
            examples = [rid for rid in moved if routes[rid] == (a, b)]
            for rid in examples[: args.examples]:
                print(f"          {rid}: {diff.moved[rid][0]['text']}")
    _print_regrouped(diff, args.examples)

    if args.json_out:
        doc = diff.to_dict(args.old, args.new)
        Path(args.json_out).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


class _DiffProgress(FileProgress):
    """rules diff's progress line on stderr: the reports under both files, throughput and changes."""

    def __call__(self, diff: RulesDiff) -> None:  # on_batch
        self.show(self._figures(diff))

    def finish(self, diff: RulesDiff) -> None:
        self.show(self._figures(diff), last=True)

    def _figures(self, diff: RulesDiff) -> str:
        rate, moved = self.line.rate(diff.reports), len(diff.moved)
        return f"{diff.reports:,} reports under both rules files · {rate:,.0f}/s · {moved:,} changed"


def _print_regrouped(diff: RulesDiff, examples: int) -> None:
    """A few split and joined events, each with its reports and their event under the other file, and
    the text of its first report whose routing changed (the one that usually moved it; the diff keeps
    the texts of those reports only)."""
    groups = [("split ", "→", e, m) for e, m in diff.events.split_examples(examples)]
    groups += [("joined", "←", e, m) for e, m in diff.events.joined_examples(examples)]
    if not groups:
        return
    print("\nevents that fuse differently "
          "(split: an old event, its reports' new events; joined: the reverse):")
    for kind, arrow, event, members in groups:
        shown = ", ".join(f"{rid} {arrow} {other}" for rid, other in members[:_MEMBERS_SHOWN])
        more = f", … {len(members) - _MEMBERS_SHOWN} more" if len(members) > _MEMBERS_SHOWN else ""
        print(f"  {kind} {event}: {shown}{more}")
        moved = next((rid for rid, _ in members if rid in diff.moved), None)
        if moved is not None:
            old, new = diff.moved[moved]
            print(f"          {moved} ({old['category']} → {new['category']}): {old['text']}")


#: Reports listed per example of a split or joined event.
_MEMBERS_SHOWN = 6


def _route_key(row: dict[str, Any]) -> str:
    return f"{row['category']}/{row['platform']}/{row['level']}"


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "n/a"
