"""Accuracy of routing_core.parse_address on the labelled address set (tests/data/address_set.tsv).

Prints, per unit level, the share of addresses whose parsed unit equals the expected one (an
expected empty level must stay empty: a guess is an error), the town accuracy on the addresses
that state their town (the issue's target, >= 98 %), the share of expected ambiguities that were
listed rather than guessed, and the accuracy of each finer component, overall and by style.

    python scripts/address_accuracy.py [--set tests/data/address_set.tsv] [--errors N] [--peer cpca]

``--peer cpca`` also prints the county accuracy of cpca (PyPI; a benchmark peer, not a
dependency: it resolves province, city and county only) on the same set.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from routing_core.cli_args import at_least

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT / "tests" / "data" / "address_set.tsv"
LEVELS = ("province", "city", "county", "town", "community")
COMPONENTS = ("road", "number", "compound", "building", "unit", "room", "remainder")


def load_set(path: Path = DEFAULT_SET) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


@dataclass
class Accuracy:
    total: int = 0
    units: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    components: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    town_scored: int = 0
    town_scored_right: int = 0
    ambiguous: int = 0
    ambiguous_listed: int = 0
    by_style: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    def share(self, n: int, d: int | None = None) -> float:
        return n / max(d if d is not None else self.total, 1)


def _code(unit: Any) -> str:
    return unit.code if unit is not None else ""


def evaluate(rows: list[dict[str, str]], parse: Any = None) -> Accuracy:
    """Compares `parse` (default routing_core.parse_address) with the expected values of `rows`."""
    if parse is None:
        from routing_core import parse_address as parse
    acc = Accuracy()
    for row in rows:
        p = parse(row["address"])
        acc.total += 1
        ok_all = True
        for level in LEVELS:
            got = _code(getattr(p, level))
            if got == row[level]:
                acc.units[level] += 1
            else:
                ok_all = False
                acc.errors.append(
                    (row["id"], level, f"{row['address']}: expected {row[level] or '-'} got {got or '-'}")
                )
        for comp in COMPONENTS:
            got = getattr(p, comp)
            expected = row[comp]
            if comp == "remainder":  # pieces of the remainder are joined by spaces; compare the text
                got, expected = got.replace(" ", ""), expected.replace(" ", "")
            if got == expected:
                acc.components[comp] += 1
            else:
                ok_all = False
                acc.errors.append((row["id"], comp, f"{row['address']}: expected {expected!r} got {got!r}"))
        if row["town_scored"] == "1":
            acc.town_scored += 1
            acc.town_scored_right += _code(p.town) == row["town"]
        if row["ambiguous"]:
            acc.ambiguous += 1
            acc.ambiguous_listed += bool(p.ambiguities) and all(
                _code(getattr(p, lv)) == "" for lv in row["ambiguous"].split("|")
            )
        acc.by_style[row["style"]][0] += 1
        acc.by_style[row["style"]][1] += ok_all
    return acc


def report(acc: Accuracy) -> str:
    out = [f"address set: {acc.total} addresses"]
    out.append("unit accuracy per level (expected empty must stay empty):")
    for level in LEVELS:
        out.append(f"  {level:<10} {acc.share(acc.units[level]):7.2%}")
    out.append(
        "town accuracy where the address states its town: "
        f"{acc.share(acc.town_scored_right, acc.town_scored):.2%}"
        f" ({acc.town_scored_right}/{acc.town_scored})"
    )
    out.append(
        f"ambiguities listed, not guessed: {acc.share(acc.ambiguous_listed, acc.ambiguous):.2%}"
        f" ({acc.ambiguous_listed}/{acc.ambiguous})"
    )
    out.append("component accuracy:")
    for comp in COMPONENTS:
        out.append(f"  {comp:<10} {acc.share(acc.components[comp]):7.2%}")
    out.append("addresses entirely right, by style:")
    for style, (n, ok) in acc.by_style.items():
        out.append(f"  {style:<13} {ok:4d}/{n:<4d} {ok / n:7.2%}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, default=DEFAULT_SET)
    ap.add_argument("--errors", type=at_least(0), default=0, help="print the first N mismatches")
    ap.add_argument("--peer", choices=["cpca"], help="also score a peer library's county on the set")
    args = ap.parse_args(argv)
    rows = load_set(args.set)
    acc = evaluate(rows)
    print(report(acc))
    if args.peer == "cpca":
        import cpca  # type: ignore[import-not-found]

        frame = cpca.transform([r["address"] for r in rows])
        got = ["" if code != code or code is None else str(code) for code in frame["adcode"]]  # NaN -> ""
        # cpca gives a city or province code when it finds no county; count those as no county.
        got = [c if len(c) == 6 and not c.endswith("00") else "" for c in got]
        right = sum(g == r["county"] for g, r in zip(got, rows, strict=True))
        print(f"peer cpca: county accuracy {right / len(rows):.2%} ({right}/{len(rows)})")
    for _, what, message in acc.errors[: args.errors]:
        print(f"  {what:<10} {message}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
