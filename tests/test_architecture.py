"""The shape a newcomer relies on: no import cycles between packages, reporters that know
only findings, mkdocs only in the plugin and the macros, and every rule code in the one
unit that checks it."""

from __future__ import annotations

import ast
import inspect
from collections import defaultdict
from pathlib import Path

import pytest

from orion_registry.rules import RULES

PACKAGE = Path(__file__).resolve().parent.parent / "orion_registry"


def _module_name(path: Path) -> tuple[str, bool]:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def _imports(path: Path) -> set[str]:
    """Every `orion_registry` module `path` imports (at any depth, lazily or not)."""
    module, is_package = _module_name(path)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = module.split(".")[: None if is_package else -1]
            base = base[: len(base) - (node.level - 1)]
            if node.module:
                found.add(".".join([*base, node.module]))
            else:  # `from .. import x`: a module x, or a name of the package itself
                found.update(_module_or_package([*base, alias.name]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("orion_registry"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("orion_registry"))
    return found


def _module_or_package(parts: list[str]) -> str:
    path = PACKAGE.parent.joinpath(*parts)
    is_module = path.with_suffix(".py").is_file() or path.is_dir()
    return ".".join(parts if is_module else parts[:-1])


def _unit(module: str) -> str:
    """The package (or top-level module) a module belongs to: `rules`, `engine`..."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def unit_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        source = _unit(_module_name(path)[0])
        graph[source] |= {_unit(m) for m in _imports(path)} - {source, "orion_registry"}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one unit (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_between_packages() -> None:
    assert cycles(unit_graph()) == []


def test_reporters_depend_only_on_findings() -> None:
    allowed = {"findings", "reporters", "orion_registry"}
    for path in (PACKAGE / "reporters").glob("*.py"):
        used = {_unit(m) for m in _imports(path)}
        assert used <= allowed | {"__init__"}, f"{path.name} imports {used - allowed}"


def test_only_the_plugin_and_the_macros_import_mkdocs() -> None:
    importers = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            if any(n == "mkdocs" or n.startswith("mkdocs.") for n in names):
                importers.add(path.relative_to(PACKAGE).as_posix())
    # serve_cache.py is the plugin's own: the pages it keeps between `serve` rebuilds
    assert importers <= {"mkdocs_plugin.py", "serve_cache.py", "macros.py"}, importers


@pytest.mark.parametrize("code", sorted(RULES))
def test_a_rule_code_greps_to_the_unit_that_checks_it(code: str) -> None:
    """`grep '"D705"' orion_registry/rules` lands on the decorator of the function that
    checks D705, and on nothing else in rules/."""
    check = RULES[code].check
    source = inspect.getsource(check)
    decorator = source.split("\ndef ", 1)[0]
    assert f'"{code}"' in decorator, f"{code}: the decorator does not name the code"
    assert "return iter(())" not in source, f"{code} is a docs-only stub"
    hits = [
        path.name
        for path in (PACKAGE / "rules").glob("*.py")
        if f'"{code}"' in path.read_text(encoding="utf-8")
    ]
    assert hits == [Path(inspect.getfile(check)).name], hits
