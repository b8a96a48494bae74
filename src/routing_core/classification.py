"""The result of classifying a text alone (``Engine.classify``), without matching or routing."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Classification"]


@dataclass(frozen=True)
class Classification:
    category: str
    label: str
    confidence: float  # the winning category's share of all term weight found; 0 for the fallback
    evidence: tuple[str, ...]  # the terms found, in text order; ¬term for a negated one
