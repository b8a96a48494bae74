"""routing_core.plain_values.as_plain: what dataclasses.asdict makes, checked against asdict itself."""

from __future__ import annotations

import dataclasses
import sys
from collections import OrderedDict, defaultdict, namedtuple
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing_core import Engine
from routing_core.plain_values import as_plain


@dataclass(frozen=True)
class _Leaf:
    name: str
    weight: float | None


@dataclass
class _Node:
    label: str
    value: Any
    leaf: _Leaf | None = None


_Pair = namedtuple("_Pair", "a b")

_atoms = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5))
_leaves = st.builds(_Leaf, st.text(max_size=4), st.one_of(st.none(), st.floats(allow_nan=False)))
_values = st.recursive(
    st.one_of(_atoms, _leaves),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
        st.builds(_Node, st.text(max_size=3), inner, st.one_of(st.none(), _leaves)),
        st.builds(_Pair, inner, inner),
        st.dictionaries(st.text(max_size=3), inner, max_size=2).map(OrderedDict),
        # (asdict takes a defaultdict from Python 3.12 on; 3.11's raises TypeError)
        st.dictionaries(st.integers(0, 3), inner, max_size=2).map(lambda d: defaultdict(list, d))
        if sys.version_info >= (3, 12) else st.nothing(),
    ),
    max_leaves=12,
)


@pytest.mark.property
@settings(max_examples=300, deadline=None)
@given(node=st.builds(_Node, st.text(max_size=3), _values, st.one_of(st.none(), _leaves)))
def test_as_plain_is_asdict(node: _Node) -> None:
    plain = as_plain(node)
    expected = dataclasses.asdict(node)
    assert plain == expected
    assert repr(plain) == repr(expected)  # the same types too: a tuple is not made a list, nor 1 1.0


def test_as_plain_copies_what_it_could_share() -> None:
    inner = [1, {"k": [2]}]
    node = _Node("n", inner)
    plain = as_plain(node)
    plain["value"][1]["k"].append(3)
    plain["value"].append(4)
    assert inner == [1, {"k": [2]}]


def test_a_decisions_explanation_is_asdict_of_its_address_and_candidates(
    sample_reports: list[dict[str, Any]],
) -> None:
    decisions = Engine().submit_many(sample_reports)
    assert sum(len(d.candidates) for d in decisions) > 100
    for d in decisions:
        explained = d.explain()
        assert explained["address"] == dataclasses.asdict(d.address)
        assert explained["candidates"] == [dataclasses.asdict(c) for c in d.candidates]
        assert repr(explained["candidates"]) == repr([dataclasses.asdict(c) for c in d.candidates])
