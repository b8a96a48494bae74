"""The columnar batch path (Engine.submit_columns) and worker threads: the same decisions as
submit_many, bad columns named, nothing applied from a rejected batch; and the purge of events that
can no longer match."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from routing_core import Engine, InvalidReportError
from routing_core.times import to_epoch

TZ = ZoneInfo("Asia/Shanghai")


def _columns(reports: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "ids": [r["id"] for r in reports],
        "texts": [r["text"] for r in reports],
        "addresses": [r.get("address") or "" for r in reports],
        "times": np.array([to_epoch(r["time"], "time", TZ) for r in reports]),
        "sources": [r["source"] for r in reports],
        "categories": [r.get("category") or "" for r in reports],
        "lat": np.array([r.get("lat", np.nan) for r in reports], dtype=float),
        "lon": np.array([r.get("lon", np.nan) for r in reports], dtype=float),
    }


def test_columns_give_the_decisions_of_submit_many(sample_reports: list[dict[str, Any]]) -> None:
    expected = [d.to_dict() for d in Engine().submit_many(sample_reports)]
    columns = Engine().submit_columns(**_columns(sample_reports))
    assert len(columns) == len(sample_reports)
    assert [columns.row(i) for i in range(len(columns))] == expected
    # The whole-column decoders agree with the rows.
    assert columns.event_ids() == [d["event_id"] for d in expected]
    assert list(columns.outcomes()) == [d["outcome"] for d in expected]
    assert list(columns.category_codes()) == [d["category"] for d in expected]
    assert list(columns.level_codes()) == [d["level"] for d in expected]
    assert columns.unit_codes() == [d["unit"] for d in expected]


@pytest.mark.parametrize("threads", [0, 2, 3])
def test_worker_threads_do_not_change_decisions(sample_reports: list[dict[str, Any]], threads: int) -> None:
    # Enough copies that the batch is split between workers (small batches stay on one thread).
    batch = [{**r, "id": f"{r['id']}-{k}"} for k in range(3) for r in sample_reports]
    one = [d.to_dict() for d in Engine().submit_many(batch)]
    many = [d.to_dict() for d in Engine(threads=threads).submit_many(batch)]
    assert many == one


def test_resubmitted_columns_answer_the_original_decisions(sample_reports: list[dict[str, Any]]) -> None:
    engine = Engine()
    first = engine.submit_columns(**_columns(sample_reports))
    before = engine.stats()
    again = engine.submit_columns(**_columns(sample_reports))
    assert engine.stats() == before
    assert [again.row(i) for i in range(len(again))] == [first.row(i) for i in range(len(first))]


def _unsigned_with(times: Any, row: int, value: int) -> Any:
    unsigned = times.astype(np.uint64)
    unsigned[row] = value
    return unsigned


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: c["texts"].__setitem__(3, 42), "texts[3]"),
        (lambda c: c["texts"].__setitem__(3, "\ud800"), "texts[3]"),
        (lambda c: c["addresses"].pop(), "addresses"),
        (lambda c: c.__setitem__("times", c["times"].astype(float)), "times"),
        (lambda c: c.__setitem__("times", c["times"][:-1]), "times"),
        (lambda c: c["texts"].__setitem__(5, "   "), "reports[5].text"),
        (lambda c: c["sources"].__setitem__(7, "传真"), "reports[7].source"),
        (lambda c: c["lat"].__setitem__(2, 29.8), "reports[2].lon"),
        (lambda c: c["categories"].__setitem__(1, "no_such_category"), "reports[1].category"),
        (lambda c: c.__setitem__("ids", "R1"), "ids"),
        (lambda c: c.__setitem__("texts", None), "texts"),
        (lambda c: c.__setitem__("lat", ["北纬"] * 20), "lat"),
        # An int too long to print in a string column, and one beyond a float in a number column.
        (lambda c: c["ids"].__setitem__(4, 10**5000), "ids[4]"),
        (lambda c: c["categories"].__setitem__(6, -(10**5000)), "categories[6]"),
        (lambda c: c.__setitem__("lat", [10**400] * 20), "lat"),
        (lambda c: c.__setitem__("times", [10**5000] * 20), "times"),
        # Unsigned seconds past int64 were cast to a negative time, and named as reports[3].time with it.
        (lambda c: c.__setitem__("times", _unsigned_with(c["times"], 3, 2**63)), "times[3]"),
    ],
)
def test_a_bad_column_is_named_and_nothing_is_applied(
    sample_reports: list[dict[str, Any]], change: Any, field: str
) -> None:
    engine = Engine()
    columns = _columns(sample_reports[:20])
    change(columns)
    with pytest.raises(InvalidReportError) as info:
        engine.submit_columns(**columns)
    assert info.value.field == field
    assert engine.stats().reports == 0


def test_events_past_recurrence_are_purged_but_keep_their_history() -> None:
    start = to_epoch("2026-03-02T09:00:00", "time", TZ)
    n = 3000

    def wave(engine: Engine, prefix: str, t0: int, text: str, road: str, n: int = n) -> Any:
        # Distinct places, so that every report opens its own event.
        return engine.submit_columns(
            ids=[f"{prefix}{i}" for i in range(n)],
            texts=[text.format(i) for i in range(n)],
            addresses=[f"海曙区望春街道{road}{i}号" for i in range(n)],
            times=np.full(n, t0) + np.arange(n),
            sources=["grid"] * n,
        )

    engine = Engine()
    first = wave(engine, "A", start, "巡查发现{}号窨井盖缺失", "新星路")
    ids = sorted(set(first.event_ids()))
    for event_id in ids:
        engine.close(event_id, time=start + n, resolution="已处置")
    bytes_before = engine.stats().index_bytes
    # 60 days on: the closed events' recurrence period (30 days) and one window are over. The purge
    # sweeps the whole index about once per 4,096 new events at this size (its 8 frees per new event
    # aside): a second wave of 8,192 holds a whole pass begun after the first wave died.
    second = ("B", start + 60 * 86400, "来电反映{}号门口路灯不亮", "望春路", 8192)
    wave(engine, *second)
    stats = engine.stats()
    assert stats.events == n + 8192
    assert stats.purged_events == len(ids)
    # Less than half of the first wave's index is left beside what the second wave alone builds (its
    # tables keep the slots they grew to; without the purge ~95 % would be left).
    alone = Engine()
    wave(alone, *second)
    assert stats.index_bytes - alone.stats().index_bytes < bytes_before / 2
    old = engine.event(ids[0])
    assert [step.kind for step in old.history] == ["opened", "closed"]
    # The same report again, much later: a new event, not a recurrence of the purged one.
    d = engine.submit({"id": "C0", "text": "巡查发现0号窨井盖缺失", "address": "海曙区望春街道新星路0号",
                       "time": start + 61 * 86400, "source": "grid"})
    assert d.is_new and d.recurrence_of is None


def test_a_snapshot_after_a_purge_restores_an_engine_that_decides_alike(tmp_path: Any) -> None:
    start = to_epoch("2026-03-02T09:00:00", "time", TZ)
    n = 3000

    def wave(engine: Engine, prefix: str, t0: int, text: str, road: str, n: int = n) -> Any:
        return engine.submit_columns(
            ids=[f"{prefix}{i}" for i in range(n)],
            texts=[text.format(i) for i in range(n)],
            addresses=[f"江北区甬江街道{road}{i}号" for i in range(n)],
            times=np.full(n, t0) + np.arange(n),
            sources=["hotline"] * n,
        )

    running = Engine()
    ids = sorted(set(wave(running, "A", start, "来电反映{}号楼下垃圾满溢", "湾头路").event_ids()))
    for event_id in ids[::2]:
        running.close(event_id, time=start + n, resolution="已清运")
    # A second wave long enough for a whole pass of the purge after the first one's closed events
    # died (passes of 4,096 new events at this size); passes follow one another, so the snapshot holds
    # one part-way.
    wave(running, "B", start + 45 * 86400, "{}号附近有人占道经营", "大庆南路", n=10_000)
    assert running.stats().purged_events > 0
    path = tmp_path / "state.rcsnap"
    running._core.save_snapshot(str(path))
    restored = Engine()
    restored._core.load_snapshot(str(path))
    assert restored.stats().purged_events == running.stats().purged_events
    # The next reports (a third wave, partly repeating the second) decide alike, purges included.
    third = {"texts": "{}号附近有人占道经营", "road": "大庆南路"}
    a = wave(running, "C", start + 46 * 86400, third["texts"], third["road"])
    b = wave(restored, "C", start + 46 * 86400, third["texts"], third["road"])
    assert [a.row(i) for i in range(n)] == [b.row(i) for i in range(n)]
    # index_bytes aside: restored posting lists are allocated to size.
    strip = lambda s: {**s.__dict__, "index_bytes": 0}  # noqa: E731
    assert strip(restored.stats()) == strip(running.stats())


def test_columns_journal_what_submit_many_journals(
    sample_reports: list[dict[str, Any]], tmp_path: Any
) -> None:
    # The same reports, one batch each way (with a repeated id, answered and not journaled twice), in
    # two stores: the same operations and steps, row for row.
    batch = sample_reports[:120] + sample_reports[5:6]
    with_coordinates = dict(batch[7], lat=29.87, lon=121.55)
    batch[7] = with_coordinates
    journals = []
    for name, submit in (
        ("many", lambda e: e.submit_many(batch)),
        ("columns", lambda e: e.submit_columns(**_columns(batch))),
    ):
        with Engine(store=tmp_path / f"{name}.sqlite", snapshot_every=0) as engine:
            submit(engine)
            store = engine._journal.store  # type: ignore[union-attr]
            journals.append((list(store.ops()), list(store.steps())))
    (ops_many, steps_many), (ops_columns, steps_columns) = journals
    assert len(ops_many) == 120 and ops_columns == ops_many
    assert steps_columns == steps_many
    assert ops_many[7].lat == 29.87 and ops_many[8].lat is None


def test_bad_columns_with_a_store_are_named_and_write_nothing(tmp_path: Any) -> None:
    good = {"ids": ["a", "b"], "texts": ["垃圾满了", "路灯坏了"], "addresses": ["", ""],
            "times": np.array([1763000000, 1763000001]), "sources": ["grid", "app"]}
    with Engine(store=tmp_path / "events.sqlite", snapshot_every=0) as engine:
        for field, value, named in (("ids", [1, 2], "ids[0]"), ("sources", ["", "grid"], "reports[0].source"),
                                    ("texts", ["x"], "texts"),
                                    # not hashable, or not valid Unicode: TypeErrors from the journal before
                                    ("ids", [["a"], "b"], "ids[0]"), ("ids", ["a", {"k": 1}], "ids[1]"),
                                    ("ids", ["a\ud800", "b"], "ids[0]")):
            with pytest.raises(InvalidReportError) as caught:
                engine.submit_columns(**{**good, field: value})
            assert caught.value.field == named
        assert engine.stats().reports == 0
        assert list(engine._journal.store.ops()) == []  # type: ignore[union-attr]


def test_columns_with_a_store_are_journaled_and_recovered(
    sample_reports: list[dict[str, Any]], tmp_path: Any
) -> None:
    path = tmp_path / "events.sqlite"
    with Engine(store=path, snapshot_every=0) as engine:
        first = engine.submit_columns(**_columns(sample_reports))
        rows = [first.row(i) for i in range(len(first))]
    with Engine(store=path, snapshot_every=0) as again:  # replayed from the journal
        assert again.stats().reports == len(sample_reports)
        answered = again.submit_columns(**_columns(sample_reports))  # known ids: the original decisions
        assert [answered.row(i) for i in range(len(answered))] == rows


def test_columns_decide_as_submit_many_on_a_generated_stream_with_closes() -> None:
    # submit_columns scores only the candidates that can change the decision (a bound from the cheap
    # features); submit_many scores every shortlisted one for the explanation. Over a generated
    # stream with closes, recurrences and reviews, the decisions must be the same.
    from routing_core.replay import replay

    rows: dict[str, list[dict[str, Any]]] = {"many": [], "columns": []}

    def recording(engine: Engine, api: str) -> Engine:
        submit_many, submit_columns = engine.submit_many, engine.submit_columns

        def many(reports: Any, explain: bool = True) -> Any:
            decisions = submit_many(reports, explain=explain)
            rows["many"] += [d.to_dict() for d in decisions]
            return decisions

        def columns(*args: Any, **kwargs: Any) -> Any:
            out = submit_columns(*args, **kwargs)
            rows["columns"] += [out.row(i) for i in range(len(out))]
            return out

        setattr(engine, "submit_many" if api == "many" else "submit_columns", many if api == "many" else columns)
        return engine

    for api in ("many", "columns"):
        replay(days=5, reports_per_day=1200, seed=5, engine=recording(Engine(), api), api=api)
    assert len(rows["columns"]) == len(rows["many"]) > 5000
    outcomes = {r["outcome"] for r in rows["many"]}
    assert {"duplicate", "recurrence", "review"} <= outcomes, outcomes
    assert rows["columns"] == rows["many"]


def test_decisions_without_explanation_are_submit_many_s_on_a_generated_stream_with_closes() -> None:
    # submit(explain=False) and submit_many(explain=False) take the columns path's decision (only the
    # candidates that can change it are scored) and answer in the lean form; their decisions must be
    # the explained submit_many's, report by report.
    from routing_core.replay import replay

    rows: dict[str, list[dict[str, Any]]] = {"many": [], "submit": [], "many-lean": []}
    lean: list[Any] = []

    def recording(engine: Engine, way: str) -> Engine:
        submit_many = engine.submit_many

        def many(reports: Any, explain: bool = True) -> Any:
            assert explain
            if way == "many":
                decisions = submit_many(reports)
            elif way == "submit":
                decisions = [engine.submit(r, explain=False) for r in reports]
            else:
                decisions = submit_many(reports, explain=False)
            if way != "many":
                lean.extend(decisions)
            rows[way] += [d.to_dict() for d in decisions]
            return decisions

        engine.submit_many = many  # type: ignore[method-assign]
        return engine

    for way in rows:
        replay(days=3, reports_per_day=1200, seed=6, engine=recording(Engine(), way), api="many")
    assert len(rows["submit"]) == len(rows["many"]) > 3000
    assert {"duplicate", "recurrence", "review"} <= {r["outcome"] for r in rows["many"]}
    assert rows["submit"] == rows["many"]
    assert rows["many-lean"] == rows["many"]
    # The lean form: no explanation at all.
    assert len(lean) == 2 * len(rows["many"])
    assert all(d.candidates == () and d.rules_fired == () and d.evidence == () for d in lean)
    assert all(d.address.normalised == "" for d in lean)
