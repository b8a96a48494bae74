"""Benchmarks of classification (pytest-benchmark): Engine.classify on generated report texts.

Run: ``pytest benchmarks/bench_classify.py --benchmark-enable --benchmark-only`` (the test suite runs
these once, untimed). The texts are one generated day (seed 3, ~1,800 reports) with their channels.
Baselines in the same run: the binding's ``normalise_text`` on the same texts (one crossing of the
binding, UTF-8 decode, normalisation and encode: the floor of any classifier called per text from
Python), and a naive pure-Python classifier that scans the same rules' terms with ``in`` and sums
their weights per category (no negation, no channel hints: it is a speed floor for Python, not the
engine's logic). ``core`` is the binding's classify (raw struct), ``api`` Engine.classify (typed).
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("numpy")

from routing_core import Engine, _core  # noqa: E402
from routing_core.synth import generate  # noqa: E402

_engine = Engine()
_batch = next(iter(generate(days=1, reports_per_day=2000, seed=3)))
TEXTS = list(zip(_batch.text, _batch.source, strict=True))
_TERMS = [(c.code, term, w) for c in _engine.rules.categories for term, w in c.terms.items()]


def _naive_python_classify(text: str) -> str:
    scores: dict[str, float] = {}
    for code, term, weight in _TERMS:
        if term in text:
            scores[code] = scores.get(code, 0.0) + weight
    return max(scores, key=scores.__getitem__) if scores else ""


@pytest.mark.benchmark(group="classify")
def test_baseline_normalise_text(benchmark: Any) -> None:
    out = benchmark(lambda: [_core.normalise_text(t) for t, _ in TEXTS])
    assert len(out) == len(TEXTS)


@pytest.mark.benchmark(group="classify")
def test_baseline_naive_python_terms(benchmark: Any) -> None:
    out = benchmark(lambda: [_naive_python_classify(t) for t, _ in TEXTS])
    assert sum(bool(c) for c in out) > len(TEXTS) // 2


@pytest.mark.benchmark(group="classify")
def test_classify_core(benchmark: Any) -> None:
    core = _engine._core
    out = benchmark(lambda: [core.classify(t, ch) for t, ch in TEXTS])
    assert len(out) == len(TEXTS)


@pytest.mark.benchmark(group="classify")
def test_classify_api(benchmark: Any) -> None:
    out = benchmark(lambda: [_engine.classify(t, ch) for t, ch in TEXTS])
    # The generator's category is right for most texts (the accuracy report is elsewhere; this
    # only guards that the benchmark classifies real texts, not empty ones).
    right = sum(c.category == truth for c, truth in zip(out, _batch.category, strict=True))
    assert right > len(TEXTS) // 2
