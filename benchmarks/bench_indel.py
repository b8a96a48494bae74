"""Benchmarks of the Indel (LCS) kernel (pytest-benchmark): ``_core.indel_ratio_many`` beside rapidfuzz.

Run: ``pytest benchmarks/bench_indel.py --benchmark-enable --benchmark-only`` (the test suite runs
these once, untimed). Data: the raw (not normalised) texts of one generated day (seed 4, ~2,000
reports); 50 of them, spread over the day, are the queries, each scored against all of the texts.

Group ``indel-matrix``: ``_core.indel_ratio_matrix(queries, texts)`` (every string converted once,
then one query's bit masks at a time against all texts, without the GIL; the engine's own use, where
texts are decoded already, is this loop) beside ``rapidfuzz.process.cdist(queries, texts,
scorer=fuzz.ratio, workers=1)`` on the same inputs (which scores several short queries at once in SIMD
lanes) and ``cdist`` called for one query at a time (the engine's case: one report against its
candidates), and ``_core.indel_ratio_many(q, texts)`` once per query (which converts the 2,000 texts
from str again on every call: the price of the boundary). Both check that they agree, to 1e-9, with the other:
rapidfuzz is the independent oracle of the kernel (``cdist`` asked for float64, since its default
float32 for ``fuzz`` scorers would differ by ~1e-6).
"""

from __future__ import annotations

from typing import Any

import pytest

np = pytest.importorskip("numpy")
fuzz = pytest.importorskip("rapidfuzz.fuzz")
process = pytest.importorskip("rapidfuzz.process")

from routing_core import _core  # noqa: E402
from routing_core.synth import generate  # noqa: E402

_batch = next(iter(generate(days=1, reports_per_day=2000, seed=4)))
TEXTS: list[str] = list(_batch.text)
QUERIES: list[str] = TEXTS[:: len(TEXTS) // 50][:50]


def _ours() -> Any:
    return np.stack([_core.indel_ratio_many(q, TEXTS) for q in QUERIES])


def _matrix() -> Any:
    return _core.indel_ratio_matrix(QUERIES, TEXTS)


def _cdist() -> Any:
    return process.cdist(QUERIES, TEXTS, scorer=fuzz.ratio, workers=1, dtype=np.float64)


def _cdist_one_at_a_time() -> Any:
    return np.vstack(
        [process.cdist([q], TEXTS, scorer=fuzz.ratio, workers=1, dtype=np.float64) for q in QUERIES]
    )


def _assert_parity(ours: Any, cdist: Any) -> None:
    assert ours.shape == cdist.shape == (len(QUERIES), len(TEXTS))
    assert float(np.max(np.abs(ours - cdist / 100.0))) < 1e-9


@pytest.mark.benchmark(group="indel-matrix")
def test_indel_ratio_many_core(benchmark: Any) -> None:
    ours = benchmark(_ours)
    _assert_parity(ours, _cdist())
    # Each query scores 1.0 against itself, and the day's texts are not all alike.
    assert np.all(ours.max(axis=1) == 1.0) and ours.min() < 0.5


@pytest.mark.benchmark(group="indel-matrix")
def test_baseline_rapidfuzz_cdist_ratio(benchmark: Any) -> None:
    cdist = benchmark(_cdist)
    _assert_parity(_ours(), cdist)


@pytest.mark.benchmark(group="indel-matrix")
def test_indel_ratio_matrix_core(benchmark: Any) -> None:
    ours = benchmark(_matrix)
    _assert_parity(ours, _cdist())


@pytest.mark.benchmark(group="indel-matrix")
def test_baseline_rapidfuzz_cdist_one_query_at_a_time(benchmark: Any) -> None:
    cdist = benchmark(_cdist_one_at_a_time)
    _assert_parity(_matrix(), cdist)
