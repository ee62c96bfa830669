"""The repository's structure rules (issue #23), checked on the whole tree outside tests/.

- no .py file over 700 lines;
- no function over 80 lines (100 under components/);
- no import cycle among the project's modules (the graph is built from `ast` imports);
- `settings` (module or package) and `components` never import each other, and neither
  imports `wiring`, directly or through other project modules.

The checker functions are tested first on small synthetic trees, each rule on a tree that
breaks it, so a rule that stopped seeing its violation would fail here too.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_FILE_LINES = 700
MAX_FUNCTION_LINES = 80
MAX_FUNCTION_LINES_IN = {"components": 100}
# Layering: (importer group, imported group) pairs that must not be connected by imports.
FORBIDDEN = (
    ("settings", "components"),
    ("components", "settings"),
    ("settings", "wiring"),
    ("components", "wiring"),
    # contracts/ is below both: it imports nothing of the project's layers.
    ("contracts", "settings"),
    ("contracts", "components"),
    ("contracts", "wiring"),
)
SKIPPED_DIRS = {"__pycache__", "node_modules", "tests"}

Graph = dict[str, set[str]]


# ---------------------------------------------------------------------------------------------
# The checkers
# ---------------------------------------------------------------------------------------------


def python_files(root: Path) -> list[Path]:
    """The .py files below `root`, outside tests/, hidden folders (.git, .venv) and virtualenvs."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            name
            for name in dirs
            if not name.startswith(".")
            and name not in SKIPPED_DIRS
            and not (Path(folder) / name / "pyvenv.cfg").exists()
        )
        found += [Path(folder) / name for name in sorted(files) if name.endswith(".py")]
    return found


def long_files(root: Path, files: Iterable[Path], limit: int = MAX_FILE_LINES) -> list[str]:
    """`path (N lines)` for each file over `limit` lines."""
    lengths = ((path, len(path.read_text().splitlines())) for path in files)
    return [f"{path.relative_to(root)} ({count} lines)" for path, count in lengths if count > limit]


def function_limit(relative: Path) -> int:
    return MAX_FUNCTION_LINES_IN.get(relative.parts[0], MAX_FUNCTION_LINES)


def long_functions(root: Path, files: Iterable[Path]) -> list[str]:
    """`path:line name (N lines)` for each function (or method) longer than its folder allows.

    A function's length runs from its `def` line to its last line (decorators not counted).
    """
    found = []
    for path in files:
        relative = path.relative_to(root)
        limit = function_limit(relative)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > limit:
                    found.append(f"{relative}:{node.lineno} {node.name} ({length} lines, limit {limit})")
    return found


def module_name(root: Path, path: Path) -> str:
    """The dotted name of a file with `root` importable: a package is named by its folder."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def _imported_names(tree: ast.Module, package: str) -> Iterable[str]:
    """Each name an import statement of the module asks for, relative ones made absolute.

    `from a import b` yields `a.b` (a module b, or a name b of module a: resolved later). All
    imports count, those inside functions and under `if TYPE_CHECKING:` too.
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # `from .. import x` in package a.b.c: a.b.x
                parts = package.split(".") if package else []
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            yield from (f"{base}.{alias.name}" if base else alias.name for alias in node.names)


def _resolve(name: str, modules: set[str], folder: str) -> str | None:
    """The project module an imported name lands in: its longest prefix that is one.

    A name that is no project module from the root is tried beside the importer, as a script
    run from its own folder imports its neighbours (`bench/`, `policypack/__main__.py`).
    """
    candidates = [(name, 0)] + ([(f"{folder}.{name}", folder.count(".") + 1)] if folder else [])
    for candidate, below in candidates:  # the neighbour's own name must match, not just the folder
        parts = candidate.split(".")
        for end in range(len(parts), below, -1):
            prefix = ".".join(parts[:end])
            if prefix in modules:
                return prefix
    return None


def import_graph(root: Path, files: Iterable[Path]) -> Graph:
    """Module -> the project modules it imports."""
    paths = {module_name(root, path): path for path in files}
    modules = set(paths)
    graph: Graph = {}
    for name, path in paths.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        folder = ".".join(path.relative_to(root).parent.parts)
        tree = ast.parse(path.read_text(), str(path))
        targets = (_resolve(imported, modules, folder) for imported in _imported_names(tree, package))
        graph[name] = {target for target in targets if target is not None and target != name}
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """One cycle (a -> b -> ... -> a) for each strongly connected group of modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_through(graph, group) for group in groups]


def _cycle_through(graph: Mapping[str, set[str]], group: list[str]) -> list[str]:
    """A shortest cycle from the group's first module back to it, staying inside the group."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        next_frontier = []
        for node in frontier:
            for target in sorted(graph.get(node, set()) & members):
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    next_frontier.append(target)
        frontier = next_frontier
    raise AssertionError(f"{group} is no cycle")


def in_group(module: str, group: str) -> bool:
    return module == group or module.startswith(f"{group}.")


def path_between(graph: Mapping[str, set[str]], start: str, group: str) -> list[str] | None:
    """The shortest import chain from `start` to a module of `group`, if there is one."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        next_frontier = []
        for node in frontier:
            for target in sorted(graph.get(node, ())):
                if target in paths:
                    continue
                paths[target] = [*paths[node], target]
                if in_group(target, group):
                    return paths[target]
                next_frontier.append(target)
        frontier = next_frontier
    return None


def layer_violations(graph: Mapping[str, set[str]], forbidden: Iterable[tuple[str, str]] = FORBIDDEN) -> list[str]:
    """`a -> ... -> b` for each module of an importer group that reaches a group it must not."""
    found = []
    for importer, imported in forbidden:
        for module in sorted(graph):
            if in_group(module, importer):
                chain = path_between(graph, module, imported)
                if chain is not None:
                    found.append(f"{importer} must not import {imported}: {' -> '.join(chain)}")
    return found


# ---------------------------------------------------------------------------------------------
# The rules on this repository
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def files() -> list[Path]:
    found = python_files(ROOT)
    assert any(path.name == "__main__.py" and path.parent == ROOT for path in found), "the project root was not read"
    return found


@pytest.fixture(scope="module")
def graph(files: list[Path]) -> Graph:
    built = import_graph(ROOT, files)
    assert any(in_group(module, "components") for module in built), "no components modules were read"
    assert any(in_group(module, "settings") for module in built), "no settings module was read"
    return built


def test_no_file_is_over_700_lines(files: list[Path]) -> None:
    found = long_files(ROOT, files)
    assert not found, "files over 700 lines:\n" + "\n".join(found)


def test_no_function_is_over_its_limit(files: list[Path]) -> None:
    found = long_functions(ROOT, files)
    assert not found, "functions over 80 lines (100 under components/):\n" + "\n".join(found)


def test_no_import_cycle(graph: Graph) -> None:
    found = [" -> ".join(cycle) for cycle in cycles(graph)]
    assert not found, "import cycles:\n" + "\n".join(found)


def test_settings_components_and_wiring_keep_their_layers(graph: Graph) -> None:
    found = layer_violations(graph)
    assert not found, "imports across layers:\n" + "\n".join(found)


# ---------------------------------------------------------------------------------------------
# The checkers on synthetic trees
# ---------------------------------------------------------------------------------------------


def tree(root: Path, sources: Mapping[str, str]) -> list[Path]:
    for relative, text in sources.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return python_files(root)


def function_of(lines: int, name: str = "f") -> str:
    """A function of exactly `lines` lines."""
    return f"def {name}() -> None:\n" + "    pass\n" * (lines - 1)


def test_python_files_skip_tests_hidden_folders_and_virtualenvs(tmp_path: Path) -> None:
    files = tree(
        tmp_path,
        {
            "a.py": "",
            "pkg/__init__.py": "",
            "tests/test_a.py": "",
            ".git/hook.py": "",
            "env/pyvenv.cfg": "",
            "env/lib/site.py": "",
            "pkg/__pycache__/x.py": "",
        },
    )
    assert sorted(str(path.relative_to(tmp_path)) for path in files) == ["a.py", "pkg/__init__.py"]


def test_a_file_over_the_limit_is_reported(tmp_path: Path) -> None:
    files = tree(tmp_path, {"ok.py": "x = 1\n" * 700, "big/long.py": "x = 1\n" * 701})
    assert long_files(tmp_path, files) == ["big/long.py (701 lines)"]


def test_a_function_over_its_folders_limit_is_reported(tmp_path: Path) -> None:
    sources = {
        "ok.py": function_of(80),
        "long.py": "import os\n\n\n@staticmethod\n" + function_of(81, "long"),
        "nested.py": "class C:\n    def m(self) -> None:\n" + "        pass\n" * 80,
        "components/ok.py": function_of(100),
        "components/long.py": function_of(101, "big"),
    }
    found = long_functions(tmp_path, tree(tmp_path, sources))
    assert sorted(found) == [
        "components/long.py:1 big (101 lines, limit 100)",
        "long.py:5 long (81 lines, limit 80)",
        "nested.py:2 m (81 lines, limit 80)",
    ]


def test_imports_resolve_to_project_modules(tmp_path: Path) -> None:
    sources = {
        "main.py": "import os\nimport pkg.sub.leaf\nfrom pkg import helper\nfrom pkg.sub import NAME\n",
        "pkg/__init__.py": "from . import helper\nfrom .sub.leaf import thing\n",
        "pkg/helper.py": "def f() -> None:\n    import pkg.sub\n",
        "pkg/sub/__init__.py": "from .. import helper\n",
        "pkg/sub/leaf.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.helper import f\n",
        "scripts/run.py": "from neighbour import g\nimport yaml\n",
        "scripts/neighbour.py": "",
    }
    graph = import_graph(tmp_path, tree(tmp_path, sources))
    assert graph == {
        "main": {"pkg.sub.leaf", "pkg.helper", "pkg.sub"},
        "pkg": {"pkg.helper", "pkg.sub.leaf"},
        "pkg.helper": {"pkg.sub"},
        "pkg.sub": {"pkg.helper"},
        "pkg.sub.leaf": {"pkg.helper"},
        "scripts.run": {"scripts.neighbour"},
        "scripts.neighbour": set(),
    }


def test_an_import_cycle_is_reported_with_its_path(tmp_path: Path) -> None:
    sources = {
        "a.py": "import b\n",
        "b.py": "from c import thing\n",
        "c.py": "def g() -> None:\n    from a import x\n",
        "d.py": "import a\n",
        "pkg/__init__.py": "from pkg.inner import y\n",
        "pkg/inner.py": "from pkg import z\n",
        "fine/__init__.py": "from fine.low import w\n",
        "fine/low.py": "",
    }
    found = cycles(import_graph(tmp_path, tree(tmp_path, sources)))
    assert found == [["a", "b", "c", "a"], ["pkg", "pkg.inner", "pkg"]]


def test_no_cycle_in_a_layered_tree() -> None:
    assert cycles({"top": {"mid", "low"}, "mid": {"low"}, "low": set()}) == []


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (
            {"settings.py": "from components.cloud import Args\n", "components/cloud.py": ""},
            ["settings must not import components: settings -> components.cloud"],
        ),
        (
            {"settings/__init__.py": "", "settings/cloud.py": "", "components/cloud.py": "import settings.cloud\n"},
            ["components must not import settings: components.cloud -> settings.cloud"],
        ),
        (
            {
                "settings/__init__.py": "from .layer import x\n",
                "settings/layer.py": "import wiring.stack\n",
                "wiring/stack.py": "",
            },
            [
                "settings must not import wiring: settings -> settings.layer -> wiring.stack",
                "settings must not import wiring: settings.layer -> wiring.stack",
            ],
        ),
        (
            {"components/a.py": "from helpers import h\n", "helpers.py": "from wiring import w\n", "wiring.py": ""},
            ["components must not import wiring: components.a -> helpers -> wiring"],
        ),
        (
            {
                "wiring/stack.py": "import settings\nimport components.a\n",
                "settings.py": "import contracts\n",
                "components/a.py": "import contracts\n",
                "contracts.py": "",
            },
            [],
        ),
    ],
)
def test_layer_violations_are_reported(tmp_path: Path, sources: dict[str, str], expected: list[str]) -> None:
    assert layer_violations(import_graph(tmp_path, tree(tmp_path, sources))) == expected
