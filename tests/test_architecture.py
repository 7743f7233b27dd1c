"""The layout holds: no import cycle, no import hidden in a function without its reason, a small
top level, and ARCHITECTURE.md's tree names what exists (the layers themselves: ``lint-imports``)."""

from __future__ import annotations

import ast
import re
import sys

import grimp
import pytest

from tests.support import ROOT

PACKAGE = ROOT / "nexos_model"

#: Every import inside a function, each marked ``# lazy: <reason>`` (see ARCHITECTURE.md): the CLI's
#: command, ``nexos_model.run``, and optional heavy dependencies where they are used. Adding one is a
#: decision: give its reason on the line and count it here.
LAZY_IMPORTS = 27


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _in_function_imports() -> list[tuple[str, int, str]]:
    """``(file, line, source)`` of every import statement (or ``importlib.import_module`` call)
    inside a function, outside ``if TYPE_CHECKING:`` blocks."""
    found = []
    for path, tree in _modules():
        lines = path.read_text(encoding="utf-8").splitlines()

        def visit(node: ast.AST, in_function: bool) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                    continue
                inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                dynamic = (isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute)
                           and child.func.attr == "import_module")
                if inside and (isinstance(child, (ast.Import, ast.ImportFrom)) or dynamic):
                    text = "\n".join(lines[child.lineno - 1:child.end_lineno])
                    found.append((str(path.relative_to(ROOT)), child.lineno, text))
                visit(child, inside)

        visit(tree, False)
    return found


def test_no_import_cycle_between_any_two_modules():
    """Tarjan's strongly connected components of the import graph (every import: top level, in a
    function or for type checking): each must be a single module."""
    graph = grimp.build_graph("nexos_model")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                connect(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            connect(module)
    assert cycles == []


def test_every_import_inside_a_function_says_why_and_they_are_counted():
    imports = _in_function_imports()
    unexplained = [f"{file}:{line}: {text}" for file, line, text in imports if "# lazy:" not in text]
    assert unexplained == [], "import inside a function without '# lazy: <reason>'"
    assert len(imports) == LAZY_IMPORTS, "\n".join(f"{f}:{n}" for f, n, _ in imports)


def test_the_counter_finds_a_hidden_import(tmp_path, monkeypatch):
    """The count above can fail: a function with an import is seen, with or without a reason."""
    module = tmp_path / "nexos_model" / "x.py"
    module.parent.mkdir()
    module.write_text("def f():\n    import json\n    return json\n\n\ndef g():\n"
                      "    from os import path  # lazy: a reason\n    return path\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", module.parent)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = _in_function_imports()
    assert [(line, "# lazy:" in text) for _, line, text in found] == [(2, False), (7, True)]


def test_at_most_six_modules_at_the_top():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "api.py", "catalog.py", "errors.py", "projection.py", "wording.py"]


def _tree() -> list[str]:
    """The paths ARCHITECTURE.md's tree names (``cli/``, ``api.py``...), relative to the package."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = re.search(r"```\nnexos_model/\n(.*?)```", text, re.S)
    assert block, "ARCHITECTURE.md has no tree starting with nexos_model/"
    return [line.split()[0] for line in block.group(1).splitlines() if line.strip()]


def test_architecture_tree_names_what_exists_and_everything_that_exists():
    named = _tree()
    missing = [name for name in named if not (PACKAGE / name).exists()]
    assert missing == []
    packages = {p.parent.name + "/" for p in PACKAGE.glob("*/__init__.py")}
    modules = {p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"}
    assert (packages | modules | {"data/", "resources/"}) == set(named)


@pytest.mark.parametrize("package", sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py")))
def test_every_package_says_what_it_holds(package):
    """Each package's ``__init__`` is its description: a docstring and nothing that runs."""
    tree = ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{package}/__init__.py has no docstring"
    assert all(isinstance(node, ast.Expr) for node in tree.body), f"{package}/__init__.py runs code"
