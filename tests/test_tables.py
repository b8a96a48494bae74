"""submit_many on a pandas DataFrame or a pyarrow Table: the same decisions as on the rows as dicts."""

from __future__ import annotations

from typing import Any

import pytest

from routing_core import Engine, InvalidReportError
from routing_core.synth import generate
from routing_core.tables import table_rows

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")


def _reports() -> list[dict[str, Any]]:
    """A generated day: some reports have a category hint and coordinates, the others have neither."""
    return next(generate(days=1, reports_per_day=400, seed=9)).reports()


def _decided(decisions: list[Any]) -> list[tuple[Any, ...]]:
    return [(d.report_id, d.event_id, d.category, d.category_from_hint, d.platform, d.level, d.deadline)
            for d in decisions]


def _by_dicts(reports: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return _decided(Engine().submit_many(reports, explain=False))


def test_a_dataframe_decides_as_its_rows() -> None:
    reports = _reports()
    assert any("category" in r for r in reports) and any("category" not in r for r in reports)
    assert any("lat" in r for r in reports) and any("lat" not in r for r in reports)
    frame = pd.DataFrame(reports)  # absent keys become NaN: missing, as an absent key is
    assert _decided(Engine().submit_many(frame, explain=False)) == _by_dicts(reports)


def test_a_pyarrow_table_decides_as_its_rows() -> None:
    reports = _reports()
    keys = sorted({k for r in reports for k in r})  # (from_pylist would take the first row's keys only)
    table = pa.table({k: [r.get(k) for r in reports] for k in keys})  # absent keys become nulls
    assert _decided(Engine().submit_many(table, explain=False)) == _by_dicts(reports)


def test_pandas_missing_values_of_every_kind_are_none() -> None:
    frame = pd.DataFrame({
        "id": ["a", "b", "c"],
        "category": pd.array(["dispute", pd.NA, None], dtype="string"),
        "lat": [29.8, float("nan"), None],
        "time": [1, 2, 3],
    })
    rows = table_rows(frame)
    assert rows == [
        {"id": "a", "category": "dispute", "lat": 29.8, "time": 1},
        {"id": "b", "category": None, "lat": None, "time": 2},
        {"id": "c", "category": None, "lat": None, "time": 3},
    ]
    assert [type(r["time"]) for r in rows] == [int, int, int]  # Python ints, as the plain path takes


def test_a_bad_row_is_named_by_its_position_and_nothing_changes() -> None:
    reports = _reports()[:20]
    reports[7] = dict(reports[7], text="")
    engine = Engine()
    with pytest.raises(InvalidReportError, match=r"reports\[7\]\.text"):
        engine.submit_many(pd.DataFrame(reports))
    assert engine.stats().reports == 0


def test_two_columns_of_one_name_are_refused() -> None:
    frame = pd.DataFrame([["r1", "垃圾桶满溢", 1, "x"]], columns=["id", "text", "time", "text"])
    with pytest.raises(InvalidReportError, match="more than one column named 'text'"):
        Engine().submit_many(frame)


def test_empty_tables_decide_nothing() -> None:
    assert Engine().submit_many(pd.DataFrame({"id": [], "text": [], "time": []})) == []
    assert Engine().submit_many(pa.Table.from_pylist([])) == []
    with pytest.raises(InvalidReportError, match=r"reports\[0\]\.id"):  # rows without columns
        Engine().submit_many(pd.DataFrame(index=[0, 1]))
