"""Reading reports from JSON Lines without stopping at a bad line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["read_jsonl"]


def read_jsonl(
    path: Path, errors: IO[str], on_bytes: Callable[[int], None] | None = None
) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(line number, record) per non-blank line; record is None (after a message) for a bad line.

    ``on_bytes``, when given, is called with each line's size in bytes (blank ones too) as it is read,
    for progress through a long file.
    """
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if on_bytes is not None:
                on_bytes(len(raw))
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                print(f"{path}:{lineno}: invalid UTF-8 at byte {exc.start}", file=errors)
                yield lineno, None
                continue
            except json.JSONDecodeError as exc:
                print(f"{path}:{lineno}: invalid JSON: {exc.msg} (column {exc.colno})", file=errors)
                yield lineno, None
                continue
            if not isinstance(record, dict):
                print(f"{path}:{lineno}: expected a JSON object, got {type(record).__name__}", file=errors)
                yield lineno, None
                continue
            yield lineno, record
