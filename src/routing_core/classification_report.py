"""Classification accuracy on labelled texts: per-category precision, recall and F1, and the confusion.

Used by ``routing-core rules accuracy`` on a labelled file (TSV ``text<TAB>category`` with a header, or
JSON Lines with ``text`` and ``category``), and by the evaluation of generated report streams.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import Engine
from .errors import ConfigError
from .jsonl import json_lines

__all__ = ["CategoryScores", "ClassificationReport", "classify_labelled", "load_labelled", "score"]


@dataclass(frozen=True)
class CategoryScores:
    category: str
    support: int  # labelled cases of this category
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class ClassificationReport:
    cases: int
    accuracy: float
    macro_f1: float
    per_category: tuple[CategoryScores, ...]
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)  # (expected, predicted) -> count

    def format(self, labels: dict[str, str] | None = None, *, top_confusions: int = 10) -> str:
        labels = labels or {}
        lines = [f"{self.cases} cases: accuracy {self.accuracy:.3f}, macro F1 {self.macro_f1:.3f}", "",
                 f"{'category':24s} {'support':>7s} {'precision':>9s} {'recall':>7s} {'F1':>6s}"]
        for s in self.per_category:
            name = f"{s.category} {labels.get(s.category, '')}".strip()
            lines.append(f"{name:24s} {s.support:7d} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f}")
        errors = sorted(((n, e, p) for (e, p), n in self.confusion.items() if e != p), reverse=True)
        if errors:
            lines += ["", "most frequent confusions (expected → predicted):"]
            lines += [f"  {n:5d}  {e} → {p}" for n, e, p in errors[:top_confusions]]
        return "\n".join(lines)


def score(expected: Sequence[str], predicted: Sequence[str]) -> ClassificationReport:
    """Scores of predicted against expected categories (same order)."""
    if len(expected) != len(predicted):
        raise ValueError(f"{len(expected)} expected labels but {len(predicted)} predictions")
    confusion = Counter(zip(expected, predicted, strict=True))
    categories = sorted(set(expected) | set(predicted))
    per = []
    for c in categories:
        tp = confusion[(c, c)]
        support = sum(n for (e, _), n in confusion.items() if e == c)
        predicted_c = sum(n for (_, p), n in confusion.items() if p == c)
        precision = tp / predicted_c if predicted_c else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per.append(CategoryScores(c, support, precision, recall, f1))
    labelled = [s for s in per if s.support]
    accuracy = sum(confusion[(c, c)] for c in categories) / len(expected) if expected else 0.0
    macro = sum(s.f1 for s in labelled) / len(labelled) if labelled else 0.0
    return ClassificationReport(len(expected), accuracy, macro, tuple(per), dict(confusion))


def load_labelled(path: str | Path, *, truth: str | Path | None = None) -> list[tuple[str, str]]:
    """(text, category) pairs from a TSV with a ``text``/``category`` header or from JSON Lines.

    With ``truth`` (JSON Lines of ``{"id", "category"}``, such as ``routing-core synth --truth``),
    ``path`` holds reports (``id``, ``text``) and the categories come from the truth file; truth rows
    without a category (the generator's closings) are skipped.
    """
    path = Path(path)
    out: list[tuple[str, str]] = []
    if truth is not None:
        labels: dict[str, str] = {}
        for _lineno, row in _json_rows(Path(truth)):
            if "category" in row and "id" in row:
                labels[str(row["id"])] = str(row["category"])
        for lineno, row in _json_rows(path):
            if "id" not in row or "text" not in row:
                raise ConfigError(f"{path}:{lineno}: expected a report with id and text")
            if str(row["id"]) not in labels:
                raise ConfigError(f"{path}:{lineno}: report {row['id']!r} has no category in {truth}")
            out.append((str(row["text"]), labels[str(row["id"])]))
        return out
    if path.suffix == ".jsonl":
        for lineno, case in _json_rows(path):
            if "text" not in case or "category" not in case:
                raise ConfigError(f"{path}:{lineno}: expected a JSON object with text and category")
            out.append((str(case["text"]), str(case["category"])))
        return out
    try:
        raw = path.read_text(encoding="utf-8-sig")  # a BOM (spreadsheet exports) is not data
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read labelled cases: {exc}") from None
    # Fields are taken as they are: a text that starts with a quote ("垃圾"没人管) is not a quoted field,
    # which swallowed the rows after it; and rows end at line breaks alone (str.splitlines also broke
    # them at U+2028 or \x1c inside a text).
    reader = csv.DictReader(io.StringIO(raw, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)
    if reader.fieldnames is None or not {"text", "category"} <= set(reader.fieldnames):
        raise ConfigError(f"{path}: expected a TSV header with columns text and category")
    for lineno, columns in enumerate(reader, start=2):
        if not columns.get("text") or not columns.get("category"):
            raise ConfigError(f"{path}:{lineno}: empty text or category")
        out.append((columns["text"], columns["category"]))
    return out


def classify_labelled(engine: Engine, cases: Iterable[tuple[str, str]]) -> ClassificationReport:
    """Classify each text with the engine's rules (no matching, no state change) and score it."""
    expected, predicted = [], []
    for text, category in cases:
        expected.append(category)
        predicted.append(engine.classify(text).category)
    return score(expected, predicted)


def _json_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """The JSON objects of a JSON Lines file with their line numbers; an unreadable file, or its first
    line that is not a JSON object (as :func:`jsonl.json_lines` names it), is a ConfigError."""
    rows = []
    try:
        for lineno, row, problem in json_lines(path):
            if row is None:
                raise ConfigError(f"{path}:{lineno}: {problem}")
            rows.append((lineno, row))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return rows
