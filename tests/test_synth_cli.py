"""`routing-core synth` writes reports the engine accepts and truth that lines up with them;
`routing-core evaluate` prints the figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("numpy")

from routing_core.cli import main  # noqa: E402


def test_synth_writes_reports_and_truth(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports, truth = tmp_path / "r.jsonl", tmp_path / "t.jsonl"
    assert (
        main(
            [
                "synth",
                "-o",
                str(reports),
                "--truth",
                str(truth),
                "--days",
                "2",
                "--per-day",
                "150",
                "--seed",
                "4",
            ]
        )
        == 0
    )
    rows = [json.loads(line) for line in reports.read_text(encoding="utf-8").splitlines()]
    truth_rows = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines()]
    per_report = [t for t in truth_rows if "id" in t]
    closes = [t for t in truth_rows if "close" in t]
    assert [r["id"] for r in rows] == [t["id"] for t in per_report]
    assert closes and all(c["time"].endswith("+08:00") for c in closes)
    assert all(r["time"].endswith("+08:00") for r in rows)
    # Same arguments, same bytes.
    again = tmp_path / "r2.jsonl"
    assert main(["synth", "-o", str(again), "--days", "2", "--per-day", "150", "--seed", "4"]) == 0
    assert again.read_bytes() == reports.read_bytes()
    # The engine's route command takes the file as it is.
    out = tmp_path / "d.jsonl"
    assert main(["route", str(reports), "-o", str(out)]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(rows)
    capsys.readouterr()


def test_synth_shows_its_progress_by_day_and_quiet_shows_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.jsonl"
    assert main(["synth", "-o", str(out), "--days", "4", "--per-day", "50"]) == 0
    written = len(out.read_text(encoding="utf-8").splitlines())
    err = capsys.readouterr().err.splitlines()
    # Not a terminal: a line per twentieth of the work done (here one per day), then the summary.
    assert [line.split("] ")[1].split(" · ")[0] for line in err[:-1]] == [f"day {d}/4" for d in range(1, 5)]
    assert err[-2].startswith("[" + "#" * 24 + f"] day 4/4 · {written:,} reports · ETA ")
    assert err[-1].startswith(f"wrote {written:,} reports over 4 days (seed 0) to {out} in ")
    assert main(["synth", "-o", str(out), "--days", "4", "--per-day", "50", "--quiet"]) == 0
    quiet = capsys.readouterr().err.splitlines()
    assert len(quiet) == 1 and quiet[0].startswith(f"wrote {written:,} reports")  # the summary alone


def test_evaluate_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--days", "1", "--per-day", "200", "--no-peers"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "routing_core" in out and "pw F1" in out and "candidate_recall" in out
    # On stderr: what it is doing, and the engine run's progress, ending at all of the reports.
    reports = int(out.split(" reports")[0].rsplit(" ", 1)[1])  # "test split: seed 1002, 1 days, N reports"
    err = captured.err.splitlines()
    assert err[0] == "evaluate: generating the test split (1 days, seed 1002)"
    assert f"evaluate: the engine on {reports:,} reports, one at a time with explanations" in err
    assert err[-1].startswith("[" + "#" * 24 + f"] {reports:,}/{reports:,} reports")


def test_evaluate_quiet_writes_nothing_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--days", "1", "--per-day", "200", "--no-peers", "--quiet"]) == 0
    assert capsys.readouterr().err == ''
