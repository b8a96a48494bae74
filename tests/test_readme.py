"""The README's Python example runs as written, and its test command is the one CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _block_after(marker: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(re.escape(marker) + r"\s*```\w*\n(.*?)```", text, re.S)
    assert match, f"README.md has no code block after {marker}"
    return match.group(1)


def test_python_example_runs_and_prints_what_it_says(capsys: pytest.CaptureFixture[str]) -> None:
    code = _block_after("<!-- example -->")
    assert 10 <= len(code.strip().splitlines()) <= 20
    exec(compile(code, str(README), "exec"), {})
    out = capsys.readouterr().out.splitlines()
    # The comment under the first print states its output; check the program agrees.
    promised = re.search(r"^# (E\d+ .*)$", code, re.M)
    assert promised and out[0] == promised.group(1)
    assert "百丈街道" in out[2] and "'community'" in out[2] and "'town'" in out[2]


def test_columns_example_prints_what_it_says(capsys: pytest.CaptureFixture[str]) -> None:
    code = _block_after("<!-- columns-example -->")
    exec(compile(code, str(README), "exec"), {})
    out = capsys.readouterr().out.splitlines()
    promised = re.search(r"^# (\[.*)$", code, re.M)
    assert promised and out == [promised.group(1)]
    # The same two reports as the first example: the second joins the first's event.


def test_rules_fuzzing_example_runs() -> None:
    code = _block_after("<!-- testing-example -->")
    assert len(code.strip().splitlines()) <= 20
    namespace: dict[str, object] = {}
    exec(compile(code, str(README), "exec"), namespace)
    tests = [f for name, f in namespace.items() if name.startswith("test_") and callable(f)]
    assert len(tests) == 2
    for test in tests:
        test()


def test_ci_runs_the_readme_test_command() -> None:
    command = _block_after("<!-- test-command -->").strip()
    assert "pytest" in command
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- test-command -->" in ci  # CI reads the command from README.md itself
