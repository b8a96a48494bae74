"""routing_core.errors.excerpt: the value an error message shows, whatever the value."""

from __future__ import annotations

from typing import Any

import pytest

from routing_core.errors import excerpt


class _Hostile:
    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("路灯", "'路灯'"),
        (3.5, "3.5"),
        (None, "None"),
        (True, "True"),
        (10**5000, "<an integer of 16,610 bits>"),
        (10**100, repr(10**100)[:77] + "..."),
        ([10**5000], "<list>"),
        (list(range(100)), "[0, 1, 2, 3, ...]"),
        ({"a": [1, 2, 3]}, "{'a': [1, 2, 3]}"),
    ],
    ids=["text", "float", "none", "bool", "5000-digits", "101-digits", "list-of-huge", "long-list", "dict"],
)
def test_excerpt_by_hand(value: Any, expected: str) -> None:
    assert excerpt(value) == expected


@pytest.mark.parametrize("text", ["路" * 1000, "a\\n" * 500, "x" * 78, "y" * 80])
def test_a_long_text_is_cut_as_its_whole_repr_would_be(text: str) -> None:
    whole = repr(text)
    assert excerpt(text) == (whole if len(whole) <= 80 else whole[:77] + "...")
    assert len(excerpt(text, 30)) <= 30


def test_a_repr_that_raises_is_named_by_its_type() -> None:
    assert excerpt(_Hostile()).startswith("<_Hostile instance at 0x")
