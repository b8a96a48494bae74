"""A message written among a progress line's updates goes on a line of its own, above the bar."""

from __future__ import annotations

import io

from routing_core.progress_line import Above, ProgressLine


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_message_on_a_terminal_ends_the_bar_s_line_first_and_the_bar_comes_back_under_it() -> None:
    out = Tty()
    line = ProgressLine(out, width=4)
    line.show(0.5, "half")
    print("reports.jsonl:7: invalid JSON", file=Above(line))
    line.show(1.0, "all", last=True)
    assert out.getvalue() == (
        "\r[##..] half\x1b[K\n"  # the open line ended before the message
        "reports.jsonl:7: invalid JSON\n"
        "\r[####] all\x1b[K\n"
    )


def test_a_message_on_a_pipe_is_written_as_it_comes() -> None:
    out = io.StringIO()
    line = ProgressLine(out, width=4, steps=2)
    line.show(0.5, "half")
    print("reports.jsonl:7: invalid JSON", file=Above(line))
    line.show(1.0, "all", last=True)
    assert out.getvalue() == "[##..] half\nreports.jsonl:7: invalid JSON\n[####] all\n"
