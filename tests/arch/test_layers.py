"""The import rules of DESIGN.md's "Layers": one way down, no cycles, no module over 400 lines.

Every `import` and `from ... import` in src/pausepoint is read with `ast`, wherever it stands (a
function-level import counts like any other; only `if TYPE_CHECKING:` blocks are left out, since
they never run). The composition roots (`api/app.py`, `cli/serve.py`) may reach across doors.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "pausepoint"

# Lower number = lower layer. A module may import its own layer or any lower one.
LAYERS: dict[str, int] = {
    "errors": 0,
    "settings": 0,
    "domain": 0,
    "forms": 0,
    "jsontext": 0,
    "persistence": 1,
    "agents": 2,
    "workflows": 3,
    "orchestrator": 4,
    "service": 5,
    "api": 6,
    "a2a": 6,
    "cli": 6,
}
DOORS = {"api", "a2a", "cli"}
COMPOSITION_ROOTS = {"pausepoint.api.app", "pausepoint.cli.serve", "pausepoint.__main__"}
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield other
                yield from _walk(other)
            continue
        yield child
        yield from _walk(child)


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The pausepoint modules `name` imports: `from pkg import mod` is pkg.mod, `from pkg import
    name` is pkg (its `__init__` runs)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def longest_known(dotted: str) -> str | None:
        parts = dotted.split(".")
        while parts and ".".join(parts) not in known:
            parts.pop()
        return ".".join(parts) or None

    for node in _walk(ast.parse(path.read_text(), str(path))):
        targets: list[str | None] = []
        if isinstance(node, ast.Import):
            targets = [longest_known(alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            for alias in node.names:
                full = f"{prefix}.{alias.name}"
                targets.append(full if full in known else longest_known(prefix))
        found.update(t for t in targets if t and t.startswith("pausepoint") and t != name)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def layer_of(module: str) -> tuple[str, int] | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None
    top = parts[1]
    return (top, LAYERS[top]) if top in LAYERS else None


def test_every_top_level_module_has_a_layer() -> None:
    tops = {m.split(".")[1] for m in modules() if m.count(".") >= 1}
    assert tops - {"__main__"} <= set(LAYERS), sorted(tops - set(LAYERS))


def test_imports_run_one_way_down() -> None:
    upward = []
    for module, targets in graph().items():
        if module in COMPOSITION_ROOTS:
            continue
        mine = layer_of(module)
        if mine is None:
            continue
        for target in targets:
            theirs = layer_of(target)
            if theirs is None or theirs[0] == mine[0]:
                continue
            if theirs[1] > mine[1] or (theirs[0] in DOORS and mine[0] in DOORS):
                upward.append(f"{module} -> {target}")
    assert not upward, "imports that run up the layers or across doors:\n" + "\n".join(upward)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    found = cycles(graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_checker_sees_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_over_400_lines() -> None:
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"
