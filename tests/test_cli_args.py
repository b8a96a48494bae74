"""The command-line argument types: an accepted value meets its bound, anything else is refused with
argparse's error (never another exception, which would be a traceback instead of a message)."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing_core.cli_args import at_least, counts, iso_datetime, number_in, output_file

# Numbers as people mistype them, and any text at all.
_NUMBERISH = st.one_of(
    st.text(),
    st.integers().map(str),
    st.integers(-6, 6).map(str),
    st.sampled_from(["inf", "-inf", "nan", "1e999", "0.5", "1_000"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.lists(st.one_of(st.integers(-3, 70).map(str), st.sampled_from(["", " ", "x", "1e3", "２", "-0"])),
             max_size=5).map(",".join),
)


def _accepts(parse: Callable[[str], object], value: str) -> object | None:
    """What the type returns, or None when it refuses (with argparse's error only)."""
    try:
        return parse(value)
    except argparse.ArgumentTypeError as refused:
        assert repr(value) in str(refused)  # the message names the value
        return None


@pytest.mark.property
@given(_NUMBERISH, st.integers(-5, 5))
def test_at_least_returns_an_int_of_at_least_its_bound_or_refuses(value: str, least: int) -> None:
    n = _accepts(at_least(least), value)
    assert n is None or (isinstance(n, int) and n >= least and n == int(value))


@pytest.mark.property
@given(_NUMBERISH, st.integers(0, 3), st.one_of(st.none(), st.integers(3, 64)))
def test_counts_returns_every_count_within_its_bounds_or_refuses(
    value: str, low: int, high: int | None
) -> None:
    got = _accepts(counts("thing", low, high), value)
    if got is None:
        return
    assert isinstance(got, list) and got == [int(v) for v in value.split(",")]
    assert all(low <= n and (high is None or n <= high) for n in got)


@pytest.mark.property
@given(_NUMBERISH, st.floats(-1, 1), st.one_of(st.just(math.inf), st.floats(1, 10)))
def test_number_in_returns_a_finite_number_within_its_bounds_or_refuses(
    value: str, low: float, high: float
) -> None:
    x = _accepts(number_in(low, high), value)
    assert x is None or (isinstance(x, float) and math.isfinite(x) and low <= x <= high)


def test_the_bounds_by_hand() -> None:
    assert at_least(1)("1") == 1 and at_least(0)(" 7 ") == 7
    assert counts("shard", 1, 64)("1,2,64") == [1, 2, 64]
    assert number_in(0.0, 1.0)("0.985") == 0.985 and number_in(0.0)("1e-3") == 0.001
    for parse, bad, says in [
        (at_least(1), "0", "'0': expected at least 1"),
        (at_least(0), "1.5", "'1.5': expected an integer"),
        (counts("shard", 1, 64), "1,65", "'1,65': expected shard counts in 1..64 separated by commas"),
        (counts("batch size", 1), "8,", "'8,': expected batch size counts at least 1 separated by commas"),
        (number_in(0.0, 1.0), "nan", "'nan': expected a finite number in 0..1"),
        (number_in(0.0), "-1e-9", "'-1e-9': expected a finite number at least 0"),
        (number_in(0.0), "inf", "'inf': expected a finite number at least 0"),
    ]:
        with pytest.raises(argparse.ArgumentTypeError, match=f"^{says}$"):
            parse(bad)


def test_output_files_are_checked_before_any_work(tmp_path: Path) -> None:
    assert output_file(str(tmp_path / "figures.json")) == str(tmp_path / "figures.json")
    (tmp_path / "old.json").write_text("{}", encoding="utf-8")
    assert output_file(str(tmp_path / "old.json")) == str(tmp_path / "old.json")  # overwritten later
    for bad, says in [
        (str(tmp_path), f"{str(tmp_path)!r}: is a directory"),
        (str(tmp_path / "no" / "f.json"), f"{str(tmp_path / 'no' / 'f.json')!r}: no such directory "
                                          f"{str(tmp_path / 'no')!r}"),
    ]:
        with pytest.raises(argparse.ArgumentTypeError, match=f"^{re.escape(says)}$"):
            output_file(bad)


def test_a_start_time_is_an_iso_datetime() -> None:
    assert iso_datetime("2026-11-01T00:00:00+08:00") == "2026-11-01T00:00:00+08:00"
    assert iso_datetime("2026-11-01") == "2026-11-01"
    with pytest.raises(argparse.ArgumentTypeError, match="'11/01/2026': expected an ISO 8601 date-time"):
        iso_datetime("11/01/2026")


def test_a_long_run_with_an_unwritable_output_stops_before_it_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from routing_core.cli import main

    with pytest.raises(SystemExit) as info:
        main(["bench", "--days", "365", "--json", "/nonexistent-dir/figures.json"])
    assert info.value.code == 2
    assert "argument --json: '/nonexistent-dir/figures.json': no such directory" in capsys.readouterr().err
