"""Property tests: the parsers and the submit path never crash and normalisation is stable."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing_core import Engine, InvalidReportError, _core, parse_address

pytestmark = pytest.mark.property

# Any Unicode scalar except surrogates (which cannot be UTF-8), weighted towards CJK, digits,
# full-width forms, address suffixes and control characters.
_interesting = st.sampled_from(list("一二三四五六七八九十百千万零两〇幢栋号楼弄巷路街道社区村镇区市省宁波鄞州０１２３４５ＡＢ　 \t\n\x00\x7f\u200b😀"))
TEXT = st.text(st.one_of(st.characters(blacklist_categories=("Cs",)), _interesting), max_size=200)


@given(TEXT)
def test_normalise_text_is_idempotent(s: str) -> None:
    once = _core.normalise_text(s)
    assert _core.normalise_text(once) == once


@given(TEXT)
def test_normalise_address_is_idempotent(s: str) -> None:
    once = _core.normalise_address(s)
    assert _core.normalise_address(once) == once


@given(TEXT)
def test_normalised_text_has_no_control_characters_or_fullwidth_ascii(s: str) -> None:
    out = _core.normalise_text(s)
    assert not any(ord(c) < 0x20 or 0xFF01 <= ord(c) <= 0xFF5E for c in out)
    assert out == out.strip()


@given(TEXT)
def test_parse_address_never_crashes_and_confidence_is_a_probability(s: str) -> None:
    p = parse_address(s)
    assert 0.0 <= p.confidence <= 1.0
    # A unit found is consistent with its parents: the town lies in the county found.
    if p.town is not None and p.county is not None:
        assert p.town.code.startswith(p.county.code)


@settings(max_examples=30)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=50), st.integers(500, 5000))
def test_long_strings_are_handled(chunk: str, repeat: int) -> None:
    long = chunk * repeat  # up to 250k characters
    out = _core.normalise_text(long)
    assert _core.normalise_text(out) == out
    try:
        parse_address(long)
    except InvalidReportError as exc:  # over the address size limit: refused, naming the field
        assert exc.field == "address" and len(long.encode()) > 1024


_engine = Engine()


@settings(max_examples=300)
@given(text=TEXT, address=TEXT, hour=st.integers(0, 23))
def test_submit_either_decides_or_raises_invalid_report(text: str, address: str, hour: int) -> None:
    before = _engine.stats()
    try:
        d = _engine.submit(
            {"id": f"p{before.reports}", "text": text, "address": address, "time": f"2026-11-23T{hour:02d}:00:00+08:00"}
        )
    except InvalidReportError as exc:
        assert exc.field in ("text", "address")
        assert _engine.stats() == before
    else:
        assert d.platform in _engine.rules.platform_labels
        assert d.level in ("grid", "community", "town", "county", "city")
        assert _engine.stats().reports == before.reports + 1


def test_chinese_numerals_become_digits() -> None:
    # Checked by hand: 一百六十八 = 168, 二十 = 20, 三 = 3, 第十二 = 12.
    assert _core.normalise_address("百丈东路一百六十八号三幢") == "百丈东路168号3幢"
    assert "20号" in _core.normalise_address("中山西路二十号")
    assert _core.normalise_address("ＡＢ　百丈路１６８号") == "ab百丈路168号"
