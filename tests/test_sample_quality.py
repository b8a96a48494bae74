"""Quality floors on labelled data written by hand, independent of the engine's code.

The sample's ground truth (tests/data/sample_truth.json) was written with the reports
(scripts/make_sample_reports.py); the classification cases were written by hand. The floors sit a
little under the figures measured when they were set, so a regression fails; the figures
themselves are printed with ``-s``. The sample is small and the match weights were chosen on it:
these are regression guards, not the held-out evaluation (the dedup issue brings that).
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from typing import Any

from conftest import TEST_DATA

from routing_core import Engine


def pairwise(pred: dict[str, str], truth: dict[str, str]) -> tuple[float, float]:
    """Pairwise precision and recall of a clustering against the true one."""
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(pred), 2):
        same_pred, same_true = pred[a] == pred[b], truth[a] == truth[b]
        tp += same_pred and same_true
        fp += same_pred and not same_true
        fn += same_true and not same_pred
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def test_pairwise_metric_by_hand() -> None:
    # Truth {a,b,c},{d}; prediction {a,b},{c,d}: true pairs ab ac bc; predicted ab cd.
    pred = {"a": "1", "b": "1", "c": "2", "d": "2"}
    truth = {"a": "x", "b": "x", "c": "x", "d": "y"}
    assert pairwise(pred, truth) == (0.5, 1 / 3)


def test_sample_dedup_precision_and_recall(sample_reports: list[dict[str, Any]], sample_truth: dict[str, Any]) -> None:
    decisions = Engine().submit_many(sample_reports)
    pred = {d.report_id: d.event_id for d in decisions}
    truth = {rid: r["incident"] for rid, r in sample_truth["reports"].items()}
    assert set(pred) == set(truth)
    precision, recall = pairwise(pred, truth)
    print(f"sample dedup: precision {precision:.3f} recall {recall:.3f}, {len(set(pred.values()))} events "
          f"for {len(set(truth.values()))} incidents")
    # Measured 0.977 / 0.601 with the calibrated match model (data/match.toml, `routing-core calibrate`).
    # The recall floor went down from 0.72 (measured 0.768 with the foundation's hand-set weights, chosen
    # on this very sample at a looser precision): the calibrated model holds precision >= 0.98 on the
    # held-out synthetic split, and this sample's landmark addresses (路口, 车棚) and free paraphrases
    # are harder for it than the synthetic mix. See README "Dedup" for the held-out figures.
    assert precision >= 0.96
    assert recall >= 0.57


def test_sample_categories(sample_reports: list[dict[str, Any]], sample_truth: dict[str, Any]) -> None:
    decisions = Engine().submit_many(sample_reports)
    right = sum(d.category == sample_truth["reports"][d.report_id]["category"] for d in decisions)
    print(f"sample categories: {right}/{len(decisions)}")
    assert right / len(decisions) >= 0.74  # measured 0.780


def test_classification_cases() -> None:
    with (TEST_DATA / "classification_cases.tsv").open(encoding="utf-8", newline="") as fh:
        cases = list(csv.DictReader(fh, delimiter="\t"))
    assert len(cases) >= 400
    engine = Engine()
    wrong: Counter[tuple[str, str]] = Counter()
    for i, case in enumerate(cases):
        d = engine.submit({"id": f"k{i}", "text": case["text"], "time": 1795392000 + i * 86400 * 10})
        if d.category != case["category"]:
            wrong[(case["category"], d.category)] += 1
    accuracy = 1 - sum(wrong.values()) / len(cases)
    print(f"classification cases: accuracy {accuracy:.3f}; most confused {wrong.most_common(5)}")
    assert accuracy >= 0.90  # measured 0.933 (the term weights were tuned on these cases)
