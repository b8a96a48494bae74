"""Reading reports from JSON Lines, one line at a time, naming what is wrong with a bad line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = ["json_lines", "read_jsonl"]

_BOM = b"\xef\xbb\xbf"


def json_lines(
    path: Path, on_bytes: Callable[[int], None] | None = None
) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(line number, record, problem) per non-blank line: the JSON object, or None and what is wrong.
    No line stops the reading: whatever its bytes, it is a record or a problem.

    A UTF-8 byte order mark at the start of the file (Windows editors and spreadsheet exports write
    one) is skipped, not taken for part of the first line. ``on_bytes``, when given, is called with
    each line's size in bytes (blank ones too) as it is read, for progress through a long file.
    """
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if on_bytes is not None:
                on_bytes(len(raw))
            if lineno == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                yield lineno, None, f"invalid UTF-8 at byte {exc.start}"
                continue
            except json.JSONDecodeError as exc:
                yield lineno, None, f"invalid JSON: {exc.msg} (column {exc.colno})"
                continue
            except ValueError as exc:  # an integer of more than 4,300 digits (Python's limit)
                yield lineno, None, "invalid JSON: " + str(exc).split(";")[0]
                continue
            except RecursionError:  # arrays or objects nested thousands deep
                yield lineno, None, "invalid JSON: nested too deeply"
                continue
            if not isinstance(record, dict):
                yield lineno, None, f"expected a JSON object, got {type(record).__name__}"
                continue
            yield lineno, record, ""


def read_jsonl(
    path: Path, errors: SupportsWrite[str], on_bytes: Callable[[int], None] | None = None
) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(line number, record) per non-blank line, without stopping at a bad one: its record is None,
    after a message on ``errors`` naming the file, the line and the problem (:func:`json_lines`)."""
    for lineno, record, problem in json_lines(path, on_bytes):
        if record is None:
            print(f"{path}:{lineno}: {problem}", file=errors)
        yield lineno, record
