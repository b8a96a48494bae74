"""The Indel (LCS) kernel: parity with rapidfuzz's ``fuzz.ratio`` and what the binding accepts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing_core import InvalidReportError, _core

# Few distinct characters, so that common subsequences are long; CJK (the hashed path), ASCII (the
# direct table) and an astral character (two UTF-16 units, one code point: 𠀀 is U+20000).
_ALPHABET = "井盖破损路灯坏了ab1 𠀀"
TEXT = st.text(alphabet=_ALPHABET, max_size=150)


@pytest.mark.property
@given(TEXT, TEXT)
def test_indel_ratio_matches_rapidfuzz(a: str, b: str) -> None:
    fuzz = pytest.importorskip("rapidfuzz.fuzz")
    assert _core.indel_ratio(a, b) == pytest.approx(fuzz.ratio(a, b) / 100, abs=1e-9)


@pytest.mark.property
@given(TEXT, st.lists(TEXT, max_size=10))
def test_indel_ratio_many_matches_rapidfuzz(query: str, texts: list[str]) -> None:
    fuzz = pytest.importorskip("rapidfuzz.fuzz")
    ratios = _core.indel_ratio_many(query, texts)
    assert ratios.dtype.name == "float64" and ratios.shape == (len(texts),)
    assert list(ratios) == pytest.approx([fuzz.ratio(query, t) / 100 for t in texts], abs=1e-9)


def test_hand_checked_ratios() -> None:
    assert _core.indel_ratio("井盖破损", "井盖坏了") == 0.5
    assert _core.indel_ratio("", "") == 1.0
    assert _core.indel_ratio("", "井盖") == 0.0
    assert _core.indel_ratio("𠀀", "𠀀") == 1.0
    assert _core.indel_ratio("ABCBDAB", "BDCABA") == pytest.approx(8 / 13)
    assert list(_core.indel_ratio_many("井盖破损", ["井盖坏了", "", "井盖破损"])) == [0.5, 0.0, 1.0]
    assert _core.indel_ratio_many("井盖破损", []).shape == (0,)


def test_texts_must_be_strings() -> None:
    # pybind11's conversion rejects the whole call before the kernel runs.
    with pytest.raises(TypeError):
        _core.indel_ratio_many("井盖", ["井盖", 1])
    with pytest.raises(TypeError):
        _core.indel_ratio_many("井盖", ["井盖", None])
    # A str is a sequence, but not one of str elements as far as the binding is concerned.
    with pytest.raises(TypeError):
        _core.indel_ratio_many("井盖", "井盖")


def test_invalid_utf8_cannot_come_from_str_but_can_from_bytes() -> None:
    # Every str is valid Unicode except one with a lone surrogate, which cannot be UTF-8-encoded:
    # pybind11 refuses it as a str argument (TypeError), so the kernel's UTF-8 check never sees it.
    with pytest.raises(TypeError):
        _core.indel_ratio_many("井盖", ["\ud800"])
    with pytest.raises(TypeError):
        _core.indel_ratio("\ud800", "井盖")
    # pybind11's std::string conversion also takes bytes, unchecked: they reach the UTF-8 check.
    assert list(_core.indel_ratio_many("ok", [b"ok"])) == [1.0]
    with pytest.raises(InvalidReportError) as info:
        _core.indel_ratio_many("井盖", ["井盖", b"\xff"])
    assert info.value.field == "texts[1]" and info.value.value == "\\xff"
    with pytest.raises(InvalidReportError) as info:
        _core.indel_ratio_many(b"\xfe", ["ok"])
    assert info.value.field == "query"
    with pytest.raises(InvalidReportError) as info:
        _core.indel_ratio_matrix(["ok", "ok", b"\xff"], ["ok"])
    assert info.value.field == "queries[2]"
    with pytest.raises(InvalidReportError) as info:
        _core.indel_ratio("ok", b"\xff")
    assert info.value.field == "b"
