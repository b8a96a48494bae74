"""Per-category scores and the accuracy command."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing_core import ConfigError, Engine, InvalidReportError
from routing_core.classification_report import load_labelled, score
from routing_core.cli import main


def test_scores_by_hand() -> None:
    # expected a a a b; predicted a a b b:
    # a: tp 2, predicted 2 -> precision 1, recall 2/3; b: tp 1, predicted 2 -> precision 1/2, recall 1.
    r = score(["a", "a", "a", "b"], ["a", "a", "b", "b"])
    by = {s.category: s for s in r.per_category}
    assert r.accuracy == 0.75
    assert (by["a"].precision, by["a"].recall, by["a"].support) == (1.0, 2 / 3, 3)
    assert (by["b"].precision, by["b"].recall) == (0.5, 1.0)
    assert by["a"].f1 == pytest.approx(0.8) and by["b"].f1 == pytest.approx(2 / 3)
    assert r.macro_f1 == pytest.approx((0.8 + 2 / 3) / 2)
    assert r.confusion[("a", "b")] == 1
    with pytest.raises(ValueError):
        score(["a"], [])


def test_engine_classify_is_stateless_and_validated() -> None:
    engine = Engine()
    c = engine.classify("小区门口垃圾桶满溢好几天了")
    assert c.category == "sanitation" and c.label == "市容环卫" and "垃圾桶满溢" in c.evidence
    assert engine.stats().reports == 0
    with pytest.raises(InvalidReportError) as info:
        engine.classify(b"bytes")  # type: ignore[arg-type]
    assert info.value.field == "text"
    with pytest.raises(InvalidReportError, match="pigeon") as info:
        engine.classify("垃圾桶满溢", channel="pigeon")
    assert info.value.field == "channel"


def test_accuracy_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = tmp_path / "cases.tsv"
    cases.write_text("text\tcategory\n小区门口垃圾桶满溢\tsanitation\n楼上邻居装修噪音扰民吵架\tdispute\n", "utf-8")
    assert main(["rules", "accuracy", str(cases)]) == 0
    out = capsys.readouterr().out
    assert "2 cases: accuracy" in out and "sanitation" in out


def test_labelled_files_saved_with_a_byte_order_mark(tmp_path: Path) -> None:
    # Spreadsheets export UTF-8 text with a BOM before the header; it is not part of the column "text".
    bom = b"\xef\xbb\xbf"
    tsv = tmp_path / "cases.tsv"
    tsv.write_bytes(bom + "text\tcategory\n小区门口垃圾桶满溢\tsanitation\n".encode())
    assert load_labelled(tsv) == [("小区门口垃圾桶满溢", "sanitation")]
    cases = tmp_path / "cases.jsonl"
    cases.write_bytes(bom + '{"text": "小区门口垃圾桶满溢", "category": "sanitation"}\n'.encode())
    assert load_labelled(cases) == [("小区门口垃圾桶满溢", "sanitation")]
    reports, truth = tmp_path / "r.jsonl", tmp_path / "t.jsonl"
    reports.write_bytes(bom + '{"id": "a", "text": "小区门口垃圾桶满溢"}\n'.encode())
    truth.write_bytes(bom + b'{"id": "a", "category": "sanitation"}\n')
    assert load_labelled(reports, truth=truth) == [("小区门口垃圾桶满溢", "sanitation")]


def test_labelled_tsv_fields_are_taken_as_they_are(tmp_path: Path) -> None:
    # A text that starts with a quote read as a quoted field, and swallowed the rows after it into one
    # case; a U+2028 or \x1c in a text split its row, and the load failed naming the wrong line.
    tsv = tmp_path / "cases.tsv"
    tsv.write_text(
        'text\tcategory\n"垃圾"没人清理\tsanitation\n路灯坏了\tmunicipal_facilities\n'
        '噪音"扰民\tnoise\n有人\u2028占道\x1c经营\tstreet_vending\r\n',
        "utf-8",
    )
    assert load_labelled(tsv) == [
        ('"垃圾"没人清理', "sanitation"),
        ("路灯坏了", "municipal_facilities"),
        ('噪音"扰民', "noise"),
        ("有人\u2028占道\x1c经营", "street_vending"),
    ]


@pytest.mark.parametrize("line", [b"[" * 100_000, b'{"text": ' + b"1" * 5000 + b', "category": "dispute"}'])
def test_a_hostile_labelled_line_is_a_config_error(tmp_path: Path, line: bytes) -> None:
    # Nested thousands deep or an integer of 4,300+ digits: named by its line, not a RecursionError.
    cases, reports, truth = tmp_path / "cases.jsonl", tmp_path / "r.jsonl", tmp_path / "t.jsonl"
    cases.write_bytes(line + b"\n")
    with pytest.raises(ConfigError, match=r"cases\.jsonl:1: "):
        load_labelled(cases)
    reports.write_bytes(line + b"\n")
    truth.write_text('{"id": "a", "category": "dispute"}\n', "utf-8")
    with pytest.raises(ConfigError, match=r"r\.jsonl:1: invalid JSON"):
        load_labelled(reports, truth=truth)


def test_labelled_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "垃圾", "category": "sanitation"}\n{"text": "no label"}\n', "utf-8")
    with pytest.raises(ConfigError, match=r"bad\.jsonl:2"):
        load_labelled(bad)
    header = tmp_path / "h.tsv"
    header.write_text("words\tlabel\n垃圾\tsanitation\n", "utf-8")
    with pytest.raises(ConfigError, match="header"):
        load_labelled(header)


def test_accuracy_on_generated_reports_joins_the_truth_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports, truth = tmp_path / "r.jsonl", tmp_path / "t.jsonl"
    reports.write_text('{"id": "a", "text": "小区门口垃圾桶满溢"}\n{"id": "b", "text": "楼上装修噪音扰民"}\n', "utf-8")
    truth.write_text('{"id": "a", "category": "sanitation"}\n{"id": "b", "category": "dispute"}\n'
                     '{"closes": "T1"}\n', "utf-8")
    assert load_labelled(reports, truth=truth) == [("小区门口垃圾桶满溢", "sanitation"), ("楼上装修噪音扰民", "dispute")]
    assert main(["rules", "accuracy", str(reports), "--truth", str(truth)]) == 0
    assert "2 cases" in capsys.readouterr().out
    truth.write_text('{"id": "a", "category": "sanitation"}\n', "utf-8")
    with pytest.raises(ConfigError, match=r"r\.jsonl:2: report 'b' has no category"):
        load_labelled(reports, truth=truth)
