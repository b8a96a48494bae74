"""Bad input: every mistake is a routing_core exception naming the field, and the engine is unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from routing_core import (
    ConfigError,
    Engine,
    InvalidReportError,
    Limits,
    Report,
    RoutingCoreError,
    UnknownEventError,
)
from routing_core.errors import excerpt

GOOD: dict[str, Any] = {
    "id": "ok1",
    "text": "百丈东路168号路灯不亮",
    "address": "鄞州区百丈东路168号",
    "time": "2026-11-23T20:00:00+08:00",
    "source": "grid",
}

BAD_CASES = [
    pytest.param({k: v for k, v in GOOD.items() if k != "text"}, "text", id="missing-text"),
    pytest.param({k: v for k, v in GOOD.items() if k != "id"}, "id", id="missing-id"),
    pytest.param({k: v for k, v in GOOD.items() if k != "time"}, "time", id="missing-time"),
    pytest.param({**GOOD, "time": "yesterday evening"}, "time", id="unparsable-time"),
    pytest.param({**GOOD, "time": "2026-13-40T25:00:00"}, "time", id="impossible-date"),
    pytest.param({**GOOD, "time": 10**20}, "time", id="epoch-out-of-range"),
    pytest.param({**GOOD, "time": float("nan")}, "time", id="nan-time"),
    pytest.param({**GOOD, "time": True}, "time", id="bool-time"),
    pytest.param({**GOOD, "text": 42}, "text", id="int-text"),
    pytest.param({**GOOD, "text": ["路灯"]}, "text", id="list-text"),
    pytest.param({**GOOD, "address": {"road": "百丈东路"}}, "address", id="dict-address"),
    pytest.param({**GOOD, "text": b"\xff\xfe\xe8\xb7"}, "text", id="invalid-utf8-bytes"),
    pytest.param({**GOOD, "address": "百丈\ud800东路"}, "address", id="lone-surrogate"),
    pytest.param({**GOOD, "text": "路" * (10 * 1024 * 1024 // 3 + 1)}, "text", id="10MB-text"),
    pytest.param({**GOOD, "id": "x" * 1000}, "id", id="long-id"),
    pytest.param({**GOOD, "id": ""}, "id", id="empty-id"),
    pytest.param({**GOOD, "text": "   "}, "text", id="blank-text"),
    pytest.param({**GOOD, "source": "carrier-pigeon"}, "source", id="unknown-channel"),
    pytest.param({**GOOD, "category": "weather"}, "category", id="unknown-category"),
    pytest.param({**GOOD, "lat": "北纬29度"}, "lat", id="string-lat"),
    pytest.param({**GOOD, "lat": 29.87}, "lon", id="lat-without-lon"),
    pytest.param({**GOOD, "lat": 95.0, "lon": 121.5}, "lat", id="lat-out-of-range"),
    pytest.param({**GOOD, "lat": 29.8, "lon": float("inf")}, "lon", id="infinite-lon"),
    pytest.param({**GOOD, "colour": "red"}, "colour", id="unknown-field"),
    # Python prints no int of more than 4,300 digits, and no float holds 10**400: each was a bare
    # ValueError or OverflowError out of the conversion or its error message.
    pytest.param({**GOOD, "id": 10**5000}, "id", id="5000-digit-id"),
    pytest.param({**GOOD, "time": 10**5000}, "time", id="5000-digit-time"),
    pytest.param({**GOOD, "text": 10**5000}, "text", id="5000-digit-text"),
    pytest.param({**GOOD, "lat": 10**400, "lon": 121.5}, "lat", id="lat-beyond-a-float"),
]


@pytest.mark.parametrize(("report", "field"), BAD_CASES)
def test_bad_report_names_the_field_and_leaves_engine_unchanged(report: dict[str, Any], field: str) -> None:
    engine = Engine()
    with pytest.raises(InvalidReportError) as info:
        engine.submit(report)
    assert info.value.field == field
    assert f"'{field}'" in str(info.value)
    assert len(str(info.value)) < 400  # an excerpt, never the whole 10 MB
    assert engine.stats().reports == 0 and engine.stats().events == 0
    # Still usable: the good report goes through and opens the first event.
    d = engine.submit(GOOD)
    assert d.is_new and d.event_id == engine.event(d.event_id).id


def test_control_characters_in_text_are_tolerated_and_dropped() -> None:
    # Public channels paste anything; a NUL or a bell in the text is noise, not a reason to lose the report.
    d = Engine().submit({**GOOD, "text": "路灯\x00不\x07亮"})
    assert d.category == Engine().submit(GOOD).category


def test_not_a_report_at_all() -> None:
    engine = Engine()
    for value in (None, "路灯不亮", 42, ["a"]):
        with pytest.raises(InvalidReportError):
            engine.submit(value)  # type: ignore[arg-type]


def test_bad_report_in_batch_is_named_by_index_and_nothing_is_applied() -> None:
    engine = Engine()
    batch = [GOOD, {**GOOD, "id": "ok2"}, {**GOOD, "id": "bad", "time": "soon"}]
    with pytest.raises(InvalidReportError) as info:
        engine.submit_many(batch)
    assert info.value.field == "reports[2].time"
    assert engine.stats().reports == 0
    # A size error found by the core (not the Python checks) is also atomic for the batch.
    with pytest.raises(InvalidReportError) as info:
        engine.submit_many([GOOD, {**GOOD, "id": "big", "text": "灯" * 70_000}])
    assert info.value.field == "reports[1].text"
    assert engine.stats().reports == 0
    assert len(engine.submit_many(batch[:2])) == 2


def test_duplicate_id_with_other_content_is_rejected() -> None:
    # The same report twice is idempotent (tests/test_idempotency.py); the same id for two contents is not.
    engine = Engine()
    with pytest.raises(InvalidReportError) as info:
        engine.submit_many([GOOD, {**GOOD, "text": "另一件事"}])
    assert info.value.field == "reports[1].id"
    assert engine.stats().reports == 0
    first, again = engine.submit_many([GOOD, GOOD])
    assert (again.event_id, again.outcome) == (first.event_id, first.outcome)
    assert engine.stats().reports == 1


def test_size_limits_are_configurable() -> None:
    engine = Engine(limits=Limits(max_text_bytes=16))
    with pytest.raises(InvalidReportError, match="text"):
        engine.submit({**GOOD, "text": "路灯坏了很多天没人修"})  # 30 bytes
    assert Engine(limits=Limits(max_text_bytes=10 * 1024 * 1024)).submit({**GOOD, "text": "路灯" * 100_000}).is_new


@pytest.mark.parametrize("time", ["1795392900", " 1795392900.5", "-5"])
def test_epoch_seconds_in_a_string_are_refused_with_a_hint(time: str) -> None:
    # "20261123" is an ISO 8601 date, so digits in a string are never read as epoch seconds.
    with pytest.raises(InvalidReportError, match="epoch seconds are given as a number, not a string"):
        Engine().submit({**GOOD, "time": time})
    with pytest.raises(InvalidReportError, match=r"2026-11-23T08:15:00\+08:00\) or epoch seconds$"):
        Engine().submit({**GOOD, "time": "2026/11/23 08:15"})


NOT_A_CATEGORY = "not a category of the rules (22 codes"


@pytest.mark.parametrize(
    ("category", "hint"),
    [
        # Integrators send the Chinese label: the message gives its code.
        pytest.param("占道经营", "a category's label, not its code; its code is street_vending", id="label"),
        # A typo: the codes closest by Indel ratio (at least 0.6), the best first.
        pytest.param("street_vendor", f"{NOT_A_CATEGORY}; the closest: street_vending)", id="typo"),
        pytest.param("Sanitation", f"{NOT_A_CATEGORY}; the closest: sanitation, consultation)", id="capital"),
        pytest.param("noise", f"{NOT_A_CATEGORY})", id="nothing-close"),
        pytest.param("x" * 300, f"{NOT_A_CATEGORY})", id="too-long-to-be-a-code"),
    ],
)
def test_an_unknown_category_hint_is_named_with_what_it_may_have_meant(category: str, hint: str) -> None:
    with pytest.raises(InvalidReportError) as info:
        Engine().submit({**GOOD, "category": category})
    assert info.value.field == "category"
    assert str(info.value).startswith(f"field 'category': {hint} (value: ")


def test_report_dataclass_is_validated_too() -> None:
    with pytest.raises(InvalidReportError) as info:
        Engine().submit(Report(id="r", text="路灯不亮"))
    assert info.value.field == "time"


def test_all_errors_share_the_base_class() -> None:
    with pytest.raises(RoutingCoreError):
        Engine().submit({})
    with pytest.raises(RoutingCoreError):
        Engine().event("nope")


@pytest.mark.parametrize("explain", ["no", None, 1])
@pytest.mark.parametrize("batch", [False, True])
def test_explain_that_is_not_a_bool_is_named_and_nothing_is_applied(explain: Any, batch: bool) -> None:
    engine = Engine()
    with pytest.raises(InvalidReportError) as info:
        if batch:
            engine.submit_many([GOOD], explain=explain)
        else:
            engine.submit(GOOD, explain=explain)
    assert info.value.field == "explain" and repr(explain) in str(info.value)
    assert engine.stats().reports == 0


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        (dict(threads=-1), "threads"),
        (dict(threads=True), "threads"),
        (dict(threads=257), "threads"),
        (dict(limits=Limits(max_text_bytes=0)), "limits.max_text_bytes"),
        (dict(limits=Limits(max_id_bytes=True)), "limits.max_id_bytes"),
        # Beyond the core's size_t: pybind11's TypeError before.
        (dict(limits=Limits(max_text_bytes=2**64)), "limits.max_text_bytes"),
        # Not a path: os.fspath's TypeError, naming no argument, before.
        (dict(rules=123), "rules"),
        (dict(gazetteer=b"g.tsv"), "gazetteer"),
        (dict(match=1.5), "match"),
        # Not a Limits: an AttributeError before (and a falsy one was taken for the defaults).
        (dict(limits=3), "limits"),
        (dict(limits=0), "limits"),
        (dict(limits={"max_text_bytes": 5}), "limits"),
    ],
    ids=["threads-negative", "threads-bool", "threads-257", "limits-0", "limits-bool", "limits-2**64",
         "rules-int", "gazetteer-bytes", "match-float", "limits-int", "limits-int-0", "limits-dict"],
)
def test_engine_settings_that_cannot_be_used_are_named(kwargs: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{named}: expected") as info:
        Engine(**kwargs)
    if "." not in named:  # the value itself, as every message shows one
        assert str(info.value).endswith(f" {excerpt(kwargs[named])}")


@pytest.mark.parametrize("batch", [None, 5, 2.5])
def test_submit_many_of_something_not_iterable_is_named(batch: Any) -> None:
    # A bare TypeError ("'NoneType' object is not iterable") before.
    expected = r"^field 'reports': expected an iterable of reports or a pandas/pyarrow table, got"
    with pytest.raises(InvalidReportError, match=expected) as info:
        Engine().submit_many(batch)
    assert info.value.field == "reports"


@pytest.mark.parametrize("item", [None, 5, "r1"])
def test_a_batch_item_that_is_not_a_report_is_named_by_its_index(item: Any) -> None:
    # The field was "reports[1]." before, with the dot meant for a field name after it.
    engine = Engine()
    expected = r"^field 'reports\[1\]': expected a Report or a mapping, got"
    with pytest.raises(InvalidReportError, match=expected) as info:
        engine.submit_many([GOOD, item])
    assert info.value.field == "reports[1]"
    assert engine.stats().reports == 0


@pytest.mark.parametrize("single", ["r1", GOOD, Report(id="r", text="路灯不亮", time=1795392000)])
def test_submit_many_of_a_single_report_says_to_use_submit(single: Any) -> None:
    # A str or a dict is iterable: without the check, its characters or keys would be taken for reports.
    engine = Engine()
    with pytest.raises(InvalidReportError, match="got a single .*use submit"):
        engine.submit_many(single)
    assert engine.stats().reports == 0


@pytest.mark.parametrize(
    ("resolution", "problem"),
    [(5, "expected str, got int"), ("已处置\ud800", r"not encodable as UTF-8 \(index 3\)")],
)
def test_a_bad_resolution_is_named_and_the_event_stays_open(resolution: Any, problem: str) -> None:
    engine = Engine()
    event_id = engine.submit(GOOD).event_id
    with pytest.raises(InvalidReportError, match=problem) as info:
        engine.close(event_id, time="2026-11-23T21:00:00+08:00", resolution=resolution)
    assert info.value.field == "resolution"
    assert engine.event(event_id).status == "open"


def test_texts_to_classify_or_parse_must_be_utf8_strings() -> None:
    engine = Engine()
    with pytest.raises(InvalidReportError, match="'text': not encodable as UTF-8"):
        engine.classify("路灯\ud800")
    with pytest.raises(InvalidReportError, match="'address': expected str, got bytes"):
        engine.parse_address("百丈东路".encode())
    with pytest.raises(InvalidReportError, match="'channel': not encodable as UTF-8"):
        engine.classify("路灯不亮", channel="grid\udc80")


def test_numbers_too_long_to_print_are_named_wherever_they_are_passed() -> None:
    huge = 10**5000
    engine = Engine()
    with pytest.raises(InvalidReportError, match="'text': expected str, got int"):
        engine.classify(huge)  # type: ignore[arg-type]
    with pytest.raises(InvalidReportError, match="'explain': expected True or False"):
        engine.submit(GOOD, explain=huge)  # type: ignore[arg-type]
    with pytest.raises(InvalidReportError, match="'times'"):
        engine.submit_columns(ids=["a"], texts=["路灯"], addresses=[""], times=[huge], sources=["grid"])
    event_id = engine.submit(GOOD).event_id
    with pytest.raises(InvalidReportError, match="'resolution': expected str, got int"):
        engine.close(event_id, time="2026-11-23T21:00:00+08:00", resolution=huge)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="threads: .*an integer of 16,610 bits"):
        Engine(threads=huge)
    assert engine.stats().reports == 1 and engine.event(event_id).status == "open"


@pytest.mark.parametrize("event_id", [10**5000, "E0000\ud800", 123], ids=["5000-digits", "surrogate", "int"])
def test_an_id_that_names_no_event_is_unknown_whatever_it_is(event_id: Any) -> None:
    # str() of the first raised ValueError; the second cannot cross into C++ (a TypeError before).
    engine = Engine()
    engine.submit(GOOD)
    with pytest.raises(UnknownEventError):
        engine.event(event_id)
    with pytest.raises(UnknownEventError):
        engine.close(event_id, time="2026-11-23T21:00:00+08:00")
    assert engine.stats().open_events == 1
