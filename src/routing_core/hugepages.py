"""Transparent huge pages for the engine's heap: what the machine offers, and the environment that
makes glibc's malloc ask for them.

Matching reads scattered event data (cards, addresses, shingles, posting lists) out of a heap that
grows to ~2 GB over a replayed year: with 4 KiB pages most of those reads also miss the TLB. Linux
backs memory with 2 MiB pages when the process asks (``madvise``, the default mode of most
distributions) and glibc ≥ 2.35 asks for all of its heap when started with the tunable
``glibc.malloc.hugetlb=1``. A tunable is read when the process starts, so the command line starts
itself again with it (:func:`reexec_with_huge_pages`); a program embedding the engine sets
``GLIBC_TUNABLES=glibc.malloc.hugetlb=1`` in its own environment. ``ROUTING_CORE_HUGE_PAGES=0``
keeps the command line as it is.

The restart also keeps 64 MiB of slack at the heap's top (``glibc.malloc.top_pad``, unless set): the
first write to a huge page the machine has not used lately is slow on a virtual machine (the host backs
it then), and a batch's idle helper thread faults that slack in before the matching thread writes to
it, or between single calls a thread of the process (the core's ``HeapPrefaulter`` and
``BackgroundPrefaulter``; engines with ``threads`` ≥ 2). Without slack there is nothing to fault in
ahead.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from .errors import ConfigError

__all__ = ["describe_huge_pages", "huge_pages_environment", "preloaded_malloc", "reexec_with_huge_pages"]

THP_SETTING = Path("/sys/kernel/mm/transparent_hugepage/enabled")
TUNABLE = "glibc.malloc.hugetlb"
TOP_PAD = "glibc.malloc.top_pad"
TOP_PAD_BYTES = 64 << 20
OPT_OUT = "ROUTING_CORE_HUGE_PAGES"


def thp_mode(setting: Path = THP_SETTING) -> str | None:
    """The kernel's transparent-huge-page mode (``always``, ``madvise`` or ``never``), or None when
    the machine does not say (not Linux, or no THP)."""
    try:
        text = setting.read_text(encoding="ascii")
    except OSError:
        return None
    start, end = text.find("["), text.find("]")
    return text[start + 1 : end] if 0 <= start < end else None


def _glibc_version() -> tuple[int, ...] | None:
    name, version = platform.libc_ver()
    if name != "glibc" or not version:
        return None
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return None


def _tunable(environ: Mapping[str, str], name: str = TUNABLE) -> str | None:
    """The value of tunable ``name`` in GLIBC_TUNABLES (``a=1:b=2``), or None when unset."""
    for item in environ.get("GLIBC_TUNABLES", "").split(":"):
        key, _, value = item.partition("=")
        if key == name:
            return value
    return None


def huge_pages_environment(
    environ: Mapping[str, str], mode: str | None, glibc: tuple[int, ...] | None
) -> dict[str, str] | None:
    """``environ`` with glibc.malloc.hugetlb=1 added to GLIBC_TUNABLES, and glibc.malloc.top_pad
    (:data:`TOP_PAD_BYTES`) unless that is set, or None when that would change nothing: the kernel
    already gives every process huge pages (``always``) or none (``never``, not Linux), glibc is older
    than 2.35 or not glibc, the hugetlb tunable is already set (to any value: the user's choice), or
    ``ROUTING_CORE_HUGE_PAGES=0``. Raises ConfigError when that variable is set to anything but 0 or
    1."""
    choice = environ.get(OPT_OUT, "")
    if choice not in ("", "0", "1"):
        raise ConfigError(f"environment variable {OPT_OUT}: expected 0 (off) or 1 (on, the default), "
                          f"got {choice!r}")
    if mode != "madvise" or glibc is None or glibc < (2, 35):
        return None
    if choice == "0" or _tunable(environ) is not None:
        return None
    added = [f"{TUNABLE}=1"]
    if _tunable(environ, TOP_PAD) is None:
        added.append(f"{TOP_PAD}={TOP_PAD_BYTES}")
    env = dict(environ)
    tunables = [t for t in env.get("GLIBC_TUNABLES", "").split(":") if t]
    env["GLIBC_TUNABLES"] = ":".join(tunables + added)
    return env


def reexec_with_huge_pages(command: Sequence[str]) -> None:
    """Starts ``python COMMAND...`` (``["-m", "routing_core", ...]``, or a script's ``sys.argv``) in
    place of this process, its malloc asking for huge pages, when :func:`huge_pages_environment`
    says that changes something; returns otherwise. Call it before anything has been read or
    written: the process is replaced."""
    env = huge_pages_environment(os.environ, thp_mode(), _glibc_version())
    if env is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *command], env)


# Allocators that take malloc's place when preloaded (glibc's tunable then does nothing).
_ALLOCATORS = ("jemalloc", "tcmalloc", "mimalloc", "snmalloc", "hoard")


def preloaded_malloc(environ: Mapping[str, str]) -> str | None:
    """The file name of an allocator in ``LD_PRELOAD`` (jemalloc, tcmalloc, mimalloc…), or None."""
    for entry in environ.get("LD_PRELOAD", "").replace(":", " ").split():
        name = entry.rsplit("/", 1)[-1]
        if any(allocator in name for allocator in _ALLOCATORS):
            return name
    return None


def describe_huge_pages(environ: Mapping[str, str] | None = None, setting: Path = THP_SETTING) -> str:
    """What this process gets, for a benchmark's machine description (``environ``: this process's
    environment unless given)."""
    environ = os.environ if environ is None else environ
    mode = thp_mode(setting)
    allocator = preloaded_malloc(environ)
    if allocator is not None:
        kernel = f"kernel: {mode}" if mode is not None else "no transparent huge pages setting"
        return f"malloc from {allocator} (LD_PRELOAD; {kernel}; {TUNABLE} does not apply)"
    if mode is None:
        return "unknown (no transparent huge pages setting)"
    if mode != "madvise":
        return f"kernel: {mode}"
    tunable = _tunable(environ)
    if tunable is not None and tunable != "0":
        pad = _tunable(environ, TOP_PAD)
        slack = f", {TOP_PAD}={pad}" if pad is not None else ""
        return f"malloc ({TUNABLE}={tunable}{slack}; kernel: madvise)"
    return "off (kernel: madvise; malloc does not ask)"
