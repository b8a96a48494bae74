"""Peers of the engine on the same report stream, for ``routing-core bench --peers``: speed and F1.

Every method sees the same sample: the first ``days`` days of the replayed stream (same seed, same
volume, so the engine's own figures on it are those of the start of the replay). Thresholds are
chosen on a training split (another seed) by pairwise F1, never on the sample itself. Each row gives
throughput (reports per second of the method's own work, generation and fitting excluded), pairwise
precision/recall/F1 on the sample against the generator's truth, and how many open events (or, for
brute force, earlier reports) each report was matched against when it was measured.

The peers:

``python``
    :class:`PythonPeer`, the same streaming decision in pure Python: an inverted index of character
    bigrams of the address and text (the rarest few per report are looked up, the newest postings
    per key read), open events within the engine's window as candidates, scored by rapidfuzz
    (``fuzz.ratio`` on the address, ``fuzz.partial_ratio`` on the text), joined when the best score
    reaches a threshold fitted on the training split. Closes as the engine does (the generator's
    closing times); no recurrence links. One core.
``cdist``
    :func:`routing_core.evaluate.baseline_rapidfuzz` with one worker: every report against every
    report of the last 72 hours with ``rapidfuzz.process.cdist`` (Indel ratio of address + text),
    linked to its nearest when over the threshold fitted on the training split. One core.
``splink``
    :func:`routing_core.evaluate_splink.splink_peer` on at most ``splink_max`` reports of the sample
    (a batch linker: u by random sampling and m from labels on the training split); its time is the
    test split's predict-and-cluster time, DuckDB may use both cores.

Needs the ``bench`` extra (rapidfuzz; splink and duckdb for the Splink row).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .evaluate import pairwise

if TYPE_CHECKING:
    from .engine import Engine
    from .synth import Batch

__all__ = ["PEERS", "PeerResult", "PythonPeer", "format_peers", "run_peers"]

PEERS = ("python", "cdist", "splink")

_DROP = re.compile(r"[\s，。、；：！？,.;:!?（）()“”\"'《》【】\-]+")


@dataclass
class PeerResult:
    """One method's figures on the sample."""

    method: str
    reports: int
    seconds: float
    precision: float
    recall: float
    f1: float
    # What each report was matched against, at the end of the sample: open events (engine, python
    # peer), reports in the 72 h window (brute force) or the records of the batch (splink).
    compared_against: int
    compared_what: str
    sample: str  # how the sample was drawn, e.g. "first 1 day(s) of the stream"
    threshold: float | None = None
    notes: dict[str, Any] = field(default_factory=dict)
    cpu_seconds: float = 0.0  # process CPU time of the same work (all threads): steadier on a shared machine

    @property
    def reports_per_second(self) -> float:
        return self.reports / self.seconds if self.seconds else 0.0

    @property
    def reports_per_cpu_second(self) -> float:
        return self.reports / self.cpu_seconds if self.cpu_seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "reports_per_second": self.reports_per_second,
            "reports_per_cpu_second": self.reports_per_cpu_second,
        }


def _bigrams(s: str) -> set[str]:
    s = _DROP.sub("", s)
    return {s[i : i + 2] for i in range(len(s) - 1)}


class PythonPeer:
    """Streaming dedup in pure Python with rapidfuzz scorers (see the module docstring).

    Parameters
    ----------
    threshold : float
        Join the best candidate when its score (0..100) reaches this.
    address_weight : float
        Score = ``address_weight`` · ratio(addresses) + (1 − ``address_weight``) · partial_ratio(texts)
        when both reports have an address, else the text score alone.
    window_hours, rare, postings_per_key, max_candidates
        As the engine's lookup: an open event is a candidate while its latest report is at most
        ``window_hours`` old; the ``rare`` least frequent bigrams of a report are looked up, the newest
        ``postings_per_key`` events of each read, and at most ``max_candidates`` (those sharing the most
        looked-up bigrams) scored.
    """

    def __init__(
        self,
        threshold: float,
        *,
        address_weight: float = 0.5,
        window_hours: float = 72.0,
        rare: int = 8,
        postings_per_key: int = 16,
        max_candidates: int = 48,
    ) -> None:
        from rapidfuzz import fuzz

        self._ratio = fuzz.ratio
        self._partial = fuzz.partial_ratio
        self.threshold = threshold
        self.address_weight = address_weight
        self.window = int(window_hours * 3600)
        self.rare = rare
        self.postings_per_key = postings_per_key
        self.max_candidates = max_candidates
        self._df: Counter[str] = Counter()
        self._postings: dict[str, list[int]] = {}
        # Per event: first report's address and text (the representative), latest report time, open.
        self._address: list[str] = []
        self._text: list[str] = []
        self._last: list[int] = []
        self._open: list[bool] = []
        self.open_events = 0

    def submit(self, address: str, text: str, t: int) -> int:
        """The event (an int id) the report joins or opens."""
        grams = _bigrams(address) | _bigrams(text)
        df = self._df
        # (Bigrams no earlier report had find nothing: the rarest of those seen, as the engine's lookup.)
        keys = sorted((g for g in grams if df[g]), key=lambda g: (df[g], g))[: self.rare]
        shared: Counter[int] = Counter()
        horizon = t - self.window
        for k in keys:
            for ev in self._postings.get(k, ())[-self.postings_per_key :]:
                if self._open[ev] and self._last[ev] >= horizon:
                    shared[ev] += 1
        best, best_score = -1, -1.0
        w = self.address_weight
        for ev, _ in shared.most_common(self.max_candidates):
            other = self._address[ev]
            text_score = self._partial(text, self._text[ev])
            score = (
                w * self._ratio(address, other) + (1 - w) * text_score if address and other else text_score
            )
            if score > best_score:
                best, best_score = ev, score
        if best >= 0 and best_score >= self.threshold:
            self._last[best] = max(self._last[best], t)
            event = best
        else:
            event = len(self._address)
            self._address.append(address)
            self._text.append(text)
            self._last.append(t)
            self._open.append(True)
            self.open_events += 1
        for g in grams:
            df[g] += 1
            postings = self._postings.setdefault(g, [])
            if not postings or postings[-1] != event:
                postings.append(event)
                if len(postings) > 2 * self.postings_per_key:
                    del postings[: -self.postings_per_key]
        return event

    def close(self, event: int) -> None:
        if self._open[event]:
            self._open[event] = False
            self.open_events -= 1


class _Clock:
    """Accumulates wall and process CPU time over ``with`` blocks."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> _Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._wall
        self.cpu += time.process_time() - self._cpu


def _run_python_peer(batches: Sequence[Batch], peer: PythonPeer) -> tuple[list[str], list[str], _Clock]:
    """The peer over the batches as the replay drives the engine: a day's reports, then its closes."""
    pred: list[str] = []
    truth: list[str] = []
    clock = _Clock()
    first: dict[str, int] = {}  # incident -> the peer's event of its first report (bookkeeping, untimed)
    for batch in batches:
        with clock:
            day = [
                peer.submit(a, tx, t) for a, tx, t in zip(batch.address, batch.text, batch.time, strict=True)
            ]
        for ev, incident in zip(day, batch.event, strict=True):
            first.setdefault(incident, ev)
        pred += map(str, day)
        truth += batch.event
        with clock:
            for incident, _ in batch.closes:
                ev = first.pop(incident, -1)
                if ev >= 0:
                    peer.close(ev)
    return pred, truth, clock


def fit_python_peer(train: Sequence[Batch], **kwargs: Any) -> tuple[PythonPeer, float]:
    """The peer's threshold and address weight of best pairwise F1 on ``train`` (a small grid);
    returns a fresh peer with them, and that F1."""
    best: tuple[float, float, float] = (-1.0, 75.0, 0.5)
    for w in (0.6, 0.85):
        for threshold in (50.0, 55.0, 60.0, 65.0, 70.0, 75.0, 80.0, 85.0, 90.0):
            pred, truth, _ = _run_python_peer(train, PythonPeer(threshold, address_weight=w, **kwargs))
            f1 = pairwise(pred, truth).f1
            if f1 > best[0]:
                best = (f1, threshold, w)
    return PythonPeer(best[1], address_weight=best[2], **kwargs), best[0]


def _window_sizes(times: Sequence[int], window: int) -> float:
    """Mean number of earlier reports within ``window`` seconds (what brute force compares against)."""
    import numpy as np

    t = np.asarray(times, dtype=np.int64)
    if not t.size:
        return 0.0
    first = np.searchsorted(t, t - window, side="left")
    return float((np.arange(t.size) - first).mean())


def run_peers(
    sample: Sequence[Batch],
    train: Sequence[Batch],
    *,
    engine: Engine,
    batch_size: int = 1000,
    peers: Sequence[str] = PEERS,
    splink_max: int = 20000,
    sample_label: str = "",
    log: Callable[[str], None] | None = None,
    api: str = "many",
    skipped: list[str] | None = None,
) -> list[PeerResult]:
    """The engine (first row) and each of ``peers`` on ``sample``, thresholds fitted on ``train``.

    ``engine`` should be fresh: it replays the sample as ``routing-core bench`` does (``api``:
    submit_many or submit_columns in batches of ``batch_size``, then the day's closes). A peer whose
    extra is missing is skipped with a message to ``log``, and named with the reason in ``skipped``
    (when a list is given), so that a table without it can say why.
    """
    from .replay import API_CALLS, replay

    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        raise ValueError(f"peers={unknown!r}: expected some of {', '.join(PEERS)}")
    say = log or (lambda _m: None)
    n = sum(len(b) for b in sample)
    label = sample_label or f"{len(sample)} day(s), {n:,} reports"

    pred: list[str] = []
    truth: list[str] = []

    def observe(batch: Batch, event_ids: list[str]) -> None:
        pred.extend(event_ids)
        truth.extend(batch.event)

    r = replay(
        days=len(sample),
        reports_per_day=0,
        batch_size=batch_size,
        engine=engine,
        stream=sample,
        observe=observe,
        api=api,
    )
    s = pairwise(pred, truth)
    rows = [
        PeerResult(
            f"routing_core ({API_CALLS[api]}, 1 thread)",
            r.reports,
            r.seconds_engine,
            s.precision,
            s.recall,
            s.f1,
            r.open_events,
            "open events",
            label,
            notes={"batch_size": batch_size},
            cpu_seconds=r.cpu_seconds_engine,
        )
    ]
    times = [t for b in sample for t in b.time]
    for name in peers:
        try:
            if name == "python":
                say("peers: fitting the pure-Python peer on the training split")
                peer, train_f1 = fit_python_peer(train)
                say("peers: pure-Python peer on the sample")
                p_pred, p_truth, clock = _run_python_peer(sample, peer)
                s = pairwise(p_pred, p_truth)
                rows.append(
                    PeerResult(
                        "pure Python + rapidfuzz (blocking)",
                        len(p_pred),
                        clock.wall,
                        s.precision,
                        s.recall,
                        s.f1,
                        peer.open_events,
                        "open events",
                        label,
                        peer.threshold,
                        {"address_weight": peer.address_weight, "train_f1": round(train_f1, 4)},
                        cpu_seconds=clock.cpu,
                    )
                )
            elif name == "cdist":
                from .evaluate import best_threshold, cluster_links, rapidfuzz_links

                say("peers: rapidfuzz cdist brute force (fit and sample)")
                threshold = best_threshold(rapidfuzz_links(train, workers=1))
                with _Clock() as clock:
                    links = rapidfuzz_links(sample, workers=1)
                s = pairwise(cluster_links(links, threshold), links.truth)
                rows.append(
                    PeerResult(
                        "rapidfuzz cdist brute force (1 worker)",
                        len(links.truth),
                        links.seconds,
                        s.precision,
                        s.recall,
                        s.f1,
                        round(_window_sizes(times, 72 * 3600)),
                        "reports in 72 h (mean)",
                        label,
                        threshold,
                        cpu_seconds=clock.cpu,
                    )
                )
            elif name == "splink":
                from .evaluate_splink import splink_peer

                sub, cut = _head(sample, splink_max)
                sub_train, _ = _head(train, splink_max)
                say(f"peers: splink on {cut:,} reports")
                c = splink_peer(sub_train, sub)
                s = pairwise(c.pred, c.truth)
                sub_label = label if cut == n else f"first {cut:,} of the sample's {n:,} reports"
                rows.append(
                    PeerResult(
                        "splink (duckdb, batch)",
                        len(c.pred),
                        c.notes["seconds_test"],
                        s.precision,
                        s.recall,
                        s.f1,
                        len(c.pred),
                        "records in the batch",
                        sub_label,
                        c.notes["threshold"],
                        {"seconds_with_fit": round(c.seconds, 3)},
                        cpu_seconds=c.notes["cpu_seconds_test"],
                    )
                )
        except ImportError as exc:
            reason = f"{name}: not run, {exc} (pip install 'routing_core[bench]')"
            say(f"peers: {reason}")
            if skipped is not None:
                skipped.append(reason)
    return rows


def _head(batches: Sequence[Batch], limit: int) -> tuple[list[Batch], int]:
    """The batches cut to at most ``limit`` reports (the last one truncated, its closes kept)."""
    from dataclasses import replace

    out: list[Batch] = []
    total = 0
    for b in batches:
        if total >= limit:
            break
        k = min(len(b), limit - total)
        if k < len(b):
            cols = (
                "id",
                "text",
                "address",
                "time",
                "source",
                "category_hint",
                "event",
                "category",
                "recurrence_of",
                "kind",
            )
            b = replace(b, **{c: getattr(b, c)[:k] for c in cols})
        out.append(b)
        total += k
    return out, total


def format_peers(rows: Sequence[PeerResult]) -> str:
    """The side-by-side table. ``× wall`` is the engine's throughput (first row) over the method's, by
    wall time; ``× CPU`` the same by process CPU time, steadier when other jobs share the machine."""
    if not rows:
        return ""
    wall, cpu = rows[0].reports_per_second, rows[0].reports_per_cpu_second

    def ratio(engine: float, peer: float) -> str:
        return f"{engine / peer:7.2f}×" if peer and engine else f"{'-':>8s}"

    head = (
        f"{'method':40s} {'reports':>8s} {'reports/s':>10s} {'× wall':>8s} {'CPU s':>7s} {'× CPU':>8s} "
        f"{'pw P':>6s} {'pw R':>6s} {'pw F1':>6s}  compared against"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.method[:40]:40s} {r.reports:8,d} {r.reports_per_second:10,.0f} "
            f"{ratio(wall, r.reports_per_second)} {r.cpu_seconds:7.2f} "
            f"{ratio(cpu, r.reports_per_cpu_second)} "
            f"{r.precision:6.3f} {r.recall:6.3f} {r.f1:6.3f}  {r.compared_against:,} {r.compared_what}"
        )
    samples = dict.fromkeys(r.sample for r in rows)
    if len(samples) == 1:
        lines.append(f"sample: {rows[0].sample}")
    else:
        for s in samples:
            who = ", ".join(r.method.split(" ")[0] for r in rows if r.sample == s)
            lines.append(f"sample ({who}): {s}")
    return "\n".join(lines)
