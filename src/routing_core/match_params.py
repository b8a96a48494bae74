"""Loading the match parameters (weights, thresholds, time windows, lookup limits) from TOML."""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Any

from . import _core
from .errors import ConfigError
from .toml_file import read_toml

__all__ = [
    "FEATURES",
    "Contributions",
    "contributions",
    "default_match_path",
    "feature_value",
    "load_match_params",
]

_FLOATS = ("weight_address", "weight_text", "weight_category", "weight_time", "weight_place",
           "weight_place_category", "weight_place_text", "weight_coverage", "weight_address_category",
           "weight_proximity", "weight_channel", "weight_wording", "time_scale_hours", "proximity_scale_m",
           "duplicate_threshold", "review_threshold", "recurrence_threshold", "window_hours",
           "recurrence_days")
_LOOKUP = ("postings_per_key", "rare_shingles", "max_candidates", "max_scored", "max_closed")
_LOOKUP_LIMIT = _core.MAX_LOOKUP_LIMIT  # the core's own limit (MatchParams::validate), checked first here
# Feature name in explanations and [curves] -> (weight attribute, curve attribute, the candidate's
# attributes whose product is the feature).
FEATURES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "address": ("weight_address", "curve_address", ("address",)),
    "text": ("weight_text", "curve_text", ("text",)),
    "place": ("weight_place", "curve_place", ("place",)),
    "category": ("weight_category", "curve_category", ("category",)),
    "time": ("weight_time", "curve_time", ("recency",)),
    "place_category": ("weight_place_category", "curve_place_category", ("place", "category")),
    "place_text": ("weight_place_text", "curve_place_text", ("place", "text")),
    "coverage": ("weight_coverage", "curve_coverage", ("coverage",)),
    "address_category": ("weight_address_category", "curve_address_category", ("address", "category")),
    "proximity": ("weight_proximity", "curve_proximity", ("proximity",)),
    "channel": ("weight_channel", "curve_channel", ("channel",)),
    "wording": ("weight_wording", "curve_wording", ("wording",)),
}


def feature_value(name: str, candidate: Any) -> float:
    """The value of feature ``name`` for a candidate (anything with the CandidateScore attributes)."""
    value = 1.0
    for attr in FEATURES[name][2]:
        value *= float(getattr(candidate, attr))
    return value


def _interpolate(xs: tuple[float, ...], ys: tuple[float, ...], v: float) -> float:
    """The core's Curve in Python (its reference twin): piecewise linear, constant beyond the ends,
    the identity clamped to [0, 1] without knots."""
    if not xs:
        return min(1.0, max(0.0, v))
    if v <= xs[0]:
        return ys[0]
    if v >= xs[-1]:
        return ys[-1]
    k = bisect.bisect_right(xs, v)
    t = (v - xs[k - 1]) / (xs[k] - xs[k - 1])
    return ys[k - 1] + t * (ys[k] - ys[k - 1])


class Contributions:
    """Computes each feature's share of a candidate's score, weight · curve(feature) / Σ weights. They
    add up to the score.

    A call asks the core for all twelve at once (``MatchParams.contributions``: ~3 µs a candidate where
    the Python below takes ~9, and an explained decision has ~7 candidates). ``reference`` computes them
    in Python from a copy of the parameters: the same values to the bit (tests/test_match_params.py).
    """

    def __init__(self, params: _core.MatchParams) -> None:
        self._params = params
        self._names = tuple(FEATURES)
        total = sum(getattr(params, w) for w, _, _ in FEATURES.values())
        self._terms = [
            (name, getattr(params, w) / total, tuple(getattr(params, c).x), tuple(getattr(params, c).y),
             attrs)
            for name, (w, c, attrs) in FEATURES.items()
        ]

    def __call__(self, candidate: _core.CandidateScore) -> dict[str, float]:
        return dict(zip(self._names, self._params.contributions(candidate), strict=True))

    def reference(self, candidate: Any) -> dict[str, float]:
        """The same in Python, for anything with the CandidateScore attributes."""
        out = {}
        for name, weight, xs, ys, attrs in self._terms:
            v = float(getattr(candidate, attrs[0]))
            if len(attrs) > 1:
                v *= float(getattr(candidate, attrs[1]))
            out[name] = weight * _interpolate(xs, ys, v)
        return out


def contributions(params: _core.MatchParams, candidate: Any) -> dict[str, float]:
    """Each feature's share of a candidate's score: weight · curve(feature) / Σ weights. They add up to
    the score (the core computes the same sum). ``candidate``: anything with the CandidateScore
    attributes (computed in Python, as ``Contributions.reference``)."""
    return Contributions(params).reference(candidate)


def default_match_path() -> Path:
    return Path(__file__).parent / "data" / "match.toml"


def load_match_params(path: str | Path | None = None) -> _core.MatchParams:
    """Read ``[match]`` and ``[lookup]`` from a TOML file; the bundled defaults when ``path`` is None.

    Missing keys keep the core's defaults (a missing recurrence_threshold is the duplicate_threshold);
    unknown keys and wrong types raise ConfigError naming them.
    """
    path = Path(path) if path is not None else default_match_path()
    doc = read_toml(path, "match parameters")
    params = _core.MatchParams()
    curves = doc.get("curves", {})
    if not isinstance(curves, dict):
        raise ConfigError(f"{path}: curves: expected a table")
    for name, table in curves.items():
        if name not in FEATURES:
            raise ConfigError(
                f"{path}: curves.{name}: unknown feature; expected one of {', '.join(FEATURES)}"
            )
        if not isinstance(table, dict) or set(table) != {"x", "y"}:
            raise ConfigError(f"{path}: curves.{name}: expected a table with keys x and y")
        curve = getattr(params, FEATURES[name][1])
        for axis in ("x", "y"):
            values = table[axis]
            if not isinstance(values, list) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
            ):
                raise ConfigError(f"{path}: curves.{name}.{axis}: expected a list of numbers, got {values!r}")
            setattr(curve, axis, [float(v) for v in values])
    for section, names in (("match", _FLOATS), ("lookup", _LOOKUP)):
        table = doc.get(section, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {section}: expected a table")
        for key, value in table.items():
            if key not in names:
                raise ConfigError(f"{path}: {section}.{key}: unknown key; expected one of {', '.join(names)}")
            wanted = float if section == "match" else int
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (wanted is int and not isinstance(value, int)):
                raise ConfigError(f"{path}: {section}.{key}: expected a {wanted.__name__}, got {value!r}")
            if wanted is int and (value < 0 or (value == 0 and key not in ("max_scored", "max_closed"))):
                # max_scored 0: all of them; max_closed 0: closed events rank with the open ones
                raise ConfigError(f"{path}: {section}.{key}: must be positive, got {value}")
            if wanted is int and value > _LOOKUP_LIMIT:  # (past 2**64 the binding raised a bare TypeError)
                raise ConfigError(f"{path}: {section}.{key}: must be at most {_LOOKUP_LIMIT}, got {value}")
            setattr(params.lookup if section == "lookup" else params, key, wanted(value))
    if "recurrence_threshold" not in doc.get("match", {}):
        # A file from before the key (or one that does not care): a recurrence needs what a duplicate needs.
        params.recurrence_threshold = params.duplicate_threshold
    try:
        params.validate()  # ranges and consistency, checked by the core: named with the file here
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return params
