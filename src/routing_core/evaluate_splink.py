"""Splink (DuckDB backend) as the established record-linkage peer of ``routing-core evaluate``.

Splink is a batch Fellegi–Sunter linker: it scores blocked pairs and clusters them by connected
components. It gets what a careful integrator would give it: the address and the text as compared
columns (Jaro–Winkler on the address, character Jaccard on the text), blocking on a road or compound
name pulled out of the address or text by a regular expression and within 72 hours, u from random
pairs, m from the train split's labels, and its match-probability threshold chosen on the train split
(best pairwise F1). It sees the whole split at once (no streaming, no closing, no recurrence links).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from .evaluate import Clustering, pairwise
from .synth import Batch

__all__ = ["splink_peer"]

_PLACE = re.compile(r"([\u4e00-\u9fff]{2,5}?(?:路|街|巷|小区|花园|新村|家园))")

# Splink's blocking rule: candidate pairs name the same place and are at most 72 hours apart.
_SAME_PLACE_WITHIN_72H = "l.place = r.place AND l.place <> '' AND abs(l.t - r.t) < 259200"


def _records(batches: Sequence[Batch]) -> list[tuple[Any, ...]]:
    rows = []
    for b in batches:
        for rid, a, t, tm, e in zip(b.id, b.address, b.text, b.time, b.event, strict=True):
            m = _PLACE.search(a) or _PLACE.search(t)
            rows.append((rid, a, t, tm, m.group(1) if m else "", e))
    return rows


def _linker(con: Any, table: str, rows: list[tuple[Any, ...]], settings: Any) -> Any:
    from splink import Linker
    from splink.internals.duckdb.database_api import DuckDBAPI

    con.execute(
        f"CREATE OR REPLACE TABLE {table} (unique_id VARCHAR, address VARCHAR, text VARCHAR, "
        "t BIGINT, place VARCHAR, truth VARCHAR)"
    )
    con.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?)", rows)
    db = DuckDBAPI(connection=con)
    return Linker(db.register(table), settings, log_level=40)


def _clusters(linker: Any, predictions: Any, threshold: float, ids: list[str]) -> list[str]:
    table = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    cluster = {r["unique_id"]: r["cluster_id"] for r in table.as_record_list()}
    return [str(cluster.get(i, i)) for i in ids]


def splink_peer(train: Sequence[Batch], test: Sequence[Batch]) -> Clustering:
    """Fit Splink on ``train`` (u by random sampling, m from labels, threshold by F1) and cluster ``test``."""
    import duckdb
    import splink.comparison_library as cl
    from splink import SettingsCreator

    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("address", [0.95, 0.85, 0.7]),
            cl.JaccardAtThresholds("text", [0.8, 0.6, 0.4]),
        ],
        # Splink accepts SQL strings as blocking rules; its annotation names only the creator types.
        # (Where Splink is not installed, mypy sees no annotation and the ignore is unused.)
        blocking_rules_to_generate_predictions=[
            _SAME_PLACE_WITHIN_72H,  # type: ignore[list-item,unused-ignore]
        ],
        retain_intermediate_calculation_columns=False,
    )
    con = duckdb.connect()
    start = time.perf_counter()
    train_rows = _records(train)
    # The prior: the share of true pairs among all pairs of the train split (Splink's default, 1e-4,
    # is for person registers, not for a stream where ~40 % of reports are duplicates).
    sizes = Counter(r[5] for r in train_rows)
    n = len(train_rows)
    settings.probability_two_random_records_match = max(
        1e-9, sum(k * (k - 1) // 2 for k in sizes.values()) / max(n * (n - 1) // 2, 1)
    )
    linker = _linker(con, "train_reports", train_rows, settings)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_m_from_label_column("truth")
    model = linker.misc.save_model_to_json()
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    ids = [r[0] for r in train_rows]
    truth = [r[5] for r in train_rows]
    best_t, best_f1 = 0.5, -1.0
    for t in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99):
        f1 = pairwise(_clusters(linker, predictions, t, ids), truth).f1
        if f1 > best_f1:
            best_t, best_f1 = t, f1
    test_start, test_cpu = time.perf_counter(), time.process_time()
    test_rows = _records(test)
    test_linker = _linker(con, "test_reports", test_rows, model)
    test_predictions = test_linker.inference.predict(threshold_match_probability=0.01)
    pred = _clusters(test_linker, test_predictions, best_t, [r[0] for r in test_rows])
    end, end_cpu = time.perf_counter(), time.process_time()
    seconds = end - start
    return Clustering(
        "splink 5 (duckdb), m from labels",
        pred,
        [r[5] for r in test_rows],
        seconds=seconds,
        notes={"threshold": best_t, "train_f1": round(best_f1, 4), "seconds_test": end - test_start,
               "cpu_seconds_test": end_cpu - test_cpu},
    )
