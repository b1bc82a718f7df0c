"""Consumers compose runs through the api: none of them imports the engine, the solvers or
the event models itself."""

import ast
from pathlib import Path

import retrosim

PACKAGE = Path(retrosim.__file__).parent
CONSUMERS = ("app", "report", "scale", "ftms", "validation", "testing", "cli", "design", "fit",
             "pytest_plugin.py")
BELOW = ("retrosim.engine", "retrosim.solve", "retrosim.events")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:     # the module and its names
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found += [(node.lineno, n) for n in names]
    return found


def test_no_consumer_reaches_below_the_api():
    reaching = [f"{path.relative_to(PACKAGE)}:{line} {name}"
                for path in sorted(PACKAGE.rglob("*.py"))
                if path.relative_to(PACKAGE).parts[0] in CONSUMERS
                for line, name in _imports(path)
                if any(name == b or name.startswith(b + ".") for b in BELOW)]
    assert reaching == []


def test_the_scan_sees_an_import_from_below():
    """The scan is not blind: the api itself composes runs from the engine."""
    names = [n for _, n in _imports(PACKAGE / "api" / "__init__.py")]
    assert any(n.startswith("retrosim.engine") for n in names)
