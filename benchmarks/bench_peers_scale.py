"""The engine against its peers at a given number of open events (the throughput issue asks for the
ratios at 100k): speed and the quality of each report's join decision, one core each.

Run: ``python benchmarks/bench_peers_scale.py [--open 100000] [--probe 2000] [--json F]``

The generator's stream is replayed at a province-like density (``--per-day``, default 560,000 reports
a day, nothing closed, as ``bench_open_events.py``), so that ``--open`` events are open within the
72-hour match window. Fill: the stream's reports go through the engine (``submit_columns``, batches
of 1,000) and the pure-Python peer until the engine holds ``--open`` open events. Probe: the next
``--probe`` reports are timed through

* the engine (``submit_columns``, batches of 1,000, ``threads=1``);
* ``python``: :class:`routing_core.bench_peers.PythonPeer`, the same streaming decision in pure
  Python with rapidfuzz scorers over its own bigram index, filled with the same reports;
* ``cdist``: brute force, each probe report against every earlier report of the last 72 hours with
  ``rapidfuzz.process.cdist`` (Indel ratio of address + text, ``workers=1``), joined to its nearest
  one over the threshold. It needs no fill: its state is the window's strings.

Thresholds of both peers are fitted on a training split (another seed, the same density, its first
``--train`` reports) by pairwise F1, never on the probe.

Quality on the probe, the same measure for all three: each probe report either joins something
earlier or starts anew. A join is right when what it joins began with a report of the same true
incident (for cdist: when the nearest report is of the same incident); a report that starts anew
although its incident was reported before is a missed join. Printed: join precision, recall, F1.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from bench_open_events import report_columns  # a sibling script: benchmarks/ is on sys.path
from routing_core import Engine
from routing_core.cli_args import at_least
from routing_core.hugepages import reexec_with_huge_pages
from routing_core.synth import Batch, generate

WINDOW_S = 72 * 3600
BATCH = 1000


def _reports(per_day: int, seed: int) -> Iterator[tuple[dict[str, Any], str]]:
    """(report, true incident) in time order; the generator makes one day at a time."""
    for day in generate(days=30, reports_per_day=per_day, seed=seed):
        yield from zip(day.reports(), day.event, strict=True)


class JoinScore:
    """Join precision / recall of a method's per-report decisions (see the module docstring)."""

    def __init__(self) -> None:
        self.right = self.wrong = self.missed = 0

    def add(self, joined: bool, right: bool, seen_before: bool) -> None:
        if joined:
            self.right += right
            self.wrong += not right
        elif seen_before:
            self.missed += 1

    def figures(self) -> dict[str, float]:
        p = self.right / max(self.right + self.wrong, 1)
        r = self.right / max(self.right + self.missed, 1)
        return {"join_precision": p, "join_recall": r, "join_f1": 2 * p * r / (p + r) if p + r else 0.0}


def _train_split(per_day: int, seed: int, n: int) -> list[Batch]:
    """The first ``n`` reports of the training stream, as one batch (what the peers' fitting takes)."""
    day = next(iter(generate(days=1, reports_per_day=per_day, seed=seed)))
    cut = Batch(day=0)
    for name in ("id", "text", "address", "time", "source", "category_hint", "event", "category",
                 "recurrence_of", "kind"):
        getattr(cut, name).extend(getattr(day, name)[:n])
    return [cut]


def measure(
    *, open_target: int, probe: int, per_day: int, seed: int, train_seed: int, train: int
) -> dict[str, Any]:
    from rapidfuzz import fuzz, process

    from routing_core.bench_peers import fit_python_peer
    from routing_core.evaluate import best_threshold, rapidfuzz_links

    started = time.perf_counter()
    split = _train_split(per_day, train_seed, train)
    peer, peer_train_f1 = fit_python_peer(split)
    cdist_threshold = best_threshold(rapidfuzz_links(split, workers=1))
    fitted_s = time.perf_counter() - started
    print(f"fitted on {train:,} training reports in {fitted_s:.0f} s: python peer threshold "
          f"{peer.threshold:g} (w {peer.address_weight:g}), cdist threshold {cdist_threshold:g}",
          file=sys.stderr)

    engine = Engine(threads=1)
    stream = _reports(per_day, seed)
    strings: list[str] = []  # every report so far, for brute force: "address text"
    times: list[int] = []
    incidents: list[str] = []
    seen: set[str] = set()
    engine_owner: dict[int, str] = {}  # engine event index -> incident of its first report
    peer_owner: dict[int, str] = {}

    def take(n: int) -> list[tuple[dict[str, Any], str]]:
        out = []
        for item in stream:
            out.append(item)
            if len(out) == n:
                break
        if len(out) < n:
            raise SystemExit("the generated stream ran out; lower --open")
        return out

    def record(chunk: list[tuple[dict[str, Any], str]]) -> None:
        for r, incident in chunk:
            strings.append(f"{r.get('address') or ''} {r['text']}")
            times.append(r["time"])
            incidents.append(incident)
            seen.add(incident)

    fill_started = time.perf_counter()
    while engine.stats().open_events < open_target:
        chunk = take(BATCH)
        cols = engine.submit_columns(**report_columns([r for r, _ in chunk]))
        for (r, incident), ev, new in zip(chunk, cols.event, cols.is_new, strict=True):
            if new:
                engine_owner.setdefault(int(ev), incident)
            pe = peer.submit(r.get("address") or "", r["text"], r["time"])
            peer_owner.setdefault(pe, incident)
        record(chunk)
        done = len(strings)
        if done % 20_000 == 0:
            print(f"  fill: {done:,} reports, {engine.stats().open_events:,} open events, "
                  f"{time.perf_counter() - fill_started:.0f} s", file=sys.stderr, flush=True)
    fill_s = time.perf_counter() - fill_started
    open_before = engine.stats().open_events
    peer_open_before = peer.open_events

    chunk = take(probe)
    reports = [r for r, _ in chunk]
    truth = [incident for _, incident in chunk]
    before = [incident in seen for incident in truth]  # incident reported before the probe report

    # engine
    scores = {name: JoinScore() for name in ("engine", "python", "cdist")}
    t0 = time.perf_counter()
    events: list[int] = []
    joined: list[bool] = []
    for lo in range(0, probe, BATCH):
        cols = engine.submit_columns(**report_columns(reports[lo : lo + BATCH]))
        events += [int(e) for e in cols.event]
        joined += [not bool(n) for n in cols.is_new]
    engine_s = time.perf_counter() - t0
    seen_in_probe: set[str] = set()
    for i, incident in enumerate(truth):
        earlier = before[i] or incident in seen_in_probe
        if not joined[i]:
            engine_owner.setdefault(events[i], incident)
        scores["engine"].add(joined[i], engine_owner.get(events[i]) == incident, earlier)
        seen_in_probe.add(incident)

    # pure-Python peer
    t0 = time.perf_counter()
    peer_events = [peer.submit(r.get("address") or "", r["text"], r["time"]) for r in reports]
    python_s = time.perf_counter() - t0
    seen_in_probe.clear()
    for i, incident in enumerate(truth):
        earlier = before[i] or incident in seen_in_probe
        was_new = peer_events[i] not in peer_owner
        if was_new:
            peer_owner[peer_events[i]] = incident
        scores["python"].add(not was_new, peer_owner[peer_events[i]] == incident, earlier)
        seen_in_probe.add(incident)

    # brute force: each probe report against the window of earlier reports (fill and probe)
    record(chunk)
    t_arr = np.asarray(times, dtype=np.int64)
    first_probe = len(strings) - probe
    window_sizes = []
    t0 = time.perf_counter()
    nearest: list[tuple[int, float]] = []
    for lo in range(first_probe, len(strings), 256):
        hi = min(len(strings), lo + 256)
        first = int(np.searchsorted(t_arr, t_arr[lo] - WINDOW_S, side="left"))
        m = process.cdist(strings[lo:hi], strings[first:hi], scorer=fuzz.ratio, workers=1, dtype=np.float32)
        cols_idx = np.arange(first, hi)
        for i in range(lo, hi):
            ok = (cols_idx < i) & (t_arr[cols_idx] >= t_arr[i] - WINDOW_S)
            window_sizes.append(int(ok.sum()))
            row = np.where(ok, m[i - lo], -1.0)
            j = int(row.argmax())
            nearest.append((first + j, float(row[j])))
    cdist_s = time.perf_counter() - t0
    seen_in_probe.clear()
    for i, incident in enumerate(truth):
        earlier = before[i] or incident in seen_in_probe
        j, s = nearest[i]
        link = s >= cdist_threshold
        scores["cdist"].add(link, link and incidents[j] == incident, earlier)
        seen_in_probe.add(incident)

    rows = []
    for name, seconds, against in (
        ("engine", engine_s, open_before),
        ("python", python_s, peer_open_before),
        ("cdist", cdist_s, float(np.mean(window_sizes))),
    ):
        rows.append({"method": name, "reports": probe, "seconds": seconds, "reports_per_s": probe / seconds,
                     "matched_against": against, **scores[name].figures()})
    return {
        "open_events": open_before,
        "fill_reports": first_probe,
        "fill_s": fill_s,
        "per_day": per_day,
        "seed": seed,
        "train_seed": train_seed,
        "train_reports": train,
        "python_peer": {"threshold": peer.threshold, "address_weight": peer.address_weight,
                        "train_pairwise_f1": peer_train_f1},
        "cdist_threshold": cdist_threshold,
        "rows": rows,
        "machine": f"{platform.processor() or platform.machine()}, {platform.platform()}, "
                   f"Python {platform.python_version()}",
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--open", type=at_least(1), default=100_000, help="open events when the probe starts")
    p.add_argument("--probe", type=at_least(1), default=2000, help="reports timed per method")
    p.add_argument("--per-day", type=at_least(1), default=560_000, help="generated reports a day")
    p.add_argument("--seed", type=at_least(0), default=0)
    p.add_argument("--train-seed", type=at_least(0), default=1001,
                   help="seed of the split the peers are fitted on")
    p.add_argument("--train", type=at_least(2), default=5000,
                   help="training reports (the first of the split)")
    p.add_argument("--json", help="also write the figures here")
    args = p.parse_args(argv)
    if argv is None:  # run as a script: malloc asks for huge pages, as the command line's does
        reexec_with_huge_pages(sys.argv)
    fig = measure(open_target=args.open, probe=args.probe, per_day=args.per_day, seed=args.seed,
                  train_seed=args.train_seed, train=args.train)
    engine = fig["rows"][0]
    print(f"{fig['open_events']:,} open events (after {fig['fill_reports']:,} reports at "
          f"{fig['per_day']:,} a day); "
          f"probe of {args.probe:,} reports, one core each")
    print("| method | reports/s | engine faster by | matched against | join P | join R | join F1 |")
    print("|---|---|---|---|---|---|---|")
    for r in fig["rows"]:
        ratio = "—" if r is engine else f"{engine['reports_per_s'] / r['reports_per_s']:.1f}×"
        print(f"| {r['method']} | {r['reports_per_s']:,.0f} | {ratio} | {r['matched_against']:,.0f} | "
              f"{r['join_precision']:.3f} | {r['join_recall']:.3f} | {r['join_f1']:.3f} |")
    print(f"machine: {fig['machine']}")
    if args.json:
        Path(args.json).write_text(json.dumps(fig, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())


# -- under pytest: the join measure by hand, and one small run so that the script cannot rot ----------


def test_join_score_by_hand() -> None:
    s = JoinScore()
    s.add(joined=True, right=True, seen_before=True)  # right join
    s.add(joined=True, right=False, seen_before=True)  # joined the wrong event
    s.add(joined=True, right=False, seen_before=False)  # joined although nothing came before
    s.add(joined=False, right=False, seen_before=True)  # missed join
    s.add(joined=False, right=False, seen_before=False)  # rightly new: counts nowhere
    f = s.figures()
    assert f["join_precision"] == 1 / 3 and f["join_recall"] == 1 / 2
    assert abs(f["join_f1"] - 0.4) < 1e-12  # 2 · (1/3 · 1/2) / (1/3 + 1/2)


def test_small_run() -> None:
    import pytest

    pytest.importorskip("rapidfuzz")
    fig = measure(open_target=300, probe=150, per_day=20_000, seed=0, train_seed=1001, train=300)
    assert fig["open_events"] >= 300
    assert [r["method"] for r in fig["rows"]] == ["engine", "python", "cdist"]
    for r in fig["rows"]:
        assert r["reports"] == 150 and r["reports_per_s"] > 0
        assert 0 <= r["join_precision"] <= 1 and 0 <= r["join_recall"] <= 1
    assert fig["rows"][2]["matched_against"] >= fig["fill_reports"]  # all of it is inside the 72-hour window
