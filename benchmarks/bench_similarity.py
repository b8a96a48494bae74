"""Benchmarks of similarity (pytest-benchmark): the engine's address similarity beside rapidfuzz.

Run: ``pytest benchmarks/bench_similarity.py --benchmark-enable --benchmark-only`` (the test suite
runs these once, untimed). Pairs: every report of one generated day (seed 4) with the first report of
its incident (a true pair) and with the report before it in time (mostly a false pair), ~3,600 pairs.

Address group: the engine's ``address_similarity`` (parses both addresses with the gazetteer, then
compares components) and, as baselines in the same run, parsing the same two addresses alone (so the
difference is the comparison itself) and rapidfuzz ``fuzz.ratio`` / ``fuzz.partial_ratio`` on the raw
strings (what a pure-Python matcher would call). Text group: rapidfuzz ``ratio`` and
``partial_ratio`` on the pairs' texts, the per-pair cost a Python matcher pays for text; the
engine's own text similarity is not bound alone (it is inside ``submit``: see bench_submit.py and
``routing-core bench --peers``).
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("numpy")
fuzz = pytest.importorskip("rapidfuzz.fuzz")

from routing_core import Engine  # noqa: E402
from routing_core.synth import generate  # noqa: E402

_engine = Engine()
_batch = next(iter(generate(days=1, reports_per_day=2000, seed=4)))


def _pairs(column: list[str]) -> list[tuple[str, str]]:
    first: dict[str, int] = {}
    out = []
    for i, incident in enumerate(_batch.event):
        j = first.setdefault(incident, i)
        out.append((column[i], column[j]))
        if i:
            out.append((column[i], column[i - 1]))
    return out


ADDRESS_PAIRS = [(a, b) for a, b in _pairs(_batch.address) if a and b]
TEXT_PAIRS = _pairs(_batch.text)


@pytest.mark.benchmark(group="similarity-address")
def test_address_similarity_core(benchmark: Any) -> None:
    core = _engine._core
    out = benchmark(lambda: [core.address_similarity(a, b) for a, b in ADDRESS_PAIRS])
    assert all(0.0 <= s <= 1.0 for s in out) and max(out) == 1.0


@pytest.mark.benchmark(group="similarity-address")
def test_baseline_parse_both_addresses(benchmark: Any) -> None:
    core = _engine._core
    out = benchmark(lambda: [(core.parse_address(a), core.parse_address(b)) for a, b in ADDRESS_PAIRS])
    assert len(out) == len(ADDRESS_PAIRS)


@pytest.mark.benchmark(group="similarity-address")
def test_baseline_rapidfuzz_ratio_address(benchmark: Any) -> None:
    out = benchmark(lambda: [fuzz.ratio(a, b) for a, b in ADDRESS_PAIRS])
    assert max(out) == 100.0


@pytest.mark.benchmark(group="similarity-address")
def test_baseline_rapidfuzz_partial_ratio_address(benchmark: Any) -> None:
    out = benchmark(lambda: [fuzz.partial_ratio(a, b) for a, b in ADDRESS_PAIRS])
    assert max(out) == 100.0


@pytest.mark.benchmark(group="similarity-text")
def test_baseline_rapidfuzz_ratio_text(benchmark: Any) -> None:
    out = benchmark(lambda: [fuzz.ratio(a, b) for a, b in TEXT_PAIRS])
    assert len(out) == len(TEXT_PAIRS)


@pytest.mark.benchmark(group="similarity-text")
def test_baseline_rapidfuzz_partial_ratio_text(benchmark: Any) -> None:
    out = benchmark(lambda: [fuzz.partial_ratio(a, b) for a, b in TEXT_PAIRS])
    assert len(out) == len(TEXT_PAIRS)
