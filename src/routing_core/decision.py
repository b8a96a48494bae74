"""Decision and Candidate: what the engine answers for each report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .address import ParsedAddress

__all__ = ["Candidate", "Decision"]


@dataclass(frozen=True)
class Candidate:
    """One candidate event scored against a report, with every feature of the score.

    ``contributions`` gives each feature's weighted share of ``score`` (they add up to it): its weight
    times its calibrated curve value over the sum of weights (``data/match.toml``). ``place`` is how much
    of one side's address string the other side names, in its address or its text.
    """

    event_id: str
    closed: bool
    score: float
    address: float
    text: float
    category: float
    hours_apart: float
    recency: float
    contributions: dict[str, float]
    place: float = 0.0
    coverage: float = 0.0
    distance_m: float | None = None  # between the GPS positions, None unless both have one
    proximity: float = 0.0  # the distance's feature: 0 without positions, 1 at the same spot
    channel: float = 0.0  # 1 when the event already has a report from the report's channel
    wording: float = 0.0  # Indel ratio 2·LCS/(|a|+|b|) of the report's and the event's first wording


@dataclass(frozen=True)
class Decision:
    """The engine's answer for one report: which event it belongs to and where that event goes."""

    report_id: str
    event_id: str
    is_new: bool
    duplicate_of: str | None
    recurrence_of: str | None
    needs_review: bool
    review_event: str | None
    score: float
    category: str
    category_label: str
    category_confidence: float
    category_from_hint: bool
    evidence: tuple[str, ...]
    platform: str
    co_platforms: tuple[str, ...]
    level: str
    unit: str
    unit_name: str
    deadline: datetime
    address: ParsedAddress
    # The scored candidates, best first (see ``candidates``): a tuple, or a function that makes it,
    # called once on first access (converting every candidate's features costs more than the
    # engine's whole decision, and most callers never look).
    candidate_source: tuple[Candidate, ...] | Callable[[], tuple[Candidate, ...]] = field(repr=False, compare=False)
    rules_fired: tuple[str, ...] = ()
    rule_reasons: tuple[str, ...] = ()  # why each of rules_fired fired, same order

    @classmethod
    def _unchecked(
        cls, fields: dict[str, Any], address_source: Callable[[], ParsedAddress] | None = None
    ) -> Decision:
        """The engine's constructor: every field by name, set without the frozen dataclass's
        ``__init__``, which sets each through ``object.__setattr__`` (3 of the 7 µs of turning one core
        decision into a Decision). The caller passes every field, but ``address`` may come from
        ``address_source`` instead, called on first access (making the ParsedAddress was half the cost
        of a Decision, and a replay never reads it). tests/test_decision.py checks the result against
        the constructor's."""
        decision = object.__new__(cls)
        object.__setattr__(decision, "__dict__", fields)  # taken, not copied: the caller made it for this
        if address_source is not None:
            decision.__dict__["_address_source"] = address_source
        return decision

    if not TYPE_CHECKING:  # (hidden from type checkers, which would take every attribute for Any)

        def __getattr__(self, name: str) -> Any:
            # Called for attributes not set, hence only once for a lazy address: made, then set.
            # (Concurrent first reads may both make it: equal values, either kept.)
            if name == "address":
                source = self.__dict__.get("_address_source")
                if source is not None:
                    address = source()
                    self.__dict__["address"] = address
                    self.__dict__.pop("_address_source", None)
                    return address
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        """The scored candidate events, best first, each with every feature and its contribution."""
        source = self.candidate_source
        if callable(source):
            source = source()
            object.__setattr__(self, "candidate_source", source)
        return source

    def explain(self) -> dict[str, Any]:
        """Why the engine decided this: parsed address, scored candidates, classification, rules fired.

        Returns a plain dict (JSON-serialisable apart from nothing: times are ISO strings).
        """
        return {
            "report_id": self.report_id,
            "event_id": self.event_id,
            "outcome": self.outcome,
            "address": asdict(self.address),
            "classification": {
                "category": self.category,
                "label": self.category_label,
                "confidence": self.category_confidence,
                "from_hint": self.category_from_hint,
                "evidence": list(self.evidence),
            },
            "candidates": [asdict(c) for c in self.candidates],
            "routing": {
                "platform": self.platform,
                "co_platforms": list(self.co_platforms),
                "level": self.level,
                "unit": self.unit,
                "unit_name": self.unit_name,
                "deadline": self.deadline.isoformat(),
            },
            "rules_fired": [
                {"rule": rule, "why": why}
                for rule, why in zip(self.rules_fired, self.rule_reasons or ("",) * len(self.rules_fired), strict=True)
            ],
        }

    @property
    def outcome(self) -> str:
        """``duplicate``, ``recurrence``, ``review`` (new, but close to an event) or ``new``."""
        if self.duplicate_of:
            return "duplicate"
        if self.recurrence_of:
            return "recurrence"
        return "review" if self.needs_review else "new"

    def to_dict(self) -> dict[str, Any]:
        """The decision as one JSON-ready record (what ``routing-core route`` writes per line)."""
        return {
            "report_id": self.report_id,
            "event_id": self.event_id,
            "outcome": self.outcome,
            "is_new": self.is_new,
            "duplicate_of": self.duplicate_of,
            "recurrence_of": self.recurrence_of,
            "needs_review": self.needs_review,
            "review_event": self.review_event,
            "score": round(self.score, 4),
            "category": self.category,
            "category_confidence": round(self.category_confidence, 4),
            "platform": self.platform,
            "co_platforms": list(self.co_platforms),
            "level": self.level,
            "unit": self.unit,
            "unit_name": self.unit_name,
            "deadline": self.deadline.isoformat(),
        }
