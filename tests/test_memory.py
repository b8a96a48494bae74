"""Engine.memory(): the bytes it counts from its containers agree with what the allocator handed out."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

import pytest

from routing_core import Engine
from routing_core.replay import _columns
from routing_core.synth import generate


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def _heap_in_use() -> int:
    """Bytes handed out by glibc's malloc (small and mmapped blocks), or skip where there is no mallinfo2."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    if not hasattr(libc, "mallinfo2"):
        pytest.skip("glibc's mallinfo2 is needed to measure the heap independently")
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    return int(info.uordblks + info.hblkhd)


def test_parts_add_up_and_an_empty_engine_holds_no_events() -> None:
    memory = Engine().memory()
    assert memory["total"] == sum(v for k, v in memory.items() if k != "total")
    assert memory["events"] == memory["match_data"] == memory["index"] == 0


def test_counted_bytes_agree_with_the_allocator() -> None:
    # The columns are made before the first reading, and each call's output is dropped, so that the
    # heap's growth is the engine's own state; the count leaves out malloc's ~16 bytes per block.
    batches = [_columns(b) for b in generate(days=2, reports_per_day=3000, seed=4)]
    engine = Engine()
    gc.collect()
    before = _heap_in_use()
    for ids, texts, addresses, times, sources, categories, lat, lon in batches:
        for lo in range(0, len(ids), 500):
            part = slice(lo, lo + 500)
            engine.submit_columns(ids[part], texts[part], addresses[part], times[part], sources[part],
                                  categories=categories[part], lat=lat[part], lon=lon[part])
    gc.collect()
    grown = _heap_in_use() - before
    memory = engine.memory()
    stats = engine.stats()
    assert memory["index"] == stats.index_bytes
    assert memory["match_data"] > 500 * stats.events  # a parsed address and ~100 text shingles each
    assert memory["reports"] >= 64 * stats.reports  # a receipt each, besides the ids
    assert 0.75 * grown <= memory["total"] <= 1.02 * grown, (memory, grown)
