"""Parsed addresses: the typed result of routing_core.parse_address."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LEVELS", "AdminUnit", "ParsedAddress"]

#: Administrative levels, finest first, as the gazetteer and the rules name them.
LEVELS = ("grid", "community", "town", "county", "city", "province")


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

    def unit_at(self, level: str) -> AdminUnit | None:
        """The unit that handles events at ``level`` for this address, or None when unknown.

        Raises
        ------
        ValueError
            For a level that is not one of ``LEVELS``.
        """
        if level not in LEVELS:
            raise ValueError(f"level {level!r}: expected one of {', '.join(LEVELS)}")
        unit: AdminUnit | None = getattr(self, level)
        return unit

    @property
    def jurisdiction(self) -> dict[str, AdminUnit]:
        """The handling unit per level that the address states or implies, finest first."""
        return {level: unit for level in LEVELS if (unit := getattr(self, level)) is not None}

    @property
    def finest_unit(self) -> AdminUnit | None:
        """The finest unit known (the community, else the town, ...), or None."""
        return next(iter(self.jurisdiction.values()), None)
