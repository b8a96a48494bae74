"""The tools RESULTS.md's claims rest on: scripts/decision_hash.py and benchmarks/bench_batch_minima.py."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(relative: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(Path(relative).stem, ROOT / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
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
