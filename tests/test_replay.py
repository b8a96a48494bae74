"""routing-core bench / routing_core.replay on a small generated stream."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from routing_core import Engine
from routing_core.cli import main
from routing_core.replay import _weighted_percentiles, replay


def test_weighted_percentiles_by_hand() -> None:
    # 90 reports at 1 µs and 10 at 100 µs: the median is 1, p95 and p99 are 100.
    p = _weighted_percentiles([(100.0, 10), (1.0, 90)], (0.5, 0.95, 0.99))
    assert p == {"p50": 1.0, "p95": 100.0, "p99": 100.0}
    assert _weighted_percentiles([], (0.5,)) == {}


def test_replay_counts_add_up() -> None:
    engine = Engine()
    lines: list[str] = []
    r = replay(days=2, reports_per_day=150, seed=3, batch_size=40, engine=engine, progress=lines.append)
    stats = engine.stats()
    assert r.reports == stats.reports == sum(d["reports"] for d in r.per_day) > 0
    assert r.events == stats.events and r.open_events == stats.open_events
    assert len(lines) == 2 and lines[0].startswith("day 1/2:")
    assert set(r.latency_us) == {"p50", "p95", "p99", "p99.9"}
    assert r.peak_rss_bytes > 0 and r.reports_per_second > 0
    with pytest.raises(ValueError, match="batch_size"):
        replay(days=1, reports_per_day=10, batch_size=0)


def test_bench_command_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench.json"
    assert main(["bench", "--days", "1", "--per-day", "100", "--quiet", "--json", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["reports"] > 0 and doc["machine"]["cpus"] >= 1
    assert "reports/s" in capsys.readouterr().out
    assert main(["bench", "--days", "0"]) == 2
