"""routing-core rules check / rules diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from routing_core.cli import main
from routing_core.rules import default_rules_path

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "routing_core" / "data" / "sample_reports.jsonl"


def test_check_prints_summary_of_bundled_rules(capsys: pytest.CaptureFixture[str]) -> None:
    # (on a day of 2026 before November: the bundled calendar lists 2026's holidays alone)
    assert main(["rules", "check", str(default_rules_path()), "--on", "2026-06-01"]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "categories 22" in out and "SEV-FIRE" in out
    assert "0 warning(s)" in out


@pytest.mark.parametrize(
    ("on", "unlisted"),
    [
        ("2026-10-31", []),
        ("2026-11-01", [2027]),  # the next year's schedule is published in November
        ("2027-03-01", [2027]),
        ("2025-12-01", [2025]),  # 2026 is listed
    ],
)
def test_check_warns_of_a_year_the_working_calendar_does_not_list(
    on: str, unlisted: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rules", "check", str(default_rules_path()), "--on", on]) == 0
    warnings = [line for line in capsys.readouterr().out.splitlines() if "warning: calendar:" in line]
    assert warnings == [
        f"  warning: calendar: no holidays or 调休 workdays listed for {year} (listed: 2026): "
        f"the working-time deadlines of consultation would count every weekday of {year} as a working "
        f"day; add {year}'s schedule to [calendar]"
        for year in unlisted
    ]


def test_check_says_nothing_of_the_calendar_when_no_deadline_counts_working_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = default_rules_path().read_text(encoding="utf-8")
    calendar_only = tmp_path / "calendar_only.toml"
    calendar_only.write_text(text.replace('deadline_clock = "working"\n', ""), encoding="utf-8")
    assert main(["rules", "check", str(calendar_only), "--on", "2030-01-01"]) == 0
    assert "calendar:" not in capsys.readouterr().out


def test_check_names_the_problem_of_a_broken_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(default_rules_path().read_text(encoding="utf-8").replace("town = 72", "town = -1"), "utf-8")
    assert main(["rules", "check", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "broken.toml" in err and "levels.town" in err


def test_diff_counts_exactly_the_reports_a_change_moves(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Move 占道经营 from community to town level; only street-vending reports may change, and every
    # one routed to a community under the old rules must now go to its town.
    old_text = default_rules_path().read_text(encoding="utf-8")
    start = old_text.index('code = "street_vending"')
    end = old_text.index("[categories.terms]", start)
    new_text = old_text[:start] + old_text[start:end].replace('level = "community"', 'level = "town"') + old_text[end:]
    assert new_text != old_text
    new = tmp_path / "new.toml"
    new.write_text(new_text, encoding="utf-8")
    out_json = tmp_path / "diff.json"
    assert main(["rules", "diff", str(default_rules_path()), str(new), "--reports", str(SAMPLE),
                 "--json", str(out_json)]) == 0
    doc = json.loads(out_json.read_text(encoding="utf-8"))
    assert doc["reports"] == 255
    changed = doc["changed"]
    assert changed, "the change must move some reports"
    for row in changed.values():
        assert row["old"]["category"] == row["new"]["category"] == "street_vending"
        assert (row["old"]["level"], row["new"]["level"]) == ("community", "town")
    out = capsys.readouterr().out
    assert f"changed {len(changed)} " in out
    assert "street_vending/enforcement/community  →  street_vending/enforcement/town" in out


def test_diff_of_a_file_with_itself_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    rules = str(default_rules_path())
    assert main(["rules", "diff", rules, rules, "--reports", str(SAMPLE)]) == 0
    assert "changed 0 (0.0%)" in capsys.readouterr().out
