"""Configuration files: the bundled defaults load, and a broken file names the file and the problem."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from routing_core import ConfigError, Engine, RulesError
from routing_core.gazetteer import default_gazetteer_path
from routing_core.match_params import default_match_path
from routing_core.rules import default_rules_path, load_rules
from routing_core.testing import addresses, reports, rules_files

DEFAULT_RULES = default_rules_path().read_text(encoding="utf-8")


def test_bundled_rules_have_the_22_categories_and_4_platforms() -> None:
    rules = load_rules()
    assert len(rules.category_labels) == 22
    assert set(rules.platform_labels) == {"governance", "market", "enforcement", "services"}
    assert rules.category_labels["street_vending"] == "占道经营"


def _write(tmp_path: Path, text: str, name: str = "rules.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(lambda s: s.replace("town = 72", "town = \"three days\""), r"levels\.town", id="level-hours-type"),
        pytest.param(lambda s: s.replace('platform = "governance"', 'platform = "police"', 1), "police", id="unknown-platform"),
        pytest.param(lambda s: s.replace('level = "community"', 'level = "village"', 1), "village", id="unknown-level"),
        pytest.param(lambda s: s.replace('timezone = "+08:00"', 'timezone = "Mars/Olympus"'), "meta.timezone", id="bad-timezone"),
        pytest.param(lambda s: s.replace("[platforms]", "[platforms\n"), "TOML syntax error", id="toml-syntax"),
        pytest.param(lambda s: s.replace('code = "dispute"', 'code = "sanitation"'), "sanitation", id="duplicate-category"),
    ],
)
def test_broken_rules_file_names_file_and_path(tmp_path: Path, edit, expected: str) -> None:  # type: ignore[no-untyped-def]
    broken = edit(DEFAULT_RULES)
    assert broken != DEFAULT_RULES, "the edit must change the file"
    path = _write(tmp_path, broken)
    with pytest.raises(RulesError, match=expected) as info:
        Engine(rules=path)
    assert str(path) in str(info.value)


# Both TOML files, each through the engine's argument that takes it: (argument, what its messages call it).
TOML_FILES = [
    pytest.param("rules", "rules", id="rules"),
    pytest.param("match", "match parameters", id="match"),
]


def _engine_with(argument: str, path: Path) -> Engine:
    return Engine(rules=path) if argument == "rules" else Engine(match=path)


@pytest.mark.parametrize(("argument", "what"), TOML_FILES)
@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(None, "No such file or directory", id="missing"),
        pytest.param(b"\xff\xfe[meta]", "not valid UTF-8 at byte 0", id="not-utf8"),
        pytest.param(b"[meta\n", "TOML syntax error: ", id="syntax"),
        # tomllib recurses into nested arrays and inline tables: a RecursionError escaped before.
        pytest.param(b"a = " + b"[" * 100_000 + b"]" * 100_000, "TOML nested too deeply", id="nested-arrays"),
        pytest.param(
            b"a = " + b"{a = " * 30_000 + b"1" + b"}" * 30_000, "TOML nested too deeply", id="nested-tables"
        ),
        # Python refuses to convert an integer of more than 4,300 digits: a bare ValueError before.
        pytest.param(
            b"[meta]\nversion = " + b"1" * 5000, "TOML value refused: Exceeds the limit", id="huge-int"
        ),
    ],
)
def test_unreadable_toml_file_names_the_file_and_the_problem(
    tmp_path: Path, argument: str, what: str, content: bytes | None, problem: str
) -> None:
    path = tmp_path / "x.toml"
    if content is not None:
        path.write_bytes(content)
    error = RulesError if argument == "rules" else ConfigError
    with pytest.raises(error, match=re.escape(f"{path}: cannot load {what}: {problem}")):
        _engine_with(argument, path)


@pytest.mark.parametrize(("argument", "what"), TOML_FILES)
def test_toml_file_saved_with_a_byte_order_mark_loads(tmp_path: Path, argument: str, what: str) -> None:
    # Some Windows editors start a UTF-8 file with U+FEFF, which tomllib takes for a bad statement.
    source = default_rules_path() if argument == "rules" else default_match_path()
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    engine = _engine_with(argument, path)
    report = {
        "id": "r1",
        "text": "垃圾桶满了没人清理",
        "address": "宁波市鄞州区钟公庙街道",
        "time": "2026-05-01T09:00:00+08:00",
    }
    got, bundled = engine.submit(report), Engine().submit(report)
    assert (got.category, got.platform, got.level, got.unit, got.deadline) == (
        bundled.category,
        bundled.platform,
        bundled.level,
        bundled.unit,
        bundled.deadline,
    )


def test_broken_gazetteer_names_line(tmp_path: Path) -> None:
    header = "code\tlevel\tparent\tname\tshort\taliases\n"
    path = _write(tmp_path, header + "330200\tcity\t\t宁波市\t宁波\t\n330212\tcounty\t330200\t鄞州区\n", "g.tsv")
    with pytest.raises(ConfigError, match=r"g\.tsv:3"):
        Engine(gazetteer=path)
    orphan = _write(tmp_path, header + "330212\tcounty\t999999\t鄞州区\t鄞州\t\n", "orphan.tsv")
    with pytest.raises(ConfigError, match="999999"):
        Engine(gazetteer=orphan)
    blank = _write(tmp_path, header + "330200\tcity\t\t\u3000\t宁波\t\n", "blank.tsv")
    with pytest.raises(ConfigError, match=r"blank\.tsv:2: .*name '\u3000' is blank after normalisation"):
        Engine(gazetteer=blank)
    # Without a city-level unit the engine refused it without naming the file.
    no_city = _write(tmp_path, header + "330000\tprovince\t\t浙江省\t浙江\t\n", "no_city.tsv")
    with pytest.raises(ConfigError, match=r"no_city\.tsv: no city-level unit"):
        Engine(gazetteer=no_city)


def test_gazetteer_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    # A TSV exported from a spreadsheet often starts with U+FEFF: the header was "\ufeffcode" and refused.
    path = tmp_path / "bom.tsv"
    path.write_bytes(b"\xef\xbb\xbf" + default_gazetteer_path().read_bytes())
    report = {"id": "r1", "text": "路灯不亮", "address": "鄞州区钟公庙街道", "time": "2026-05-01T09:00:00+08:00"}
    assert Engine(gazetteer=path).submit(report).unit == Engine().submit(report).unit
    # The shipped strategies read a user's gazetteer too (a KeyError before).
    assert find(addresses(gazetteer=path), lambda a: "区" in a)


def test_match_params_reject_unknown_keys_and_types(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"match\.weight_colour"):
        Engine(match=_write(tmp_path, "[match]\nweight_colour = 1.0\n", "m.toml"))
    with pytest.raises(ConfigError, match=r"lookup\.max_candidates"):
        Engine(match=_write(tmp_path, "[lookup]\nmax_candidates = 0\n", "m2.toml"))


def test_unknown_store_scheme_is_refused_not_silently_ignored() -> None:
    with pytest.raises(ConfigError, match="store"):
        Engine(store="mysql://localhost/events")


# -- numbers and strings at the edges of what a rules file can hold --------------------------------

# A key's number: `town = 72`, `"信访" = 5.0`, `priority = -5`, and each number in `weekdays = [1, 2]`.
_NUMBER = re.compile(r"(?<=[=\[,] )-?\d+(?:\.\d+)?(?=\s*[,\]\n])")
# TOML numbers at and past the limits the loader states (hours: one second to ten years; weights: up
# to 1000; counts and priorities: the core's 32-bit integers), and those no limit should let through.
_EDGES = ("0", "-0.0", "-1", "1e-300", "0.0001", "0.000278", "87600", "87600.5", "1000", "1000.5", "1e300",
          "nan", "inf", "-inf", "2147483647", "2147483648", "-2147483649", "4294967295", "4294967296",
          "99999999999999999999")
# What is inside a basic string's quotes: codes, labels, terms, cues, channels, levels, time periods.
_STRING = re.compile(r'"([^"\\\n]*)"')
# Strings a rules file may hold by mistake: blank ones (spaces, U+3000, U+200B), TOML escapes of
# control characters, long ones, and other keys' names.
_STRING_EDGES = ("", " ", "\\u3000", "\\u200b", "\\u0000", "\\t", "，", "x" * 300, "垃圾" * 200,
                 "E00000001", "grid", "c0", "p0", "city", "\\U0001F600", "24:00-08:00")


def _with_edges(data: st.DataObject, text: str, places: re.Pattern[str], edges: tuple[str, ...]) -> str:
    """``text`` with one to three of the spans ``places`` finds (its group, if it has one) replaced by
    values drawn from ``edges``."""
    spans = [m.span(places.groups) for m in places.finditer(text)]
    assert spans, text
    chosen = data.draw(st.lists(st.sampled_from(spans), min_size=1, max_size=3, unique=True))
    for begin, end in sorted(chosen, reverse=True):
        text = text[:begin] + data.draw(st.sampled_from(edges)) + text[end:]
    return text


@pytest.mark.parametrize(
    ("edit", "path", "problem"),
    [
        pytest.param(("town = 72", "town = 1e300"), "levels.town", "from one second", id="level-hours-huge"),
        pytest.param(("town = 72", "town = 0.0001"), "levels.town", "from one second",
                     id="level-hours-no-time"),
        pytest.param(("deadline_hours = 2\n", "deadline_hours = 1e300\n"), r"severity\[0\]", "ten years",
                     id="rule-deadline-huge"),
        pytest.param(('"信访" = 5.0', '"信访" = 1e308'), "terms", "at most 1000", id="term-weight-huge"),
        pytest.param(("min_reports = 10", "min_reports = 99999999999999999999"),
                     r"rules\[0\] \(MANY-REPORTS\)", "from 0 to 4294967295", id="count-huge"),
        pytest.param(("priority = 10", "priority = 2147483648"), r"\(HOTLINE-WAGES\)\.priority",
                     "from -2147483648 to 2147483647", id="priority-huge"),
        pytest.param(("weekdays = [1, 2, 3, 4, 5]", "weekdays = [1, 99999999999]"), "calendar.weekdays",
                     "ISO weekdays", id="weekday-huge"),
    ],
)
def test_numbers_out_of_range_are_refused_naming_the_key(
    tmp_path: Path, edit: tuple[str, str], path: str, problem: str
) -> None:
    # Before, each of these loaded; a deadline in 1e300 hours then failed every report of its category
    # with OSError after the report was taken, weights of 1e308 gave a NaN confidence, and the counts
    # raised a bare TypeError from the binding.
    old, new = edit
    assert old in DEFAULT_RULES
    rules = _write(tmp_path, DEFAULT_RULES.replace(old, new, 1))
    with pytest.raises(RulesError, match=path) as info:
        Engine(rules=rules)
    assert problem in str(info.value)
    assert f"{path}: {path}" not in str(info.value)  # named once, not by the loader and the core


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        pytest.param(('"信访" = 5.0', '"\u3000" = 5.0'), r"categories\[\d+\] \(petition\)", id="category-term"),
        pytest.param(('"发生火灾", ', '"\u200b", '), r"severity\[0\] \(SEV-FIRE\)", id="severity-term"),
        pytest.param(('rules = ["没有", ', 'rules = [" ", '), r"negation\.rules", id="negation-cue"),
    ],
)
def test_blank_terms_and_cues_are_refused_naming_the_key(
    tmp_path: Path, edit: tuple[str, str], path: str
) -> None:
    # Nothing of them is left after normalisation: they loaded and were skipped without a word.
    old, new = edit
    assert old in DEFAULT_RULES
    with pytest.raises(RulesError, match=path + ".*is blank after normalisation"):
        Engine(rules=_write(tmp_path, DEFAULT_RULES.replace(old, new, 1)))


def test_hours_at_the_limits_load_and_route(tmp_path: Path) -> None:
    # One second (0.000278 h rounds to it) and ten years are the limits, both inclusive.
    text = DEFAULT_RULES.replace("city = 168", "city = 87600", 1)
    text = text.replace("deadline_hours = 2\n", "deadline_hours = 0.000278\n", 1)  # SEV-FIRE
    engine = Engine(rules=_write(tmp_path, text))
    d = engine.submit({"id": "r1", "text": "楼下着火了", "time": "2026-05-01T10:00:00+08:00", "source": "app"})
    assert "rule:SEV-FIRE" in d.rules_fired
    assert d.deadline.isoformat() == "2026-05-01T10:00:01+08:00"


@pytest.mark.property
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), text=rules_files(), strings=st.booleans())
def test_rules_file_with_edge_values_loads_and_routes_or_is_refused(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, text: str, strings: bool
) -> None:
    # (A blank term loaded and was skipped; reports() then drew texts of it alone, which submit refuses.)
    places, edges = (_STRING, _STRING_EDGES) if strings else (_NUMBER, _EDGES)
    text = _with_edges(data, text, places, edges)
    path = tmp_path_factory.mktemp("rules") / "rules.toml"
    path.write_text(text, encoding="utf-8")
    try:
        loaded = load_rules(path)
    except RulesError as exc:
        assert str(path) in str(exc)
        return
    engine = Engine(rules=path)
    batch = data.draw(st.lists(reports(rules=loaded), min_size=1, max_size=4, unique_by=lambda r: r["id"]))
    for report, d in zip(batch, engine.submit_many(batch), strict=True):
        assert math.isfinite(d.score) and 0.0 <= d.category_confidence <= 1.0, d
        assert d.deadline > datetime.fromisoformat(report["time"]), (report["time"], d.deadline)
    engine.advance(datetime(2028, 1, 1, tzinfo=UTC))


DEFAULT_MATCH = default_match_path().read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        # Before: the first report failed with "ValueError: vector::reserve", or the limits wrapped around.
        pytest.param(("max_candidates = 48", "max_candidates = 4611686018427387904"),
                     "lookup.max_candidates: must be at most 65536", id="limit-huge"),
        pytest.param(("max_closed = 32", "max_closed = 18446744073709551615"),
                     "lookup.max_closed: must be at most 65536", id="limit-wraps"),
        # Before: two weights of 1e308 summed to infinity, and every score was NaN.
        pytest.param(("weight_address = 0.269317", "weight_address = 1e308"),
                     "match.weight_address must be a non-negative number up to 1000000", id="weight-huge"),
    ],
)
def test_match_numbers_out_of_range_are_refused_naming_the_key(
    tmp_path: Path, edit: tuple[str, str], problem: str
) -> None:
    old, new = edit
    assert old in DEFAULT_MATCH
    path = _write(tmp_path, DEFAULT_MATCH.replace(old, new, 1), "match.toml")
    with pytest.raises(ConfigError, match=re.escape(f"{path}: {problem}")):
        Engine(match=path)


_MATCH_REPORTS = [  # two of them duplicates, so that candidates are scored
    {"id": f"r{i}", "text": text, "address": "宁波市海曙区南门街道", "time": f"2026-05-01T1{i}:00:00+08:00",
     "source": "app"}
    for i, text in enumerate(("垃圾没人清理", "垃圾没人清理啊", "路灯坏了", "垃圾没人清理"))
]


@pytest.mark.property
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_match_file_with_edge_numbers_loads_and_matches_or_is_refused(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    text = _with_edges(data, DEFAULT_MATCH, _NUMBER, _EDGES)
    path = _write(tmp_path_factory.mktemp("match"), text, "match.toml")
    try:
        engine = Engine(match=path)
    except ConfigError as exc:
        assert str(path) in str(exc), exc
        return
    for d in engine.submit_many(_MATCH_REPORTS):
        assert math.isfinite(d.score), d
    engine.advance(datetime(2027, 1, 1, tzinfo=UTC))
