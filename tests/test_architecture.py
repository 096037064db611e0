"""The shape of the package: stages import one way, no cycles, modules and functions of a readable size."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.importgraph import graph, modules

CHECKOUT = Path(__file__).resolve().parent.parent

# Lower layers first: a module may import its own layer and the layers before it, never a later one.
# The studio sits under the CLI at the top: it calls the build and the stages, and nothing calls it
# but the `audiobook studio` command (it takes nothing from the CLI: the arrow goes one way).
# The plan (options, each chapter's clips and files, the build state) sits below publish, which writes
# what is planned; the output formats both read are plain data at the floor (formats.py).
ORDER = {"model": 0, "errors": 0, "fsutil": 1, "yamlutil": 1, "layout": 1, "clock": 1, "formats": 1,
         "reading": 2, "speakers": 3, "voices": 4, "audio": 5, "plan": 6, "publish": 7, "quality": 8, "runner": 9,
         "studio": 10, "cli": 11}
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
MAX_CLASS_LINES = 200  # a class counted with the package classes it inherits from: one unit, however split
# Classes over the bound for now, each with why. Issue 21's helpers are rewriting these (the sieves as
# strategy objects, the cast and mentions code): drop an entry when its class is under the bound.
OVERSIZED_CLASSES = {
    "pipeline.speakers.attribution.scene.Scene": "the sieves' shared context (235 lines): its queries about "
                                                 "who spoke and who was addressed still to be split out",
}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return ORDER.get(parts[1]) if len(parts) > 1 else None


def _graph() -> dict[str, list[str]]:
    return graph(CHECKOUT)


def test_no_stage_imports_a_later_stage_or_the_cli() -> None:
    wrong = []
    for mod, deps in _graph().items():
        here = _layer(mod)
        for dep in deps:
            there = _layer(dep)
            if here is not None and there is not None and there > here:
                wrong.append(f"{mod} -> {dep}")
    assert not wrong, "imports against the arrows:\n" + "\n".join(sorted(wrong))


def test_only_the_cli_calls_the_studio() -> None:
    callers = sorted(mod for mod, deps in _graph().items()
                     if any(d.startswith("pipeline.studio") for d in deps) and not mod.startswith("pipeline.studio"))
    assert callers == ["pipeline.cli.app"], callers


def test_no_import_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[str] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in graph.get(node, ()):
            if state.get(dep) == 1:
                cycles.append(" -> ".join([*stack[stack.index(dep):], dep]))
            elif dep not in state:
                visit(dep, [*stack, dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def _classes() -> dict[str, tuple[ast.ClassDef, str]]:
    """Every class of the package by its dotted name, with its module."""
    out = {}
    for name, path in modules(CHECKOUT).items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                out[f"{name}.{node.name}"] = (node, name)
    return out


def _class_lines(qualname: str, classes: dict[str, tuple[ast.ClassDef, str]]) -> int:
    """A class's lines with those of the package classes it inherits from (found by name)."""
    node, module = classes[qualname]
    lines = (node.end_lineno or node.lineno) - node.lineno + 1
    for base in node.bases:
        base_name = base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) else ""
        found = [q for q in classes if q.rpartition(".")[2] == base_name and q != qualname]
        same_module = [q for q in found if classes[q][1] == module]
        if len(same_module or found) == 1:
            lines += _class_lines((same_module or found)[0], classes)
    return lines


def test_classes_stay_readable() -> None:
    classes = _classes()
    too_big = [f"{q}: {n} lines" for q in sorted(classes)
               if (n := _class_lines(q, classes)) > MAX_CLASS_LINES and q not in OVERSIZED_CLASSES]
    assert not too_big, f"classes over {MAX_CLASS_LINES} lines (with their bases):\n" + "\n".join(too_big)


def test_modules_and_functions_stay_readable() -> None:
    too_long = []
    for name, path in modules(CHECKOUT).items():
        source = path.read_text(encoding="utf-8")
        lines = source.count("\n")
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{name}.{node.name}: {length} lines")
    assert not too_long, "too long:\n" + "\n".join(too_long)
