"""The typed surface: py.typed ships, and the _core stub names exactly what the binding defines."""

from __future__ import annotations

import ast
from pathlib import Path

import routing_core
from routing_core import _core

PACKAGE = Path(routing_core.__file__).parent


def _stub_members() -> dict[str, set[str]]:
    tree = ast.parse((PACKAGE / "_core.pyi").read_text(encoding="utf-8"))
    members: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            members[node.name] = {
                n.name for n in node.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")
            } | {n.target.id for n in node.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
        elif isinstance(node, ast.FunctionDef):
            members[node.name] = set()
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if node.target.id != "__all__":  # a constant
                members[node.target.id] = set()
    return members


def test_py_typed_ships() -> None:
    assert (PACKAGE / "py.typed").exists()


def test_core_stub_matches_binding() -> None:
    stub = _stub_members()
    runtime = {name for name in dir(_core) if not name.startswith("_")}
    assert set(stub) == runtime
    for name, names in stub.items():
        obj = getattr(_core, name)
        if isinstance(obj, type):
            assert names == {m for m in dir(obj) if not m.startswith("_")}, name
