"""routing-core bench / routing_core.replay on a small generated stream."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from routing_core import Engine
from routing_core.cli import main
from routing_core.cli_bench import DayProgressLine
from routing_core.errors import InvalidReportError
from routing_core.replay import DayProgress, _weighted_percentiles, read_stream, replay
from routing_core.synth import generate


def test_weighted_percentiles_by_hand() -> None:
    # 90 reports at 1 µs and 10 at 100 µs: the median is 1, p95 and p99 are 100.
    p = _weighted_percentiles([(100.0, 10), (1.0, 90)], (0.5, 0.95, 0.99))
    assert p == {"p50": 1.0, "p95": 100.0, "p99": 100.0}
    # p90 falls exactly on the last 1 µs report (90 of 100): the smallest value reaching the rank.
    assert _weighted_percentiles([(100.0, 10), (1.0, 90)], (0.9, 0.91)) == {"p90": 1.0, "p91": 100.0}
    assert _weighted_percentiles([(5.0, 1)], (0.999,)) == {"p99.9": 5.0}
    assert _weighted_percentiles([], (0.5,)) == {}


def test_replay_counts_add_up() -> None:
    engine = Engine()
    lines: list[DayProgress] = []
    r = replay(days=2, reports_per_day=150, seed=3, batch_size=40, engine=engine, progress=lines.append)
    stats = engine.stats()
    assert r.reports == stats.reports == sum(d["reports"] for d in r.per_day) > 0
    assert r.events == stats.events and r.open_events == stats.open_events
    # The open-event count kept in Python (opens - closes) agrees with the engine's own.
    assert r.per_day[-1]["open_events"] == stats.open_events == lines[-1].open_events
    assert len(lines) == 2 and str(lines[0]).startswith("day 1/2:")
    assert lines[-1].total_reports == r.reports
    assert set(r.latency_us) == {"p50", "p95", "p99", "p99.9", "max"}
    assert r.latency_us["max"] == max(r.timeline.latency_us) >= r.latency_us["p99.9"]
    assert r.peak_rss_bytes > 0 and r.reports_per_second > 0
    # One timeline row per submit_many call: ceil(day / 40) per day.
    assert len(r.timeline) == sum(-(-int(d["reports"]) // 40) for d in r.per_day)
    assert r.timeline.reports[-1] == r.reports
    assert list(r.timeline.reports) == sorted(r.timeline.reports)
    # The longest calls, against a plain sort of the rows by latency × size: longest first, each where
    # it ended. (A day's last batch is smaller than 40, unless the day divides by 40.)
    ends = list(r.timeline.reports)
    sizes = [b - a for a, b in zip([0, *ends], ends, strict=False)]
    assert max(sizes) == 40 and min(sizes) < 40
    calls = [(us * n / 1000, at, n) for us, at, n in zip(r.timeline.latency_us, ends, sizes, strict=True)]
    calls.sort(key=lambda call: -call[0])
    assert [(at, n, pytest.approx(ms)) for ms, at, n in calls[:3]] == r.timeline.slowest(3)
    assert r.timeline.to_dict()["slowest"] == [list(row) for row in r.timeline.slowest(10)]
    with pytest.raises(ValueError, match="batch_size"):
        replay(days=1, reports_per_day=10, batch_size=0)


def test_replay_splits_the_engine_state_into_matching_and_history(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # 45 days at 300 a day: ~8,100 events, a recurrence period ended, and the purge (a pass about every
    # 4,096 new events at this size) swept the matchable events after that, so the events that can
    # still match are fewer than the events.
    engine = Engine()
    r = replay(days=45, reports_per_day=300, seed=3, engine=engine)
    memory, stats = engine.memory(), engine.stats()
    assert stats.purged_events > 0
    assert r.matchable_events == stats.events - stats.purged_events < r.events
    assert r.matching_bytes == memory["match_data"] + memory["index"]
    assert r.matching_bytes + r.history_bytes == memory["total"]
    assert r.matching_bytes_per_matchable_event == pytest.approx(r.matching_bytes / r.matchable_events)
    assert r.history_bytes_per_report == pytest.approx(r.history_bytes / r.reports)

    out = tmp_path / "bench.json"
    assert main(["bench", "--days", "1", "--per-day", "80", "--quiet", "--json", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    printed = capsys.readouterr().out
    assert f"for the {doc['matchable_events']:,} events that can still match" in printed
    assert f"{doc['history_bytes_per_report']:,.0f} B per report" in printed


def test_replay_of_a_given_stream_matches_generation() -> None:
    stream = list(generate(days=2, reports_per_day=120, seed=5))
    seen: list[tuple[int, int]] = []
    a = replay(days=2, reports_per_day=120, seed=5, engine=Engine())
    b = replay(days=5, reports_per_day=0, engine=Engine(), stream=stream,
               observe=lambda batch, decisions: seen.append((len(batch), len(decisions))))
    assert b.days == 2  # the stream ran out before --days
    assert (a.reports, a.events, a.open_events, a.closes) == (b.reports, b.events, b.open_events, b.closes)
    assert seen == [(len(s), len(s)) for s in stream]


def test_replay_result_json_is_bounded() -> None:
    r = replay(days=1, reports_per_day=200, seed=1, batch_size=1, engine=Engine())
    assert len(r.timeline) == r.reports
    doc = r.to_dict()
    assert len(doc["timeline"]["reports"]) <= 2000
    json.dumps(doc)


def _progress(day: int, days: int) -> DayProgress:
    return DayProgress(day, days, 100, 0.5, 100 * day, 0.5 * day, 10 * day)


def test_progress_line_on_a_pipe_writes_about_twenty_lines() -> None:
    out = io.StringIO()
    line = DayProgressLine(out)
    for day in range(1, 366):
        line(_progress(day, 365))
    lines = out.getvalue().splitlines()
    assert 19 <= len(lines) <= 21
    assert lines[-1].startswith("[" + "#" * 24 + "] day 365/365 · 36,500 reports · 200/s · 3,650 open")


def test_progress_line_on_a_terminal_updates_one_line() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    line = DayProgressLine(out, width=10)
    for day in range(1, 5):
        line(_progress(day, 4))
    text = out.getvalue()
    assert text.count("\r") == 4 and text.count("\n") == 1 and text.endswith("\n")
    assert "[#####.....] day 2/4" in text


def test_bench_command_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench.json"
    assert main(["bench", "--days", "1", "--per-day", "100", "--quiet", "--json", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["reports"] > 0 and doc["machine"]["cpus"] >= 1
    assert doc["timeline"]["reports"][-1] == doc["reports"]
    out = capsys.readouterr().out
    assert "reports/s" in out
    # The engine's flat arrays by event are named as such, not "per event 4 MiB" (each event's share?).
    history = next(line for line in out.splitlines() if line.strip().startswith("history "))
    assert ", arrays by event " in history and "per event" not in history


def test_bench_threads_replays_once_per_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench.json"
    assert main(["bench", "--days", "1", "--per-day", "300", "--quiet", "--threads", "1,2",
                 "--json", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [run["threads"] for run in doc["threads"]] == [1, 2]
    # The same stream, the same decisions: the thread count changes only the time.
    assert doc["threads"][0]["events"] == doc["threads"][1]["events"] == doc["events"]
    assert "threads=2" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["bench", "--threads", "one"])


def test_bench_shards_runs_one_engine_per_city_each_deciding_as_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.json"
    assert main(["bench", "--days", "1", "--per-day", "300", "--quiet", "--shards", "1,2",
                 "--shard-days", "2", "--seed", "4", "--json", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    one, two = doc["shards"]
    assert (one["shards"], two["shards"]) == (1, 2)
    # Each city alone, one after the other, as the reference: the same reports and open events.
    alone = [replay(days=2, reports_per_day=300, seed=seed, api="columns") for seed in (4, 5)]
    assert one["reports"] == alone[0].reports and one["open_events"] == [alone[0].open_events]
    assert two["reports"] == alone[0].reports + alone[1].reports
    assert two["open_events"] == [r.open_events for r in alone]
    assert "2 engine(s) on 2 thread(s)" in capsys.readouterr().out
    for bad in (["--shards", "0,2"], ["--shards", "1,2", "--shard-days", "0"]):
        with pytest.raises(SystemExit) as stop:
            main(["bench", *bad])
        assert stop.value.code == 2
    assert "argument --shard-days: '0': expected at least 1" in capsys.readouterr().err


def test_bench_plot_without_matplotlib_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    png = tmp_path / "p.png"
    assert main(["bench", "--days", "1", "--per-day", "50", "--quiet", "--plot", str(png)]) == 2
    captured = capsys.readouterr()
    assert "routing_core[plot]" in captured.err
    assert "routing-core bench:" not in captured.out  # failed before the replay, not after
    assert not png.exists()


def test_bench_plot_writes_a_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    png = tmp_path / "bench.png"
    args = ["bench", "--days", "2", "--per-day", "100", "--batch", "20", "--quiet", "--plot", str(png)]
    assert main(args) == 0
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    assert str(png) in capsys.readouterr().out


class _CountingEngine:
    """Stands in for the engine so that only the harness's own memory is measured: every report opens
    an event, and the engine keeps nothing but counters."""

    def __init__(self) -> None:
        self.opened = self.open = 0

    def submit_many(self, reports: list[dict[str, object]], explain: bool = True) -> list[SimpleNamespace]:
        out = []
        for _ in reports:
            self.opened += 1
            self.open += 1
            out.append(SimpleNamespace(event_id=f"E{self.opened}", is_new=True))
        return out

    def close_many(self, event_ids: list[str], times: list[int], resolution: str, *,
                   skip_invalid: bool) -> Any:
        self.open -= len(event_ids)
        return np.ones(len(event_ids), dtype=bool)

    def advance(self, now: int) -> list[object]:
        return []

    def stats(self) -> SimpleNamespace:
        return SimpleNamespace(events=self.opened, open_events=self.open, reports=self.opened, index_bytes=0,
                               purged_events=0)

    def memory(self) -> dict[str, int]:
        return {"total": 0}


def test_a_year_replay_keeps_the_harness_memory_flat() -> None:
    # 365 days: the harness's traced memory at day 365 stays near that at day 60 (the incident map
    # forgets closed incidents; per-batch figures are flat arrays), and every incident is closed once.
    import tracemalloc

    engine = _CountingEngine()
    seen: dict[int, int] = {}

    def progress(p: DayProgress) -> None:
        if p.day in (60, 365):
            seen[p.day] = tracemalloc.get_traced_memory()[0]

    stream = list(generate(days=365, reports_per_day=40, seed=9))  # generated before tracing starts
    tracemalloc.start()
    try:
        r = replay(days=365, reports_per_day=40, batch_size=100, engine=engine,  # type: ignore[arg-type]
                   progress=progress, stream=stream)
    finally:
        tracemalloc.stop()
    assert r.days == 365 and r.reports > 365 * 25
    # Measured: < 0.1 MiB growth with the map forgetting closed incidents, 0.61 MiB without.
    assert seen[365] < seen[60] + 2**18, seen  # < 0.25 MiB growth over 305 days
    # Every event is closed once, with its incident (the fake engine opens an event per report).
    assert r.closes_skipped == 0 and r.closes > 365 * 10
    assert r.per_day[-1]["open_events"] == engine.open == engine.opened - r.closes


def test_read_stream_gives_back_the_generated_batches(tmp_path: Path) -> None:
    reports, truth = tmp_path / "r.jsonl", tmp_path / "t.jsonl"
    assert main(["synth", "-o", str(reports), "--truth", str(truth), "--days", "3", "--per-day", "200",
                 "--seed", "5"]) == 0
    generated = list(generate(days=3, reports_per_day=200, seed=5))
    read = list(read_stream(reports, truth))
    assert [b.day for b in read] == [0, 1, 2]
    for g, f in zip(generated, read, strict=True):
        assert (f.id, f.time, f.event, f.closes) == (g.id, g.time, g.event, g.closes)
        assert (f.text, f.address, f.source) == (g.text, g.address, g.source)
        assert f.category_hint == g.category_hint
        # The engine gets the reports as written: ISO times, the optional category hint kept.
        assert [r["id"] for r in f.reports()] == g.id
        assert all(isinstance(r["time"], str) for r in f.reports())
        assert sum("category" in r for r in f.reports()) == sum(h is not None for h in g.category_hint)
    a = replay(days=3, reports_per_day=200, seed=5, engine=Engine())
    b = replay(days=3, reports_per_day=0, engine=Engine(), stream=read_stream(reports, truth))
    assert (a.reports, a.events, a.open_events, a.closes) == (b.reports, b.events, b.open_events, b.closes)
    # Without truth: every report its own incident, no closes.
    plain = list(read_stream(reports))
    assert [len(b) for b in plain] == [len(b) for b in generated]
    assert all(not b.closes and b.event == b.id for b in plain)


def test_read_stream_names_the_bad_line(tmp_path: Path) -> None:
    good = json.dumps({"id": "a", "text": "路灯不亮", "address": "", "time": "2026-11-01T08:00:00+08:00",
                       "source": "app"}, ensure_ascii=False)
    path = tmp_path / "r.jsonl"
    path.write_text(good + "\n\n{not json\n", encoding="utf-8")
    with pytest.raises(InvalidReportError, match=r"r\.jsonl:3: not a JSON line"):
        list(read_stream(path))
    path.write_text(good.replace('"2026-11-01T08:00:00+08:00"', '"昨天"') + "\n", encoding="utf-8")
    with pytest.raises(InvalidReportError, match=r"r\.jsonl:1: time"):
        list(read_stream(path))
    path.write_text(good + "\n", encoding="utf-8")
    truth = tmp_path / "t.jsonl"
    truth.write_text('{"id": "b", "event": "T1"}\n', encoding="utf-8")
    with pytest.raises(InvalidReportError, match="truth row for report 'a'.*'b'"):
        list(read_stream(path, truth))


def test_read_stream_skips_a_byte_order_mark_and_names_the_problem_of_a_bad_line(tmp_path: Path) -> None:
    good = json.dumps({"id": "a", "text": "路灯不亮", "address": "", "time": "2026-11-01T08:00:00+08:00",
                       "source": "app"}, ensure_ascii=False)
    path = tmp_path / "r.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + (good + "\r\n").encode("utf-8"))  # as a Windows editor saves it
    assert [b.id for b in read_stream(path)] == [["a"]]
    path.write_text(good + "\n[1, 2]\n", encoding="utf-8")
    problem = r"r\.jsonl:2: not a JSON line \(expected a JSON object, got list\)"
    with pytest.raises(InvalidReportError, match=problem):
        list(read_stream(path))


def test_read_stream_splits_days_in_the_time_zone(tmp_path: Path) -> None:
    # 23:59 and 00:01 Beijing time are two days, though the same UTC day.
    rows = [{"id": str(i), "text": "路灯不亮", "address": "", "time": t, "source": "app"}
            for i, t in enumerate(["2026-11-01T23:59:00+08:00", "2026-11-02T00:01:00+08:00",
                                   "2026-11-02T09:00:00+08:00"])]
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    assert [b.id for b in read_stream(path)] == [["0"], ["1", "2"]]


def test_bench_command_replays_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports, truth = tmp_path / "r.jsonl", tmp_path / "t.jsonl"
    assert main(["synth", "-o", str(reports), "--truth", str(truth), "--days", "2", "--per-day", "100"]) == 0
    capsys.readouterr()
    assert main(["bench", "--stream", str(reports), "--truth", str(truth), "--quiet"]) == 0
    out = capsys.readouterr().out
    n = len(reports.read_text(encoding="utf-8").splitlines())
    assert f"2 days, {n} reports from {reports}" in out
    assert "read time" in out
    assert main(["bench", "--truth", str(truth)]) == 2
    assert main(["bench", "--stream", str(reports), "--peers"]) == 2


def test_replays_through_every_api_decide_alike() -> None:
    stream = list(generate(days=2, reports_per_day=150, seed=4))
    many: list[str] = []
    cols: list[str] = []
    lean: list[str] = []
    a = replay(days=2, reports_per_day=0, batch_size=60, engine=Engine(), stream=stream,
               observe=lambda b, ev: many.extend(ev))
    b = replay(days=2, reports_per_day=0, batch_size=60, engine=Engine(), stream=stream,
               observe=lambda b, ev: cols.extend(ev), api="columns")
    c = replay(days=2, reports_per_day=0, batch_size=60, engine=Engine(), stream=stream,
               observe=lambda b, ev: lean.extend(ev), api="many-lean")
    assert len(many) == a.reports == b.reports == c.reports
    assert cols == many == lean  # same events for every report (fresh engines number events alike)
    assert (a.events, a.open_events, a.closes) == (b.events, b.open_events, b.closes)
    assert (a.events, a.open_events, a.closes) == (c.events, c.open_events, c.closes)
    assert b.per_day[-1]["open_events"] == b.open_events
    with pytest.raises(ValueError, match="api"):
        replay(days=1, reports_per_day=10, api="rows")


@pytest.mark.parametrize(
    ("api", "call"), [("columns", "submit_columns"), ("many-lean", "submit_many(explain=False)")]
)
def test_bench_command_api(api: str, call: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--days", "1", "--per-day", "100", "--quiet", "--api", api]) == 0
    assert f"through {call}," in capsys.readouterr().out
