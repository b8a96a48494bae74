"""A progress line for long runs (a year's replay, a year's rules diff), written to stderr.

On a terminal it is one line with a bar, redrawn in place. On a pipe or a log file it is a plain line
each time another twentieth of the work is done, and one at the end: a year's replay writes about
twenty lines, not one per day.
"""

from __future__ import annotations

import math
import time
from typing import IO

__all__ = ["Above", "FileProgress", "ProgressLine"]


class ProgressLine:
    """Shows ``done`` (a fraction in [0, 1]) as a bar, followed by a text the caller formats."""

    def __init__(self, out: IO[str], width: int = 24, steps: int = 20) -> None:
        self.out = out
        self.width = width
        self.steps = steps
        self.tty = out.isatty()
        self.open_line = False
        self._step_shown = 0  # on a pipe: the last twentieth written
        self.started = time.perf_counter()

    def elapsed(self) -> float:
        """Seconds since the line was made (the work's start)."""
        return time.perf_counter() - self.started

    def rate(self, count: int) -> float:
        """``count`` (of reports, ...) per second of the time elapsed (0 before any time has passed)."""
        wall = self.elapsed()
        return count / wall if wall > 0 else 0.0

    def time_left(self, done: float) -> float:
        """Seconds left when ``done`` of the work took the time elapsed (0 before any is done)."""
        wall = self.elapsed()
        return wall / done - wall if done > 0 else 0.0

    def show(self, done: float, text: str, *, last: bool = False) -> None:
        """Draws the line; ``last`` ends it (and, on a pipe, is always written)."""
        done = min(1.0, max(0.0, done)) if math.isfinite(done) else 0.0
        step = math.floor(done * self.steps)
        if not self.tty:
            if not last and step <= self._step_shown:
                return
            self._step_shown = step
        filled = round(self.width * done)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {text}"
        if self.tty:
            self.open_line = not last
            self.out.write(f"\r{line}\x1b[K" + ("" if self.open_line else "\n"))
        else:
            self.out.write(line + "\n")
        self.out.flush()

    def close(self) -> None:
        """Ends the line on a terminal when the work stopped before its last update."""
        if self.open_line:
            self.out.write("\n")
            self.out.flush()
            self.open_line = False


class FileProgress:
    """The progress of work that reads a file as it goes (``route``, ``rules diff``): the share of its
    bytes read (``read`` is given each piece's size), with the caller's figures and the time left."""

    def __init__(self, out: IO[str], size: int) -> None:
        self.line = ProgressLine(out)
        self.size = size
        self.bytes = 0

    def read(self, n: int) -> None:
        self.bytes += n

    def show(self, figures: str, *, last: bool = False) -> None:
        """Draws ``figures`` and the time left. Once the whole file is read, only the ``last`` call
        draws (the full bar): the work behind the reading still goes on until then."""
        if not last and self.bytes >= self.size:
            return
        done = 1.0 if last or not self.size else self.bytes / self.size
        eta = 0.0 if last else self.line.time_left(done)
        self.line.show(done, f"{figures} · ETA {eta:,.0f} s", last=last)


class Above:
    """A stream for messages written among a progress line's updates (a bad line's error): each goes on
    a line of its own, above the bar that the next update draws again."""

    def __init__(self, line: ProgressLine) -> None:
        self.line = line

    def write(self, text: str) -> int:
        self.line.close()
        return self.line.out.write(text)

    def flush(self) -> None:
        self.line.out.flush()
