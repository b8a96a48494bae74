"""Evaluating dedup on labelled streams: the engine, a brute-force rapidfuzz baseline, and metrics.

The engine sees the stream in time order, with each true incident's closing applied when the
generator says the city closed it (so recurrences can happen). Metrics compare the engine's events
with the true incidents:

* pairwise precision / recall / F1 over pairs of reports (the standard for record linkage);
* B-cubed precision / recall / F1 (per report, less dominated by large bursts);
* a confusion of error kinds per report: ``false_merge`` (joined an event whose first report belongs to
  another incident), ``missed_duplicate`` (opened an event although its incident already had one),
  ``wrong_recurrence`` / ``missed_recurrence`` (links to closed events);
* candidate recall: for every report whose incident already has an event, whether one of that
  incident's events was among the scored candidates.

Pairwise and B-cubed figures are computed from the contingency table, so they scale to millions of
reports.
"""

from __future__ import annotations

import time as _time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .engine import Engine
from .synth import Batch

__all__ = [
    "Clustering",
    "EngineRun",
    "baseline_rapidfuzz",
    "format_table",
    "run_engine",
    "Scores",
    "bcubed",
    "pairwise",
    "scores",
]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(counts: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in counts)


def pairwise(pred: Sequence[Any], truth: Sequence[Any]) -> Scores:
    """Pairwise precision/recall/F1 of a clustering (``pred[i]`` the cluster of item i) against the truth.

    With no predicted (true) pairs, precision (recall) is 1: nothing claimed, nothing wrong.
    """
    if len(pred) != len(truth):
        raise ValueError(f"pred has {len(pred)} items, truth {len(truth)}")
    cells = Counter(zip(pred, truth, strict=True))
    tp = _pairs(cells.values())
    pred_pairs = _pairs(Counter(pred).values())
    true_pairs = _pairs(Counter(truth).values())
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / true_pairs if true_pairs else 1.0
    return Scores(p, r, _f1(p, r))


def bcubed(pred: Sequence[Any], truth: Sequence[Any]) -> Scores:
    """B-cubed precision/recall/F1 (Bagga & Baldwin 1998), averaged over items."""
    if len(pred) != len(truth):
        raise ValueError(f"pred has {len(pred)} items, truth {len(truth)}")
    if not pred:
        return Scores(1.0, 1.0, 1.0)
    cells = Counter(zip(pred, truth, strict=True))
    pred_size = Counter(pred)
    true_size = Counter(truth)
    # Each of the n items of a cell has n same-cluster-and-same-truth items (itself included).
    p = sum(n * n / pred_size[c] for (c, _), n in cells.items()) / len(pred)
    r = sum(n * n / true_size[t] for (_, t), n in cells.items()) / len(pred)
    return Scores(p, r, _f1(p, r))


def recall_by_kind(pred: Sequence[Any], truth: Sequence[Any], kinds: Sequence[str]) -> dict[str, float]:
    """Pairwise recall within the true incidents of each kind (normal, burst, next_door, ...): which
    kind of incident the method splits."""
    cells = Counter(zip(pred, truth, strict=True))
    kind_of = dict(zip(truth, kinds, strict=True))
    sizes = Counter(truth)
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for t, n in sizes.items():
        total[kind_of[t]] += n * (n - 1) // 2
    for (_, t), n in cells.items():
        found[kind_of[t]] += n * (n - 1) // 2
    return {k: found[k] / total[k] for k in sorted(total) if total[k]}


def scores(pred: Sequence[Any], truth: Sequence[Any]) -> dict[str, Scores]:
    return {"pairwise": pairwise(pred, truth), "bcubed": bcubed(pred, truth)}


@dataclass
class Clustering:
    """A method's answer on a stream: the predicted cluster of every report, plus error kinds."""

    name: str
    pred: list[str]
    truth: list[str]
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        s = scores(self.pred, self.truth)
        return {
            "method": self.name,
            "reports": len(self.pred),
            "pairwise": s["pairwise"],
            "bcubed": s["bcubed"],
            "errors": dict(self.errors),
            "seconds": self.seconds,
            **self.notes,
        }


@dataclass
class EngineRun(Clustering):
    """The engine's clustering plus, per report, the scored candidates with their labels (for fitting)."""

    # Per candidate: (report index, features dict, label: candidate belongs to the report's incident or,
    # for a closed one, to the incident it recurs).
    candidates: list[tuple[int, dict[str, float], bool]] = field(default_factory=list)


#: How many reports run_engine submits between two calls of its ``progress``.
PROGRESS_EVERY = 1000


def _items(batches: Iterable[Batch]) -> Iterable[tuple[int, int, Any]]:
    """Reports and closes of the stream, merged in time order: (time, order, item). A close at the same
    second as a report comes first (the city closed it, then the report came in)."""
    for batch in batches:
        reports = batch.reports()
        truth = batch.truth()
        items: list[tuple[int, int, Any]] = [(t, 0, (e,)) for e, t in batch.closes]
        items += [(r["time"], 1, (r, tr)) for r, tr in zip(reports, truth, strict=True)]
        items.sort(key=lambda x: (x[0], x[1]))
        yield from items


def run_engine(
    batches: Iterable[Batch],
    engine: Engine | None = None,
    *,
    name: str = "routing_core",
    features: Callable[[dict[str, Any], Any, dict[str, list[str]]], dict[str, float]] | None = None,
    collect: bool = False,
    progress: Callable[[int], None] | None = None,
) -> EngineRun:
    """Stream the batches through ``engine`` (a fresh default one when None) and score the result.

    ``collect`` keeps every scored candidate with its label, for calibration. ``progress``, when given,
    is called with the number of reports submitted so far after every ``PROGRESS_EVERY`` and at the end.
    """
    engine = engine or Engine()
    run = EngineRun(name=name, pred=[], truth=[])
    owner: dict[str, str] = {}  # engine event -> true incident of its first report
    events_of: dict[str, list[str]] = defaultdict(list)  # true incident -> engine events holding its reports
    closed: set[str] = set()
    texts: dict[str, list[str]] = defaultdict(list)
    kinds: list[str] = []
    cand_hits = cand_total = 0
    rec_hits = rec_total = 0
    start = _time.perf_counter()
    for _, kind, item in _items(batches):
        if kind == 0:
            incident = item[0]
            for ev in events_of.get(incident, ()):
                if ev not in closed and owner[ev] == incident:
                    engine.close(ev, time=_, resolution="已处置")
                    closed.add(ev)
            continue
        report, truth = item
        incident = truth["event"]
        d = engine.submit(report)
        index = len(run.pred)
        run.pred.append(d.event_id)
        if progress is not None and len(run.pred) % PROGRESS_EVERY == 0:
            progress(len(run.pred))
        run.truth.append(incident)
        kinds.append(truth["kind"])
        seen = incident in events_of
        mine = set(events_of.get(incident, ()))
        rec_events = set(events_of.get(truth["recurrence_of"], ())) if truth["recurrence_of"] else set()
        if seen:
            cand_total += 1
            cand_hits += any(c.event_id in mine for c in d.candidates)
        if rec_events:
            rec_total += 1
            rec_hits += any(c.event_id in rec_events for c in d.candidates)
        if collect:
            for c in d.candidates:
                label = c.event_id in (rec_events if c.closed else mine)
                f = {
                    "address": c.address,
                    "text": c.text,
                    "place": c.place,
                    "coverage": c.coverage,
                    "category": c.category,
                    "recency": c.recency,
                    "hours_apart": c.hours_apart,
                    "proximity": c.proximity,
                    "channel": c.channel,
                    "wording": c.wording,
                    "closed": float(c.closed),
                    "score": c.score,
                }
                if features is not None:
                    f.update(features(report, c, texts))
                run.candidates.append((index, f, bool(label)))
        # error kinds
        if d.duplicate_of:
            run.errors["false_merge" if owner[d.event_id] != incident else "merged"] += 1
        else:
            run.errors["missed_duplicate" if seen else "new"] += 1
            owner[d.event_id] = incident
            if d.recurrence_of:
                ok = truth["recurrence_of"] and owner.get(d.recurrence_of) in (truth["recurrence_of"],)
                run.errors["recurrence" if ok else "wrong_recurrence"] += 1
            elif truth["recurrence_of"] and rec_events:
                run.errors["missed_recurrence"] += 1
        if d.event_id not in events_of[incident]:
            events_of[incident].append(d.event_id)
        if collect:
            texts[d.event_id].append(report["text"])
    run.seconds = _time.perf_counter() - start
    if progress is not None and len(run.pred) % PROGRESS_EVERY:
        progress(len(run.pred))
    stats = engine.stats()
    run.notes = {
        "candidate_recall": cand_hits / cand_total if cand_total else 1.0,
        "candidate_recall_n": cand_total,
        "recurrence_candidate_recall": rec_hits / rec_total if rec_total else 1.0,
        "open_events": stats.open_events,
        "index_bytes": stats.index_bytes,
        "index_bytes_per_event": stats.index_bytes / max(stats.events, 1),
        "pair_recall_by_kind": {
            k: round(v, 4) for k, v in recall_by_kind(run.pred, run.truth, kinds).items()
        },
    }
    return run


# -- the rapidfuzz brute-force baseline ---------------------------------------------------------------


@dataclass
class NearestLinks:
    """For each report, its most similar earlier report within the window and the similarity (0..100)."""

    truth: list[str]
    best: list[int]
    score: list[float]
    seconds: float


def rapidfuzz_links(
    batches: Iterable[Batch], *, window_hours: float = 72.0, block: int = 256, workers: int = -1
) -> NearestLinks:
    """Brute force: every report against every earlier report of the last ``window_hours`` hours, by
    rapidfuzz's Indel ratio of "address + text". The one pass is threshold-independent; clusters for any
    threshold follow from the links (:func:`cluster_links`). ``workers`` is cdist's (-1: all cores)."""
    import numpy as np
    from rapidfuzz import fuzz, process

    strings: list[str] = []
    times: list[int] = []
    truth: list[str] = []
    for batch in batches:
        for a, t, tm, e in zip(batch.address, batch.text, batch.time, batch.event, strict=True):
            strings.append(f"{a} {t}")
            times.append(tm)
            truth.append(e)
    start = _time.perf_counter()
    t_arr = np.asarray(times, dtype=np.int64)
    n = len(strings)
    best = [-1] * n
    score = [0.0] * n
    window = int(window_hours * 3600)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        first = int(np.searchsorted(t_arr, t_arr[lo] - window, side="left"))
        if first >= hi - 1 and lo == 0 and hi == 1:
            continue
        m = process.cdist(
            strings[lo:hi], strings[first:hi], scorer=fuzz.ratio, workers=workers, dtype=np.float32
        )
        cols = np.arange(first, hi)
        for i in range(lo, hi):
            row = m[i - lo]
            ok = (cols < i) & (t_arr[cols] >= t_arr[i] - window)
            if not ok.any():
                continue
            masked = np.where(ok, row, -1.0)
            j = int(masked.argmax())
            best[i] = first + j
            score[i] = float(masked[j])
    return NearestLinks(truth, best, score, _time.perf_counter() - start)


def cluster_links(links: NearestLinks, threshold: float) -> list[str]:
    """Clusters of the links at ``threshold``: a report joins its nearest earlier report's cluster."""
    cluster: list[str] = []
    for i, (j, s) in enumerate(zip(links.best, links.score, strict=True)):
        cluster.append(cluster[j] if j >= 0 and s >= threshold else f"c{i}")
    return cluster


def best_threshold(links: NearestLinks, *, min_precision: float = 0.0) -> float:
    """The threshold (0..100 step 0.5) of best pairwise F1 (among those reaching ``min_precision``)."""
    best_t, best_key = 100.0, (-1.0, -1.0)
    for k in range(0, 201):
        t = k / 2
        s = pairwise(cluster_links(links, t), links.truth)
        key = (1.0 if s.precision >= min_precision else 0.0, s.f1)
        if key > best_key:
            best_t, best_key = t, key
    return best_t


def baseline_rapidfuzz(train: Sequence[Batch], test: Sequence[Batch], *, workers: int = -1) -> Clustering:
    """The brute-force baseline with its threshold chosen on ``train``, evaluated on ``test``
    (``seconds``: the test pass alone)."""
    fit = rapidfuzz_links(train, workers=workers)
    threshold = best_threshold(fit)
    links = rapidfuzz_links(test, workers=workers)
    pred = cluster_links(links, threshold)
    errors: Counter[str] = Counter()
    first_of: dict[str, str] = {}
    seen: set[str] = set()
    for i, (c, t) in enumerate(zip(pred, links.truth, strict=True)):
        if c == f"c{i}":
            errors["missed_duplicate" if t in seen else "new"] += 1
            first_of[c] = t
        else:
            errors["false_merge" if first_of[c] != t else "merged"] += 1
        seen.add(t)
    return Clustering(
        "rapidfuzz brute force (fuzz.ratio)",
        pred,
        links.truth,
        errors,
        links.seconds,
        {"threshold": threshold, "comparisons": "all reports of the last 72 h"},
    )


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """A plain-text table of summaries (one row per method)."""
    head = f"{'method':38s} {'reports':>8s} {'pw P':>6s} {'pw R':>6s} {'pw F1':>6s} {'B3 F1':>6s} {'sec':>7s}"
    lines = [head, "-" * len(head)]
    for s in rows:
        pw, b3 = s["pairwise"], s["bcubed"]
        lines.append(
            f"{s['method'][:38]:38s} {s['reports']:8d} {pw.precision:6.3f} {pw.recall:6.3f} {pw.f1:6.3f} "
            f"{b3.f1:6.3f} {s['seconds']:7.2f}"
        )
    for s in rows:
        errors = ", ".join(f"{k} {v}" for k, v in sorted(s["errors"].items()))
        extra = {
            k: v
            for k, v in s.items()
            if k not in ("method", "reports", "pairwise", "bcubed", "errors", "seconds")
        }
        lines.append(f"{s['method']}: {errors}")
        if extra:
            lines.append("    " + ", ".join(f"{k} {_fmt(v)}" for k, v in extra.items()))
    return "\n".join(lines)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4f}" if abs(v) < 100 else f"{v:.0f}"
    return str(v)
