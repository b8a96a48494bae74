"""Compare builds a few per cent apart on a noisy machine: each batch's minimum over alternated rounds.

A shared host adds time to whole runs at random (the same 5-day replay took 2.7 to 4.9 s within
minutes in stop 27), so medians of whole runs cannot rank builds a few per cent apart. Noise only
adds time, and every round replays the same stream in the same batches, so the sum over batches of
each batch's fastest round is a steadier figure of a build's cost.

Record one round with each build's own interpreter (one virtual environment per build), alternating:

    for r in 1 2 3 4 5; do for v in before after; do
        $v/bin/python benchmarks/bench_batch_minima.py record --days 5 --out runs/$v.$r.npy
    done; done

then compare (a file's label is its name up to the first dot, and each file of a label one round;
the first label given is the baseline):

    python benchmarks/bench_batch_minima.py compare runs/before.*.npy runs/after.*.npy

``record`` times ``submit_columns`` (``--api many`` / ``many-lean``: ``submit_many`` explained / lean)
in batches of 1,000 over generated days (seed 0, no closes), with ``time.perf_counter()`` around
each call, and saves the batch times as a numpy array.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from routing_core import Engine
from routing_core.cli_args import at_least
from routing_core.hugepages import reexec_with_huge_pages
from routing_core.replay import APIS, _columns
from routing_core.synth import generate


def record(days: int, api: str, per_day: int) -> np.ndarray:
    """Seconds of each batch of a replay of `days` generated days (generated before the clock)."""
    stream = list(generate(days=days, reports_per_day=per_day, seed=0))
    engine = Engine()
    times = []
    for day in stream:
        columns = _columns(day)
        rows = day.reports() if api != "columns" else []
        for lo in range(0, len(day), 1000):
            s = slice(lo, lo + 1000)
            if api == "columns":
                ids, texts, addresses, when, sources, categories, lat, lon = (c[s] for c in columns)
                started = time.perf_counter()
                engine.submit_columns(ids, texts, addresses, when, sources, categories=categories, lat=lat,
                                      lon=lon)
            else:
                chunk = rows[s]
                started = time.perf_counter()
                engine.submit_many(chunk, explain=api == "many")
            times.append(time.perf_counter() - started)
    return np.array(times)


def compare(groups: list[list[Path]]) -> list[str]:
    """One line per group of rounds: the sum of per-batch minima (and its ratio to the first group's)
    and the sum of per-batch medians."""
    lines = []
    base = None
    for paths in groups:
        runs = np.array([np.load(p) for p in paths])
        minima, medians = runs.min(axis=0).sum(), np.median(runs, axis=0).sum()
        base = base or minima
        label = paths[0].name.split(".")[0]
        lines.append(f"{label}: {len(paths)} rounds; sum of per-batch minima {minima:.3f} s "
                     f"({minima / base:.3f}), of medians {medians:.3f} s; whole rounds "
                     f"{', '.join(f'{t:.2f}' for t in runs.sum(axis=1))} s")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="time one round and save its batch times")
    rec.add_argument("--days", type=at_least(1), default=5)
    rec.add_argument("--per-day", type=at_least(1), default=10_700)
    rec.add_argument("--api", choices=APIS, default="columns")
    rec.add_argument("--out", type=Path, required=True, help="where to save the batch times (.npy)")
    cmp = sub.add_parser("compare", help="compare recorded rounds, grouped by label (the name up to a dot)")
    cmp.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.command == "record":
        times = record(args.days, args.api, args.per_day)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        np.save(args.out, times)
        print(f"{len(times)} batches, {times.sum():.3f} s", file=sys.stderr)
        return 0
    by_label: dict[str, list[Path]] = {}
    for path in args.files:
        by_label.setdefault(path.name.split(".")[0], []).append(path)
    groups = list(by_label.values())
    lengths = {len(np.load(p)) for g in groups for p in g}
    if len(lengths) != 1:
        parser.error(f"the rounds have different numbers of batches ({sorted(lengths)}): not the same replay")
    print("\n".join(compare(groups)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "record":
        reexec_with_huge_pages(sys.argv)
    sys.exit(main())
