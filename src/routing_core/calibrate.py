"""Fitting the match weights and thresholds from labelled data (``routing-core calibrate``).

The model is a logistic regression of "this candidate event is the report's incident (or, for a closed
event, the incident it recurs)" on the candidate's features, each entering through a piecewise-linear
curve (hat-function basis on knots), fitted by Newton's method with a small ridge penalty in numpy:

    logit P(match) = b + Σ_f β_f(x_f),   β_f piecewise linear on its knots.

It is stored in the form the core evaluates, ``score = Σ_f w_f · curve_f(x_f) / Σ_f w_f`` with
``w_f = max β_f − min β_f`` and ``curve_f = (β_f − min β_f) / w_f`` in [0, 1], which is an increasing
affine map of the logit: ``logit = offset + scale · score``. So the score orders candidates exactly as
the fitted probability does, each feature's contribution is its share of the score (what
``Decision.explain()`` shows), and the probability is ``sigmoid(offset + scale · score)``.

Training data come from streaming the *train* split (a generator seed never used for testing) through
the engine twice: once without merging (every report its own event, so candidates are clean report
pairs) and once with the first fit (so candidates look like the events the engine really builds). The
duplicate threshold is then chosen by streaming the train split again at several thresholds: the best
pairwise F1 among those with precision ≥ ``min_precision``.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .arguments import require_int, require_number
from .engine import Engine
from .evaluate import EngineRun, pairwise, run_engine
from .match_params import FEATURES
from .synth import Batch, generate

__all__ = ["MONOTONE", "Fit", "calibrate", "fit_logistic", "render_toml"]

_GRID = tuple(k / 10 for k in range(11))


@dataclass
class Fit:
    """A fitted model: knots and curve values per feature, weights, the logit map, thresholds."""

    knots: dict[str, list[float]]
    beta: dict[str, list[float]]
    bias: float
    duplicate_threshold: float = 0.5
    review_threshold: float = 0.4
    recurrence_threshold: float | None = None  # None: the duplicate threshold
    train_figures: dict[str, Any] = field(default_factory=dict)

    @property
    def weights(self) -> dict[str, float]:
        return {f: max(b) - min(b) for f, b in self.beta.items()}

    @property
    def scale(self) -> float:
        return sum(self.weights.values())

    @property
    def offset(self) -> float:
        return self.bias + sum(min(b) for b in self.beta.values())

    def curve(self, feature: str) -> list[float]:
        b, w = self.beta[feature], self.weights[feature]
        return [(v - min(b)) / w if w > 0 else 0.0 for v in b]

    def score_for_probability(self, p: float) -> float:
        """The score at which the fitted match probability is ``p`` (clipped to [0, 1])."""
        return min(1.0, max(0.0, (math.log(p / (1 - p)) - self.offset) / self.scale))

    def probability(self, score: float) -> float:
        return 1 / (1 + math.exp(-(self.offset + self.scale * score)))


def _knots(values: np.ndarray) -> list[float]:
    """The distinct values when there are few (a ladder like the address similarity, or its product with
    the three-valued category agreement), else a 0.1 grid."""
    distinct = np.unique(np.round(values, 6))
    if distinct.size <= 40:
        return [float(v) for v in distinct] if distinct.size > 1 else [0.0, 1.0]
    return list(_GRID)


def _hat(x: np.ndarray, knots: Sequence[float]) -> np.ndarray:
    """Hat-function basis: row i has the linear-interpolation weights of x[i] on the knots (sums to 1)."""
    k = np.asarray(knots)
    x = np.clip(x, k[0], k[-1])
    j = np.clip(np.searchsorted(k, x, side="right") - 1, 0, k.size - 2)
    t = (x - k[j]) / (k[j + 1] - k[j])
    out = np.zeros((x.size, k.size))
    rows = np.arange(x.size)
    out[rows, j] = 1 - t
    out[rows, j + 1] = t
    return out


# Features whose evidence can only grow with their value: more shared text, a more complete place, a
# more recent event, the same category. Their curves are fitted non-decreasing; left free, collinear
# features (text, coverage, place·text all read the same words) trade evidence back and forth and the
# fitted curves zigzag (text 0.1 scoring above text 0.7), which generalises badly. The address ladder is
# categorical (its values name rungs, see address_similarity.cpp) and stays free.
MONOTONE = frozenset(
    {"text", "place", "category", "time", "place_category", "place_text", "coverage", "wording"}
)


def _objective(x: np.ndarray, y: np.ndarray, w: np.ndarray, penalty: np.ndarray) -> float:
    z = x @ w
    # log(1 + e^z) - y z, stably
    return float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * w @ penalty @ w)


def fit_logistic(
    rows: Sequence[tuple[dict[str, float], bool]],
    *,
    ridge: float = 1e-3,
    ladder_ridge: float | None = None,
    iterations: int = 100,
    monotone: frozenset[str] = MONOTONE,
    without: frozenset[str] = frozenset(),
) -> Fit:
    """Fit the curves by Newton's method (IRLS) on (features, label) rows.

    ``ridge`` (times the number of rows) penalises the curves' coefficients; ``ladder_ridge`` (default:
    ``ridge``) those of the features outside ``monotone``, the address ladder's rungs: a rung that is
    never a match in the data (the same road, another number) must be free to become a veto, which a
    penalty that grows with the data forbids.

    A feature in ``monotone`` enters as non-negative increments between its knots (its curve is
    non-decreasing); the constraint is kept by a projected Newton method: increments at zero whose
    gradient pushes them below stay fixed for the step, the others take the Newton step, clipped at zero,
    with backtracking until the penalised log-likelihood improves. A feature in ``without`` is left out:
    its curve is flat, so its weight is 0.
    """
    if not rows:
        raise ValueError("no candidates to fit on: generate a larger train split")
    ladder_ridge = ridge if ladder_ridge is None else ladder_ridge
    y = np.array([label for _, label in rows], dtype=float)
    if y.min() == y.max():
        raise ValueError("the train candidates are all of one label: cannot fit")
    attrs_used = {a for _, _, attrs in FEATURES.values() for a in attrs}
    raw = {a: np.array([r[a] for r, _ in rows], dtype=float) for a in attrs_used}
    unknown = without - FEATURES.keys()
    if unknown:
        raise ValueError(f"without: unknown features {sorted(unknown)}; expected of {', '.join(FEATURES)}")
    fitted = [f for f in FEATURES if f not in without]
    columns = {f: np.prod([raw[a] for a in FEATURES[f][2]], axis=0) for f in fitted}
    knots = {f: _knots(v) for f, v in columns.items()}
    blocks = []
    constrained = [False]
    strength = [0.0]  # the intercept is not penalised
    for f in fitted:
        hat = _hat(columns[f], knots[f])
        if f in monotone:
            # Column k (k >= 1) is Σ_{j >= k} hat_j: the curve at knot j is the sum of increments 1..j.
            ramps = np.cumsum(hat[:, ::-1], axis=1)[:, ::-1][:, 1:]
            blocks.append(ramps)
            constrained += [True] * ramps.shape[1]
            strength += [ridge] * ramps.shape[1]
        else:
            blocks.append(hat)
            constrained += [False] * hat.shape[1]
            strength += [ladder_ridge] * hat.shape[1]
    x = np.hstack([np.ones((y.size, 1)), *blocks])
    lower = np.array(constrained)
    w = np.zeros(x.shape[1])
    penalty = y.size * np.diag(strength)
    loss = _objective(x, y, w, penalty)
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + penalty @ w
        hess = (x * (p * (1 - p))[:, None]).T @ x + penalty
        free = ~(lower & (w <= 0.0) & (grad > 0.0))
        step = np.zeros_like(w)
        step[free] = np.linalg.solve(hess[np.ix_(free, free)], grad[free])
        t = 1.0
        while True:
            candidate = w - t * step
            candidate[lower] = np.maximum(candidate[lower], 0.0)
            new_loss = _objective(x, y, candidate, penalty)
            if new_loss <= loss or t < 1e-6:
                break
            t /= 2
        moved = np.abs(candidate - w).max()
        w, loss = candidate, min(new_loss, loss)
        if moved < 1e-8:
            break
    beta: dict[str, list[float]] = {f: [0.0, 0.0] for f in without}
    knots.update({f: [0.0, 1.0] for f in without})
    at = 1
    for f in fitted:
        n = len(knots[f])
        if f in monotone:
            beta[f] = [0.0, *(float(v) for v in np.cumsum(w[at : at + n - 1]))]
            at += n - 1
        else:
            beta[f] = [float(v) for v in w[at : at + n]]
            at += n
    return Fit(knots=knots, beta=beta, bias=float(w[0]))


def render_toml(
    fit: Fit,
    *,
    provenance: str,
    window_hours: float = 72.0,
    recurrence_days: float = 30.0,
    time_scale_hours: float = 24.0,
    proximity_scale_m: float = 100.0,
    lookup: dict[str, int] | None = None,
) -> str:
    """The match parameters file for a fit, with its provenance as comments."""
    lookup = lookup or {
        "postings_per_key": 16, "rare_shingles": 8, "max_candidates": 48, "max_scored": 8, "max_closed": 32
    }
    weights = fit.weights
    total = fit.scale
    recurrence = fit.duplicate_threshold if fit.recurrence_threshold is None else fit.recurrence_threshold
    lines = [
        "# Match parameters of the default engine: how a report's similarity to a candidate event is scored",
        "# and decided. Read by routing_core.match_params.load_match_params.",
        "#",
        "# GENERATED by `routing-core calibrate` (src/routing_core/calibrate.py); do not edit by hand,",
        "# re-run the command instead. Provenance:",
        *[f"#   {line}" for line in provenance.splitlines()],
        "#",
        "# score = Σ_f weight_f · curve_f(feature_f) / Σ_f weight_f, in [0, 1]; each term is the feature's",
        "# contribution in Decision.explain(). The curves are piecewise linear on their knots. The score is",
        "# an increasing affine map of the fitted logistic model's logit:",
        f"#   P(same incident) = sigmoid({fit.offset:.4f} + {fit.scale:.4f} · score)",
        f"# duplicate_threshold is P = {fit.probability(fit.duplicate_threshold):.3f}, "
        f"review_threshold P = {fit.probability(fit.review_threshold):.3f}, "
        f"recurrence_threshold P = {fit.probability(recurrence):.3f}.",
        "",
        "[match]",
        *[f"{FEATURES[f][0]} = {weights[f] / total:.6f}" for f in FEATURES],
        "# recency = exp(-hours between the report and the event's latest report / time_scale_hours)",
        f"time_scale_hours = {time_scale_hours:g}",
        "# proximity = 0.5 + 0.5 / (1 + metres between the GPS positions / proximity_scale_m); 0 without",
        f"proximity_scale_m = {proximity_scale_m:g}",
        "# score >= duplicate_threshold: the report joins the open event; score >= recurrence_threshold",
        "# for a closed event: a new event linked to it as a recurrence; review_threshold <= score <",
        "# duplicate_threshold: a new event flagged for review.",
        f"duplicate_threshold = {fit.duplicate_threshold:.6f}",
        f"recurrence_threshold = {recurrence:.6f}",
        f"review_threshold = {fit.review_threshold:.6f}",
        "# An open event is a candidate while its latest report is at most this many hours old.",
        f"window_hours = {window_hours:g}",
        "# A closed event is a candidate for recurrence for this many days after it was closed.",
        f"recurrence_days = {recurrence_days:g}",
        "",
        "[lookup]",
        "# Candidate lookup limits: newest postings read per blocking key, rarest text/address shingles",
        "# looked up, open events ranked per report, closed ones (recurrence candidates) ranked apart and added",
        "# (0: ranked with the open ones), and how many of those are scored on every feature (the best by",
        "# address, category and time first, plus the best closed one; 0: all of them).",
        *[f"{k} = {v}" for k, v in lookup.items()],
        "",
        "[curves]",
        "# feature value (x) -> curve value (y) in [0, 1]",
    ]
    for f in FEATURES:
        xs = ", ".join(f"{v:g}" for v in fit.knots[f])
        ys = ", ".join(f"{v:.4f}" for v in fit.curve(f))
        lines.append(f"{f} = {{ x = [{xs}], y = [{ys}] }}")
    return "\n".join(lines) + "\n"


_NO_MERGE = (
    "[match]\nduplicate_threshold = 1.0\nreview_threshold = 1.0\n"
    "[lookup]\nrare_shingles = 12\nmax_candidates = 48\n"
)


def sample_batch(truth_path: str | Path) -> Batch:
    """The bundled hand-written sample (``data/sample_reports.jsonl``) with its ground truth (the repository's
    ``tests/data/sample_truth.json``) as one batch."""
    import json

    from .rules import load_rules
    from .times import to_epoch

    tz = load_rules(None).timezone
    truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))["reports"]
    lines = (Path(__file__).parent / "data" / "sample_reports.jsonl").read_text(encoding="utf-8").splitlines()
    batch = Batch(day=0)
    for line in lines:
        if not line.strip():
            continue
        r = json.loads(line)
        batch.id.append(r["id"])
        batch.text.append(r["text"])
        batch.address.append(r.get("address", ""))
        batch.time.append(to_epoch(r["time"], "time", tz))
        batch.source.append(r.get("source", "other"))
        batch.category_hint.append(r.get("category"))
        batch.lat.append(r.get("lat"))
        batch.lon.append(r.get("lon"))
        batch.event.append(truth[r["id"]]["incident"])
        batch.category.append(truth[r["id"]]["category"])
        batch.recurrence_of.append("")
        batch.kind.append("sample")
    return batch


def calibrate(
    *,
    days: int = 4,
    reports_per_day: int = 2000,
    seed: int = 1,
    min_precision: float = 0.985,
    probabilities: Sequence[float] = (0.5, 0.6, 0.7, 0.725, 0.75, 0.775, 0.8, 0.85, 0.9),
    sample_truth: str | Path | None = None,
    sample_weight: int = 10,
    ridge: float = 1e-3,
    ladder_ridge: float = 1e-6,
    without: frozenset[str] = frozenset(),
    recurrence_days: int = 12,
    recurrence_probabilities: Sequence[float] = (0.9, 0.95, 0.98, 0.99, 0.995),
    log: Any = None,
    rules: str | Path | None = None,
    gazetteer: str | Path | None = None,
) -> tuple[Fit, str]:
    """Fit on the train split ``generate(days, reports_per_day, seed)`` (plus, with ``sample_truth``, the
    hand-written sample's candidates, repeated ``sample_weight`` times); returns the fit and its TOML.

    The recurrence threshold is chosen apart, on a longer stream of the same seed
    (``generate(recurrence_days, reports_per_day, seed)``: a few days hold too few recurrences), as the
    probability (the duplicate one or one of ``recurrence_probabilities``) with the best F1 of recurrence
    links: 2·right / (2·right + wrong + missed). 0 days: the duplicate threshold.

    Every engine loads ``rules`` and ``gazetteer`` (None: the bundled files): the category a rules file
    gives is a match feature."""
    require_int("recurrence_days", recurrence_days, 0)
    require_number("min_precision", min_precision, 0.0, 1.0)
    require_number("ridge", ridge, 0.0)
    require_number("ladder_ridge", ladder_ridge, 0.0)
    say = log or (lambda *_: None)
    train: list[Batch] = list(generate(days=days, reports_per_day=reports_per_day, seed=seed))
    n = sum(len(b) for b in train)
    sample = [sample_batch(sample_truth)] if sample_truth else []
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)

        def engine(toml: str) -> Engine:  # on these match parameters
            path = directory / "match.toml"
            path.write_text(toml, encoding="utf-8")
            return Engine(rules=rules, gazetteer=gazetteer, match=path)

        say(f"train split: seed {seed}, {days} days, {n} reports")
        first = run_engine(train, engine(_NO_MERGE), collect=True)
        rows = [(f, label) for _, f, label in first.candidates]
        for batch in sample:
            extra = run_engine([batch], engine(_NO_MERGE), collect=True).candidates
            rows += [(f, label) for _, f, label in extra] * sample_weight
            say(f"hand-written sample: {len(extra)} candidates (x{sample_weight})")
        fit = fit_logistic(rows, ridge=ridge, ladder_ridge=ladder_ridge, without=without)
        say(f"pass 1 (no merging): {len(rows)} candidates, {sum(lbl for _, lbl in rows)} positive")
        fit.duplicate_threshold = fit.score_for_probability(0.5)
        fit.review_threshold = fit.score_for_probability(0.3)
        second = run_engine(train, engine(render_toml(fit, provenance="pass 2")), collect=True)
        rows += [(f, label) for _, f, label in second.candidates]
        for batch in sample:
            extra = run_engine(
                [batch], engine(render_toml(fit, provenance="pass 2")), collect=True
            ).candidates
            rows += [(f, label) for _, f, label in extra] * sample_weight
        fit = fit_logistic(rows, ridge=ridge, ladder_ridge=ladder_ridge, without=without)
        say(f"pass 2 (first fit): {len(second.candidates)} more candidates; refitted")
        best: tuple[tuple[float, float], float, EngineRun] | None = None
        for p in probabilities:
            fit.duplicate_threshold = fit.score_for_probability(p)
            fit.review_threshold = min(fit.duplicate_threshold, fit.score_for_probability(p / 2))
            run = run_engine(train, engine(render_toml(fit, provenance="threshold search")))
            s = pairwise(run.pred, run.truth)
            say(f"  P(match) >= {p:.2f}: train pairwise P {s.precision:.4f} R {s.recall:.4f} F1 {s.f1:.4f}")
            key = (1.0 if s.precision >= min_precision else 0.0, s.f1)
            if best is None or key > best[0]:
                best = (key, p, run)
        assert best is not None
        _, p, run = best
        fit.duplicate_threshold = fit.score_for_probability(p)
        fit.review_threshold = min(fit.duplicate_threshold, fit.score_for_probability(p / 2))
        s = pairwise(run.pred, run.truth)
        recurrence_note = "the duplicate threshold (not searched)"
        if recurrence_days > 0:
            long_train = list(generate(days=recurrence_days, reports_per_day=reports_per_day, seed=seed))
            say(f"recurrence threshold: seed {seed}, {recurrence_days} days, "
                f"{sum(len(b) for b in long_train)} reports")
            best_q: tuple[float, float] | None = None
            for q in (p, *(q for q in recurrence_probabilities if q > p)):
                fit.recurrence_threshold = fit.score_for_probability(q)
                toml = render_toml(fit, provenance="recurrence search")
                e = run_engine(long_train, engine(toml))
                right, wrong = e.errors["recurrence"], e.errors["wrong_recurrence"]
                missed = e.errors["missed_recurrence"]
                link_f1 = 2 * right / max(1, 2 * right + wrong + missed)
                counts = f"{right} right, {wrong} wrong, {missed} missed"
                say(f"  P(match) >= {q:.3f} for a closed event: {counts} recurrence links, F1 {link_f1:.4f}")
                if best_q is None or link_f1 > best_q[0]:
                    best_q = (link_f1, q)
                    recurrence_note = (f"P(match) >= {q:.3f}, best F1 of recurrence links on "
                                       f"generate(days={recurrence_days}, seed={seed}) ({counts})")
            assert best_q is not None
            fit.recurrence_threshold = fit.score_for_probability(best_q[1])
        fit.train_figures = {
            "probability": p,
            "precision": s.precision,
            "recall": s.recall,
            "f1": s.f1,
            "candidates": len(rows),
            "reports": n,
        }
    provenance = (
        f"command: routing-core calibrate --days {days} --per-day {reports_per_day} --seed {seed} "
        f"--min-precision {min_precision}"
        + (f" --ridge {ridge:g}" if ridge != 1e-3 else "")
        + (f" --ladder-ridge {ladder_ridge:g}" if ladder_ridge != 1e-6 else "")
        + "".join(f" --without {f}" for f in sorted(without))
        + (f" --recurrence-days {recurrence_days}" if recurrence_days != 12 else "")
        + (f" --sample-truth {sample_truth}" if sample_truth else "")
        + "\n"
        + (
            f"also fitted on: the hand-written sample (data/sample_reports.jsonl, truth {sample_truth}), its "
            f"candidates weighted x{sample_weight}, so the sample figures in tests/test_sample_quality.py "
            "are "
            "not held out\n"
            if sample_truth
            else ""
        )
        + f"train split: routing_core.synth.generate(days={days}, reports_per_day={reports_per_day}, "
        f"seed={seed}), "
        f"{n} reports, default Mix; the evaluation's test split uses other seeds\n"
        f"model: logistic regression on {len(rows)} labelled candidates (two passes), ridge {ridge:g} "
        f"(address rungs {ladder_ridge:g}), "
        f"projected Newton (non-decreasing curves: {', '.join(sorted(MONOTONE))})"
        + (f"; left out (weight 0): {', '.join(sorted(without))}" if without else "")
        + "\n"
        f"threshold: P(match) >= {p:.2f}, best train pairwise F1 with precision >= {min_precision} "
        f"(train P {s.precision:.4f} R {s.recall:.4f} F1 {s.f1:.4f})\n"
        f"recurrence threshold: {recurrence_note}\n"
        f"fitted: {datetime.now(UTC):%Y-%m-%d}"
    )
    return fit, render_toml(fit, provenance=provenance)
