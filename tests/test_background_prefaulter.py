"""The heap's pages faulted in between calls by a thread of the process: only for engines of two or
more threads, and an engine still works in both processes after a fork."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings

import pytest

from routing_core import Engine
from routing_core.synth import generate

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="threads named in /proc")

# Prints how many of the process's threads are the prefaulter's (by name): before any call, after a
# lean batch (on two threads its own helper faults pages in, so it wakes nothing) and after single
# submits (each wakes the prefaulter, the first starts it), for an engine of `threads` threads.
_COUNT_THREADS = """
import os, sys, time
from routing_core import Engine
from routing_core.synth import generate

def prefaulters():
    names = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/comm") as f:
                names.append(f.read().strip())
        except FileNotFoundError:  # a thread that ended meanwhile
            pass
    return names.count("heap-prefault")

def settled():  # the thread names itself as it starts
    waited = time.monotonic()
    while prefaulters() == 0 and time.monotonic() < waited + 0.5:
        time.sleep(0.01)
    return prefaulters()

reports = next(iter(generate(days=1, reports_per_day=3000, seed=5))).reports()
engine = Engine(threads=int(sys.argv[1]))
counts = [prefaulters()]
engine.submit_many(reports[:2000], explain=False)
counts.append(settled())
for report in reports[2000:2200]:
    engine.submit(report, explain=False)
counts.append(settled())
print(*counts)
"""


def _prefaulters_around_calls(threads: int) -> tuple[int, ...]:
    out = subprocess.run([sys.executable, "-c", _COUNT_THREADS, str(threads)], capture_output=True, text=True,
                         check=True, timeout=300)
    return tuple(int(n) for n in out.stdout.split())


@linux_only
def test_an_engine_of_one_thread_starts_no_prefaulter() -> None:
    assert _prefaulters_around_calls(1) == (0, 0, 0)


@linux_only
def test_an_engine_of_two_threads_starts_it_at_its_first_single_call() -> None:
    assert _prefaulters_around_calls(2) == (0, 0, 1)


def _event_ids(engine: Engine, reports: list[dict[str, object]]) -> list[str]:
    lean = [d.event_id for d in engine.submit_many(reports[:300], explain=False)]
    return lean + [engine.submit(r, explain=False).event_id for r in reports[300:]]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() here")
def test_after_a_fork_the_engine_goes_on_in_both_processes() -> None:
    reports = next(iter(generate(days=1, reports_per_day=2500, seed=6))).reports()
    first, rest = reports[:1800], reports[1800:]
    twin = Engine()  # one thread: the decisions both sides must make
    twin.submit_many(first, explain=False)
    expected = _event_ids(twin, rest)

    engine = Engine(threads=2)
    engine.submit_many(first, explain=False)
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12 warns about fork() in a process with threads: the thread is stopped before it.
        warnings.simplefilter("ignore", DeprecationWarning)
        child = os.fork()
    if child == 0:  # pragma: no cover (the child's outcome is its exit status)
        status = 1
        try:
            os.close(read_end)
            os.write(write_end, "\n".join(_event_ids(engine, rest)).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    assert _event_ids(engine, rest) == expected  # the parent, meanwhile
    deadline = time.monotonic() + 120
    while True:
        pid, status = os.waitpid(child, os.WNOHANG)
        if pid == child:
            break
        if time.monotonic() > deadline:
            os.kill(child, 9)
            os.waitpid(child, 0)
            pytest.fail("the forked child did not finish within 120 s")
        time.sleep(0.05)
    with os.fdopen(read_end, "rb") as pipe:
        said = pipe.read().decode()
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert said.split("\n") == expected
