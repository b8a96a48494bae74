"""Accuracy floors of the address parser on the labelled address set (tests/data/address_set.tsv).

The set is built from the real gazetteer by scripts/make_address_set.py, its expected values known
by construction (see that script); scripts/address_accuracy.py prints the full report. The parser
was tuned while looking at the committed set (seed 20261123), so the floors are also checked on
sets of other seeds that were not looked at while tuning. Floors sit a little under the figures
measured when they were set (quoted beside each), so a regression fails.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


accuracy = _script("address_accuracy")
make_set = _script("make_address_set")


@pytest.fixture(scope="module")
def committed() -> list[dict[str, str]]:
    return accuracy.load_set()


def test_set_is_large_and_covers_every_style(committed: list[dict[str, str]]) -> None:
    assert len(committed) >= 1000
    styles = {r["style"] for r in committed}
    assert styles == set(make_set.STYLES)
    assert sum(r["town_scored"] == "1" for r in committed) >= 1000
    assert sum(bool(r["ambiguous"]) for r in committed) >= 20  # ambiguous names are tested too


def test_committed_set_is_what_the_generator_makes(committed: list[dict[str, str]]) -> None:
    assert make_set.generate(20261123) == committed


def _check(acc: object, floors: dict[str, float]) -> None:
    print("\n" + accuracy.report(acc))
    for level in ("county", "town", "community"):
        assert acc.share(acc.units[level]) >= floors["unit"], level
    assert acc.share(acc.town_scored_right, acc.town_scored) >= floors["town"]
    assert acc.share(acc.ambiguous_listed, acc.ambiguous) >= floors["ambiguous"]
    for comp in accuracy.COMPONENTS:
        assert acc.share(acc.components[comp]) >= floors["component"], comp


def test_accuracy_on_the_committed_set(committed: list[dict[str, str]]) -> None:
    # measured: units 100/100/100 %, town where stated 100 % (1223), ambiguities 100 % (37),
    # components 100 % except remainder 99.84 %
    _check(accuracy.evaluate(committed), {"unit": 0.995, "town": 0.99, "ambiguous": 0.95, "component": 0.99})


@pytest.mark.parametrize("seed", [7, 99])
def test_accuracy_on_sets_not_looked_at_while_tuning(seed: int) -> None:
    # measured seed 7: units >= 99.92 %, town where stated 99.92 %, remainder 99.60 %;
    # seed 99: 100 % except remainder 99.84 %. The target for the town is 98 %.
    _check(
        accuracy.evaluate(make_set.generate(seed)),
        {"unit": 0.99, "town": 0.98, "ambiguous": 0.9, "component": 0.98},
    )


def test_accuracy_counts_a_guess_as_an_error() -> None:
    # Independent check of the metric: a parser that always answers the same town scores only the
    # rows that expect that town, and lists no ambiguity.
    rows = accuracy.load_set()[:50]

    from routing_core import parse_address

    first = parse_address(rows[0]["address"])
    acc = accuracy.evaluate(rows, lambda _s: first)
    assert acc.units["town"] == sum(r["town"] == rows[0]["town"] for r in rows)
