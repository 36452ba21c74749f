"""The shape of the code base, checked from its source (docs/architecture.md).

- No import cycle between the packages under ``governance/``: a context reads the contexts it
  depends on (in migration order), never the other way round. Only imports that run when a
  module is loaded count; imports inside functions (a way to break a cycle at load time, not
  the dependency) are listed beside the answer, not counted.
- No module grows past 600 lines (frozen migrations aside): past that, it holds several things.
- No test module imports another test module or a conftest: shared helpers live in
  ``tests/support/`` or are fixtures.

Run as a script for the report: ``python tests/test_architecture.py``.
"""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "governance"
MAX_LINES = 600


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, e.g. governance.polls.services
    target: str  # the imported module (or the package a name was taken from)
    path: Path
    line: int
    in_function: bool

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _function_lines(tree: ast.AST) -> set[int]:
    """The line of every import statement nested in a function or method."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            for child in ast.walk(node):
                if isinstance(child, ast.Import | ast.ImportFrom):
                    inside.add(child.lineno)
    return inside


def imports() -> list[Import]:
    """Every import of a ``governance`` module by a ``governance`` module."""
    known = modules()
    found = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        nested = _function_lines(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    origin = ".".join([*base, node.module] if node.module else base)
                else:
                    origin = node.module or ""
                # ``from governance import db`` imports the module governance.db.
                targets = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in known else origin for a in node.names]
            for target in dict.fromkeys(targets):
                if target == "governance" or target.startswith("governance."):
                    found.append(Import(name, target, path, node.lineno, node.lineno in nested))
    return found


def unit(module: str) -> str:
    """The top-level package (or module) of ``governance`` a module belongs to."""
    parts = module.split(".")
    return ".".join(parts[:2])


def package_graph(edges: list[Import]) -> dict[str, dict[str, list[Import]]]:
    graph: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
    for edge in edges:
        a, b = unit(edge.source), unit(edge.target)
        if a != b and "governance" not in (a, b):
            graph[a][b].append(edge)
    return graph


def cycles(graph: dict[str, dict[str, list[Import]]]) -> list[list[str]]:
    """One shortest cycle through each strongly connected group of packages (Tarjan, then BFS)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, {})):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.add(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(set(graph) | {b for targets in graph.values() for b in targets}):
        if node not in index:
            visit(node)

    found = []
    for group in groups:
        start = min(group)
        paths = {start: [start]}
        queue = [start]
        cycle: list[str] = []
        while queue and not cycle:
            node = queue.pop(0)
            for nxt in sorted(graph.get(node, {})):
                if nxt == start:
                    cycle = [*paths[node], start]
                    break
                if nxt in group and nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    queue.append(nxt)
        found.append(cycle)
    return found


def describe(cycle: list[str], graph: dict[str, dict[str, list[Import]]]) -> str:
    lines = [" -> ".join(cycle)]
    for a, b in itertools.pairwise(cycle):
        first = graph[a][b][0]
        more = len(graph[a][b]) - 1
        also = f" and {more} more" if more else ""
        lines.append(f"    {a} -> {b}: {first.source} imports {first.target} ({first.where}){also}")
    return "\n".join(lines)


def report() -> tuple[list[str], list[str]]:
    """The cycles between packages (module-level imports), and the function-level imports
    between packages (listed, not counted)."""
    edges = imports()
    module_level = package_graph([e for e in edges if not e.in_function])
    found = [describe(cycle, module_level) for cycle in cycles(module_level)]
    deferred = sorted(
        f"{e.source} -> {e.target} ({e.where})"
        for e in edges
        if e.in_function and unit(e.source) != unit(e.target) and unit(e.target) != "governance"
    )
    return found, deferred


def oversized() -> dict[str, int]:
    sizes = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "piccolo_migrations" in path.parts:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            sizes[str(path.relative_to(ROOT))] = lines
    return sizes


# Fails at the time of writing (issue 18 is fixing it): strict xfail, so it flips to a failure,
# to be unmarked, the day the code base keeps the rule.
@pytest.mark.xfail(
    strict=True,
    reason="issue 18: one module-level cycle left: governance.agenda -> governance.meetings -> "
    "governance.room -> governance.agenda (the agenda's and the polls' page controllers re-render the "
    "meeting page through the room's shell, re-exported by meetings/attendance_controllers.py; they "
    "belong in the room)",
)
def test_no_import_cycle_between_packages() -> None:
    found, deferred = report()
    assert not found, (
        f"{len(found)} import cycle(s) between packages under governance/ (module-level imports):\n"
        + "\n".join(found)
        + f"\n\nFunction-level imports between packages (not counted): {len(deferred)}\n    "
        + "\n    ".join(deferred)
    )


def test_no_module_exceeds_600_lines() -> None:
    sizes = oversized()
    assert not sizes, f"modules over {MAX_LINES} lines: " + ", ".join(f"{p} ({n})" for p, n in sizes.items())


def test_the_import_walk_sees_relative_and_package_imports() -> None:
    """The walk itself: a relative import and ``from governance import db`` both resolve."""
    edges = imports()
    assert any(e.source == "governance.polls.services" and e.target == "governance.db" for e in edges)
    assert any(unit(e.target) == "governance.polls" and e.source.startswith("governance.polls.") for e in edges)


def test_no_test_module_imports_another_or_a_conftest() -> None:
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or "", *(alias.name for alias in node.names)]
            last = {name.rpartition(".")[2] for name in names}
            if any(n.startswith("test_") or n == "conftest" for n in last):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, "imports of test modules or conftest (use tests/support/): " + ", ".join(offenders)


if __name__ == "__main__":
    found, deferred = report()
    print(f"Import cycles between packages (module-level): {len(found)}")
    for cycle in found:
        print(cycle)
    print(f"\nFunction-level imports between packages (not counted): {len(deferred)}")
    for line in deferred:
        print("   ", line)
    print(f"\nModules over {MAX_LINES} lines:")
    for path, lines in oversized().items():
        print(f"    {path}: {lines}")
