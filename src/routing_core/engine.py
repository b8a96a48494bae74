"""The Engine: the public entry point of routing_core."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _core
from .address import LEVELS, AdminUnit, ParsedAddress
from .classification import Classification
from .decision import Candidate, Decision
from .errors import ConfigError, InvalidReportError, StoreError, excerpt
from .event import Escalation, Event, EventStep
from .gazetteer import default_gazetteer_path, load_gazetteer
from .match_params import Contributions, default_match_path, load_match_params
from .report import Report, lone_surrogate_at, to_core_report
from .rules import LoadedRules, default_rules_path, load_rules
from .store import DEFAULT_SNAPSHOT_EVERY, Journal, RecoveryStats, Store, config_digest, open_store
from .tables import is_table, table_rows
from .times import TimeLike, from_epoch, to_epoch

if TYPE_CHECKING:
    from .columns import DecisionColumns

__all__ = ["Engine", "EngineStats", "Limits"]


@dataclass(frozen=True)
class Limits:
    """Input size limits in bytes (UTF-8); a report over a limit is rejected naming the field."""

    max_id_bytes: int = 128
    max_text_bytes: int = 64 * 1024
    max_address_bytes: int = 1024
    max_source_bytes: int = 64


@dataclass(frozen=True)
class EngineStats:
    events: int
    open_events: int
    reports: int
    index_bytes: int
    purged_events: int = 0  # can no longer match (closed past recurrence, or abandoned): match data dropped


# The Decision fields that the core decision's fields(names) returns under these names, in this order
# (python/module.cpp); the address, the candidates and the evidence are read when needed.
_CORE_DECISION_FIELDS = (
    "report_id", "event_id", "is_new", "duplicate_of", "recurrence_of", "needs_review", "review_event",
    "score", "category", "category_confidence", "category_from_hint", "platform", "co_platforms",
    "level", "unit", "unit_name", "deadline", "rules_fired", "rule_reasons",
)


class _OnFirstRead:
    """What an explained Decision makes from its core decision when first read: its candidates, its
    evidence and its parsed address (a lean one has none to make). One object for all: two lambdas
    and their closure cells were eight objects for the cyclic GC to track, and collecting them took 8
    of a Decision's 19 µs in a replay through ``submit_many`` (2.5 of 15 µs with this object; stop
    26)."""

    __slots__ = ("_core", "_engine")

    def __init__(self, engine: Engine, core: _core.Decision) -> None:
        self._engine = engine
        self._core = core

    def candidates(self) -> tuple[Candidate, ...]:
        return tuple(self._engine._candidate(c) for c in self._core.candidates)

    def field(self, name: str) -> Any:
        """The value of one of ``Decision``'s fields made on first read (see ``Decision._unchecked``)."""
        if name == "address":
            return self._engine._address(self._core.address)
        if name == "evidence":
            return tuple(self._core.evidence)
        raise AttributeError(name)


class Engine:
    """Fuses, classifies and routes reports; keeps the events.

    Parameters
    ----------
    rules : path, optional
        A rules file (TOML); the bundled Ningbo rules by default.
    store : path, URL or Store, optional
        A durable store: a file path (SQLite, WAL mode) or ``postgresql://...`` (needs the
        ``postgres`` extra). Every accepted report, close and escalation is journaled before the call
        returns; opening an existing store replays it, so the engine continues exactly where it
        stopped. See ``routing_core.store``.
    gazetteer : path, optional
        A gazetteer TSV; the bundled Ningbo gazetteer by default.
    match : path, optional
        Match parameters (TOML); the bundled defaults by default.
    limits : Limits, optional
        Input size limits.
    threads : int, default 1
        Worker threads for the stateless stages of a batch (validation, normalisation, address
        parsing, classification); in ``submit_many`` (explained decisions), when idle, they also
        score each report's shortlisted candidates with the matching thread. Matching and recording
        stay in report order, so decisions do not depend on it. 0 means one per CPU. With two or
        more, a thread of the process (``heap-prefault``) also faults in the heap's new pages
        between calls, which takes the ~6 ms first touch of a huge page out of single submits
        (README, "Huge pages").
    snapshot_dir : path, optional
        Where snapshots of the engine's state go (with a store only). Default: beside a SQLite
        database (``events.sqlite.snapshots/``); a PostgreSQL store takes snapshots only when given a
        directory. Opening a store loads the newest valid snapshot and replays only the journal after
        it, which keeps restarts short; a snapshot that does not check out is skipped with a
        ``SnapshotWarning`` (the journal alone always rebuilds the state). The two newest are kept.
    snapshot_every : int
        Journaled reports between two automatic snapshots (default 20,000; 0: only ``snapshot()``).
        Writing a snapshot pauses ``submit`` (and every other call) until it is written: about 2 s per
        100,000 events on the benchmark machine. A restart replays at most this many reports after
        the snapshot it loads (see benchmarks/RESULTS.md, "Restart").

    All methods are safe to call from several threads and release the GIL while the core works:
    validation, address parsing and classification of concurrent calls run in parallel, matching and
    recording are serialised (one lock), so each report sees the events of every report before it.
    """

    def __init__(
        self,
        rules: str | Path | None = None,
        store: str | Path | Store | None = None,
        *,
        gazetteer: str | Path | None = None,
        match: str | Path | None = None,
        limits: Limits | None = None,
        threads: int = 1,
        snapshot_dir: str | Path | None = None,
        snapshot_every: int = DEFAULT_SNAPSHOT_EVERY,
    ) -> None:
        paths = (("rules", rules), ("gazetteer", gazetteer), ("match", match), ("snapshot_dir", snapshot_dir))
        for name, path in paths:
            if path is not None and not isinstance(path, (str, os.PathLike)):
                raise ConfigError(
                    f"{name}: expected a file path (str or Path), got {type(path).__name__} {excerpt(path)}"
                )
        self._rules: LoadedRules = load_rules(rules)
        config = _core.EngineConfig()
        config.match = load_match_params(match)
        if limits is None:
            limits = Limits()
        elif not isinstance(limits, Limits):
            raise ConfigError(f"limits: expected a Limits, got {type(limits).__name__} {excerpt(limits)}")
        core_limits = _core.Limits()
        for name in ("max_id_bytes", "max_text_bytes", "max_address_bytes", "max_source_bytes"):
            value = getattr(limits, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
                raise ConfigError(f"limits.{name}: expected a positive int below 2**63, got {excerpt(value)}")
            setattr(core_limits, name, value)
        config.limits = core_limits
        config.sources = list(self._rules.channels)
        if isinstance(threads, bool) or not isinstance(threads, int) or not 0 <= threads <= 256:
            raise ConfigError(f"threads: expected an int in 0..256 (0: one per CPU), got {excerpt(threads)}")
        config.threads = threads
        self._config = config
        self._gazetteer = load_gazetteer(gazetteer)
        self._core = _core.Engine(self._gazetteer, self._rules.table, config)
        self._contributions = Contributions(config.match)  # after the core validated config.match
        self._tz = self._rules.timezone
        self._category_codes = tuple(self._core.category_code(i) for i in range(len(self._rules.category_labels)))
        self._platform_codes = tuple(self._core.platform_code(i) for i in range(len(self._rules.platform_labels)))
        self._units: dict[int, AdminUnit] = {}
        # A lean decision's address (no parse kept): made once, shared by all of them.
        self._no_address: ParsedAddress | None = None
        self._journal: Journal | None = None
        if store is not None:
            from . import __version__

            digest = config_digest(
                rules=Path(rules) if rules is not None else default_rules_path(),
                gazetteer=Path(gazetteer) if gazetteer is not None else default_gazetteer_path(),
                match=Path(match) if match is not None else default_match_path(),
                limits=[
                    getattr(core_limits, n)
                    for n in ("max_id_bytes", "max_text_bytes", "max_address_bytes", "max_source_bytes")
                ],
                version=__version__,
            )
            if isinstance(snapshot_every, bool) or not isinstance(snapshot_every, int) or snapshot_every < 0:
                raise ConfigError(f"snapshot_every: expected an int >= 0, got {excerpt(snapshot_every)}")
            opened = open_store(store)
            self._journal = Journal(
                opened,
                self._core,
                digest,
                new_core=lambda: _core.Engine(self._gazetteer, self._rules.table, config),
                snapshot_dir=Path(snapshot_dir) if snapshot_dir is not None else opened.snapshot_dir,
                snapshot_every=snapshot_every,
            )
            self._core = self._journal.core  # a fallback during recovery may have replaced it

    def empty_copy(self) -> Engine:
        """A new in-memory engine with this one's rules, gazetteer and parameters, no events and no store.

        Cheap (milliseconds: nothing is read from disk again); what property tests use for a clean
        engine per example.
        """
        new = object.__new__(Engine)
        new.__dict__.update(self.__dict__)
        new._core = _core.Engine(self._gazetteer, self._rules.table, self._config)
        new._journal = None  # never the original's store
        return new

    # -- submitting -----------------------------------------------------------------------------

    def submit(self, report: Report | Mapping[str, Any], *, explain: bool = True) -> Decision:
        """Fuse, classify and route one report.

        Parameters
        ----------
        explain
            False for the lean decision a re-sent report gets: the same event, outcome, score,
            category and routing, without candidates, evidence, rules fired or parsed address. The
            engine then scores only the candidates that can change the decision and builds no
            explanation strings, as ``submit_columns`` does: 28–30 % less time per call at 15k to 1M
            open events (README, "Measured").

        Raises
        ------
        InvalidReportError
            Naming the field and value; the engine is unchanged.
        """
        _check_explain(explain)
        core_report = to_core_report(report, self._tz)
        if self._journal is not None:
            decision = self._journal.submit(core_report, explain=explain)
        else:
            decision = self._core.submit(core_report, explain)
        return self._decision(decision, lean=not explain)

    def submit_many(
        self, reports: Iterable[Report | Mapping[str, Any]] | Any, *, explain: bool = True
    ) -> list[Decision]:
        """Submit a batch in order: a list/iterable of Report or dict, or a pandas/pyarrow table.

        The whole batch is validated before any report is applied: if one is bad, the error names it
        (``reports[i].field``) and nothing changes.

        Parameters
        ----------
        explain
            False for lean decisions, as ``submit(explain=False)`` gives them: the same events,
            outcomes, scores, categories and routing, without candidates, evidence, rules fired or
            parsed address, and made as ``submit_columns`` makes them (README, "Measured").
        """
        _check_explain(explain)
        if is_table(reports):  # a pandas DataFrame or a pyarrow Table
            reports = table_rows(reports)
        if isinstance(reports, (str, bytes, Mapping, Report)):
            raise InvalidReportError(
                "field 'reports': expected an iterable of reports, got a single "
                f"{type(reports).__name__}; use submit() for one report",
                "reports",
                type(reports).__name__,
            )
        try:
            iter(reports)
        except TypeError:
            raise InvalidReportError(
                "field 'reports': expected an iterable of reports or a pandas/pyarrow table, got "
                f"{type(reports).__name__}",
                "reports",
                excerpt(reports),
            ) from None
        return self._decisions(self._decide(self._core_reports(reports), explain), explain)

    def submit_columns(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        addresses: Sequence[str],
        times: Any,
        sources: Sequence[str],
        *,
        categories: Sequence[str] | None = None,
        lat: Any = None,
        lon: Any = None,
    ) -> DecisionColumns:
        """Submit a batch given as columns; answer with one numpy array per decision field.

        The throughput path: the same validation (errors name ``texts[i]``-style fields or
        ``reports[i].field``), idempotency and decisions as ``submit_many``, but no explanation and
        no Python object per report. ``times`` are seconds since the epoch (ints or an int64 array);
        ``categories`` optional category codes ("" for none); ``lat``/``lon`` optional float arrays
        with NaN for "no coordinates". With a store, reports are journaled as by ``submit_many``.
        """
        from .columns import DecisionColumns, ReportColumns

        ids = _column(ids, "ids")
        epoch = _epoch_column(times, "times")
        lat_column, lon_column = (
            None if c is None else _float_column(c, name) for c, name in ((lat, "lat"), (lon, "lon"))
        )
        reports = ReportColumns(
            ids, _column(texts, "texts"), _column(addresses, "addresses"), epoch, _column(sources, "sources"),
            None if categories is None else _column(categories, "categories"), lat_column, lon_column,
        )

        def decide() -> DecisionColumns:
            columns = self._core.submit_columns(*reports.core_args())
            return DecisionColumns(report_ids=ids, _engine=self, **columns)

        if self._journal is not None:
            # Decided and journaled under the journal's lock, the fresh reports in one transaction.
            return self._journal.submit_columns(reports, decide)
        return decide()

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self, event_id: str, time: TimeLike | None = None, resolution: str = "") -> Event:
        """Record that an event was handled; it stays matchable for recurrence for a while.

        ``time`` defaults to now.
        """
        when = to_epoch(datetime.now(self._tz) if time is None else time, "time", self._tz)
        _checked_text(resolution, "resolution")
        close = self._core.close if self._journal is None else self._journal.close
        return self._event(close(_event_key(event_id), when, resolution))

    def close_many(
        self,
        event_ids: Sequence[str],
        times: Any,
        resolution: str | Sequence[str] = "",
        *,
        skip_invalid: bool = False,
    ) -> Any:
        """Close many events at once: ``event_ids[i]`` at ``times[i]`` (seconds since the epoch, ints
        or an int64 array), with ``resolution`` (one str for all, or one per event).

        The batch form of :meth:`close` for a day's closes: one call into the core, under one lock,
        and no :class:`Event` built per row. Every row is checked first; a bad one (an unknown or
        closed event, an event named twice, a time before the event's latest step) raises
        :class:`InvalidReportError` or :class:`UnknownEventError` naming the row (``times[3]``), and
        nothing is closed. With ``skip_invalid=True`` the bad rows are passed over instead and the
        others closed. Returns a numpy bool array: which rows closed their event. With a store, the
        closings are journaled in one write.
        """
        ids = _column(event_ids, "event_ids")
        epoch = _epoch_column(times, "times")
        if isinstance(resolution, str):
            resolutions = [resolution]
        else:
            resolutions = _column(resolution, "resolution")
            if len(resolutions) != len(ids):
                raise InvalidReportError(
                    f"field 'resolution': {len(resolutions)} rows, expected {len(ids)} (one per event) "
                    "or a single str",
                    "resolution", excerpt(resolution, 60))
        if not isinstance(skip_invalid, bool):
            raise InvalidReportError(
                f"field 'skip_invalid': expected a bool, got {type(skip_invalid).__name__}", "skip_invalid",
                excerpt(skip_invalid, 60))
        close_many = self._core.close_many if self._journal is None else self._journal.close_many
        return close_many(ids, epoch, resolutions, skip_invalid)["closed"]

    def advance(self, now: TimeLike) -> list[Escalation]:
        """Escalate every open event overdue at ``now`` one level up (capped at city)."""
        advance = self._core.advance if self._journal is None else self._journal.advance
        escalations = advance(to_epoch(now, "now", self._tz))
        return [
            Escalation(
                event_id=e.event_id,
                from_level=e.from_level,
                to_level=e.to_level,
                unit=e.unit_code,
                unit_name=e.unit_name,
                time=from_epoch(e.time, self._tz),
                deadline=from_epoch(e.deadline, self._tz),
            )
            for e in escalations
        ]

    def event(self, event_id: str) -> Event:
        """The current state of an event; UnknownEventError for an unknown id."""
        return self._event(self._core.event(_event_key(event_id)))

    def stats(self) -> EngineStats:
        s = self._core.stats()
        return EngineStats(s.events, s.open_events, s.reports, s.index_bytes, s.purged_events)

    def memory(self) -> dict[str, int]:
        """The engine's memory in bytes, by part, and their ``total``.

        Counted from the sizes and capacities of what the core holds, without the allocator's own
        overhead (about 16 bytes an allocation) and without Python objects: ``events`` (every event's
        fixed part), ``histories`` (their steps and report lists), ``match_data`` (parsed addresses,
        texts and vocabularies of the events that can still match), ``reports`` (report ids and
        receipts for idempotent re-submission), ``index`` (the candidate index) and ``per_event`` (flat
        arrays by event, the deadline queue). Walks every event and posting list (3.7 ms at 27,000
        events), so not for every call.
        """
        return dict(self._core.memory())

    # -- store --------------------------------------------------------------------------------

    @property
    def store(self) -> Store | None:
        """The durable store, or None for an in-memory engine."""
        return None if self._journal is None else self._journal.store

    @property
    def recovery(self) -> RecoveryStats | None:
        """What opening the store replayed and how long it took, or None without a store."""
        return None if self._journal is None else self._journal.recovery

    def snapshot(self) -> Path:
        """Write a snapshot of the engine's state now; returns its path.

        Every call waits while it is written. Raises StoreError without a store or a snapshot directory.
        """
        if self._journal is None:
            raise StoreError("snapshot(): the engine has no store; snapshots belong to a store's journal")
        return self._journal.snapshot()

    def close_store(self) -> None:
        """Release the store; the engine then refuses changes (StoreError). Also ``with Engine(...)``."""
        if self._journal is not None:
            self._journal.close_store()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close_store()

    # -- inspection -----------------------------------------------------------------------------

    def classify(self, text: str, channel: str | None = None) -> Classification:
        """Classify a text (as if it came through ``channel``) with this engine's rules; no event is
        matched or changed."""
        checked = _checked_text(text, "text")
        if channel is not None and _checked_text(channel, "channel") not in self._rules.channels:
            raise InvalidReportError(
                f"field 'channel': {excerpt(channel)} is not a channel of the rules "
                f"({', '.join(self._rules.channels)})",
                "channel",
                excerpt(channel),
            )
        c = self._core.classify(checked, channel or "")
        code = self._core.category_code(c.category)
        return Classification(code, self._rules.category_labels[code], c.confidence, tuple(c.evidence))

    def parse_address(self, address: str) -> ParsedAddress:
        """Parse an address with this engine's gazetteer."""
        return self._address(self._core.parse_address(_checked_text(address, "address")))

    @property
    def rules(self) -> LoadedRules:
        return self._rules

    # -- conversions ----------------------------------------------------------------------------

    def _unit(self, index: int) -> AdminUnit | None:
        if index < 0:
            return None
        unit = self._units.get(index)
        if unit is None:
            code, level, name, path = self._core.unit_info(index)
            unit = self._units[index] = AdminUnit(code, level, name, path)
        return unit

    def _address(self, a: _core.Address) -> ParsedAddress:
        units = dict(zip(LEVELS, a.units, strict=True))
        return ParsedAddress(
            normalised=a.normalised,
            province=self._unit(units["province"]),
            city=self._unit(units["city"]),
            county=self._unit(units["county"]),
            town=self._unit(units["town"]),
            community=self._unit(units["community"]),
            road=a.road,
            number=a.number,
            compound=a.compound,
            building=a.building,
            unit=a.unit,
            room=a.room,
            remainder=a.remainder,
            ambiguities=tuple(a.ambiguities),
            confidence=a.confidence,
            lat=a.lat,
            lon=a.lon,
            grid=self._unit(units["grid"]),
            placed_by_coordinates=a.placed_by_coordinates,
        )

    def _candidate(self, c: _core.CandidateScore) -> Candidate:
        distance = c.distance_m
        return Candidate._unchecked({
            "event_id": c.event_id, "closed": c.closed, "score": c.score, "address": c.address,
            "text": c.text, "category": c.category, "hours_apart": c.hours_apart, "recency": c.recency,
            "contributions": self._contributions(c), "place": c.place, "coverage": c.coverage,
            "distance_m": distance if distance >= 0 else None, "proximity": c.proximity,
            "channel": c.channel, "wording": c.wording,
        })

    def _core_reports(self, reports: Iterable[Report | Mapping[str, Any]]) -> list[_core.Report]:
        """A batch's reports as the core takes them; an error names ``reports[i].field``."""
        return [to_core_report(r, self._tz, f"reports[{i}].") for i, r in enumerate(reports)]

    # submit_many's three stages, apart: converting (Python), deciding (the core, without the GIL) and
    # making Decision objects (Python). ``routing-core route`` runs the middle one on a thread of its own
    # while this one converts the next batch and makes the last one's decisions; ``rules diff`` gives
    # one conversion to two engines.

    def _decide(self, batch: list[_core.Report], explain: bool) -> list[_core.Decision]:
        """The core's decisions of a converted batch, journaled with a store; the GIL is released."""
        if self._journal is None:
            return self._core.submit_many(batch, explain)
        return self._journal.submit_many(batch, explain=explain)

    def _decisions(self, decided: list[_core.Decision], explain: bool) -> list[Decision]:
        return [self._decision(d, lean=not explain) for d in decided]

    def _decision(self, d: _core.Decision, *, lean: bool = False) -> Decision:
        fields: dict[str, Any] = d.fields(_CORE_DECISION_FIELDS)
        fields["category_label"] = self._rules.category_labels[fields["category"]]
        fields["deadline"] = from_epoch(fields["deadline"], self._tz)
        if lean:
            # Nothing to make later: no candidates, no evidence, and the empty address converted once
            # (5.7 of the 12.7 µs of a Decision otherwise). The core decision is let go at once.
            if self._no_address is None:
                self._no_address = self._address(d.address)
            fields["address"] = self._no_address
            fields["candidate_source"] = fields["evidence"] = ()
            return Decision._unchecked(fields)
        source = _OnFirstRead(self, d)
        fields["candidate_source"] = source.candidates
        # The rest on first read: an explained Decision's address was 7.5 of its 14.3 µs (stop 26).
        return Decision._unchecked(fields, source.field)

    def _event(self, v: _core.EventView) -> Event:
        return Event(
            id=v.id,
            report_ids=tuple(v.report_ids),
            sources=tuple(v.sources),
            status="open" if v.open else "closed",
            category=v.category,
            platform=v.platform,
            co_platforms=tuple(v.co_platforms),
            level=v.level,
            unit=v.unit_code,
            unit_name=v.unit_name,
            opened=from_epoch(v.opened, self._tz),
            last_report=from_epoch(v.last_report, self._tz),
            deadline=from_epoch(v.deadline, self._tz),
            closed=None if v.closed is None else from_epoch(v.closed, self._tz),
            resolution=v.resolution,
            recurrence_of=v.recurrence_of or None,
            history=tuple(
                EventStep(from_epoch(s.time, self._tz), s.kind, s.level, s.unit_code, s.rule, s.report_id)
                for s in v.history
            ),
        )


def _check_explain(explain: object) -> None:
    """Raises InvalidReportError unless ``explain`` is True or False (the binding would take None or 1
    silently)."""
    if not isinstance(explain, bool):
        raise InvalidReportError(
            f"field 'explain': expected True or False, got {excerpt(explain)}", "explain", excerpt(explain)
        )


def _column(value: object, field: str) -> list[Any]:
    """A column of submit_columns as a list; a single string or a non-sequence is named."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or not hasattr(value, "__iter__"):
        raise InvalidReportError(f"field {field!r}: expected a sequence (one value per report), got "
                                 f"{type(value).__name__}", field, excerpt(value, 60))
    return list(value)


def _epoch_column(value: object, field: str) -> Any:
    """A column of seconds since the epoch as an int64 array; anything else is named."""
    import numpy as np

    try:
        epoch = np.asarray(value)
        if epoch.ndim != 1 or (epoch.dtype.kind not in "iu" and epoch.size > 0):  # ([] is float64)
            raise TypeError
    except (TypeError, ValueError, OverflowError):
        raise InvalidReportError(
            f"field '{field}': expected a 1-d sequence of ints (seconds since the epoch)", field,
            excerpt(value, 60)) from None
    if epoch.dtype.kind == "u" and epoch.size > 0:  # astype would wrap 2**63 and up to negative times
        row = int(epoch.argmax())
        seconds = int(epoch[row])
        if seconds >= 2**63:
            raise InvalidReportError(f"field '{field}[{row}]': {seconds} is out of range for epoch seconds",
                                     f"{field}[{row}]", str(seconds))
    return epoch.astype(np.int64)


def _float_column(value: object, field: str) -> Any:
    import numpy as np

    try:
        column = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):  # (an int beyond any float)
        column = None
    if column is None or column.ndim != 1:
        raise InvalidReportError(f"field {field!r}: expected a 1-d sequence of numbers (NaN: none)", field,
                                 excerpt(value, 60))
    return column


def _event_key(event_id: object) -> str:
    """The event id as the core takes it: ``str(event_id)``, or, when that cannot be made or encoded
    (an int too long to print, a lone surrogate), the id's excerpt, which names no event: the core
    answers UnknownEventError with it."""
    try:
        key = str(event_id)
    except ValueError:  # Python prints no int of more than 4,300 digits
        return excerpt(event_id)
    return key if lone_surrogate_at(key) is None else excerpt(event_id)


def _checked_text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidReportError(
            f"field '{field}': expected str, got {type(value).__name__}", field, excerpt(value)
        )
    at = lone_surrogate_at(value)
    if at is not None:
        message = f"field '{field}': not encodable as UTF-8 (index {at})"
        raise InvalidReportError(message, field, excerpt(value))
    return value
