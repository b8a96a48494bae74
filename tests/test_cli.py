"""The routing-core command line: route (JSON Lines in, decisions out, bad lines named) and demo."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from routing_core.cli import main

LINES = [
    json.dumps({"id": "c1", "text": "百丈东路168号路灯不亮", "address": "鄞州区百丈东路168号",
                "time": "2026-11-23T20:00:00+08:00", "source": "grid"}, ensure_ascii=False),
    "{not json",
    json.dumps({"id": "c2", "text": "百丈东路一百六十八号路灯坏了", "address": "百丈东路168号",
                "time": "2026-11-23T20:30:00+08:00", "source": "hotline"}, ensure_ascii=False),
    "",
    json.dumps({"id": "c3", "text": "没有时间的报告"}, ensure_ascii=False),
    "[1, 2]",
]


def test_route_writes_one_decision_per_good_line_and_names_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "reports.jsonl"
    src.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    with src.open("ab") as fh:
        fh.write(b"\xff\xfe\n")  # line 7: not UTF-8
    out = tmp_path / "decisions.jsonl"
    assert main(["route", str(src), "-o", str(out)]) == 1  # some lines were rejected
    decisions = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["report_id"] for d in decisions] == ["c1", "c2"]
    assert decisions[1]["event_id"] == decisions[0]["event_id"]  # the same broken street lamp
    err = capsys.readouterr().err
    assert f"{src}:2: invalid JSON" in err
    assert f"{src}:5:" in err and "'time'" in err
    assert f"{src}:6: expected a JSON object" in err
    assert f"{src}:7: invalid UTF-8" in err
    assert "routed 2 reports into 1 events; rejected 4 lines" in err


def test_route_skips_a_byte_order_mark_at_the_start_of_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Windows editors and spreadsheet exports start UTF-8 files with a BOM: the first report is kept.
    src = tmp_path / "bom.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + (LINES[0] + "\r\n" + LINES[2] + "\r\n").encode("utf-8"))
    out = tmp_path / "out.jsonl"
    assert main(["route", str(src), "-o", str(out)]) == 0
    decisions = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["report_id"] for d in decisions] == ["c1", "c2"]
    assert "rejected 0 lines" in capsys.readouterr().err


def test_route_names_a_byte_order_mark_after_the_first_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Only the file's start may carry one: elsewhere it is inside a line, and that line is bad.
    src = tmp_path / "bom2.jsonl"
    src.write_bytes((LINES[0] + "\n").encode("utf-8") + b"\xef\xbb\xbf" + (LINES[2] + "\n").encode("utf-8"))
    out = tmp_path / "out.jsonl"
    assert main(["route", str(src), "-o", str(out)]) == 1
    assert [json.loads(line)["report_id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["c1"]
    assert f"{src}:2: invalid JSON" in capsys.readouterr().err


def test_route_progress_shows_the_share_routed_and_ends_full(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "many.jsonl"
    lines = [
        json.dumps({"id": f"p{i}", "text": f"{i % 50}号楼楼道路灯不亮",
                    "address": f"鄞州区百丈东路{i % 50}号", "time": 1795392000 + 60 * i}, ensure_ascii=False)
        for i in range(2500)
    ]
    lines[1700] = "{not json"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["route", str(src), "-o", str(tmp_path / "out.jsonl"), "--progress"]) == 1
    err = capsys.readouterr().err.splitlines()
    bars = [line for line in err if line.startswith("[")]
    # Not a terminal: a line per twentieth of the file routed (batches of 1,000), the full bar last.
    assert len(bars) >= 2
    assert all(" reports routed · " in line and " lines rejected · ETA " in line for line in bars)
    assert bars[-1].startswith("[" + "#" * 24 + "] 2,499 reports routed · ")
    assert " · 1 lines rejected · ETA 0 s" in bars[-1]
    assert any(line.startswith(f"{src}:1701: invalid JSON") for line in err)  # on a line of its own
    assert err[-1] == "routed 2,499 reports into " + err[-1].split(" into ")[1]
    assert err[-1].endswith(" events; rejected 1 lines")


def test_route_into_a_store_resumes_after_an_interruption_with_the_same_decisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from routing_core import Engine

    lines = [
        json.dumps({"id": f"s{i}", "text": f"{i % 40}号楼门口垃圾桶满了没人清运",
                    "address": f"鄞州区百丈东路{i % 40}号", "time": 1795392000 + 300 * i}, ensure_ascii=False)
        for i in range(1500)
    ]
    whole, first_part = tmp_path / "whole.jsonl", tmp_path / "first.jsonl"
    whole.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first_part.write_text("\n".join(lines[:1100]) + "\n", encoding="utf-8")  # stopped in the second batch
    store = tmp_path / "events.sqlite"
    out = {name: tmp_path / f"{name}.jsonl" for name in ("first", "resumed", "again", "memory")}
    assert main(["route", str(first_part), "--store", str(store), "-o", str(out["first"])]) == 0
    assert main(["route", str(whole), "--store", str(store), "-o", str(out["resumed"])]) == 0
    assert main(["route", str(whole), "--store", str(store), "-o", str(out["again"])]) == 0
    assert main(["route", str(whole), "-o", str(out["memory"])]) == 0
    # The first 1,100 answered from the store as first decided; the rest decided as without a stop.
    memory = out["memory"].read_text(encoding="utf-8")
    assert out["resumed"].read_text(encoding="utf-8") == memory == out["again"].read_text(encoding="utf-8")
    assert memory.startswith(out["first"].read_text(encoding="utf-8"))
    with Engine(store=store) as engine:
        assert engine.stats().reports == 1500
    capsys.readouterr()


def test_route_names_a_store_it_cannot_open(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "r.jsonl"
    src.write_text(LINES[0] + "\n", encoding="utf-8")
    missing = tmp_path / "no_such_dir" / "events.sqlite"
    assert main(["route", str(src), "--store", str(missing)]) == 2
    assert capsys.readouterr().err.startswith(f"routing-core: store {missing}: cannot open")


def test_route_clean_file_exits_zero_and_explains(tmp_path: Path) -> None:
    src = tmp_path / "ok.jsonl"
    src.write_text(LINES[0] + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["route", str(src), "-o", str(out), "--explain"]) == 0
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["outcome"] == "new" and "routing" in row and "address" in row


def test_route_writes_the_explained_decisions_of_a_generated_stream(tmp_path: Path) -> None:
    # Without --explain, route asks for lean decisions: their lines must be the explained ones'.
    from routing_core import Engine
    from routing_core.synth import iter_reports

    reports = [r for r, _ in iter_reports(days=1, reports_per_day=600, seed=3)]
    src = tmp_path / "reports.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in reports), encoding="utf-8")
    out = tmp_path / "decisions.jsonl"
    assert main(["route", str(src), "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    engine = Engine()
    expected = [json.loads(json.dumps(engine.submit(r).to_dict())) for r in reports]
    assert rows == expected and len(rows) > 400
    assert sum(not row["is_new"] for row in rows) > 50  # duplicates among them


def test_route_in_batches_names_a_bad_report_and_routes_the_rest_of_its_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # route submits batches; a batch with a bad report is rejected whole (nothing applied), then its
    # reports go one by one: the bad one is named, the others routed, in the file's order.
    import routing_core.cli as cli

    monkeypatch.setattr(cli, "ROUTE_BATCH", 2)
    good = [json.loads(LINES[0]), json.loads(LINES[2])]
    records = [dict(good[0], id=f"g{i}", time=f"2026-11-23T2{i}:00:00+08:00") for i in range(4)]
    records.insert(2, json.loads(LINES[4]))  # line 3: no time
    src = tmp_path / "reports.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "decisions.jsonl"
    assert main(["route", str(src), "-o", str(out)]) == 1
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["report_id"] for r in rows] == ["g0", "g1", "g2", "g3"]
    assert len({r["event_id"] for r in rows}) == 1  # the same lamp, reported four times
    err = capsys.readouterr().err
    assert f"{src}:3:" in err and "'time'" in err
    assert "routed 4 reports into 1 events; rejected 1 lines" in err


@pytest.mark.parametrize("explain", [False, True])
def test_route_names_a_report_the_core_rejects_and_routes_the_rest_of_its_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, explain: bool
) -> None:
    # A known id sent again with other content converts well; the core rejects it, and with it the
    # whole batch (nothing applied), whose reports then go one by one.
    import routing_core.cli as cli

    monkeypatch.setattr(cli, "ROUTE_BATCH", 2)
    good = json.loads(LINES[0])
    records = [dict(good, id=f"g{i}", time=f"2026-11-23T1{i}:00:00+08:00") for i in range(5)]
    records.insert(3, dict(records[0], text=records[0]["text"] + "。"))  # line 4: g0 with other content
    src = tmp_path / "reports.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "decisions.jsonl"
    assert main(["route", str(src), "-o", str(out)] + (["--explain"] if explain else [])) == 1
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["report_id"] for r in rows] == ["g0", "g1", "g2", "g3", "g4"]
    err = capsys.readouterr().err
    assert f"{src}:4:" in err and "'id'" in err
    assert "routed 5 reports into 1 events; rejected 1 lines" in err


def test_route_missing_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", str(tmp_path / "missing.jsonl")]) != 0
    assert "missing.jsonl" in capsys.readouterr().err


def test_demo_runs_as_installed_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "routing_core", "demo"], capture_output=True, text=True, encoding="utf-8", check=True
    )
    out = result.stdout
    assert "255 sample reports" in out
    assert "events opened" in out and "reports merged" in out
    for label in ("综合执法", "综治工作", "便民服务", "市场监管", "镇(街道)"):
        assert label in out


def test_missing_optional_extra_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A plain `pip install .` has no numpy: synth and bench must say which extra to install.
    monkeypatch.setitem(sys.modules, "numpy", None)
    monkeypatch.delitem(sys.modules, "routing_core.synth", raising=False)
    assert main(["synth", "-o", str(tmp_path / "r.jsonl")]) == 2
    assert "routing_core[synth]" in capsys.readouterr().err


def test_output_cut_short_by_the_reader_is_not_an_error() -> None:
    # routing-core demo | head -1: the pipe closes while the demo still writes
    cmd = f"{shlex.quote(sys.executable)} -m routing_core demo | head -1"
    done = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 1
    assert "Broken pipe" not in done.stderr and "Traceback" not in done.stderr, done.stderr


# Every numeric option is checked as argparse reads it: status 2 and the option and value named, before
# any work (before: --batch 0 and --seed -1 stopped bench with a traceback after the stream was being
# generated; --min-precision 1.5 fitted anyway; demo --top -1 printed every event but one).
BAD_OPTIONS = [
    (["bench", "--days", "0"], "--days: '0'"),
    (["bench", "--per-day", "x"], "--per-day/--rate: 'x'"),
    (["bench", "--batch", "0"], "--batch: '0'"),
    (["bench", "--seed", "-1"], "--seed: '-1'"),
    (["bench", "--peer-per-day", "0"], "--peer-per-day: '0'"),
    (["bench", "--splink-max", "-3"], "--splink-max: '-3'"),
    (["bench", "--threads", "1,-2"], "--threads: '1,-2'"),
    (["evaluate", "--days", "0"], "--days: '0'"),
    (["evaluate", "--test-seed", "-1"], "--test-seed: '-1'"),
    (["calibrate", "-o", "m.toml", "--days", "0"], "--days: '0'"),
    (["calibrate", "-o", "m.toml", "--per-day", "x"], "--per-day: 'x'"),
    (["calibrate", "-o", "m.toml", "--recurrence-days", "-1"], "--recurrence-days: '-1'"),
    (["calibrate", "-o", "m.toml", "--min-precision", "1.5"], "--min-precision: '1.5'"),
    (["calibrate", "-o", "m.toml", "--ridge", "nan"], "--ridge: 'nan'"),
    (["synth", "-o", "r.jsonl", "--days", "-1"], "--days: '-1'"),
    (["synth", "-o", "r.jsonl", "--per-day", "-5"], "--per-day: '-5'"),
    (["synth", "-o", "r.jsonl", "--seed", "-7"], "--seed: '-7'"),
    (["demo", "--top", "-1"], "--top: '-1'"),
    (["rules", "diff", "a.toml", "b.toml", "--examples", "-1"], "--examples: '-1'"),
    (["rules", "check", "a.toml", "--on", "2026-13-01"], "--on: '2026-13-01'"),
]


@pytest.mark.parametrize(("argv", "named"), BAD_OPTIONS, ids=[" ".join(a) for a, _ in BAD_OPTIONS])
def test_a_bad_option_value_is_refused_naming_the_option_and_the_value(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert f"argument {named}" in capsys.readouterr().err


def test_every_option_of_every_command_says_what_it_is_for() -> None:
    import argparse

    from routing_core.cli import build_parser

    missing = []

    def walk(parser: argparse.ArgumentParser, path: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, [*path, name])
            elif not isinstance(action, argparse._HelpAction) and not action.help:
                missing.append(" ".join([*path, *(action.option_strings or [action.dest])]))

    walk(build_parser(), ["routing-core"])
    assert missing == []
