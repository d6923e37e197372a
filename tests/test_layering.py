"""The package's layers: web → services → store, no import cycle, no Flask below the web layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "carnets"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


MODULES = {_module_name(path): _imports(path) for path in PACKAGE.rglob("*.py")}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*trail, node, target]
            if target not in state and (found := visit(target, [*trail, node])):
                return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node, [])):
            return found
    return None


def test_the_web_modules_import_each_other_in_no_loop():
    web = {name for name in MODULES if name.startswith("carnets.web.")}
    graph = {name: {t for t in MODULES[name] if t in web and t != name} for name in web}
    assert _cycle(graph) is None


def test_the_whole_package_has_no_import_cycle():
    names = set(MODULES) - {"carnets"}
    graph = {
        name: {t for t in MODULES[name] if t in names and t != name and not name.startswith(t)}
        for name in names
    }
    assert _cycle(graph) is None


@pytest.mark.parametrize("layer", ["carnets.services", "carnets.store"])
def test_nothing_below_the_web_layer_imports_flask(layer):
    for name, imported in MODULES.items():
        if name.startswith(layer):
            assert not {i for i in imported if i.split(".")[0] in ("flask", "werkzeug")}, name


def test_the_store_does_not_reach_up_into_services_or_web():
    for name, imported in MODULES.items():
        if name.startswith("carnets.store"):
            assert not {i for i in imported if i.startswith(("carnets.services", "carnets.web"))}
