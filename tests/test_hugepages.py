"""Huge pages for the command line: when its restart adds glibc's tunable, and that it does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from routing_core.errors import ConfigError
from routing_core.hugepages import (
    TUNABLE,
    _glibc_version,
    describe_huge_pages,
    huge_pages_environment,
    preloaded_malloc,
    thp_mode,
)

GLIBC = (2, 36)


def test_the_tunable_is_added_where_the_kernel_waits_to_be_asked() -> None:
    env = huge_pages_environment({"PATH": "/bin"}, "madvise", GLIBC)
    # With 64 MiB (67,108,864 bytes) of slack at the heap's top for the helper to fault in.
    assert env == {"PATH": "/bin", "GLIBC_TUNABLES": "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864"}


def test_other_tunables_are_kept() -> None:
    env = huge_pages_environment({"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"}, "madvise", GLIBC)
    assert env is not None
    assert env["GLIBC_TUNABLES"] == (
        "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864"
    )


def test_a_top_pad_of_the_users_own_is_kept() -> None:
    env = huge_pages_environment({"GLIBC_TUNABLES": "glibc.malloc.top_pad=0"}, "madvise", GLIBC)
    assert env is not None
    assert env["GLIBC_TUNABLES"] == "glibc.malloc.top_pad=0:glibc.malloc.hugetlb=1"


@pytest.mark.parametrize(
    ("environ", "mode", "glibc"),
    [
        ({}, "always", GLIBC),  # every process already gets them
        ({}, "never", GLIBC),
        ({}, None, GLIBC),  # not Linux, or no THP
        ({}, "madvise", (2, 34)),  # the tunable came with glibc 2.35
        ({}, "madvise", None),  # not glibc (musl, macOS)
        ({"GLIBC_TUNABLES": "glibc.malloc.hugetlb=0"}, "madvise", GLIBC),  # the user said no
        ({"GLIBC_TUNABLES": "a=1:glibc.malloc.hugetlb=1"}, "madvise", GLIBC),  # already restarted
        ({"ROUTING_CORE_HUGE_PAGES": "0"}, "madvise", GLIBC),
    ],
)
def test_nothing_changes_when_it_would_change_nothing(
    environ: dict[str, str], mode: str | None, glibc: tuple[int, ...] | None
) -> None:
    assert huge_pages_environment(environ, mode, glibc) is None


@pytest.mark.parametrize("value", ["off", "no", "2", " 0"])
def test_a_bad_opt_out_value_is_named(value: str) -> None:
    with pytest.raises(ConfigError, match=rf"ROUTING_CORE_HUGE_PAGES: .*got {value!r}"):
        huge_pages_environment({"ROUTING_CORE_HUGE_PAGES": value}, "madvise", GLIBC)
    with pytest.raises(ConfigError):  # whatever the machine: a typo does not pass unnoticed
        huge_pages_environment({"ROUTING_CORE_HUGE_PAGES": value}, "never", None)


def test_the_command_line_names_a_bad_opt_out_value() -> None:
    env = {**os.environ, "ROUTING_CORE_HUGE_PAGES": "off"}
    run = subprocess.run([sys.executable, "-m", "routing_core", "bench", "--days", "1", "--quiet"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2
    assert "ROUTING_CORE_HUGE_PAGES" in run.stderr and "'off'" in run.stderr


def test_the_kernel_setting_is_read_from_its_brackets(tmp_path: Path) -> None:
    setting = tmp_path / "enabled"
    setting.write_text("always [madvise] never\n", encoding="ascii")
    assert thp_mode(setting) == "madvise"
    setting.write_text("[always] madvise never\n", encoding="ascii")
    assert thp_mode(setting) == "always"
    assert thp_mode(tmp_path / "missing") is None


def _bench_huge_pages_line(extra_env: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("GLIBC_TUNABLES", "ROUTING_CORE_HUGE_PAGES")}
    env.update(extra_env)
    out = subprocess.run(
        [sys.executable, "-m", "routing_core", "bench", "--days", "1", "--per-day", "40", "--quiet"],
        capture_output=True, text=True, env=env, check=True, timeout=300,
    ).stdout
    return next(line for line in out.splitlines() if "huge pages" in line)


@pytest.mark.skipif(
    thp_mode() != "madvise" or (_glibc_version() or (0,)) < (2, 35),
    reason="the restart only happens where the kernel gives huge pages on request and glibc can ask",
)
def test_the_command_line_restarts_with_malloc_asking() -> None:
    assert f"malloc ({TUNABLE}=1" in _bench_huge_pages_line({})
    assert "off" in _bench_huge_pages_line({"ROUTING_CORE_HUGE_PAGES": "0"})


@pytest.mark.parametrize(
    ("preload", "allocator"),
    [
        ("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "libjemalloc.so.2"),
        ("libasan.so.8:/opt/lib/libtcmalloc_minimal.so.4", "libtcmalloc_minimal.so.4"),  # ':' or ' '
        ("/usr/lib/libmimalloc.so /usr/lib/other.so", "libmimalloc.so"),
        ("/usr/lib/libfaketime.so.1", None),  # preloaded, but not an allocator
        ("", None),
    ],
)
def test_a_preloaded_allocator_is_named(preload: str, allocator: str | None) -> None:
    assert preloaded_malloc({"LD_PRELOAD": preload}) == allocator


def test_the_description_says_when_the_tunable_does_not_apply(tmp_path: Path) -> None:
    setting = tmp_path / "enabled"
    setting.write_text("always [madvise] never\n", encoding="ascii")
    tuned = {"GLIBC_TUNABLES": f"{TUNABLE}=1"}
    assert describe_huge_pages(tuned, setting) == f"malloc ({TUNABLE}=1; kernel: madvise)"
    padded = {"GLIBC_TUNABLES": f"{TUNABLE}=1:glibc.malloc.top_pad=67108864"}
    assert describe_huge_pages(padded, setting) == (f"malloc ({TUNABLE}=1, glibc.malloc.top_pad=67108864; "
                                                    "kernel: madvise)")
    # With another allocator preloaded, glibc's malloc (and its tunable) is not the one used.
    described = describe_huge_pages({**tuned, "LD_PRELOAD": "/usr/lib/libjemalloc.so.2"}, setting)
    assert described == (f"malloc from libjemalloc.so.2 (LD_PRELOAD; kernel: madvise; "
                         f"{TUNABLE} does not apply)")
    assert describe_huge_pages({}, setting) == "off (kernel: madvise; malloc does not ask)"
