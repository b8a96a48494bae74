"""Calibration: the logistic fit recovers a known model, and the TOML it writes is what the core computes."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

np = pytest.importorskip("numpy")

from routing_core.calibrate import MONOTONE, Fit, calibrate, fit_logistic, render_toml  # noqa: E402
from routing_core.match_params import FEATURES, feature_value, load_match_params  # noqa: E402


class _Row:
    def __init__(self, d: dict[str, float]) -> None:
        self.__dict__.update(d)


def _rows(n: int, seed: int) -> list[tuple[dict[str, float], bool]]:
    # A known model: logit = -6 + 5·place + 3·category + 2·text (no other feature matters).
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        f = {
            "address": float(rng.choice([0.0, 0.1, 0.75, 1.0])),
            "text": float(rng.random()),
            "coverage": float(rng.random()),
            "place": float(rng.random()),
            "category": float(rng.integers(0, 2)),
            "recency": float(rng.random()),
            "proximity": float(rng.choice([0.0, 0.6, 0.9])),
            "channel": float(rng.integers(0, 2)),
            "wording": float(rng.random()),
        }
        logit = -6 + 5 * f["place"] + 3 * f["category"] + 2 * f["text"]
        rows.append((f, bool(rng.random() < 1 / (1 + math.exp(-logit)))))
    return rows


def test_fit_recovers_a_known_logistic_model(tmp_path: Path) -> None:
    fit = fit_logistic(_rows(40000, 1), ridge=1e-5)
    path = tmp_path / "m.toml"
    fit.duplicate_threshold = fit.score_for_probability(0.6)
    fit.review_threshold = fit.score_for_probability(0.3)
    path.write_text(render_toml(fit, provenance="test"), encoding="utf-8")
    params = load_match_params(path)
    total = sum(getattr(params, w) for w, _, _ in FEATURES.values())
    for f, true_logit in [
        (
            {"address": 0.1, "text": 0.5, "place": 0.9, "category": 1.0, "recency": 0.3, "coverage": 0.5,
             "proximity": 0.9, "channel": 0.0, "wording": 0.2},
            -6 + 4.5 + 3 + 1,
        ),
        (
            {"address": 1.0, "text": 0.1, "place": 0.2, "category": 0.0, "recency": 0.9, "coverage": 0.5,
             "proximity": 0.0, "channel": 1.0, "wording": 0.5},
            -6 + 1 + 0 + 0.2,
        ),
        (
            {"address": 0.75, "text": 0.9, "place": 0.5, "category": 1.0, "recency": 0.0, "coverage": 0.5,
             "proximity": 0.6, "channel": 1.0, "wording": 0.9},
            -6 + 2.5 + 3 + 1.8,
        ),
    ]:
        row = _Row(f)
        score = (
            sum(
                getattr(params, w) * getattr(params, c)(feature_value(name, row))
                for name, (w, c, _) in FEATURES.items()
            )
            / total
        )
        assert fit.offset + fit.scale * score == pytest.approx(true_logit, abs=0.6)
    assert fit.probability(params.duplicate_threshold) == pytest.approx(0.6, abs=1e-4)


def test_fit_refuses_one_class() -> None:
    rows = [(r, True) for r, _ in _rows(10, 2)]
    with pytest.raises(ValueError, match="one label"):
        fit_logistic(rows)


def test_monotone_curves_never_decrease() -> None:
    # text and coverage carry the same evidence (collinear): left free, their curves would zigzag.
    rows = []
    rng = np.random.default_rng(3)
    for f, label in _rows(20000, 3):
        f = dict(f, coverage=min(1.0, max(0.0, f["text"] + float(rng.normal(0, 0.05)))))
        rows.append((f, label))
    fit = fit_logistic(rows)
    for name in MONOTONE:
        curve = fit.curve(name)
        assert all(b >= a - 1e-12 for a, b in zip(curve[:-1], curve[1:], strict=True)), (name, curve)


def _logit(fit: Fit, row: dict[str, float]) -> float:
    """The fitted model's logit for one row (the curves before they are scaled to [0, 1])."""
    values = {name: feature_value(name, _Row(row)) for name in FEATURES}
    return fit.bias + sum(float(np.interp(values[n], fit.knots[n], fit.beta[n])) for n in FEATURES)


def test_a_rung_that_never_matches_can_become_a_veto() -> None:
    # Another house number on the same road (address 0.15) is never the same incident, however alike
    # the rest; a penalty that grows with the data must not keep its rung from saying so.
    rows = _rows(30000, 4)
    vetoed = [dict(f, address=0.15, place=1.0, category=1.0, text=1.0) for f, _ in _rows(3000, 5)]
    rows += [(f, False) for f in vetoed]
    free = fit_logistic(rows, ridge=1e-3, ladder_ridge=1e-6)
    held = fit_logistic(rows, ridge=1e-3)
    worst_free = max(_logit(free, f) for f in vetoed)
    worst_held = max(_logit(held, f) for f in vetoed)
    assert worst_free < math.log(0.05 / 0.95)  # P(match) < 5 % for every one of them
    assert worst_free < worst_held - 1.0


def test_a_feature_left_out_gets_weight_zero_and_the_rest_is_still_fitted() -> None:
    rows = _rows(40000, 6)
    # channel and coverage play no part in the known model; without them it is still recovered.
    fit = fit_logistic(rows, ridge=1e-5, without=frozenset({"channel", "coverage"}))
    assert fit.weights["channel"] == 0.0 and fit.weights["coverage"] == 0.0
    assert fit.curve("channel") == [0.0, 0.0]
    # As probabilities (where the model says "almost never", a logit is loosely pinned by the data);
    # eleven knots on each of a dozen features leave a few points of sampling error.
    def p(logit: float) -> float:
        return 1 / (1 + math.exp(-logit))

    errors = [
        abs(p(_logit(fit, f)) - p(-6 + 5 * f["place"] + 3 * f["category"] + 2 * f["text"]))
        for f, _ in _rows(200, 7)
    ]
    assert sum(errors) / len(errors) < 0.02 and max(errors) < 0.08
    with pytest.raises(ValueError, match="unknown features"):
        fit_logistic(rows, without=frozenset({"colour"}))


@pytest.mark.parametrize(("argument", "value"), [("min_precision", 1.5), ("min_precision", float("nan")),
                                                 ("ridge", -1e-3), ("ladder_ridge", float("inf")),
                                                 ("ridge", True)])
def test_calibrate_refuses_a_bad_setting_before_generating_anything(argument: str, value: Any) -> None:
    with pytest.raises(ValueError, match=f"{argument}={value!r}"):
        calibrate(**{argument: value})
