"""The command line's --rules, --gazetteer and --match files reach every engine a command makes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import routing_core.calibrate
import routing_core.engine
import routing_core.rules_audit
import routing_core.rules_diff
import routing_core.shards
from routing_core.cli import main
from routing_core.rules import default_rules_path

# A city the bundled gazetteer does not know: 台州市椒江区海门街道东山社区.
TAIZHOU = (
    "code\tlevel\tparent\tname\tshort\taliases\n"
    "330000\tprovince\t\t浙江省\t浙江\t\n"
    "331000\tcity\t330000\t台州市\t台州\t\n"
    "331002\tcounty\t331000\t椒江区\t椒江\t\n"
    "331002001\ttown\t331002\t海门街道\t海门\t\n"
    "331002001001\tcommunity\t331002001\t东山社区\t东山\t\n"
)
REPORTS = [
    {"id": "t1", "text": "东山社区路灯不亮", "address": "台州市椒江区海门街道东山社区",
     "time": "2026-11-23T20:00:00+08:00", "source": "grid"},
    {"id": "t2", "text": "东山社区路灯不亮了", "address": "台州市椒江区海门街道东山社区",
     "time": "2026-11-23T20:10:00+08:00", "source": "hotline"},
]


def _reports_file(tmp_path: Path) -> Path:
    path = tmp_path / "reports.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in REPORTS), encoding="utf-8")
    return path


def _route(tmp_path: Path, *options: str) -> list[dict[str, Any]]:
    out = tmp_path / "out.jsonl"
    assert main([*options, "route", str(_reports_file(tmp_path)), "-o", str(out)]) == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_route_and_parse_address_resolve_with_the_gazetteer_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gazetteer = tmp_path / "taizhou.tsv"
    gazetteer.write_text(TAIZHOU, encoding="utf-8")
    # A street lamp is the town's (its default level): 海门街道 of 椒江区.
    routed = _route(tmp_path, "--gazetteer", str(gazetteer))
    assert {(d["unit"], d["unit_name"]) for d in routed} == {("331002001", "椒江区海门街道")}
    assert {d["unit"] for d in _route(tmp_path)} != {"331002001"}  # Ningbo's gazetteer has no 台州市
    capsys.readouterr()
    assert main(["--gazetteer", str(gazetteer), "parse-address", "椒江区海门街道东山社区12号"]) == 0
    parsed = json.loads(capsys.readouterr().out)
    assert [parsed[level]["code"] for level in ("county", "town", "community")] == [
        "331002",
        "331002001",
        "331002001001",
    ]


def test_route_decides_with_the_match_parameters_given(tmp_path: Path) -> None:
    # Both reports are about one street lamp: the bundled parameters merge them; a file whose
    # thresholds no score reaches keeps them apart.
    assert len({d["event_id"] for d in _route(tmp_path)}) == 1
    strict = tmp_path / "strict.toml"
    strict.write_text(
        "[match]\nduplicate_threshold = 1.0\nreview_threshold = 1.0\nrecurrence_threshold = 1.0\n",
        encoding="utf-8",
    )
    assert len({d["event_id"] for d in _route(tmp_path, "--match", str(strict))}) == 2


@pytest.fixture
def engine_settings(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every engine a command makes records its arguments, then runs on the bundled files (the files
    named on the command line need not exist)."""
    made: list[dict[str, Any]] = []
    real = routing_core.engine.Engine

    def recording(**settings: Any) -> routing_core.engine.Engine:
        made.append(settings)
        return real(threads=settings.get("threads", 1))

    for module in (routing_core.engine, routing_core.calibrate, routing_core.rules_audit,
                   routing_core.rules_diff, routing_core.shards):
        monkeypatch.setattr(module, "Engine", recording)
    return made


FILES = ["--rules", "R.toml", "--gazetteer", "G.tsv", "--match", "M.toml"]


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["demo"], id="demo"),
        pytest.param(["parse-address", "鄞州区百丈东路168号"], id="parse-address"),
        pytest.param(["route", "{reports}"], id="route"),
        pytest.param(
            ["rules", "diff", "{rules}", "{rules}", "--reports", "{reports}", "--quiet"], id="rules-diff"
        ),
        pytest.param(["rules", "accuracy", "{labelled}"], id="rules-accuracy"),
        pytest.param(
            ["bench", "--days", "1", "--per-day", "30", "--quiet", "--shards", "1", "--shard-days", "1"],
            id="bench",
        ),
        pytest.param(["evaluate", "--days", "1", "--per-day", "30", "--no-peers", "--quiet"], id="evaluate"),
    ],
)
def test_every_engine_of_a_command_loads_the_files_given(
    tmp_path: Path, engine_settings: list[dict[str, Any]], command: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    labelled = tmp_path / "labelled.tsv"
    labelled.write_text("text\tcategory\n路灯不亮\tmunicipal_facilities\n", encoding="utf-8")
    paths = {
        "reports": str(_reports_file(tmp_path)),
        "rules": str(default_rules_path()),
        "labelled": str(labelled),
    }
    assert main([*FILES, *(part.format(**paths) for part in command)]) == 0
    assert engine_settings, "the command made no engine"
    expected = {"rules": "R.toml", "gazetteer": "G.tsv", "match": "M.toml"}
    if command[:2] == ["rules", "diff"]:
        expected["rules"] = paths["rules"]  # its two files are its arguments
    for settings in engine_settings:
        assert {k: str(settings.get(k)) for k in expected} == expected, settings


def test_rules_check_lints_with_the_gazetteer_given(engine_settings: list[dict[str, Any]]) -> None:
    # (on the file it checks: match parameters do not decide whether a rule can fire)
    checked = str(default_rules_path())
    assert main([*FILES, "rules", "check", checked]) == 0
    assert engine_settings
    assert all((str(s["rules"]), s["gazetteer"]) == (checked, "G.tsv") for s in engine_settings)


def test_calibrate_loads_the_rules_and_gazetteer_given_and_refuses_a_match_file(
    tmp_path: Path, engine_settings: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fitted.toml"
    fast = ["--days", "1", "--per-day", "40", "--recurrence-days", "0"]
    assert main(["--rules", "R.toml", "--gazetteer", "G.tsv", "calibrate", "-o", str(out), *fast]) == 0
    assert engine_settings
    assert all((s["rules"], s["gazetteer"]) == ("R.toml", "G.tsv") for s in engine_settings)
    assert main(["--match", "M.toml", "calibrate", "-o", str(out), *fast]) == 2
    assert "--match does not apply" in capsys.readouterr().err


def test_evaluate_takes_its_own_match_option_before_the_top_level_one(
    engine_settings: list[dict[str, Any]]
) -> None:
    quick = ["--days", "1", "--per-day", "30", "--no-peers", "--quiet"]
    main(["--match", "TOP.toml", "evaluate", *quick, "--match", "OWN.toml"])
    main(["--match", "TOP.toml", "evaluate", *quick])
    assert [s["match"] for s in engine_settings] == ["OWN.toml", "TOP.toml"]
