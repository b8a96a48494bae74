"""Report times: what the API accepts and how it becomes epoch seconds for the core."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone, tzinfo

from .errors import InvalidReportError, excerpt

__all__ = ["TimeLike", "from_epoch", "iso_epoch", "parse_offset", "to_epoch"]

TimeLike = datetime | int | float | str


def iso_epoch(text: str, default_tz: tzinfo) -> int:
    """Epoch seconds of an ISO 8601 time, read in ``default_tz`` when it has no offset.

    Raises ValueError when ``text`` is not an ISO 8601 time.
    """
    return _datetime_epoch(datetime.fromisoformat(text.strip()), default_tz)


def _datetime_epoch(value: datetime, default_tz: tzinfo) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=default_tz)
    return int(math.floor(value.timestamp()))


def to_epoch(value: object, field: str, default_tz: tzinfo) -> int:
    """Seconds since the Unix epoch for a datetime, an ISO 8601 string or epoch seconds.

    Naive datetimes and strings without an offset are read in ``default_tz`` (the rules' time zone).

    Raises
    ------
    InvalidReportError
        Naming ``field`` when the value is of another type or cannot be read as a time.
    """
    if isinstance(value, bool):  # bool is an int subclass; True is no time
        raise InvalidReportError(f"field '{field}': expected a time, got a bool ({value!r})", field, repr(value))
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise InvalidReportError(
                f"field '{field}': {excerpt(value)} is out of range for epoch seconds", field, excerpt(value)
            )
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidReportError(f"field '{field}': time must be finite, got {value!r}", field, repr(value))
        return to_epoch(int(math.floor(value)), field, default_tz)
    if isinstance(value, str):
        try:
            return iso_epoch(value, default_tz)
        except ValueError:
            # Digits in a string are not taken for epoch seconds: "20261123" is an ISO 8601 date.
            numeric = value.strip().lstrip("+-").replace(".", "", 1).isdigit()
            hint = "; epoch seconds are given as a number, not a string" if numeric else " or epoch seconds"
            raise InvalidReportError(
                f"field '{field}': cannot read {excerpt(value)} as an ISO 8601 time "
                f"(e.g. 2026-11-23T08:15:00+08:00){hint}",
                field,
                excerpt(value),
            ) from None
    if isinstance(value, datetime):
        return _datetime_epoch(value, default_tz)
    raise InvalidReportError(
        f"field '{field}': expected a datetime, ISO 8601 string or epoch seconds, got {type(value).__name__}",
        field,
        excerpt(value),
    )


def from_epoch(seconds: int, tz: tzinfo) -> datetime:
    """A timezone-aware datetime in ``tz``."""
    return datetime.fromtimestamp(seconds, tz)


def parse_offset(text: str) -> timezone:
    """A fixed offset such as ``"+08:00"``; raises ValueError otherwise."""
    sign = {"+": 1, "-": -1}.get(text[:1])
    hours, _, minutes = text[1:].partition(":")
    if sign is None or not hours.isdigit() or not (minutes or "0").isdigit():
        raise ValueError(f"not a UTC offset like +08:00: {text!r}")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))
