"""No import cycles between coprod_tui's modules, deferred (function-level) imports included: found from the code.

Every module's source is parsed and every import in it counts, wherever it is (top of the file, inside a function,
under `if TYPE_CHECKING:`). `from pkg import name` is an import of the module `pkg.name` when that is a module, else
of `pkg` itself (a package's `__init__`). A cycle is a strongly connected group of modules; each is reported with one
shortest loop through it and the lines that make it.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

import coprod_tui

PACKAGE_DIR = Path(coprod_tui.__file__).parent

Edges = dict[str, dict[str, int]]  # module -> {imported module: line of the first such import}


def module_files(root: Path, package: str) -> dict[str, Path]:
    """Every module under `root` (the folder of `package`) by its dotted name; a package is its `__init__`."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join([package, *parts])] = path
    return found


def _resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    base = module.split(".")
    if not is_package:
        base.pop()
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def import_edges(root: Path, package: str) -> Edges:
    """The imports between the modules of `package`, read from the source (no module is imported)."""
    modules = module_files(root, package)

    def owner(name: str) -> str | None:
        """The module that `import name` loads last: `name` itself, or its longest prefix that is a module."""
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    edges: Edges = {name: {} for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"

        def add(target: str | None, line: int) -> None:
            if target is not None and target != name:
                edges[name].setdefault(target, line)

        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == package or alias.name.startswith(package + "."):
                        add(owner(alias.name), node.lineno)
            elif isinstance(node, ast.ImportFrom):
                source = (_resolve_relative(name, is_package, node.level, node.module) if node.level
                          else node.module or "")
                if source != package and not source.startswith(package + "."):
                    continue
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    add(submodule if submodule in modules else owner(source), node.lineno)
    return edges


def strongly_connected(edges: Edges) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that can each reach all the others (size > 1)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, {})))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return sorted(groups)


def shortest_loop(edges: Edges, group: list[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, staying inside the group."""
    start, members = group[0], set(group)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(edges[node]):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if child in members and child not in came_from:
                came_from[child] = node
                queue.append(child)
    raise AssertionError(f"no loop through {start}")  # pragma: no cover - a strongly connected group always has one


def cycles(root: Path, package: str) -> list[str]:
    """One line per cycle: `a -> b -> a` with where each import is (`pkg/a.py:12`)."""
    edges = import_edges(root, package)
    files = {name: path.relative_to(root.parent).as_posix() for name, path in module_files(root, package).items()}
    lines = []
    for group in strongly_connected(edges):
        loop = shortest_loop(edges, group)
        where = ", ".join(f"{files[a]}:{edges[a][b]}" for a, b in zip(loop, loop[1:]))
        others = sorted(set(group) - set(loop))
        lines.append(" -> ".join(loop) + f"  ({where})" + (f"; also in this cycle: {', '.join(others)}"
                                                           if others else ""))
    return lines


def test_no_import_cycles_between_modules():
    found = cycles(PACKAGE_DIR, "coprod_tui")
    assert found == [], "import cycles:\n" + "\n".join(found)


def test_every_module_is_read():
    edges = import_edges(PACKAGE_DIR, "coprod_tui")
    for name in ("coprod_tui.cli", "coprod_tui.cli.common", "coprod_tui.core.hub", "coprod_tui.web.app",
                 "coprod_tui.core.store.file", "coprod_tui.tui.app"):
        assert name in edges
    assert "coprod_tui.cli.common" in edges["coprod_tui.cli"]
    assert "coprod_tui.core.store.folder" in edges["coprod_tui.cli.common"]


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, "utf-8")
    return root


def test_the_detector_catches_a_planted_cycle_through_a_deferred_import(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "",
        "a.py": "from pkg.b import helper\n",
        "b.py": "def helper():\n    from pkg import a  # deferred, and `a` is a module\n    return a\n",
        "c.py": "import pkg.a\n",  # imports into the cycle, is not part of it
    })
    assert cycles(root, "pkg") == ["pkg.a -> pkg.b -> pkg.a  (pkg/a.py:1, pkg/b.py:2)"]


def test_the_detector_catches_a_cycle_with_a_package_and_relative_imports(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "",
        "cli/__init__.py": "from .trash import cmd\n",
        "cli/trash.py": "def cmd():\n    from pkg.cli import one_line  # a function of the package: its __init__\n",
        "cli/common.py": "",
    })
    assert cycles(root, "pkg") == ["pkg.cli -> pkg.cli.trash -> pkg.cli  (pkg/cli/__init__.py:1, pkg/cli/trash.py:2)"]


def test_imports_that_only_point_down_are_no_cycle(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "",
        "cli/__init__.py": "from pkg.cli.common import one_line\nfrom pkg.cli import trash\n",
        "cli/common.py": "import os\n",
        "cli/trash.py": "from pkg.cli.common import one_line\nfrom . import common\n",
    })
    edges = import_edges(root, "pkg")
    assert edges["pkg.cli"] == {"pkg.cli.common": 1, "pkg.cli.trash": 2}
    assert edges["pkg.cli.trash"] == {"pkg.cli.common": 1}
    assert cycles(root, "pkg") == []
