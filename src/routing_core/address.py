"""Parsed addresses: the typed result of routing_core.parse_address."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AdminUnit", "ParsedAddress"]


@dataclass(frozen=True)
class AdminUnit:
    """An administrative unit from the gazetteer."""

    code: str
    level: str
    name: str
    name_path: str


@dataclass(frozen=True)
class ParsedAddress:
    """A report address split into administrative units and finer components.

    Unit fields are None when the address does not name (or imply) that level; ``ambiguities`` lists
    names that fit several units, which the parser reports instead of guessing (the levels above
    that all candidates share are still given). ``grid`` is set only when the loaded gazetteer
    has grid rows (the bundled Ningbo file has none) and the address names one. ``lat``/``lon``
    are carried, not used for jurisdiction: no boundary or centroid data is bundled.
    """

    normalised: str
    province: AdminUnit | None
    city: AdminUnit | None
    county: AdminUnit | None
    town: AdminUnit | None
    community: AdminUnit | None
    road: str
    number: str
    compound: str
    building: str
    unit: str
    room: str
    remainder: str
    ambiguities: tuple[str, ...]
    confidence: float
    lat: float | None
    lon: float | None
    grid: AdminUnit | None = None
