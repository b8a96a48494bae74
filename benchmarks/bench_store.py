"""Benchmarks of the durable store: reports journaled per second (SQLite, PostgreSQL), recovery time,
and crash iterations survived.

Run: ``pytest benchmarks/bench_store.py --benchmark-enable --benchmark-only -s`` (add ``-m slow`` for
the crash-loop and large-recovery figures). Baseline in the same run: the in-memory engine on the same
stream, so the ratio is what durability costs. PostgreSQL uses $ROUTING_CORE_TEST_POSTGRES or a
throwaway server started here (skipped, with the reason, where none can run).
"""

from __future__ import annotations

import importlib.util
import json
import platform
import sys
import time
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from routing_core import Engine
from routing_core.times import to_epoch

TZ = ZoneInfo("Asia/Shanghai")
TESTS = Path(__file__).resolve().parent.parent / "tests"
SAMPLE = [
    json.loads(line)
    for line in resources.files("routing_core")
    .joinpath("data/sample_reports.jsonl")
    .read_text("utf-8")
    .splitlines()
    if line.strip()
]
FIGURES: dict[str, str] = {}


def _load(name: str) -> Any:
    if name in sys.modules:  # already imported by the tests in this session
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, TESTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _shifted(copies: int, tag: str = "") -> list[dict[str, Any]]:
    out = []
    for k in range(copies):
        for r in SAMPLE:
            out.append(
                {**r, "id": f"{r['id']}-{tag}{k}", "time": to_epoch(r["time"], "time", TZ) + k * 7 * 86400}
            )
    return out


@pytest.fixture(scope="module")
def stream() -> list[dict[str, Any]]:
    return _shifted(8)  # 2,040 reports


@pytest.fixture(scope="module")
def pg_server() -> str:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed: pip install '.[postgres]'")
    helpers = _load("store_helpers")
    url, reason = helpers.shared_postgres()
    if url is None:
        pytest.skip(f"no PostgreSQL server can run here: {reason}")
    return str(url)


def _batches(reports: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [reports[i : i + size] for i in range(0, len(reports), size)]


def _record(benchmark: Any, name: str, reports: int) -> None:
    if benchmark.stats is None:  # --benchmark-disable: ran once as a smoke test
        return
    median = benchmark.stats.stats.median
    FIGURES[name] = f"{reports / median:,.0f} reports/s (median {median * 1000:.1f} ms for {reports})"


@pytest.mark.benchmark(group="journal: submit_many, batches of 100")
def test_baseline_in_memory(benchmark: Any, stream: list[dict[str, Any]]) -> None:
    batches = _batches(stream, 100)
    benchmark.pedantic(
        lambda e: [e.submit_many(b) for b in batches], setup=lambda: ((Engine(),), {}), rounds=5
    )
    _record(benchmark, "in memory, batches of 100", len(stream))


@pytest.mark.benchmark(group="journal: submit_many, batches of 100")
def test_sqlite_batches(benchmark: Any, stream: list[dict[str, Any]], tmp_path: Path) -> None:
    batches = _batches(stream, 100)
    counter = iter(range(10**6))

    def setup() -> tuple[tuple[Engine], dict[str, Any]]:
        return (Engine(store=tmp_path / f"b{next(counter)}.sqlite"),), {}

    def run(engine: Engine) -> None:
        for b in batches:
            engine.submit_many(b)
        engine.close_store()

    benchmark.pedantic(run, setup=setup, rounds=5)
    _record(benchmark, "SQLite (WAL, synchronous=FULL), batches of 100", len(stream))


@pytest.mark.benchmark(group="journal: submit_many, batches of 100")
def test_postgresql_batches(benchmark: Any, stream: list[dict[str, Any]], pg_server: str) -> None:
    helpers = sys.modules["store_helpers"]
    batches = _batches(stream, 100)

    def setup() -> tuple[tuple[Engine], dict[str, Any]]:
        return (Engine(store=helpers.fresh_database(pg_server)),), {}

    def run(engine: Engine) -> None:
        for b in batches:
            engine.submit_many(b)
        engine.close_store()

    benchmark.pedantic(run, setup=setup, rounds=5)
    _record(benchmark, "PostgreSQL (loopback), batches of 100", len(stream))


@pytest.mark.benchmark(group="journal: single submit (one commit each)")
def test_single_in_memory(benchmark: Any, stream: list[dict[str, Any]]) -> None:
    part = stream[:300]
    benchmark.pedantic(lambda e: [e.submit(r) for r in part], setup=lambda: ((Engine(),), {}), rounds=3)
    _record(benchmark, "in memory, single submits", len(part))


@pytest.mark.benchmark(group="journal: single submit (one commit each)")
def test_single_sqlite(benchmark: Any, stream: list[dict[str, Any]], tmp_path: Path) -> None:
    part = stream[:300]
    counter = iter(range(10**6))
    benchmark.pedantic(
        _submit_each(part),
        setup=lambda: ((Engine(store=tmp_path / f"s{next(counter)}.sqlite"),), {}),
        rounds=3,
    )
    _record(benchmark, "SQLite, single submits", len(part))


@pytest.mark.benchmark(group="journal: single submit (one commit each)")
def test_single_postgresql(benchmark: Any, stream: list[dict[str, Any]], pg_server: str) -> None:
    helpers = sys.modules["store_helpers"]
    part = stream[:300]
    benchmark.pedantic(
        _submit_each(part), setup=lambda: ((Engine(store=helpers.fresh_database(pg_server)),), {}), rounds=3
    )
    _record(benchmark, "PostgreSQL, single submits", len(part))


def _submit_each(reports: list[dict[str, Any]]) -> Any:
    def run(engine: Engine) -> None:
        for r in reports:
            engine.submit(r)
        engine.close_store()

    return run


def _filled_store(path: Path, copies: int) -> int:
    reports = _shifted(copies, "rec")
    with Engine(store=path) as engine:
        for b in _batches(reports, 1000):
            engine.submit_many(b)
        engine.advance(reports[-1]["time"])
    return len(reports)


@pytest.mark.benchmark(group="recovery: re-open a store (replay)")
def test_recovery_sqlite(benchmark: Any, tmp_path: Path) -> None:
    db = tmp_path / "recovery.sqlite"
    n = _filled_store(db, 8)

    def reopen() -> None:
        Engine(store=db).close_store()

    benchmark.pedantic(reopen, rounds=5)
    if benchmark.stats is not None:
        median = benchmark.stats.stats.median
        FIGURES["recovery, SQLite"] = (
            f"{n:,} reports in {median:.2f} s median ({n / median:,.0f} reports/s replayed; "
            f"1M reports would take ≈ {1e6 / (n / median):.0f} s)"
        )


@pytest.mark.slow
def test_recovery_large_sqlite(tmp_path: Path) -> None:
    """One timed re-open of a store with ~50k reports (not a pytest-benchmark: too slow to repeat)."""
    db = tmp_path / "large.sqlite"
    n = _filled_store(db, 200)
    start = time.perf_counter()
    engine = Engine(store=db)
    seconds = time.perf_counter() - start
    events = engine.stats().events
    engine.close_store()
    FIGURES["recovery, SQLite, large"] = f"{n:,} reports ({events:,} events) in {seconds:.1f} s"


@pytest.mark.slow
def test_crash_iterations(tmp_path: Path) -> None:
    """The crash loop of tests/test_crash.py, 100 SIGKILLs at random points, as a figure."""
    if "store_helpers" not in sys.modules:
        _load("store_helpers")
    crash = _load("test_crash")
    start = time.perf_counter()
    figures = crash._crash_loop(tmp_path, SAMPLE, copies=16, kills=100, seed=3, torn=False)
    FIGURES["crash iterations survived"] = (
        f"{figures['kills']} SIGKILLs over {figures['reports']} reports / "
        f"{figures['operations']} operations, "
        f"state equal to an engine that never crashed ({time.perf_counter() - start:.0f} s)"
    )


def teardown_module() -> None:
    if FIGURES:
        print(
            f"\n\nstore figures ({platform.machine()}, Python {platform.python_version()}, "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC):"
        )
        for name, figure in FIGURES.items():
            print(f"  {name}: {figure}")
