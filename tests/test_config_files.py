"""Configuration files: the bundled defaults load, and a broken file names the file and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing_core import ConfigError, Engine, RulesError
from routing_core.rules import default_rules_path, load_rules

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


def test_missing_and_binary_rules_files(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "nope.toml")
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe[meta]")
    with pytest.raises(RulesError, match="UTF-8"):
        load_rules(binary)


@pytest.mark.parametrize("nested", ["[" * 100_000 + "]" * 100_000, "{a = " * 30_000 + "1" + "}" * 30_000])
def test_toml_nested_thousands_deep_is_a_rules_or_config_error(tmp_path: Path, nested: str) -> None:
    # tomllib recurses into nested arrays and inline tables: a RecursionError escaped before.
    path = _write(tmp_path, f"a = {nested}\n", "deep.toml")
    with pytest.raises(RulesError, match=r"deep\.toml: TOML nested too deeply"):
        Engine(rules=path)
    with pytest.raises(ConfigError, match=r"deep\.toml: cannot load match parameters: TOML nested too"):
        Engine(match=path)


def test_toml_integer_of_5000_digits_is_a_rules_or_config_error(tmp_path: Path) -> None:
    path = _write(tmp_path, '[meta]\nname = "x"\nversion = ' + "1" * 5000 + "\n", "big.toml")
    with pytest.raises(RulesError, match=r"big\.toml: TOML value refused: Exceeds the limit"):
        Engine(rules=path)
    with pytest.raises(ConfigError, match=r"big\.toml: cannot load match parameters: Exceeds the limit"):
        Engine(match=path)


def test_broken_gazetteer_names_line(tmp_path: Path) -> None:
    header = "code\tlevel\tparent\tname\tshort\taliases\n"
    path = _write(tmp_path, header + "330200\tcity\t\t宁波市\t宁波\t\n330212\tcounty\t330200\t鄞州区\n", "g.tsv")
    with pytest.raises(ConfigError, match=r"g\.tsv:3"):
        Engine(gazetteer=path)
    orphan = _write(tmp_path, header + "330212\tcounty\t999999\t鄞州区\t鄞州\t\n", "orphan.tsv")
    with pytest.raises(ConfigError, match="999999"):
        Engine(gazetteer=orphan)


def test_match_params_reject_unknown_keys_and_types(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"match\.weight_colour"):
        Engine(match=_write(tmp_path, "[match]\nweight_colour = 1.0\n", "m.toml"))
    with pytest.raises(ConfigError, match=r"lookup\.max_candidates"):
        Engine(match=_write(tmp_path, "[lookup]\nmax_candidates = 0\n", "m2.toml"))


def test_unknown_store_scheme_is_refused_not_silently_ignored() -> None:
    with pytest.raises(ConfigError, match="store"):
        Engine(store="mysql://localhost/events")
