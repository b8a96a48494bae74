"""Loading the match parameters (weights, thresholds, time windows, lookup limits) from TOML."""

from __future__ import annotations

import tomllib
from pathlib import Path

from . import _core
from .errors import ConfigError

__all__ = ["default_match_path", "load_match_params"]

_FLOATS = ("weight_address", "weight_text", "weight_category", "weight_time", "time_scale_hours",
           "duplicate_threshold", "review_threshold", "window_hours", "recurrence_days")
_LOOKUP = ("postings_per_key", "rare_shingles", "max_candidates")


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
    for section, names in (("match", _FLOATS), ("lookup", _LOOKUP)):
        table = doc.get(section, {})
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
