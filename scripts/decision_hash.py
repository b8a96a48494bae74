"""A hash of every decision the installed engine makes on a generated stream: run it before and after
a change that must not change decisions (a speed-up, a refactor) and compare the two lines.

    python scripts/decision_hash.py [--days 4] [--per-day 10700] [--seed 11] [--explained-reports 4000]

Two hashes are printed:

* ``lean``: every column of ``submit_columns``' answers (event ids, outcomes, scores to the last bit,
  categories, routing, deadlines) over ``--days`` generated days, closes left out;
* ``explained``: the ``repr`` of every explained ``Decision`` of ``submit_many`` (its candidates and
  their feature values included) over one generated day of ``--explained-reports`` reports (another
  seed), so that scores of candidates the lean path leaves unscored are checked too.

Runs of one build print the same line; a different line means some decision or score changed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys

from routing_core import Engine
from routing_core.cli_args import at_least
from routing_core.replay import _columns
from routing_core.synth import generate


def lean_hash(days: int, per_day: int, seed: int) -> tuple[str, int]:
    """The hash of every submit_columns answer over the stream, and the events it made."""
    h = hashlib.sha256()
    engine = Engine()
    for day in generate(days=days, reports_per_day=per_day, seed=seed):
        ids, texts, addresses, times, sources, categories, lat, lon = _columns(day)
        for lo in range(0, len(ids), 1000):
            s = slice(lo, lo + 1000)
            out = engine.submit_columns(ids[s], texts[s], addresses[s], times[s], sources[s],
                                        categories=categories[s], lat=lat[s], lon=lon[s])
            for i in range(len(out)):
                h.update(repr(sorted(out.row(i).items())).encode())
            h.update(out.score.tobytes())  # the scores' bits, not their rounded repr
    return h.hexdigest()[:16], engine.stats().events


def explained_hash(reports: int, seed: int) -> str:
    """The hash of the reprs of every explained Decision over one generated day."""
    h = hashlib.sha256()
    engine = Engine()
    for day in generate(days=1, reports_per_day=reports, seed=seed):
        for decision in engine.submit_many(day.reports()):
            h.update(repr(decision).encode())
    return h.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=at_least(1), default=4,
                        help="generated days for the lean hash (default 4)")
    parser.add_argument("--per-day", type=at_least(1), default=10_700, help="reports a day (default 10,700)")
    parser.add_argument("--seed", type=at_least(0), default=11, help="the lean stream's seed (default 11)")
    parser.add_argument("--explained-reports", type=at_least(1), default=4000,
                        help="reports of the explained day (default 4,000; seed --seed + 1)")
    args = parser.parse_args(argv)
    lean, events = lean_hash(args.days, args.per_day, args.seed)
    explained = explained_hash(args.explained_reports, args.seed + 1)
    print(f"lean {lean} explained {explained} ({events:,} events)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
