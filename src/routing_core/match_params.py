"""Loading the match parameters (weights, thresholds, time windows, lookup limits) from TOML."""

from __future__ import annotations

import tomllib
from pathlib import Path

from . import _core
from .errors import ConfigError

__all__ = ["FEATURES", "contributions", "default_match_path", "load_match_params"]

_FLOATS = ("weight_address", "weight_text", "weight_category", "weight_time", "weight_place", "time_scale_hours",
           "duplicate_threshold", "review_threshold", "window_hours", "recurrence_days")
_LOOKUP = ("postings_per_key", "rare_shingles", "max_candidates")
# Feature name in explanations and [curves] -> (weight attribute, curve attribute, CandidateScore attribute).
FEATURES = {
    "address": ("weight_address", "curve_address", "address"),
    "text": ("weight_text", "curve_text", "text"),
    "place": ("weight_place", "curve_place", "place"),
    "category": ("weight_category", "curve_category", "category"),
    "time": ("weight_time", "curve_time", "recency"),
}


def contributions(params: _core.MatchParams, candidate: _core.CandidateScore) -> dict[str, float]:
    """Each feature's share of a candidate's score: weight · curve(feature) / Σ weights. They add up to
    the score (the core computes the same sum)."""
    total = sum(getattr(params, w) for w, _, _ in FEATURES.values())
    return {
        name: getattr(params, w) * getattr(params, c)(getattr(candidate, f)) / total
        for name, (w, c, f) in FEATURES.items()
    }


def default_match_path() -> Path:
    return Path(__file__).parent / "data" / "match.toml"


def load_match_params(path: str | Path | None = None) -> _core.MatchParams:
    """Read ``[match]`` and ``[lookup]`` from a TOML file; the bundled defaults when ``path`` is None.

    Missing keys keep the core's defaults; unknown keys and wrong types raise ConfigError naming them.
    """
    path = Path(path) if path is not None else default_match_path()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot load match parameters: {exc}") from None
    params = _core.MatchParams()
    curves = doc.get("curves", {})
    if not isinstance(curves, dict):
        raise ConfigError(f"{path}: curves: expected a table")
    for name, table in curves.items():
        if name not in FEATURES:
            raise ConfigError(f"{path}: curves.{name}: unknown feature; expected one of {', '.join(FEATURES)}")
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
            if wanted is int and value <= 0:
                raise ConfigError(f"{path}: {section}.{key}: must be positive, got {value}")
            setattr(params.lookup if section == "lookup" else params, key, wanted(value))
    return params
