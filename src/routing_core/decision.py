"""Decision and Candidate: what the engine answers for each report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from .address import ParsedAddress
from .plain_values import as_plain

__all__ = ["Candidate", "Decision"]

# The fields of an engine's Decision that it may make on their first read (Decision._unchecked). None
# may have a default: a class attribute would answer the read before __getattr__ is asked.
_MADE_ON_READ = frozenset({"address", "evidence"})


_T = TypeVar("_T")


def _with_fields(cls: type[_T], fields: dict[str, Any]) -> _T:
    """An instance of a frozen dataclass whose ``__dict__`` is ``fields``, taken, not copied, without the
    dataclass's ``__init__`` (which sets each field through ``object.__setattr__``): the engine's way to
    make its Decisions and Candidates. tests/test_decision.py checks both against their constructors."""
    instance = object.__new__(cls)
    object.__setattr__(instance, "__dict__", fields)
    return instance


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

    @classmethod
    def _unchecked(cls, fields: dict[str, Any]) -> Candidate:
        """The engine's constructor: every field by name (the frozen ``__init__`` of these 15 fields takes
        2.3 µs, this 1.1)."""
        return _with_fields(cls, fields)


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
    def _unchecked(cls, fields: dict[str, Any], later: Callable[[str], Any] | None = None) -> Decision:
        """The engine's constructor: the fields by name (the frozen ``__init__`` was 3 of the 7 µs of
        turning one core decision into a Decision). The caller passes every field but those of
        ``_MADE_ON_READ`` it leaves to ``later(name)``, called on the field's first read (an explained
        Decision's address was half its cost, and a replay never reads it)."""
        decision = _with_fields(cls, fields)
        if later is not None:
            fields["_later"] = later
        return decision

    if not TYPE_CHECKING:  # (hidden from type checkers, which would take every attribute for Any)

        def __getattr__(self, name: str) -> Any:
            # Called for attributes not set, hence once for each field made on first read: made, then
            # set, and the maker dropped once all are. (Concurrent first reads may both make a field:
            # equal values, either kept.)
            if name in _MADE_ON_READ:
                state = self.__dict__
                later = state.get("_later")
                if later is None:  # another thread made it since this read began, and dropped the maker
                    if name in state:
                        return state[name]
                else:
                    value = later(name)
                    state[name] = value
                    if all(made in state for made in _MADE_ON_READ):
                        state.pop("_later", None)
                    return value
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
            "address": as_plain(self.address),
            "classification": {
                "category": self.category,
                "label": self.category_label,
                "confidence": self.category_confidence,
                "from_hint": self.category_from_hint,
                "evidence": list(self.evidence),
            },
            "candidates": [as_plain(c) for c in self.candidates],
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
