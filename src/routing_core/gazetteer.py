"""Loading a gazetteer file (TSV) into the core.

File format (documented with the bundled Ningbo file in ``data/GAZETTEER_NOTICE.md``): ``#`` comment
lines, a header ``code level parent name short aliases``, then one unit per line, parents first;
``aliases`` is ``|``-separated.
"""

from __future__ import annotations

import csv
from pathlib import Path

from . import _core
from .errors import ConfigError

__all__ = ["CENTROID_COLUMNS", "GAZETTEER_COLUMNS", "default_gazetteer_path", "load_gazetteer"]

GAZETTEER_COLUMNS = ("code", "level", "parent", "name", "short", "aliases")
# Optional trailing columns: a unit's centroid (WGS84), used for reports with coordinates and no
# usable address; empty where unknown.
CENTROID_COLUMNS = ("lat", "lon")


def default_gazetteer_path() -> Path:
    return Path(__file__).parent / "data" / "gazetteer_ningbo.tsv"


def load_gazetteer(path: str | Path | None = None) -> _core.Gazetteer:
    """Load a gazetteer TSV; the bundled Ningbo gazetteer when ``path`` is None.

    Raises
    ------
    ConfigError
        Naming the file and line of a malformed row, a duplicate code or an unknown parent.
    """
    path = Path(path) if path is not None else default_gazetteer_path()
    gazetteer = _core.Gazetteer()
    cities = 0
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:  # a BOM (spreadsheet exports) is not data
            header_seen = False
            columns = len(GAZETTEER_COLUMNS)
            for lineno, line in enumerate(fh, start=1):
                if line.startswith("#") or not line.strip():
                    continue
                row = next(csv.reader([line.rstrip("\r\n")], delimiter="\t", quoting=csv.QUOTE_NONE))
                if not header_seen:
                    if tuple(row) not in (GAZETTEER_COLUMNS, GAZETTEER_COLUMNS + CENTROID_COLUMNS):
                        raise ConfigError(
                            f"{path}:{lineno}: expected the header {' '.join(GAZETTEER_COLUMNS)} "
                            f"[{' '.join(CENTROID_COLUMNS)}] (tab-separated)"
                        )
                    columns = len(row)
                    header_seen = True
                    continue
                if len(row) != columns:
                    raise ConfigError(f"{path}:{lineno}: expected {columns} columns, got {len(row)}")
                code, level, parent, name, short, aliases = row[:6]
                others = [short, *[a for a in aliases.split("|") if a]] if short else [a for a in aliases.split("|") if a]
                cities += level == "city"
                try:
                    index = gazetteer.add_unit(code, level, parent, name, others)
                    if columns == 8 and (row[6] or row[7]):
                        gazetteer.set_centroid(index, _float(row[6], "lat"), _float(row[7], "lon"))
                except (ConfigError, ValueError) as exc:
                    raise ConfigError(f"{path}:{lineno}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read gazetteer: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid UTF-8 at byte {exc.start}") from None
    if not header_seen:
        raise ConfigError(f"{path}: no header line; expected {' '.join(GAZETTEER_COLUMNS)}")
    if not cities:  # (the engine would refuse it, without naming the file)
        raise ConfigError(f"{path}: no city-level unit: the engine routes city-level events to one")
    gazetteer.build()
    return gazetteer


def _float(text: str, column: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"column {column}: {text!r} is not a number") from None
