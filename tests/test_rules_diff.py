"""routing_core.rules_diff: the batched, two-thread replay behind ``routing-core rules diff``.

Its answer is checked against the plain way of computing it, written here on its own: every report
through ``submit`` with its explanation, one at a time, under each rules file in turn (what ``rules
diff`` did before it took batches).
"""

from __future__ import annotations

import io
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing_core import Engine
from routing_core.cli import main
from routing_core.errors import RoutingCoreError
from routing_core.event_regrouping import regroup
from routing_core.rules import DEFAULT_CHANNELS, default_rules_path
from routing_core.rules_diff import RulesDiff, diff_rules
from routing_core.synth import iso, iter_reports


def _new_rules(tmp_path: Path) -> Path:
    """The bundled rules with street vending moved from community to town level, and one more channel."""
    text = default_rules_path().read_text(encoding="utf-8")
    start = text.index('code = "street_vending"')
    end = text.index("[categories.terms]", start)
    text = text[:start] + text[start:end].replace('level = "community"', 'level = "town"') + text[end:]
    channels = "".join(f'{c} = "{c}"\n' for c in DEFAULT_CHANNELS)
    path = tmp_path / "new.toml"
    path.write_text(text + '\n[channels]\n' + channels + 'm12315 = "12315 市场监管热线"\n', encoding="utf-8")
    return path


def _reports() -> list[dict[str, Any]]:
    """Two generated days, with what a real history file holds besides: re-sent reports, a report
    only the new rules accept (its channel), reports neither accepts, and an id sent again with
    other content."""
    reports = [dict(r, time=iso(r["time"])) for r, _ in iter_reports(days=2, reports_per_day=600, seed=5)]
    out: list[dict[str, Any]] = []
    for i, r in enumerate(reports):
        out.append(r)
        if i % 97 == 5:
            out.append(dict(r))  # re-sent: the same report
        if i == 300:
            out.append(dict(r, id="M1", source="m12315"))  # the old rules know no such channel
            out.append(dict(r, id="BAD1", text=""))  # rejected under both
            out.append(dict(r, text=r["text"] + "。"))  # an accepted id with other content: rejected
        if i == 301:
            out.append(dict(r, id="BAD2", source="fax"))
    return out


def _routes_alone(rules: Path | str, reports: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    engine = Engine(rules=rules)
    routes: dict[str, dict[str, Any]] = {}
    for r in reports:
        try:
            d = engine.submit(r)
        except RoutingCoreError:
            continue
        routes.setdefault(d.report_id, {"event_id": d.event_id, "category": d.category,
                                        "platform": d.platform, "level": d.level, "unit_name": d.unit_name,
                                        "text": r["text"][:60]})
    return routes


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]], dict[str, Any]]:
    new = _new_rules(tmp_path_factory.mktemp("rules"))
    reports = _reports()
    old_routes, new_routes = _routes_alone(default_rules_path(), reports), _routes_alone(new, reports)
    return new, reports, {"old": old_routes, "new": new_routes}


def _diff(
    new: Path, reports: list[dict[str, Any]], batch_size: int, old: Path | None = None
) -> tuple[RulesDiff, list[tuple[int, str]]]:
    errors: list[tuple[int, str]] = []
    diff = diff_rules(old or default_rules_path(), new, enumerate(reports, start=1), batch_size=batch_size,
                      on_error=lambda line, which, exc: errors.append((line, which)))
    return diff, errors


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_the_diff_is_the_one_of_submitting_each_report_alone(
    case: tuple[Path, list[dict[str, Any]], dict[str, Any]], batch_size: int
) -> None:
    new, reports, plain = case
    old_routes, new_routes = plain["old"], plain["new"]
    diff, errors = _diff(new, reports, batch_size)
    both = old_routes.keys() & new_routes.keys()
    fields = ("category", "platform", "level", "unit_name")
    moved = {rid for rid in both if any(old_routes[rid][f] != new_routes[rid][f] for f in fields)}
    assert diff.reports == len(reports)
    assert diff.both == len(both)
    assert set(diff.moved) == moved and moved, "the change must move some reports"
    for rid in moved:
        assert diff.moved[rid] == (old_routes[rid], new_routes[rid])
    for f in fields:
        assert diff.changed[f] == sum(old_routes[rid][f] != new_routes[rid][f] for rid in both)
    assert diff.before["level"] == {lv: sum(old_routes[rid]["level"] == lv for rid in both)
                                    for lv in {old_routes[rid]["level"] for rid in both}}
    assert diff.only_old == sorted(old_routes.keys() - new_routes.keys()) == []
    assert diff.only_new == sorted(new_routes.keys() - old_routes.keys()) == ["M1"]
    # Each rejection named once per rules file that made it: the empty text and the unknown channel
    # under both, the changed re-send under both, the new channel under the old file alone.
    assert sorted(w for _, w in errors) == ["new", "new", "new", "old", "old", "old", "old"]


@pytest.mark.parametrize("m12315_first", [False, True])
def test_a_report_accepted_under_one_file_then_the_other_counts_once(
    tmp_path: Path, m12315_first: bool
) -> None:
    """One id, two lines: the file that knows channel m12315 accepts the first line and rejects the
    second (the same id with other content); the other file rejects the first and accepts the second.
    Either file may be the old one."""
    with_m12315, without = _new_rules(tmp_path), default_rules_path()
    old, new = (with_m12315, without) if m12315_first else (without, with_m12315)
    report = {"id": "X1", "text": "小区门口占道经营，摊贩很多", "address": "鄞州区百丈街道划船社区",
              "time": "2026-11-01T09:00:00+08:00", "source": "m12315"}
    errors: list[tuple[int, str]] = []
    diff = diff_rules(old, new, enumerate([report, dict(report, source="hotline")], start=1), batch_size=2,
                      on_error=lambda line, which, exc: errors.append((line, which)))
    assert diff.both == 1 and diff.only_old == diff.only_new == []
    first, second = ("old", "new") if m12315_first else ("new", "old")
    assert sorted(errors) == [(1, second), (2, first)]
    # Street vending, which the file with m12315 sends to the town and the other to the community.
    (a, b), = diff.moved.values()
    assert a["category"] == b["category"] == "street_vending"
    assert (a["level"], b["level"]) == (("town", "community") if m12315_first else ("community", "town"))


def test_rules_diff_command_prints_progress_and_the_same_json(
    case: tuple[Path, list[dict[str, Any]], dict[str, Any]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    new, reports, _ = case
    path = tmp_path / "reports.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in reports) + "not json\n",
                    encoding="utf-8")
    out_json = tmp_path / "diff.json"
    assert main(["rules", "diff", str(default_rules_path()), str(new), "--reports", str(path),
                 "--batch", "50", "--json", str(out_json)]) == 0
    captured = capsys.readouterr()
    doc = json.loads(out_json.read_text(encoding="utf-8"))
    diff, _ = _diff(new, reports, 1000)
    expected = diff.to_dict(str(default_rules_path()), str(new))
    assert doc == json.loads(json.dumps(expected, ensure_ascii=False))
    assert f"changed {len(doc['changed'])} " in captured.out and "only by new 1" in captured.out
    # On a pipe: a line per twentieth of the file at most, and the last one at 100 %.
    progress = [line for line in captured.err.splitlines() if line.startswith("[")]
    assert 1 <= len(progress) <= 21
    assert progress[-1].startswith("[" + "#" * 24 + f"] {len(reports):,} reports under both rules files")
    assert f"{path}:{len(reports) + 1}: invalid JSON" in captured.err
    assert f"{path}:" in captured.err and "under " in captured.err


def test_bad_batch_size_is_refused() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        diff_rules(default_rules_path(), default_rules_path(), [], batch_size=0)


def test_progress_line_on_a_pipe_ends_with_the_last_update() -> None:
    from routing_core.progress_line import ProgressLine

    out = io.StringIO()
    line = ProgressLine(out, width=4)
    for k in range(1, 101):
        line.show(k / 100, f"{k}", last=k == 100)
    lines = out.getvalue().splitlines()
    assert len(lines) == 20 and lines[0] == "[....] 5" and lines[-1] == "[####] 100"


_ids = st.sampled_from(["r1", "r2", "r3", "r4", 5, 6])  # few ids: re-sent reports and conflicting ones
_hostile_report = st.fixed_dictionaries(
    {
        "id": _ids,
        "text": st.one_of(st.text(alphabet="垃圾桶满溢占道经营噪音漏水 门口", max_size=30), st.integers()),
        "time": st.one_of(st.integers(1_700_000_000, 1_800_000_000), st.sampled_from(
            ["2026-11-01T08:00:00+08:00", "2026-11-01 09:30", "yesterday", ""])),
    },
    optional={
        "address": st.sampled_from(["", "鄞州区百丈街道划船社区", "百丈东路168号"]),
        "source": st.sampled_from(["grid", "hotline", "fax", ""]),
        "category": st.sampled_from(["dispute", "x", ""]),
        "lat": st.one_of(st.floats(), st.none()),
        "extra": st.integers(),
    },
)


@pytest.mark.property
@settings(max_examples=30, deadline=None)
@given(reports=st.lists(_hostile_report, max_size=12), batch_size=st.integers(1, 5))
def test_a_rules_file_against_itself_moves_nothing_whatever_the_reports(
    reports: list[dict[str, Any]], batch_size: int
) -> None:
    # Both engines decide alike, so nothing moves and every rejection is the same under both files;
    # and no error but a named rejection comes out of the replay. The first two are sent again.
    reports = reports + reports[:2]
    errors: list[tuple[int, str]] = []
    rules = default_rules_path()
    diff = diff_rules(rules, rules, enumerate(reports, start=1), batch_size=batch_size,
                      on_error=lambda line, which, exc: errors.append((line, which)))
    assert diff.moved == {} and diff.only_old == diff.only_new == []
    assert diff.events.regrouped == {} and diff.events.split == diff.events.joined == 0
    assert diff.events.pairs_old == diff.events.pairs_new == diff.events.pairs_both
    assert diff.reports == len(reports)
    rejected = {which: sorted(line for line, w in errors if w == which) for which in ("old", "new")}
    assert rejected["old"] == rejected["new"]
    accepted = {str(r["id"]) for i, r in enumerate(reports, start=1) if (i, "old") not in errors}
    assert diff.both == len(accepted)


def test_each_rules_file_reads_naive_times_in_its_own_time_zone(tmp_path: Path) -> None:
    # 08:30 on 1970-01-01 without an offset is 30 minutes after the epoch at +08:00, and 30 minutes
    # before it at +09:00, which no report may be: the new file must refuse the report, not take the
    # old file's reading of its time.
    east = tmp_path / "east.toml"
    text = default_rules_path().read_text(encoding="utf-8")
    east.write_text(text.replace('timezone = "+08:00"', 'timezone = "+09:00"', 1), encoding="utf-8")
    reports = [{"id": "early", "text": "垃圾桶满溢", "time": "1970-01-01T08:30:00"},
               {"id": "later", "text": "垃圾桶满溢", "time": "2026-11-01T08:30:00"}]
    errors: list[tuple[int, str]] = []
    diff = diff_rules(default_rules_path(), east, enumerate(reports, start=1),
                      on_error=lambda line, which, exc: errors.append((line, which)))
    assert errors == [(1, "new")]
    assert diff.only_old == ["early"] and diff.both == 1


# -- which reports fuse differently -----------------------------------------------------------------


def test_regroup_counts_a_partition_worked_by_hand() -> None:
    # Old events 1: r1 r2 r3, 2: r4 r5, 3: r6, 4: r7. New events 5: r1 r2, 6: r3, 7: r4 r5 r6, 8: r7.
    # Old event 1 is split (5 and 6), new event 7 is joined (2 and 3); 4 → 8 is untouched.
    # Pairs in one event: old 3 + 1 = 4, new 1 + 3 = 4; both: {r1, r2} and {r4, r5}.
    ids = ["r1", "r2", "r3", "r4", "r5", "r6", "r7"]
    got = regroup(ids, [1, 1, 1, 2, 2, 3, 4], [5, 5, 6, 7, 7, 7, 8])
    assert (got.old_events, got.new_events, got.split, got.joined) == (4, 4, 1, 1)
    assert (got.pairs_old, got.pairs_new, got.pairs_both) == (4, 4, 2)
    assert got.regrouped == {"r1": ("E00000001", "E00000005"), "r2": ("E00000001", "E00000005"),
                             "r3": ("E00000001", "E00000006"), "r4": ("E00000002", "E00000007"),
                             "r5": ("E00000002", "E00000007"), "r6": ("E00000003", "E00000007")}
    assert got.split_examples(5) == [("E00000001", [("r1", "E00000005"), ("r2", "E00000005"),
                                                    ("r3", "E00000006")])]
    assert got.joined_examples(5) == [("E00000007", [("r4", "E00000002"), ("r5", "E00000002"),
                                                     ("r6", "E00000003")])]
    assert regroup([], [], []).regrouped == {}
    with pytest.raises(ValueError, match="2 report ids, 1 old"):
        regroup(["a", "b"], [1], [1, 2])


@pytest.fixture(scope="module")
def weakened(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The bundled rules with every 市容环卫 term's weight cut to 0.4, and two generated days: many
    sanitation reports change category, and the category is a match feature, so some fuse differently."""
    text = default_rules_path().read_text(encoding="utf-8")
    start = text.index('code = "sanitation"')
    end = text.index("[[categories]]", start)
    path = tmp_path_factory.mktemp("rules") / "weak_sanitation.toml"
    path.write_text(text[:start] + re.sub(r"= [0-9.]+\n", "= 0.4\n", text[start:end]) + text[end:], "utf-8")
    reports = [dict(r, time=iso(r["time"])) for r, _ in iter_reports(days=2, reports_per_day=1500, seed=3)]
    return path, reports


def _events_oracle(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The regrouping by sets of report pairs, from each report's event under each file."""
    def pairs(routes: dict[str, dict[str, Any]]) -> set[tuple[str, str]]:
        members: dict[str, list[str]] = {}
        for rid in sorted(routes):
            members.setdefault(routes[rid]["event_id"], []).append(rid)
        return {p for m in members.values() for p in itertools.combinations(m, 2)}

    def others(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for rid in a:
            out.setdefault(a[rid]["event_id"], set()).add(b[rid]["event_id"])
        return out

    to_new, to_old = others(old, new), others(new, old)
    split = {e for e, s in to_new.items() if len(s) > 1}
    joined = {e for e, s in to_old.items() if len(s) > 1}
    return {
        "old": len(to_new), "new": len(to_old), "split": len(split), "joined": len(joined),
        "pairs": {"old": len(pairs(old)), "new": len(pairs(new)), "both": len(pairs(old) & pairs(new))},
        "regrouped": {rid: {"old": old[rid]["event_id"], "new": new[rid]["event_id"]} for rid in sorted(old)
                      if old[rid]["event_id"] in split or new[rid]["event_id"] in joined},
    }


@pytest.mark.parametrize("weakened_first", [False, True])
def test_events_that_fuse_differently_are_those_of_each_file_alone(
    weakened: tuple[Path, list[dict[str, Any]]], weakened_first: bool
) -> None:
    # Weakening sanitation splits events (reports that change category leave their old event); the
    # same change the other way joins them. Each file's events come from Engine.submit_many.
    weak, reports = weakened
    old, new = (weak, default_rules_path()) if weakened_first else (default_rules_path(), weak)
    routes = [{d.report_id: {"event_id": d.event_id}
               for d in Engine(rules=rules).submit_many(reports, explain=False)} for rules in (old, new)]
    expected = _events_oracle(*routes)
    diff, _ = _diff(new, reports, batch_size=400, old=old)
    assert diff.events.to_dict() == expected
    kind = "joined" if weakened_first else "split"
    assert expected[kind] > 3 and expected["split" if weakened_first else "joined"] == 0


def test_rules_diff_command_names_the_events_that_split(
    weakened: tuple[Path, list[dict[str, Any]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weak, reports = weakened
    path = tmp_path / "reports.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in reports), encoding="utf-8")
    assert main(["rules", "diff", str(default_rules_path()), str(weak), "--reports", str(path), "--quiet",
                 "--examples", "2"]) == 0
    out = capsys.readouterr().out
    diff, _ = _diff(weak, reports, batch_size=1000)
    events = diff.events
    assert (f"  events     {events.old_events} under old, {events.new_events} under new: "
            f"{events.split} split, 0 joined; {len(events.regrouped)} reports fuse differently") in out
    lines = out.splitlines()
    starts = [k for k, line in enumerate(lines) if line.startswith("  split  E")]
    assert len(starts) == 2
    (event, members), _ = events.split_examples(2)
    assert lines[starts[0]].startswith(f"  split  {event}: {members[0][0]} → {members[0][1]}, ")
    # Under it, the text of its first report whose routing changed: here its category.
    moved = next(rid for rid, _ in members if rid in diff.moved)
    old, new = diff.moved[moved]
    assert old["category"] != new["category"]
    assert lines[starts[0] + 1] == f"          {moved} ({old['category']} → {new['category']}): {old['text']}"
