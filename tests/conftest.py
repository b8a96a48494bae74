"""Shared fixtures: a fresh default engine and the bundled sample."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from routing_core import Engine

TEST_DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def sample_reports() -> list[dict[str, Any]]:
    text = resources.files("routing_core").joinpath("data/sample_reports.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def sample_truth() -> dict[str, Any]:
    return json.loads((TEST_DATA / "sample_truth.json").read_text(encoding="utf-8"))


@pytest.fixture
def engine() -> Engine:
    return Engine()
