"""Follow a build from the CLI through the imports, as a newcomer reads it, and count the climbs.

The walk: depth first from the CLI's entry (``pipeline.cli.main``), each module's package imports
(module level and inside functions, the lazy ones too) in the order they appear, each module
read once. A module's room is its folder under ``pipeline/``, ranked by the layer order in the
checkout's ``tests/test_architecture.py``; the modules at the top (model, errors, fsutil ...) are
the floor every room stands on and are left out of the rooms' sequence.

- **climbs back up**: in the reading order (each module where it is first reached), the next module
  is in a room of a higher layer than the one just read: the reader has to go back up the pipeline
  to go on, because a lower room sent them somewhere and a higher one holds the next step;
- **returns**: the next module is in a room the reader already left (rooms counted once in a row).

Both also for the runner's stage list alone (``runner.stages``, ``build.stages`` before issue 19).
Run it on two checkouts to compare: `python benchmarks/count_climbs.py [--repo PATH] [--show]`.
"""

# codemod19: skip-file (it names the rooms before issue 19 too, to read old checkouts)

from __future__ import annotations

import argparse
import ast
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.importgraph import imports, modules  # noqa: E402  (the reader tests/test_architecture.py uses)


def layer_order(repo: Path) -> dict[str, int]:
    tree = ast.parse((repo / "tests" / "test_architecture.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "ORDER" for t in node.targets):
            return dict(ast.literal_eval(node.value))
    raise SystemExit(f"{repo}: no ORDER in tests/test_architecture.py")


def reading_order(start: str, mods: dict[str, Path]) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()

    def visit(module: str) -> None:
        seen.add(module)
        order.append(module)
        for dep in imports(module, mods):
            if dep not in seen:
                visit(dep)

    sys.setrecursionlimit(10_000)
    visit(start)
    return order


def room(module: str, mods: dict[str, Path]) -> str | None:
    """The folder a module is in; None for the modules at the top (model, errors, fsutil ...): the
    floor every room stands on, not a room a reader leaves."""
    top = ".".join(module.split(".")[:2])
    return module.split(".")[1] if mods[top].name == "__init__.py" else None


def count(order: list[str], layers: dict[str, int], mods: dict[str, Path]) -> tuple[int, int, list[str]]:
    rooms = [r for m in order if (r := room(m, mods)) is not None]
    runs = [r for i, r in enumerate(rooms) if i == 0 or r != rooms[i - 1]]
    climbs = returns = 0
    left: set[str] = set()
    for here, there in itertools.pairwise(runs):
        left.add(here)
        climbs += layers.get(there, 0) > layers.get(here, 0)
        returns += there in left
    return climbs, returns, runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=ROOT, help="a checkout of this repository")
    parser.add_argument("--show", action="store_true", help="print the rooms in reading order")
    args = parser.parse_args()
    mods, layers = modules(args.repo), layer_order(args.repo)
    stages = next(m for m in ("pipeline.runner.stages", "pipeline.build.stages") if m in mods)
    for start in ("pipeline.cli.main", stages):
        order = reading_order(start, mods)
        climbs, returns, runs = count(order, layers, mods)
        print(f"from {start}: {len(order)} modules, {len(runs)} room visits, "
              f"{climbs} climbs back up, {returns} returns to a room already left")
        if args.show:
            print("  " + " > ".join(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
