"""How often a report's candidates were changed by an earlier report of the same batch: what matching
a batch on several threads against the state at its start would have to repair.

    python scripts/batch_conflicts.py [--days 3] [--per-day 10700] [--seed 0] [--sizes 8,32,128,512]

The engine matches one report after another: each report can join, or be scored against, an event
that the report just before it opened or changed. A batch matched in parallel against the state at
its start would see none of those changes, so every such report would need its candidates scored
again afterwards, in order. This replays generated days through explained ``submit_many`` (the
decisions do not depend on how a stream is cut into calls), then, for each batch size, prints the
share of reports whose chosen event, and whose scored candidates (any of them), a report earlier
in the same batch had opened or joined.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from routing_core import Engine
from routing_core.cli_args import at_least, counts
from routing_core.synth import generate


@dataclass(frozen=True)
class Touch:
    """What a report's decision says about the events it touched and looked at."""

    event_id: str  # the event it opened or joined
    joined: bool  # joined an existing event (a duplicate), rather than opening one
    candidates: frozenset[str]  # the events it was scored against


@dataclass(frozen=True)
class Conflicts:
    size: int
    reports: int
    chosen: int  # joined an event an earlier report of its batch opened or joined
    candidate: int  # was scored against such an event


def conflicts(touches: Sequence[Touch], size: int) -> Conflicts:
    """Counts over consecutive batches of `size` reports (the last may be shorter)."""
    if size < 1:
        raise ValueError(f"size={size!r}: expected a positive batch size")
    chosen = candidate = 0
    for lo in range(0, len(touches), size):
        touched: set[str] = set()
        for t in touches[lo:lo + size]:
            chosen += t.joined and t.event_id in touched
            candidate += not touched.isdisjoint(t.candidates)
            touched.add(t.event_id)
    return Conflicts(size, len(touches), chosen, candidate)


def replay_touches(days: int, per_day: int, seed: int) -> list[Touch]:
    """Every report's Touch over generated days, in order."""
    engine = Engine()
    touches: list[Touch] = []
    for day in generate(days=days, reports_per_day=per_day, seed=seed):
        rows = day.reports()
        for lo in range(0, len(rows), 1000):
            for d in engine.submit_many(rows[lo:lo + 1000]):  # explained: the candidates are listed
                touches.append(Touch(d.event_id, not d.is_new, frozenset(c.event_id for c in d.candidates)))
    return touches


def main(argv: Iterable[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--days", type=at_least(1), default=3)
    p.add_argument("--per-day", type=at_least(1), default=10_700)
    p.add_argument("--seed", type=at_least(0), default=0)
    p.add_argument("--sizes", type=counts("batch size", 1), default=[8, 32, 128, 512])
    args = p.parse_args(None if argv is None else list(argv))
    touches = replay_touches(args.days, args.per_day, args.seed)
    if not touches:
        raise SystemExit("the generated stream has no reports: nothing to count")
    for size in args.sizes:
        c = conflicts(touches, size)
        print(f"batch {size:>5,}: chose an event touched earlier in its batch {c.chosen / c.reports:.3f}; "
              f"scored against one {c.candidate / c.reports:.3f} ({c.reports:,} reports)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
