"""Imports sit at the top of a module: only the command line defers them, and three others,
each saying why."""

import ast
from pathlib import Path

import retrosim

PACKAGE = Path(retrosim.__file__).parent

#: The deferred imports of retrosim's own modules outside ``cli/``, and why each waits.
ALLOWED = {
    "app/serve.py": "the page's server imports Shiny, an extra: checked first",
    "pytest_plugin.py": "pytest loads the plugin in every run: fixtures load on first use",
    "report/document.py": "a sweep's store imports Zarr, an extra: checked first",
}


def _deferred(path: Path) -> list[int]:
    """Lines of imports of retrosim modules inside a function of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom) else
                     [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            if any(n == "retrosim" or n.startswith("retrosim.") for n in names):
                lines.append(node.lineno)
    return sorted(set(lines))


def test_only_the_allowed_modules_defer_an_import_of_retrosim():
    found = {path.relative_to(PACKAGE).as_posix(): _deferred(path)
             for path in sorted(PACKAGE.rglob("*.py"))
             if path.relative_to(PACKAGE).parts[0] != "cli" and path.name != "__init__.py"}
    deferred = {name: lines for name, lines in found.items() if lines}
    assert set(deferred) <= set(ALLOWED), deferred
    assert sum(len(v) for v in deferred.values()) <= 3


def test_each_allowed_deferred_import_says_why():
    for name in ALLOWED:
        path = PACKAGE / name
        text = path.read_text(encoding="utf-8").splitlines()
        for line in _deferred(path):
            around = text[max(0, line - 3):line]
            assert any("#" in s for s in around), f"{name}:{line} does not say why it waits"
