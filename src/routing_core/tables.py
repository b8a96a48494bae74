"""Tables of reports: a pandas DataFrame or a pyarrow Table as the plain dicts ``submit_many`` takes.

One report per row, one field per column (``id``, ``text``, ``time``, ...; the names of a report's
fields). A missing value (NaN, pandas' NA or NaT, Arrow's null) is None, as an absent key would be.
Neither library is a dependency: a table is recognised by its methods.
"""

from __future__ import annotations

from typing import Any

from .errors import InvalidReportError

__all__ = ["is_table", "table_rows"]


def is_table(reports: object) -> bool:
    """Whether ``reports`` is a pyarrow Table or a pandas DataFrame."""
    return hasattr(reports, "to_pylist") or (hasattr(reports, "to_dict") and hasattr(reports, "columns"))


def table_rows(table: Any) -> list[dict[str, Any]]:
    """The table's rows as dicts of Python values, in order."""
    if hasattr(table, "to_pylist"):  # pyarrow: nulls are None already
        rows: list[dict[str, Any]] = table.to_pylist()
        return rows
    return _frame_rows(table)


def _frame_rows(frame: Any) -> list[dict[str, Any]]:
    # Column by column: each column becomes Python values at once, and only a column with missing
    # values is walked for them. (A row at a time, with to_dict("records") and every value tested
    # for NaN: 12.6 µs a report, against 2.0 µs; benchmarks/RESULTS.md, stop 31.)
    names = list(frame.columns)
    if len(set(names)) != len(names):
        twice = sorted({str(n) for n in names if names.count(n) > 1})
        raise InvalidReportError(
            f"field 'reports': the table has more than one column named {twice[0]!r}", "reports", twice[0]
        )
    if not names:
        return [{} for _ in range(len(frame))]
    columns = []
    for name in names:
        column = frame[name]
        values = column.tolist()
        missing = column.isna()
        if missing.any():
            values = [None if m else v for v, m in zip(values, missing.tolist(), strict=True)]
        columns.append(values)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
