"""``dataclasses.asdict`` for the values a Decision's explanation holds, without its per-value costs.

``Decision.explain()`` turns the parsed address and every scored candidate into plain dicts. With
``dataclasses.asdict`` that was ~300 recursive calls a report, each asking whether its value is a
dataclass (``hasattr``), listing the fields again and deep-copying every string and number: about
three quarters of ``routing-core route --explain``'s time. :func:`as_plain` makes the same value
(equal, with the same types: tuples stay tuples) with each class's field names listed once and the
immutable leaves returned as they are, which is what ``copy.deepcopy`` returns for them anyway.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

__all__ = ["as_plain"]

# Values returned as they are: deepcopy returns these very objects too.
_ATOMS = frozenset({str, int, float, bool, type(None)})
# Each dataclass's field names in definition order, as dataclasses.fields gives them.
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def as_plain(value: Any) -> Any:
    """What ``dataclasses.asdict`` makes of a dataclass instance (or a value inside one): nested
    dataclasses become dicts, lists and tuples keep their type, dicts are rebuilt, and any other
    value is deep-copied."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(value))
    # (Below, an atom is tested for before the call: most values are atoms, and a call costs more.)
    if names is not None:
        out = {}
        for name in names:
            field = getattr(value, name)
            out[name] = field if type(field) in _ATOMS else as_plain(field)
        return out
    if kind is tuple or kind is list:
        return kind([v if type(v) in _ATOMS else as_plain(v) for v in value])
    if kind is dict:
        return {k if type(k) in _ATOMS else as_plain(k): v if type(v) in _ATOMS else as_plain(v)
                for k, v in value.items()}
    # The rarer containers, as asdict takes them: named tuples field by field, other lists, tuples and
    # dicts through their own type (a defaultdict keeps its factory, as from Python 3.12 on), anything
    # else deep-copied.
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return kind(*[as_plain(v) for v in value])
    if isinstance(value, (list, tuple)):
        return kind(as_plain(v) for v in value)
    if isinstance(value, dict):
        if hasattr(kind, "default_factory"):
            rebuilt = kind(value.default_factory)  # type: ignore[attr-defined]
            for k, v in value.items():
                rebuilt[as_plain(k)] = as_plain(v)
            return rebuilt
        return kind((as_plain(k), as_plain(v)) for k, v in value.items())
    return copy.deepcopy(value)
