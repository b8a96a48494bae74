"""Benchmarks of dedup: the labelled generator, and matching cost against the number of open events.

Run: ``pytest benchmarks/bench_dedup.py --benchmark-enable --benchmark-only`` (the test suite runs
these once, untimed). Baselines in the same run: for the generator, building the same number of plain
dicts from constant strings (the floor of any Python generator that hands out dicts); for matching,
the same reports against a small engine.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("numpy")

from routing_core import Engine  # noqa: E402
from routing_core.synth import generate  # noqa: E402

# One day of a large city: the year replay runs ~365 of these.
GENERATE_PER_DAY = 100_000
# Open events the matching benchmark holds (ROUTING_CORE_BENCH_OPEN=1000000 for the 1M point; filling
# takes minutes, so the default stops at 100k).
OPEN_EVENTS = [int(x) for x in os.environ.get("ROUTING_CORE_BENCH_OPEN", "10000,100000").split(",")]


@pytest.mark.benchmark(group="synth")
def test_generate_one_day(benchmark: Any) -> None:
    per_day = 2000 if benchmark.disabled else GENERATE_PER_DAY

    def run() -> int:
        return sum(len(b) for b in generate(days=1, reports_per_day=per_day, seed=1))

    n = benchmark(run)
    assert n > per_day * 0.5  # the first day: later reports of its incidents spill into day 2


@pytest.mark.benchmark(group="synth")
def test_baseline_constant_dicts(benchmark: Any) -> None:
    def run() -> int:
        out = [
            {"id": "R", "text": "巡查发现", "address": "百丈东路168号", "time": 0, "source": "grid"}
            for _ in range(GENERATE_PER_DAY)
        ]
        return len(out)

    benchmark(run)


def _engine_with_open_events(n: int) -> tuple[Engine, list[dict[str, Any]]]:
    """An engine holding ~n open events (a long window keeps them open), and 500 later reports to time."""
    tmp = Path(tempfile.mkdtemp()) / "match.toml"
    bundled = (Path(__file__).parents[1] / "src" / "routing_core" / "data" / "match.toml").read_text("utf-8")
    tmp.write_text(bundled.replace("window_hours = 72", "window_hours = 100000"), encoding="utf-8")
    engine = Engine(match=tmp)
    days = max(1, n // 20000)
    for batch in generate(days=days, reports_per_day=int(n / days * 1.7), seed=7):
        engine.submit_many(batch.reports())
    probe = next(iter(generate(days=1, reports_per_day=500, seed=8, start="2027-06-01T00:00:00+08:00")))
    return engine, probe.reports()


@pytest.mark.parametrize("open_events", OPEN_EVENTS)
@pytest.mark.benchmark(group="match-vs-open-events")
def test_submit_against_open_events(benchmark: Any, open_events: int) -> None:
    if benchmark.disabled:  # the test suite's smoke run: a small engine, same code path
        open_events = min(open_events, 2000)
    engine, probe = _engine_with_open_events(open_events)
    counter = iter(range(10**9))

    def run() -> None:
        k = next(counter)
        engine.submit_many([{**r, "id": f"{r['id']}-{k}", "time": r["time"] + k} for r in probe])

    benchmark.pedantic(run, rounds=5, iterations=1)
    stats = engine.stats()
    benchmark.extra_info["open_events"] = stats.open_events
    benchmark.extra_info["index_bytes_per_event"] = stats.index_bytes / max(stats.events, 1)
