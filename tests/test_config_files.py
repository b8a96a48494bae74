"""Configuration files: the bundled defaults load, and a broken file names the file and the problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import find

from routing_core import ConfigError, Engine, RulesError
from routing_core.gazetteer import default_gazetteer_path
from routing_core.match_params import default_match_path
from routing_core.rules import default_rules_path, load_rules
from routing_core.testing import addresses

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
