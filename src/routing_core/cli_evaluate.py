"""``routing-core evaluate`` and ``routing-core calibrate``: dedup quality on labelled synthetic streams."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO

from .cli_args import at_least, engine_from, number_in, output_file
from .match_params import FEATURES
from .progress_line import ProgressLine

__all__ = ["register"]


def _evaluate(args: argparse.Namespace) -> int:
    from .evaluate import format_table, run_engine
    from .synth import generate

    def split(seed: int) -> list:  # type: ignore[type-arg]
        return list(generate(days=args.days, reports_per_day=args.per_day, seed=seed))

    def stage(message: str) -> None:
        if not args.quiet:
            print(f"evaluate: {message}", file=sys.stderr, flush=True)

    stage(f"generating the test split ({args.days} days, seed {args.test_seed})")
    test = split(args.test_seed)
    n = sum(len(b) for b in test)
    stage(f"the engine on {n:,} reports, one at a time with explanations")
    progress = None if args.quiet else _ReportsProgress(sys.stderr, n)
    engine = engine_from(args, match=args.evaluate_match or args.match)
    rows = [run_engine(test, engine, progress=progress).summary()]
    if not args.no_peers:
        stage(f"generating the train split the peers fit on (seed {args.train_seed})")
        train = split(args.train_seed)
        try:
            from .evaluate import baseline_rapidfuzz

            stage("the rapidfuzz brute-force baseline: fitting its threshold, then the test split")
            rows.append(baseline_rapidfuzz(train, test).summary())
        except ImportError as exc:
            print(f"rapidfuzz baseline skipped: {exc} (pip install 'routing_core[bench]')", file=sys.stderr)
        try:
            from .evaluate_splink import splink_peer

            stage("the Splink peer: training its model, then the test split")
            rows.append(splink_peer(train, test).summary())
        except ImportError as exc:
            print(f"splink peer skipped: {exc} (pip install 'routing_core[bench]')", file=sys.stderr)
    print(
        f"test split: seed {args.test_seed}, {args.days} days, {n} reports"
        + ("" if args.no_peers else f"; peers fitted on train seed {args.train_seed}")
    )
    print(format_table(rows))
    if args.json:

        def plain(v: object) -> object:
            return v.__dict__ if hasattr(v, "__dict__") else v

        Path(args.json).write_text(
            json.dumps(rows, default=plain, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return 0


class _ReportsProgress:
    """The engine run's progress line: reports submitted of all, throughput, time left."""

    def __init__(self, out: IO[str], total: int) -> None:
        self.line = ProgressLine(out)
        self.total = total

    def __call__(self, done: int) -> None:
        share = done / self.total if self.total else 1.0
        eta = self.line.time_left(share)
        self.line.show(share,
                       f"{done:,}/{self.total:,} reports · {self.line.rate(done):,.0f}/s · ETA {eta:,.0f} s",
                       last=done >= self.total)


def _calibrate(args: argparse.Namespace) -> int:
    from .calibrate import calibrate

    if args.match is not None:
        print("routing-core calibrate: --match does not apply: calibrate fits the match parameters",
              file=sys.stderr)
        return 2
    fit, toml = calibrate(
        days=args.days,
        reports_per_day=args.per_day,
        seed=args.seed,
        min_precision=args.min_precision,
        sample_truth=args.sample_truth,
        ridge=args.ridge,
        ladder_ridge=args.ladder_ridge,
        without=frozenset(args.without),
        recurrence_days=args.recurrence_days,
        log=lambda m: print(m, file=sys.stderr),
        rules=args.rules,
        gazetteer=args.gazetteer,
    )
    Path(args.output).write_text(toml, encoding="utf-8")
    print(f"wrote {args.output}: {fit.train_figures}", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    e = sub.add_parser("evaluate", help="dedup quality on a held-out synthetic split, beside peer methods")
    e.add_argument("--days", type=at_least(1), default=3, help="generated days of each split (default 3)")
    e.add_argument("--per-day", type=at_least(1), default=2000, help="mean reports per day")
    e.add_argument("--test-seed", type=at_least(0), default=1002, help="seed of the held-out test split")
    e.add_argument("--train-seed", type=at_least(0), default=1,
                   help="seed of the split peers fit thresholds on")
    # (dest apart: the subcommand's default would hide the top-level --match)
    e.add_argument("--match", dest="evaluate_match",
                   help="match parameters (TOML), as the top-level --match; default: the bundled file")
    e.add_argument("--no-peers", action="store_true", help="evaluate the engine only")
    e.add_argument("--json", type=output_file, help="also write the figures as JSON here")
    e.add_argument("--quiet", action="store_true", help="no stage messages or progress line on stderr")
    e.set_defaults(run=_evaluate)

    c = sub.add_parser("calibrate", help="fit match weights and thresholds on a synthetic train split")
    c.add_argument("-o", "--output", required=True, type=output_file,
                   help="where to write the match parameters (TOML)")
    c.add_argument("--days", type=at_least(1), default=4,
                   help="generated days of the train split (default 4)")
    c.add_argument("--per-day", type=at_least(1), default=2000, help="mean reports per day (default 2,000)")
    c.add_argument("--seed", type=at_least(0), default=1, help="train split seed (never a test seed)")
    c.add_argument("--min-precision", type=number_in(0.0, 1.0), default=0.985,
                   help="thresholds give the best pairwise F1 at this precision or above (default 0.985)")
    c.add_argument(
        "--ridge",
        type=number_in(0.0),
        default=1e-3,
        help="ridge penalty per candidate of the logistic fit's monotone curves (default 1e-3)",
    )
    c.add_argument(
        "--ladder-ridge",
        type=number_in(0.0),
        default=1e-6,
        help="ridge penalty per candidate of the address ladder's rungs (default 1e-6: a rung that is never "
        "a match, such as another house number on the same road, may become a veto)",
    )
    c.add_argument(
        "--without",
        action="append",
        default=[],
        choices=sorted(FEATURES),
        metavar="FEATURE",
        help="leave a feature out of the fit (weight 0; repeatable), e.g. one whose fitted weight does not "
        f"hold up on other seeds; one of {', '.join(FEATURES)}",
    )
    c.add_argument(
        "--recurrence-days",
        type=at_least(0),
        default=12,
        help="days of the longer stream (same seed) the recurrence threshold is chosen on (default 12; "
        "0: the duplicate threshold)",
    )
    c.add_argument(
        "--sample-truth",
        help="also fit on the bundled hand-written sample, with this truth file "
        "(tests/data/sample_truth.json in the repository)",
    )
    c.set_defaults(run=_calibrate)
