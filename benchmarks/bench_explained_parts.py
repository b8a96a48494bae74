"""Where an explained report's time goes: ``Engine.submit_many``'s three steps, timed apart.

Run: ``python benchmarks/bench_explained_parts.py [--days 3] [--per-day 10700] [--rounds 2] [--lean]``

``submit_many`` (and ``submit`` by default) answers with explained ``Decision``s. Its work per batch is
three steps, run here one by one on the same batches of a generated city stream (batches of 1,000, as
``routing-core bench`` submits them): the reports' conversion to core reports in Python
(``to_core_report``), the core's batch (``_core.submit_many``: match, explain, record) and the
conversion of its answers to ``Decision``s. Prints each step's time per report; ``--rounds`` replays
the days again on a fresh engine and prints each round. ``--no-gc`` turns Python's cyclic GC off, to
tell its share apart. ``--lean`` times ``submit_many(explain=False)`` instead: lean decisions.

Like the command line, the script restarts itself with glibc's huge-page tunable where that helps
(``routing_core.hugepages``); ``ROUTING_CORE_HUGE_PAGES=0`` runs it without.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time

from routing_core import Engine
from routing_core.cli_args import at_least
from routing_core.hugepages import reexec_with_huge_pages
from routing_core.synth import generate


def one_round(
    days: int, per_day: int, seed: int, batch: int, explain: bool
) -> tuple[int, float, float, float]:
    """Reports replayed, and seconds in the conversion, the core and the Decisions."""
    engine = Engine()
    convert = core = decide = 0.0
    reports = 0
    for day in generate(days=days, reports_per_day=per_day, seed=seed):
        rows = day.reports()
        for lo in range(0, len(rows), batch):
            chunk = rows[lo : lo + batch]
            started = time.perf_counter()
            core_reports = engine._core_reports(chunk)
            converted = time.perf_counter()
            answers = engine._core.submit_many(core_reports, explain)
            answered = time.perf_counter()
            decisions = [engine._decision(d, lean=not explain) for d in answers]
            done = time.perf_counter()
            assert len(decisions) == len(chunk)
            convert += converted - started
            core += answered - converted
            decide += done - answered
            reports += len(chunk)
    return reports, convert, core, decide


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=at_least(1), default=3, help="generated days to replay (default 3)")
    parser.add_argument("--per-day", type=at_least(1), default=10_700, help="reports a day (default 10,700)")
    parser.add_argument("--seed", type=at_least(0), default=0, help="the generator's seed (default 0)")
    parser.add_argument("--rounds", type=at_least(1), default=2,
                        help="replays, each on a fresh engine (default 2)")
    parser.add_argument("--no-gc", action="store_true", help="turn the cyclic GC off")
    parser.add_argument("--lean", action="store_true", help="time submit_many(explain=False) instead")
    args = parser.parse_args(argv)
    if args.no_gc:
        gc.disable()
    for r in range(1, args.rounds + 1):
        reports, convert, core, decide = one_round(args.days, args.per_day, args.seed, 1000, not args.lean)
        per = 1e6 / reports
        print(
            f"round {r}: {reports:,} reports; per report: dicts -> core reports {convert * per:.1f} µs, "
            f"core submit_many {core * per:.1f} µs, core decisions -> Decisions {decide * per:.1f} µs",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    reexec_with_huge_pages(sys.argv)
    sys.exit(main())
