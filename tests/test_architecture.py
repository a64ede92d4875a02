"""The layers import one way: core <- data <- figures <- estimators <- analyses <- pipeline.

Every module's imports are read with ``ast`` (top-level and inside functions alike). A module
may import its own layer or a lower one; the one exception is an import of ``potash.figures``
inside a method called ``plot`` (a results object drawing itself, as statsmodels does), which
is downward anyway for estimators and analyses. No circles at all, lazy imports included. No
module imports an old path of ``potash.core.compat.MOVED``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from potash.core.compat import MOVED

ROOT = Path(__file__).resolve().parents[1] / "potash"
LAYERS = ["core", "data", "figures", "estimators", "analyses", "pipeline"]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return len(LAYERS)  # potash/__init__.py: the flat API sits above every layer
    if parts[1] == "__main__":
        return len(LAYERS)
    return LAYERS.index(parts[1])


def _imports(path: Path) -> list[tuple[str, int, str | None]]:
    """(imported potash module, line, enclosing function name or None)."""
    tree = ast.parse(path.read_text())
    name = _module_name(path)
    pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: list[tuple[str, int, str | None]] = []

    def visit(node: ast.AST, func: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            f = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else func
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = pkg.split(".")[: len(pkg.split(".")) - child.level + 1]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if target == "potash" or target.startswith("potash."):
                    for alias in child.names:  # ``from potash.data import customs`` is a module
                        sub = f"{target}.{alias.name}"
                        out.append((sub if _is_module(sub) else target, child.lineno, f))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name == "potash" or alias.name.startswith("potash."):
                        out.append((alias.name, child.lineno, f))
            visit(child, f)

    visit(tree, None)
    return out


def _is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:])
    return (ROOT / rel).with_suffix(".py").is_file() or (ROOT / rel / "__init__.py").is_file()


MODULES = sorted(ROOT.rglob("*.py"))


def test_every_module_is_in_a_layer() -> None:
    for path in MODULES:
        name = _module_name(path)
        if name.count(".") >= 1 and name != "potash.__main__":
            assert name.split(".")[1] in LAYERS, f"{name} is outside the layers {LAYERS}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_imports_run_one_way(path: Path) -> None:
    name = _module_name(path)
    mine = _layer(name)
    for target, line, func in _imports(path):
        assert not any(target == old or target.startswith(old + ".") for old in MOVED), (
            f"{name}:{line} imports the old path {target}")
        if target == "potash":
            assert mine == len(LAYERS), f"{name}:{line} imports the flat API (potash) from inside"
            continue
        theirs = _layer(target)
        if func == "plot" and target.startswith("potash.figures"):
            continue
        assert theirs <= mine, (
            f"{name}:{line} imports {target}: layer {LAYERS[theirs]} is above {LAYERS[mine]}")


def test_no_import_circles() -> None:
    graph: dict[str, set[str]] = {}
    for path in MODULES:
        name = _module_name(path)
        deps = set()
        for target, _, _ in _imports(path):
            # importing a package runs its __init__: an edge to the package itself
            while target and not _is_module(target):
                target = target.rsplit(".", 1)[0]
            if target and target != name and target != "potash":
                deps.add(target)
        graph[name] = deps
    # a package's __init__ may re-export its own modules: those edges are not circles
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if node.startswith(dep + "."):
                continue  # a module importing its parent package's __init__ (re-export)
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep):] + [dep]
                raise AssertionError("import circle: " + " -> ".join(cycle))
            if dep not in state:
                walk(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node)


def test_the_checker_finds_an_upward_import_and_a_circle(tmp_path: Path) -> None:
    """The rules catch what they are for (on a throw-away module tree)."""
    assert _layer("potash.data.trade") < _layer("potash.estimators.its")
    f = tmp_path / "m.py"
    f.write_text("def g():\n    from potash.analyses.market import hhi\n")
    tree = ast.parse(f.read_text())
    found = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert found and found[0].module == "potash.analyses.market"
    assert _layer(found[0].module) > _layer("potash.data.trade")


def test_import_potash_loads_no_heavy_module() -> None:
    """The flat API is lazy: ``import potash`` alone loads none of the scientific stack."""
    import subprocess
    import sys

    code = ("import sys, potash; heavy = ('pandas', 'numpy', 'statsmodels', 'duckdb', "
            "'requests', 'matplotlib'); print([m for m in heavy if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_old_paths_alias_the_new_modules_with_a_warning() -> None:
    import importlib
    import sys
    import warnings

    sys.modules.pop("potash.prices", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = importlib.import_module("potash.prices")
    from potash.estimators import its

    assert old is its
    assert any(issubclass(w.category, DeprecationWarning) and "potash.estimators.its" in
               str(w.message) for w in caught)


def test_flat_api_names_resolve() -> None:
    import potash

    for name in potash.__all__:
        assert getattr(potash, name) is not None, name
