"""Reading a configuration file written in TOML, naming the file and what is wrong with it."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["read_toml"]


def read_toml(path: Path, what: str, error: type[ConfigError] = ConfigError) -> dict[str, Any]:
    """The document in the TOML file at ``path`` (``what`` it holds, for messages: "rules").

    A UTF-8 byte order mark (saved by some Windows editors) is skipped. Raises ``error``, naming the
    file, when it cannot be read, is not UTF-8 or not TOML, holds an integer Python refuses (more than
    4,300 digits), or nests arrays or inline tables too deeply for the parser's recursion.
    """
    prefix = f"{path}: cannot load {what}"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"{prefix}: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise error(f"{prefix}: not valid UTF-8 at byte {exc.start}") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{prefix}: TOML syntax error: {exc}") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise error(f"{prefix}: TOML value refused: {exc}") from None
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise error(f"{prefix}: TOML nested too deeply (arrays or inline tables thousands deep)") from None
