"""The tools RESULTS.md's claims rest on: scripts/decision_hash.py and batch_conflicts.py,
benchmarks/bench_batch_minima.py and bench_open_events.py's twins."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(relative: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(Path(relative).stem, ROOT / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses look their module up by name)
    spec.loader.exec_module(module)
    return module


def test_decision_hash_is_the_same_for_the_same_stream_and_differs_for_another(
    capsys: pytest.CaptureFixture[str],
) -> None:
    tool = _load("scripts/decision_hash.py")
    small = ["--days", "1", "--per-day", "300", "--explained-reports", "150"]
    lines = []
    for seed in ("11", "11", "12"):
        assert tool.main([*small, "--seed", seed]) == 0
        lines.append(capsys.readouterr().out.strip())
    assert re.fullmatch(r"lean [0-9a-f]{16} explained [0-9a-f]{16} \([\d,]+ events\)", lines[0]), lines[0]
    assert lines[0] == lines[1]
    assert lines[2].split()[1] != lines[0].split()[1] and lines[2].split()[3] != lines[0].split()[3]


def test_batch_minima_sums_each_batch_s_fastest_round(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tool = _load("benchmarks/bench_batch_minima.py")
    # Hand-made rounds: the per-batch minima of "before" are 1 + 1 + 2 = 4 s, of "after" 1 + 1 + 1 = 3 s.
    for name, times in [("before.1", [1, 5, 2]), ("before.2", [3, 1, 2]), ("after.1", [1, 1, 1])]:
        np.save(tmp_path / f"{name}.npy", np.array(times, dtype=float))
    files = [str(tmp_path / f"{n}.npy") for n in ("before.1", "before.2", "after.1")]
    assert tool.main(["compare", *files]) == 0
    before, after = capsys.readouterr().out.splitlines()
    assert before.startswith("before: 2 rounds; sum of per-batch minima 4.000 s (1.000)")
    assert after.startswith("after: 1 rounds; sum of per-batch minima 3.000 s (0.750)")
    np.save(tmp_path / "other.1.npy", np.array([1.0, 2.0]))
    with pytest.raises(SystemExit):  # rounds of different replays are refused
        tool.main(["compare", *files, str(tmp_path / "other.1.npy")])
    # A real round: one batch time a batch of 1,000 generated reports.
    out = tmp_path / "runs" / "lean.1.npy"
    assert tool.main(["record", "--days", "1", "--per-day", "1500", "--out", str(out)]) == 0
    times = np.load(out)
    assert len(times) >= 1 and (times > 0).all()


class _FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now


@dataclass(frozen=True)
class _FakeStats:
    open_events: int
    index_bytes: int


class _FakeEngine:
    """Opens one event per report; a submit takes `cost(k)` µs of the fake clock, k counting its calls."""

    def __init__(self, clock: _FakeClock, cost: Callable[[int], float]) -> None:
        self.clock, self.cost, self.open, self.calls = clock, cost, 0, 0

    def submit_columns(self, **columns: Any) -> None:
        self.clock.now += len(columns["ids"]) / 1e6  # 1 µs a report
        self.open += len(columns["ids"])

    def submit(self, report: Mapping[str, Any], *, explain: bool) -> None:
        self.clock.now += self.cost(self.calls) / 1e6
        self.calls += 1
        self.open += 1

    def stats(self) -> _FakeStats:
        return _FakeStats(self.open, 100 * self.open)

    def memory(self) -> dict[str, int]:
        return {"total": 1000 * self.open}


def test_open_events_twins_give_each_report_s_faster_call(monkeypatch: pytest.MonkeyPatch) -> None:
    tool = _load("benchmarks/bench_open_events.py")
    clock = _FakeClock()
    # Engine A's calls alternate 10 and 50 µs, B's take 30 µs: each report's faster call is 10 or 30 µs.
    costs = iter([lambda k: 10.0 if k % 4 < 2 else 50.0, lambda k: 30.0])
    monkeypatch.setattr(tool, "Engine", lambda threads: _FakeEngine(clock, next(costs)))
    monkeypatch.setattr(tool, "time", clock)
    reports = ({"id": str(i), "text": "", "time": 0, "source": "app"} for i in range(100_000))
    monkeypatch.setattr(tool, "_stream", lambda per_day, seed: reports)
    monkeypatch.setattr(tool, "report_columns", lambda chunk: {"ids": [r["id"] for r in chunk]})
    (row,) = tool.measure([500], per_day=1, seed=0, threads=1, probe=400, twins=True)
    # Reports alternate explained and lean, so each kind sees A at 10 µs for half its calls.
    for kind in ("single_submit", "lean_submit"):
        assert row[f"{kind}_us_p50"] == pytest.approx(30.0)  # A's own: half 10, half 50
        assert row[f"{kind}_us_p99"] == pytest.approx(50.0)
        assert row[f"{kind}_twins_faster_us_p50"] == pytest.approx(20.0)  # half 10, half 30
        assert row[f"{kind}_twins_faster_us_p99"] == pytest.approx(30.0)
    # The twins must hold one state: one that drifts apart is refused.
    costs = iter([lambda k: 10.0, lambda k: 10.0])
    engines: list[_FakeEngine] = []

    def drifting(threads: int) -> _FakeEngine:
        engines.append(_FakeEngine(clock, next(costs)))
        if len(engines) == 2:
            engines[1].open = 1
        return engines[-1]

    monkeypatch.setattr(tool, "Engine", drifting)
    with pytest.raises(SystemExit, match="diverged"):
        tool.measure([500], per_day=1, seed=0, threads=1, probe=40, twins=True)


def test_batch_conflicts_count_reports_that_meet_an_event_their_batch_touched(
    capsys: pytest.CaptureFixture[str],
) -> None:
    tool = _load("scripts/batch_conflicts.py")
    touch = tool.Touch
    touches = [
        touch("E1", False, frozenset()),              # opens E1
        touch("E1", True, frozenset({"E1"})),         # joins E1, opened just before
        touch("E2", False, frozenset({"E1"})),        # opens E2, scored against E1
        touch("E1", True, frozenset({"E1", "E2"})),   # joins E1 again
        touch("E3", False, frozenset({"E9"})),        # never meets the batch's events
        touch("E3", False, frozenset({"E9"})),        # report 5 sent again: answered as it was
    ]
    # One batch of all six: reports 2 and 4 joined a touched event (6 joined nothing); 2, 3 and 4
    # were scored against one.
    assert tool.conflicts(touches, 6) == tool.Conflicts(6, 6, 2, 3)
    # Batches of two: (1, 2) (3, 4) (5, 6): report 2 joins E1 of its batch; report 4's E1 was not
    # touched in its batch (report 3 touched E2), but report 4 was scored against E2.
    assert tool.conflicts(touches, 2) == tool.Conflicts(2, 6, 1, 2)
    assert tool.conflicts(touches, 1) == tool.Conflicts(1, 6, 0, 0)
    with pytest.raises(ValueError, match="size=0"):
        tool.conflicts(touches, 0)
    # A real replay: batches that hold the smaller ones meet at least their conflicts.
    assert tool.main(["--days", "1", "--per-day", "400", "--sizes", "4,16,64"]) == 0
    lines = capsys.readouterr().out.splitlines()
    shares = [float(line.split("scored against one ")[1].split()[0]) for line in lines]
    assert len(shares) == 3 and shares == sorted(shares) and shares[-1] > 0


# A bad value stops a tool before it generates or measures anything, with argparse's status 2 and a
# message naming the option and the value (before: tracebacks such as int("abc"), a ZeroDivisionError
# or numpy's seed error, some minutes into a run, or a run that measured nothing).
BAD_ARGUMENTS = [
    ("benchmarks/bench_open_events.py", ["--sizes", "abc"], "--sizes: 'abc'"),
    ("benchmarks/bench_open_events.py", ["--sizes", "10000,0"], "--sizes: '10000,0'"),
    ("benchmarks/bench_open_events.py", ["--probe", "0"], "--probe: '0'"),
    ("benchmarks/bench_open_events.py", ["--seed", "-1"], "--seed: '-1'"),
    ("benchmarks/bench_shards.py", ["--shards", "1,x"], "--shards: '1,x'"),
    ("benchmarks/bench_shards.py", ["--days", "0"], "--days: '0'"),
    ("benchmarks/bench_restart.py", ["--sizes", "10,"], "--sizes: '10,'"),
    ("benchmarks/bench_restart.py", ["--tail", "-1"], "--tail: '-1'"),
    ("benchmarks/bench_peers_scale.py", ["--train", "1"], "--train: '1'"),
    ("benchmarks/bench_peers_scale.py", ["--per-day", "0"], "--per-day: '0'"),
    ("benchmarks/bench_pauses.py", ["--single-days", "0"], "--single-days: '0'"),
    ("benchmarks/bench_snapshot_load.py", ["--events", "lots"], "--events: 'lots'"),
    ("benchmarks/bench_explained_parts.py", ["--rounds", "0"], "--rounds: '0'"),
    ("benchmarks/bench_batch_minima.py", ["record", "--days", "0", "--out", "x.npy"], "--days: '0'"),
    ("scripts/decision_hash.py", ["--seed", "-1"], "--seed: '-1'"),
    ("scripts/batch_conflicts.py", ["--sizes", "8,x"], "--sizes: '8,x'"),
    ("scripts/batch_conflicts.py", ["--per-day", "-5"], "--per-day: '-5'"),
    ("scripts/address_accuracy.py", ["--errors", "-1"], "--errors: '-1'"),
]


@pytest.mark.parametrize(("tool", "argv", "named"), BAD_ARGUMENTS,
                         ids=[f"{t}{a}" for t, a, _ in BAD_ARGUMENTS])
def test_a_tool_refuses_a_bad_value_naming_the_option_and_the_value(
    tool: str, argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        _load(tool).main(argv)
    assert stop.value.code == 2
    assert f"argument {named}" in capsys.readouterr().err
