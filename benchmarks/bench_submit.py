"""Benchmarks of the whole submit path (pytest-benchmark).

Run: ``pytest benchmarks --benchmark-enable --benchmark-only`` (the test suite runs these once,
untimed, as smoke tests). The baseline measured in the same run is the cost of validating and
converting the reports alone (no matching or routing), so the ratio shows what the core costs.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from routing_core import Engine
from routing_core.report import to_core_report
from routing_core.times import to_epoch

TZ = ZoneInfo("Asia/Shanghai")
SAMPLE = [
    json.loads(line)
    for line in resources.files("routing_core").joinpath("data/sample_reports.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]


def _shifted(copies: int) -> list[dict[str, Any]]:
    """The sample repeated ``copies`` times, each copy a week later with fresh ids (≈255 reports/copy)."""
    out = []
    for k in range(copies):
        for r in SAMPLE:
            epoch = to_epoch(r["time"], "time", TZ) + k * 7 * 86400
            out.append({**r, "id": f"{r['id']}-{k}", "time": epoch})
    return out


@pytest.fixture(scope="module")
def stream() -> list[dict[str, Any]]:
    return _shifted(8)


@pytest.mark.benchmark(group="submit_many")
def test_baseline_validate_and_convert(benchmark: Any, stream: list[dict[str, Any]]) -> None:
    benchmark(lambda: [to_core_report(r, TZ) for r in stream])


@pytest.mark.benchmark(group="submit_many")
def test_submit_many(benchmark: Any, stream: list[dict[str, Any]]) -> None:
    decisions = benchmark.pedantic(lambda e: e.submit_many(stream), setup=lambda: ((Engine(),), {}), rounds=5)
    assert len(decisions) == len(stream)


@pytest.mark.benchmark(group="submit")
def test_submit_one(benchmark: Any) -> None:
    engine = Engine()
    history = _shifted(4)
    engine.submit_many(history)
    start = max(r["time"] for r in history)
    counter = iter(range(10**9))

    def one() -> None:
        # The sample again, a minute apart after the history: a mix of new events and duplicates.
        k = next(counter)
        engine.submit({**SAMPLE[k % len(SAMPLE)], "id": f"one-{k}", "time": start + 60 * k})

    benchmark(one)


@pytest.fixture(scope="module")
def accepted() -> tuple[Engine, list[dict[str, Any]]]:
    engine = Engine()
    reports = _shifted(2)
    engine.submit_many(reports, explain=False)
    return engine, reports


@pytest.mark.benchmark(group="re-sent")
def test_resent_baseline_convert(benchmark: Any, accepted: tuple[Engine, list[dict[str, Any]]]) -> None:
    """The baseline of a re-sent report's answer: converting the report alone."""
    _, reports = accepted
    counter = iter(range(10**9))
    benchmark(lambda: to_core_report(reports[next(counter) % len(reports)], TZ))


@pytest.mark.benchmark(group="re-sent")
def test_resent_report(benchmark: Any, accepted: tuple[Engine, list[dict[str, Any]]]) -> None:
    """A client's retry: an accepted report again, answered from its receipt (nothing prepared)."""
    engine, reports = accepted
    counter = iter(range(10**9))
    before = engine.stats().reports

    def again() -> None:
        r = reports[next(counter) % len(reports)]
        assert engine.submit(r, explain=False).report_id == r["id"]

    benchmark(again)
    assert engine.stats().reports == before


def _engine_with_open_events(stream: list[dict[str, Any]]) -> tuple[tuple[Engine, list[str], int], dict[str, Any]]:
    engine = Engine()
    opened = [d.event_id for d in engine.submit_many(stream) if d.is_new]
    return (engine, opened, max(r["time"] for r in stream)), {}


@pytest.mark.benchmark(group="close")
def test_close_one_by_one(benchmark: Any, stream: list[dict[str, Any]]) -> None:
    """The baseline of close_many: every open event closed with its own ``close`` call."""

    def close_all(engine: Engine, opened: list[str], when: int) -> None:
        for event_id in opened:
            engine.close(event_id, time=when, resolution="已处置")

    benchmark.pedantic(close_all, setup=lambda: _engine_with_open_events(stream), rounds=9)


@pytest.mark.benchmark(group="close")
def test_close_many(benchmark: Any, stream: list[dict[str, Any]]) -> None:
    def close_all(engine: Engine, opened: list[str], when: int) -> None:
        assert engine.close_many(opened, [when] * len(opened), "已处置").all()

    benchmark.pedantic(close_all, setup=lambda: _engine_with_open_events(stream), rounds=9)
