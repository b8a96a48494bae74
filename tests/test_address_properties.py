"""Property tests of the address path: parity with the pure-Python reference, robustness, similarity.

The reference (tests/address_reference.py) is written from normalise.hpp's contract, not from the
C++ code; Chinese numerals are also checked in the other direction (integer -> usual Chinese
writing -> value).
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from address_reference import chinese_numeral_value, normalise_address, normalise_text, render_chinese
from routing_core import Engine, Limits, _core

pytestmark = pytest.mark.property

_numeral_chars = "零〇一二两三四五六七八九十百千万"
_address_chars = "幢栋号楼弄巷室单元路街道社区村镇区市省第米宁波鄞州百丈划船东西南北与交叉口往"
_odd = "０１９ＡＺａ　 \t\n\r\x00\x1f\x7f\x85\u200b\ufeff😀🏠。、【】“”‘’"
ADDRESSISH = st.text(
    st.sampled_from(list(_numeral_chars + _address_chars + _odd + "0123456789AZaz-")), max_size=60
)
ANY = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
NUMERAL_RUN = st.text(st.sampled_from(list(_numeral_chars)), min_size=1, max_size=12)


@given(NUMERAL_RUN, st.sampled_from(["号", "幢", "室", "楼", "x", ""]))
def test_numeral_runs_match_the_reference(run: str, after: str) -> None:
    assert _core.normalise_address(run + after) == normalise_address(run + after)


@given(st.one_of(ADDRESSISH, ANY))
def test_normalise_address_matches_the_reference(s: str) -> None:
    assert _core.normalise_address(s) == normalise_address(s)


@given(st.one_of(ADDRESSISH, ANY))
def test_normalise_text_matches_the_reference(s: str) -> None:
    assert _core.normalise_text(s) == normalise_text(s)


@given(st.integers(0, 99_999_999), st.sampled_from(["号", "室", "米"]))
def test_usual_chinese_writing_of_any_number_is_read_back(n: int, counter: str) -> None:
    written = render_chinese(n)
    assume(len(written) <= 12)  # longer runs are not read as numbers (contract of both versions)
    assert chinese_numeral_value(written) == n  # the reference agrees with the renderer
    assert _core.normalise_address(written + counter) == f"{n}{counter}"


@given(st.integers(0, 10**11), st.sampled_from(["零", "〇"]))
def test_digit_by_digit_numerals(n: int, zero: str) -> None:
    written = "".join(zero if c == "0" else "零一二三四五六七八九"[int(c)] for c in str(n))
    assert _core.normalise_address(written + "室") == f"{n}室"


@given(st.one_of(ADDRESSISH, ANY))
def test_normalisation_is_idempotent(s: str) -> None:
    once = _core.normalise_address(s)
    assert _core.normalise_address(once) == once
    text = _core.normalise_text(s)
    assert _core.normalise_text(text) == text


# Limits raised so that 100 kB inputs reach the parser instead of being refused at the door.
_engine = Engine(limits=Limits(max_address_bytes=1_000_000))
_core_engine = _engine._core


@given(st.one_of(ADDRESSISH, ANY))
def test_parser_never_crashes_and_reports_consistent_units(s: str) -> None:
    a = _core_engine.parse_address(s)
    assert 0.0 <= a.confidence <= 1.0
    units = [u for u in a.units if u >= 0]
    # Every unit found lies under the ones found above it: by the code scheme (GAZETTEER_NOTICE.md)
    # a unit's code starts with its parent's, 6-digit codes with their trailing zeros dropped.
    codes = [_core_engine.unit_info(u)[0] for u in units]
    codes = [c.rstrip("0") if len(c) == 6 else c for c in codes]
    for lower, upper in zip(codes, codes[1:], strict=False):
        assert lower.startswith(upper)


@settings(max_examples=10, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_100kb_inputs_are_handled(chunk: str) -> None:
    big = (chunk * (100_000 // max(len(chunk.encode()), 1) + 1))[:50_000]
    a = _core_engine.parse_address(big)  # about 100 kB and more of UTF-8, straight to the core
    assert 0.0 <= a.confidence <= 1.0
    out = _core.normalise_address(big)
    assert _core.normalise_address(out) == out


def test_hostile_100kb_address_is_fast() -> None:
    import time

    big = "百丈路划船社区镇七五东路与" * 8000  # ~100k code points of names, roads and suffixes
    start = time.perf_counter()
    _core_engine.parse_address(big)
    assert time.perf_counter() - start < 2.0


def _sim(a: str, b: str) -> float:
    return _core_engine.address_similarity(a, b)


@given(ADDRESSISH, ADDRESSISH)
def test_similarity_is_symmetric_and_a_probability(a: str, b: str) -> None:
    s = _sim(a, b)
    assert 0.0 <= s <= 1.0
    assert s == _sim(b, a)


REAL = st.sampled_from(
    [
        "浙江省宁波市鄞州区百丈街道划船社区百丈东路168号3幢",
        "鄞州区百丈东路一百六十八号",
        "百丈东路168号3栋楼下",
        "划船社区菜场门口",
        "宁波鄞州百丈路与民安路交叉口往东50米",
        "鄞州区百丈街道划船社区",
        "宁波市江北区洪塘街道和塘雅苑社区洪塘北路283号8号楼103室",
        "海曙区南门街道环城街76号",
    ]
)


@given(REAL)
def test_identical_addresses_are_similarity_one(a: str) -> None:
    assert _sim(a, a) == 1.0


def test_identical_areas_are_not_one_place() -> None:
    # A bare road or town written twice is the same area, not the same place: the ladder applies.
    assert _sim("百丈东路", "百丈东路") == 0.75
    assert _sim("鄞州区百丈街道", "鄞州区百丈街道") == 0.4
