"""The peers of routing-core bench --peers (routing_core.bench_peers)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("rapidfuzz")

from routing_core import Engine  # noqa: E402
from routing_core.bench_peers import (  # noqa: E402
    PeerResult,
    PythonPeer,
    _head,
    _run_python_peer,
    _window_sizes,
    format_peers,
    run_peers,
)
from routing_core.cli import main  # noqa: E402
from routing_core.errors import InvalidReportError  # noqa: E402
from routing_core.evaluate import pairwise  # noqa: E402
from routing_core.synth import generate  # noqa: E402

H = 3600
ADDRESS = "鄞州区百丈街道东柳社区百丈东路168号"
TEXT = "巡查发现百丈东路168号门口垃圾满溢，无人清运"


def test_python_peer_joins_the_same_report_and_opens_for_another() -> None:
    peer = PythonPeer(80.0)
    a = peer.submit(ADDRESS, TEXT, 0)
    assert peer.submit(ADDRESS, TEXT, H) == a  # identical: score 100
    # Same text words, another place: no shared rare bigram of the place, or a low address score.
    b = peer.submit("江北区庄桥街道费市社区童家路12号", "巡查发现童家路12号路面破损，有坑洼", 2 * H)
    assert b != a
    assert peer.open_events == 2


def test_python_peer_window_and_close() -> None:
    peer = PythonPeer(80.0, window_hours=72)
    a = peer.submit(ADDRESS, TEXT, 0)
    # 71 h after the latest report: still a candidate; it joins and moves the window on.
    assert peer.submit(ADDRESS, TEXT, 71 * H) == a
    assert peer.submit(ADDRESS, TEXT, 142 * H) == a
    # 73 h after the latest report: out of the window, a new event.
    c = peer.submit(ADDRESS, TEXT, 215 * H)
    assert c != a
    peer.close(c)
    peer.close(c)  # closing twice counts once
    assert peer.open_events == 1  # a is never closed; c was
    assert peer.submit(ADDRESS, TEXT, 216 * H) not in (a, c)


def test_python_peer_score_is_the_weighted_rapidfuzz_score() -> None:
    from rapidfuzz import fuzz

    a2, t2 = "百丈东路170号", "来电人反映百丈东路170号门口垃圾没人收"
    expected = 0.6 * fuzz.ratio(ADDRESS, a2) + 0.4 * fuzz.partial_ratio(t2, TEXT)
    # Just over and just under the expected score decide join / no join.
    for threshold, joins in ((expected - 0.01, True), (expected + 0.01, False)):
        peer = PythonPeer(threshold, address_weight=0.6)
        first = peer.submit(ADDRESS, TEXT, 0)
        assert (peer.submit(a2, t2, 60) == first) is joins
    # Without an address on one side, the text score alone.
    text_only = fuzz.partial_ratio(t2, TEXT)
    peer = PythonPeer(text_only - 0.01, address_weight=0.6)
    first = peer.submit(ADDRESS, TEXT, 0)
    assert peer.submit("", t2, 60) == first


def test_window_sizes_by_hand() -> None:
    # Times 0, 10, 20, 100 with a window of 15: earlier reports within 15 s are 0, 1, 1, 0.
    assert _window_sizes([0, 10, 20, 100], 15) == pytest.approx(0.5)
    assert _window_sizes([], 15) == 0.0


def test_head_cuts_the_sample() -> None:
    batches = list(generate(days=2, reports_per_day=100, seed=2))
    n0 = len(batches[0])
    cut, total = _head(batches, n0 + 5)
    assert total == n0 + 5 and [len(b) for b in cut] == [n0, 5]
    assert cut[1].id == batches[1].id[:5] and cut[1].event == batches[1].event[:5]
    assert _head(batches, 10**9)[1] == sum(len(b) for b in batches)


def _row(method: str, rate: float, f1: float, cpu_rate: float = 0.0) -> PeerResult:
    return PeerResult(
        method,
        1000,
        1000 / rate,
        0.9,
        0.8,
        f1,
        500,
        "open events",
        "first 1 day(s)",
        cpu_seconds=1000 / cpu_rate if cpu_rate else 0.0,
    )


def test_format_peers_ratio_is_engine_over_peer() -> None:
    table = format_peers(
        [
            _row("routing_core", 10_000, 0.8, cpu_rate=5_000),
            _row("slow peer", 100, 0.5, cpu_rate=100),
            _row("fast", 20_000, 0.4),  # no CPU time measured: no CPU ratio
        ]
    )
    lines = table.splitlines()
    assert lines[2].split()[1:4] == ["1,000", "10,000", "1.00×"]
    # wall: 10,000 / 100 = 100×; CPU: 5,000 / 100 = 50× (with 10 CPU seconds for 1,000 reports)
    assert lines[3].split()[2:6] == ["1,000", "100", "100.00×", "10.00"] and lines[3].split()[6] == "50.00×"
    assert lines[4].split()[3] == "0.50×" and lines[4].split()[5] == "-"
    assert lines[-1] == "sample: first 1 day(s)"


def test_run_peers_on_a_small_stream() -> None:
    sample = list(generate(days=1, reports_per_day=300, seed=11))
    train = list(generate(days=1, reports_per_day=300, seed=12))
    engine = Engine()
    rows = run_peers(sample, train, engine=engine, batch_size=50, peers=("python", "cdist"))
    n = sum(len(b) for b in sample)
    assert [r.reports for r in rows] == [n, n, n]
    assert rows[0].compared_against == engine.stats().open_events
    assert all(r.cpu_seconds > 0 for r in rows)
    for r in rows:
        assert 0 <= r.precision <= 1 and 0 <= r.recall <= 1 and r.reports_per_second > 0
    # The Python peer's row is what its threshold gives when re-run from scratch.
    py = rows[1]
    peer = PythonPeer(py.threshold or 0.0, address_weight=py.notes["address_weight"])
    pred, truth, clock = _run_python_peer(sample, peer)
    assert clock.wall > 0 and clock.cpu > 0
    assert pairwise(pred, truth).f1 == pytest.approx(py.f1)
    assert py.compared_against == peer.open_events
    # The engine row's figures against the generator's truth, by an independent replay.
    events: list[str] = []
    truth_all: list[str] = []
    e2 = Engine()
    for batch in sample:
        for lo in range(0, len(batch), 50):
            events += [d.event_id for d in e2.submit_many(batch.reports()[lo : lo + 50])]
        truth_all += batch.event
        first = dict(reversed(list(zip(truth_all, events, strict=True))))
        for incident, when in batch.closes:
            if incident in first:
                try:
                    e2.close(first[incident], time=when, resolution="已处置")
                except InvalidReportError:  # closed on an earlier day: the replay skips it too
                    pass
        e2.advance(max(batch.time))
    assert pairwise(events, truth_all).f1 == pytest.approx(rows[0].f1)
    with pytest.raises(ValueError, match="dedupe"):
        run_peers(sample, train, engine=Engine(), peers=("dedupe",))


def test_bench_peers_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench.json"
    assert (
        main(
            [
                "bench",
                "--days",
                "1",
                "--per-day",
                "150",
                "--quiet",
                "--peers",
                "python,cdist",
                "--json",
                str(out),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "pure Python + rapidfuzz" in text and "cdist" in text and "splink" not in text
    assert "× wall" in text and "× CPU" in text and "sample: first 1 day(s) of the stream" in text
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [p["method"].split()[0] for p in doc["peers"]] == ["routing_core", "pure", "rapidfuzz"]
    with pytest.raises(SystemExit):
        main(["bench", "--peers", "python,nope"])


@pytest.mark.slow
def test_splink_peer_row() -> None:
    pytest.importorskip("splink")
    sample = list(generate(days=1, reports_per_day=400, seed=11))
    train = list(generate(days=1, reports_per_day=400, seed=12))
    rows = run_peers(sample, train, engine=Engine(), peers=("splink",), splink_max=200)
    assert rows[1].reports == 200 == rows[1].compared_against
    assert rows[1].sample.startswith("first 200 of the sample's")
    assert 0 <= rows[1].f1 <= 1


def test_a_peer_that_cannot_run_is_named_in_the_table(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # None in sys.modules makes the import fail as a missing extra does.
    monkeypatch.setitem(sys.modules, "routing_core.evaluate_splink", None)
    sample = list(generate(days=1, reports_per_day=60, seed=11))
    skipped: list[str] = []
    rows = run_peers(sample, sample, engine=Engine(), peers=("splink",), skipped=skipped)
    assert len(rows) == 1 and len(skipped) == 1
    assert skipped[0].startswith("splink: not run") and "routing_core[bench]" in skipped[0]
    assert main(["bench", "--days", "1", "--per-day", "60", "--quiet", "--peers", "splink"]) == 0
    assert "splink: not run" in capsys.readouterr().out
