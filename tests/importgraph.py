"""The package's import graph, read from the source without running it.

One reader for the two that look at it: tests/test_architecture.py checks the arrows and
the cycles, benchmarks/count_climbs.py walks it as a newcomer reads a build. Any checkout
can be read (count_climbs compares one before and after a change).
"""

from __future__ import annotations

import ast
from pathlib import Path


def modules(checkout: Path) -> dict[str, Path]:
    """Every module of ``checkout``'s ``pipeline`` package by dotted name (a package by its own name)."""
    out = {}
    for path in (checkout / "pipeline").rglob("*.py"):
        parts = path.relative_to(checkout).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def imports(name: str, known: dict[str, Path]) -> list[str]:
    """The package modules ``name`` imports, module level or inside functions, in source order, each
    once. ``from a.b import c`` counts ``a.b.c`` when that is a module, else ``a.b``."""
    path = known[name]
    found: list[tuple[int, int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-node.level]
                base = ".".join([*package, node.module])
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("pipeline."):
                found.append((node.lineno, node.col_offset, target))
    return list(dict.fromkeys(target for _, _, target in sorted(found)))


def graph(checkout: Path) -> dict[str, list[str]]:
    """Each module with the package modules it imports."""
    known = modules(checkout)
    return {name: imports(name, known) for name in known}
