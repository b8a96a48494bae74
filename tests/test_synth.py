"""The labelled generator: deterministic, well-formed, and it contains what it promises."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("numpy")

from routing_core import Engine  # noqa: E402
from routing_core.synth import KINDS, PROBLEMS, Mix, chinese_number, generate  # noqa: E402


def _stream(**kw: object) -> list:  # type: ignore[type-arg]
    return list(generate(**{"days": 3, "reports_per_day": 400, "seed": 11, **kw}))  # type: ignore[arg-type]


def test_a_start_that_is_not_an_iso_datetime_is_named() -> None:
    with pytest.raises(ValueError, match=r"^start='11/01/2026': expected an ISO 8601 date-time"):
        next(generate(days=1, reports_per_day=10, start="11/01/2026"))


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    a, b, c = _stream(), _stream(), _stream(seed=12)
    assert [x.text for x in a] == [x.text for x in b] and [x.event for x in a] == [x.event for x in b]
    assert [x.text for x in a] != [x.text for x in c]


def test_a_gazetteer_with_centroid_columns_is_read_by_its_header(tmp_path: Path) -> None:
    # Its 8 columns (lat, lon after aliases) raised "too many values to unpack (expected 6)".
    from test_coordinates import _gazetteer_with_centroids

    gazetteer = _gazetteer_with_centroids(tmp_path)
    assert [x.text for x in _stream(gazetteer=gazetteer)] == [x.text for x in _stream()]


def test_reports_are_in_time_order_within_their_day_with_unique_ids() -> None:
    batches = _stream()
    times = [t for b in batches for t in b.time]
    assert times == sorted(times)
    day0 = batches[0].time[0] - batches[0].time[0] % 86400
    for b in batches:
        assert all(
            day0 - 8 * 3600 + b.day * 86400 <= t < day0 - 8 * 3600 + (b.day + 1) * 86400 + 86400
            for t in b.time
        )
    ids = [i for b in batches for i in b.id]
    assert len(ids) == len(set(ids))


def test_volume_duplicate_rate_and_kinds() -> None:
    batches = _stream(days=4, reports_per_day=2000)
    n = sum(len(b) for b in batches)
    assert 4 * 2000 * 0.85 < n < 4 * 2000 * 1.1
    events = Counter(e for b in batches for e in b.event)
    dup_rate = 1 - len(events) / n
    assert 0.3 < dup_rate < 0.5  # Mix: ~40 % of reports repeat an incident
    kinds = Counter(k for b in batches for k in b.kind)
    assert set(kinds) <= set(KINDS)
    for kind in ("normal", "same_place_other_problem", "next_door", "burst", "recurrence"):
        assert kinds[kind] > 0, kind
    # A burst incident has Mix.burst_size reports within Mix.burst_minutes.
    bursts = {e for b in batches for e, k in zip(b.event, b.kind, strict=True) if k == "burst"}
    times: dict[str, list[int]] = {}
    for b in batches:
        for e, t in zip(b.event, b.time, strict=True):
            if e in bursts:
                times.setdefault(e, []).append(t)
    for ts in times.values():
        if len(ts) == Mix().burst_size:
            assert max(ts) - min(ts) < Mix().burst_minutes * 60


def test_truth_is_consistent() -> None:
    batches = _stream(days=12, reports_per_day=300)
    category_of: dict[str, str] = {}
    first_time: dict[str, int] = {}
    closed: dict[str, int] = {}
    for b in batches:
        for e, c, t in zip(b.event, b.category, b.time, strict=True):
            assert category_of.setdefault(e, c) == c  # one category per incident
            first_time.setdefault(e, t)
            assert e not in closed  # no report after its incident was closed
        for e, t in b.closes:
            assert t >= first_time[e]
            closed[e] = t
    recurrences = [(e, r) for b in batches for e, r in zip(b.event, b.recurrence_of, strict=True) if r]
    assert recurrences
    for e, r in recurrences:
        assert r in closed and closed[r] < first_time[e]  # a recurrence starts after the earlier one closed
        assert category_of[e] == category_of[r]


def test_channels_speak_in_their_voice_and_categories_are_the_rules() -> None:
    engine = Engine()
    batches = _stream()
    assert {p[0] for p in PROBLEMS} == set(engine.rules.category_labels)  # every category of the rules
    for b in batches:
        for text, source in zip(b.text, b.source, strict=True):
            if source == "grid":
                assert "发现" in text
            elif source == "hotline":
                assert "来电" in text or "市民" in text


def test_every_report_is_accepted_by_the_engine() -> None:
    engine = Engine()
    for b in _stream(days=1):
        decisions = engine.submit_many(b.reports())
        assert len(decisions) == len(b)


def test_chinese_numbers_by_hand() -> None:
    assert chinese_number(168) == "一百六十八"
    assert chinese_number(12) == "十二"
    assert chinese_number(105) == "一百零五"
    assert chinese_number(2005) == "二千零五"
    assert chinese_number(310) == "三百一十"
    with pytest.raises(ValueError):
        chinese_number(0)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="days"):
        next(generate(days=-1))
    with pytest.raises(ValueError, match="reports_per_day"):
        next(generate(reports_per_day=1.5))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"seed=-1: expected a non-negative int"):
        next(generate(seed=-1))
    with pytest.raises(ValueError, match="seed='7'"):
        next(generate(seed="7"))  # type: ignore[arg-type]
