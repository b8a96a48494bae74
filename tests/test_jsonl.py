"""JSON Lines reading: no line, whatever its bytes, stops the reading or escapes as an exception."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing_core.jsonl import json_lines, read_jsonl

GOOD = {"id": "a", "text": "路灯不亮", "time": "2026-11-23T08:16:00+08:00"}


def _read(path: Path, lines: list[bytes]) -> list[tuple[int, dict | None, str]]:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return list(json_lines(path))


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "invalid JSON: nested too deeply"),
        (b'{"id": "x", "text": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "invalid JSON: nested too deeply"),
        (b'{"time": ' + b"1" * 5000 + b"}", "invalid JSON: Exceeds the limit (4300 digits)"),
        (b"{\"id\": \"x\", \"text\": \"\\ud800\"", "invalid JSON: Expecting ',' delimiter"),
        (b"\xff\xfe", "invalid UTF-8 at byte 0"),
        (b"[1, 2]", "expected a JSON object, got list"),
    ],
    ids=["nested-array", "nested-field", "huge-integer", "unterminated", "not-utf8", "not-an-object"],
)
def test_a_hostile_line_is_named_and_the_next_one_is_read(tmp_path: Path, line: bytes, problem: str) -> None:
    # Before, the first three escaped as RecursionError / ValueError and ended `routing-core route`.
    rows = _read(tmp_path / "r.jsonl", [line, json.dumps(GOOD, ensure_ascii=False).encode()])
    assert [(n, r) for n, r, _ in rows] == [(1, None), (2, GOOD)]
    assert rows[0][2].startswith(problem)


def test_read_jsonl_prints_each_problem_with_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b"[" * 100_000 + b"\n" + json.dumps(GOOD).encode() + b"\n")
    errors = io.StringIO()
    assert [n for n, r in read_jsonl(path, errors) if r is not None] == [2]
    assert errors.getvalue() == f"{path}:1: invalid JSON: nested too deeply\n"


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)
_lines = st.one_of(
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b" ")),
    _json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(["id", "text", "time", "lat"]), _json_values, max_size=4).map(
        lambda d: json.dumps(d, ensure_ascii=False).encode()
    ),
    st.tuples(st.integers(1, 3000), st.sampled_from([b"[", b"{\"a\":"])).map(lambda t: t[1] * t[0]),
)


@pytest.mark.property
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_lines, max_size=6), bom=st.booleans())
def test_every_non_blank_line_is_a_record_or_a_problem(tmp_path: Path, lines: list[bytes], bom: bool) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + b"\n".join(lines))
    rows = list(json_lines(path))  # never raises
    # One byte order mark is taken off the file's start: the written one, or else the line's own.
    seen = list(lines)
    if seen and not bom and seen[0].startswith(b"\xef\xbb\xbf"):
        seen[0] = seen[0][3:]
    expected = [n for n, line in enumerate(seen, start=1) if line.strip()]
    assert [n for n, _, _ in rows] == expected
    for n, record, problem in rows:
        line = seen[n - 1]
        assert (record is None) == bool(problem)
        if record is not None:  # compared as text: a NaN is not equal to itself
            assert isinstance(record, dict)
            assert json.dumps(record) == json.dumps(json.loads(line.decode("utf-8")))
