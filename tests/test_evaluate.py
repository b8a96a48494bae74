"""Dedup metrics (checked by hand) and the evaluation harness on a small held-out stream."""

from __future__ import annotations

import itertools
import random

import pytest

from routing_core.evaluate import bcubed, pairwise


def _pairwise_by_enumeration(pred: list[str], truth: list[str]) -> tuple[float, float]:
    tp = fp = fn = 0
    for a, b in itertools.combinations(range(len(pred)), 2):
        sp, st = pred[a] == pred[b], truth[a] == truth[b]
        tp += sp and st
        fp += sp and not st
        fn += st and not sp
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def test_pairwise_by_hand() -> None:
    # Truth {a,b,c},{d}; prediction {a,b},{c,d}: true pairs ab ac bc; predicted ab cd -> P 1/2, R 1/3.
    s = pairwise(["1", "1", "2", "2"], ["x", "x", "x", "y"])
    assert (s.precision, s.recall) == (0.5, 1 / 3)
    assert s.f1 == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))


def test_pairwise_equals_enumeration_on_random_clusterings() -> None:
    rng = random.Random(3)
    for _ in range(50):
        n = rng.randint(2, 30)
        pred = [str(rng.randint(0, 6)) for _ in range(n)]
        truth = [str(rng.randint(0, 6)) for _ in range(n)]
        s = pairwise(pred, truth)
        p, r = _pairwise_by_enumeration(pred, truth)
        if any(pred[a] == pred[b] for a, b in itertools.combinations(range(n), 2)):
            assert s.precision == pytest.approx(p)
        if any(truth[a] == truth[b] for a, b in itertools.combinations(range(n), 2)):
            assert s.recall == pytest.approx(r)


def test_bcubed_by_hand() -> None:
    # Truth {a,b,c},{d}; prediction {a,b},{c,d}.
    # precision per item: a 2/2, b 2/2, c 1/2, d 1/2 -> 3/4; recall: a 2/3, b 2/3, c 1/3, d 1/1 -> 2/3.
    s = bcubed(["1", "1", "2", "2"], ["x", "x", "x", "y"])
    assert s.precision == pytest.approx(0.75)
    assert s.recall == pytest.approx(2 / 3)
    assert bcubed(["1", "2"], ["x", "y"]).f1 == 1.0


def test_engine_run_on_a_held_out_stream() -> None:
    pytest.importorskip("numpy")
    from routing_core.evaluate import run_engine
    from routing_core.synth import generate

    run = run_engine(generate(days=2, reports_per_day=300, seed=1002))
    summary = run.summary()
    assert summary["reports"] == len(run.truth) > 400
    primary = ("merged", "new", "false_merge", "missed_duplicate")  # one per report
    assert sum(run.errors[k] for k in primary) == len(run.truth)
    assert set(run.errors) <= {
        "merged",
        "new",
        "false_merge",
        "missed_duplicate",
        "recurrence",
        "wrong_recurrence",
        "missed_recurrence",
    }
    # Quality floor on this small held-out stream (the full figures are in README, `routing-core evaluate`).
    assert summary["pairwise"].precision >= 0.9
    assert summary["pairwise"].f1 >= 0.7
    assert summary["candidate_recall"] >= 0.95
    assert summary["index_bytes_per_event"] > 0


def test_rapidfuzz_links_cluster_like_brute_force() -> None:
    pytest.importorskip("numpy")
    rapidfuzz = pytest.importorskip("rapidfuzz")
    from routing_core.evaluate import cluster_links, rapidfuzz_links
    from routing_core.synth import generate

    batches = list(generate(days=1, reports_per_day=200, seed=5))
    links = rapidfuzz_links(batches)
    strings = [f"{a} {t}" for b in batches for a, t in zip(b.address, b.text, strict=True)]
    times = [t for b in batches for t in b.time]
    for i in range(1, len(strings), 17):  # the nearest earlier report, checked by a plain loop
        scores = [
            rapidfuzz.fuzz.ratio(strings[i], strings[j]) for j in range(i) if times[j] >= times[i] - 72 * 3600
        ]
        assert links.score[i] == pytest.approx(max(scores), abs=1e-3)
    assert cluster_links(links, 101.0) == [f"c{i}" for i in range(len(strings))]


def test_calibrate_refuses_a_negative_recurrence_stream() -> None:
    from routing_core.calibrate import calibrate

    with pytest.raises(ValueError, match=r"recurrence_days=-1"):
        calibrate(recurrence_days=-1)
