"""Benchmarks of address parsing (pytest-benchmark) on the labelled address set (1,260 addresses).

Run: ``pytest benchmarks/bench_address.py --benchmark-enable --benchmark-only`` (the test suite
runs these once, untimed). Baseline measured in the same run: the binding's normalise_address on
the same addresses (UTF-8 decode, normalisation, encode, one Python call each), so the difference
is what resolving units and components costs. ``core`` calls the C++ parser through the binding
(result is the raw core struct); ``api`` is routing_core.parse_address with the typed result.
The accuracy report on the same set is ``python scripts/address_accuracy.py``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from routing_core import Engine, _core

SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "address_set.tsv"
_LINES = [line for line in SET.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
ADDRESSES = [row["address"] for row in csv.DictReader(_LINES, delimiter="\t", quoting=csv.QUOTE_NONE)]
_engine = Engine()


@pytest.mark.benchmark(group="address")
def test_baseline_normalise_address(benchmark: Any) -> None:
    out = benchmark(lambda: [_core.normalise_address(a) for a in ADDRESSES])
    assert len(out) == len(ADDRESSES)


@pytest.mark.benchmark(group="address")
def test_parse_address_core(benchmark: Any) -> None:
    core = _engine._core
    out = benchmark(lambda: [core.parse_address(a) for a in ADDRESSES])
    assert sum(a.units[2] >= 0 for a in out) >= 1000  # towns found (index 2 = town level)


@pytest.mark.benchmark(group="address")
def test_parse_address_api(benchmark: Any) -> None:
    out = benchmark(lambda: [_engine.parse_address(a) for a in ADDRESSES])
    assert sum(p.town is not None for p in out) >= 1000


@pytest.mark.benchmark(group="address")
def test_peer_cpca_transform(benchmark: Any) -> None:
    # Peer, not a dependency: cpca (PyPI, MIT) resolves province/city/county only, in pure Python
    # over pandas. Skipped when it is not installed (`pip install cpca`).
    cpca = pytest.importorskip("cpca")
    out = benchmark(lambda: cpca.transform(ADDRESSES))
    assert len(out) == len(ADDRESSES)
